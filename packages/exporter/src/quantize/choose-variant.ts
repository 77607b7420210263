// Which file browsers should fetch: the smallest whose test accuracy is within a tolerance of
// the source model's. Every variant runs at the source model's speed (quantize-model.ts: the
// weights are widened once, when the session starts), so size is the only trade-off left;
// bench:web measures the speed of each to keep that true.

/**
 * Largest drop of test accuracy a browser variant may have against the source model, in
 * percentage points. @defaultValue 0.05
 */
export const MAX_ACCURACY_DROP_POINTS = 0.05;

export interface Candidate {
  readonly file: string;
  readonly bytes: number;
  readonly accuracy: number;
}

/**
 * The smallest candidate within `maxDropPoints` of the first (the source model), which is the
 * answer when no variant qualifies.
 *
 * @example
 * ```ts
 * chooseWebVariant([
 *   { file: 'model.onnx', bytes: 800, accuracy: 0.9962 },
 *   { file: 'model.int8.onnx', bytes: 210, accuracy: 0.9961 },
 * ]);
 * // → the int8 file
 * ```
 */
export function chooseWebVariant<C extends Candidate>(
  candidates: readonly [C, ...C[]],
  maxDropPoints = MAX_ACCURACY_DROP_POINTS,
): C {
  const [source] = candidates;
  // Compared in whole images per 10^6 to keep 0.9957 ≥ 0.9962 − 0.0005 from failing on float noise.
  const floor = Math.round((source.accuracy - maxDropPoints / 100) * 1e6);
  const eligible = candidates.filter((c) => Math.round(c.accuracy * 1e6) >= floor);
  return eligible.reduce((best, c) => (c.bytes < best.bytes ? c : best), source);
}
