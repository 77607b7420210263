import { ONNXPIPE_CORE_BAD_MODEL_OUTPUT } from '../errors.js';
import type { OutputKind } from './model-metadata.js';

/**
 * Probabilities from one row of network output, summing to 1 (to within float64 rounding).
 *
 * - `log_softmax`: `exp(x)`, renormalised: float32 log-probabilities lose a little on the way,
 *   and clients add the values up.
 * - `softmax`: renormalised.
 * - `logits`: a softmax, computed stably (max subtracted first).
 *
 * @example
 * ```ts
 * toProbabilities(Float32Array.of(Math.log(0.25), Math.log(0.75)), 'log_softmax'); // [0.25, 0.75]
 * ```
 */
export function toProbabilities(row: ArrayLike<number>, kind: OutputKind): number[] {
  const values = Array.from(row);
  let exps: number[];
  if (kind === 'softmax') {
    exps = values.map((v) => Math.max(0, v));
  } else {
    // exp(x − max) for logits; for log-probabilities max ≤ 0 already, and subtracting it keeps
    // a row of very negative values (a saturated network) from underflowing to all zeros.
    const max = Math.max(...values);
    exps = values.map((v) => Math.exp(v - max));
  }
  const total = exps.reduce((sum, v) => sum + v, 0);
  if (!(total > 0) || !Number.isFinite(total)) {
    throw new ONNXPIPE_CORE_BAD_MODEL_OUTPUT(
      `network output has no finite probability mass: ${values.slice(0, 10).join(', ')}`,
    );
  }
  return exps.map((v) => v / total);
}

/** One entry of a top-k list. */
export interface RankedLabel {
  readonly label: string;
  readonly probability: number;
}

/** The `k` most probable labels, most probable first; ties keep label order. */
export function topK(probabilities: readonly number[], labels: readonly string[], k: number): RankedLabel[] {
  return probabilities
    .map((probability, index) => ({ label: labels[index], probability, index }))
    .sort((a, b) => b.probability - a.probability || a.index - b.index)
    .slice(0, Math.max(0, Math.min(k, labels.length)))
    .map(({ label, probability }) => ({ label, probability }));
}

/** Index of the largest value (the first, on ties). */
export function argmax(values: readonly number[]): number {
  let best = 0;
  for (let i = 1; i < values.length; i++) if (values[i] > values[best]) best = i;
  return best;
}
