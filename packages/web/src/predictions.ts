import { argmax, toProbabilities, topK, type OutputKind } from '@onnxpipe/core';
import type { Prediction } from './types.js';

// One row of network output → the server's prediction object, built exactly as the server's
// POST /predict builds it (core's toProbabilities, argmax, topK), so both answer alike.

/**
 * The prediction for one output row.
 *
 * @example
 * ```ts
 * toPrediction(row, { labels, output: 'log_softmax' }, { topk: 3, empty: false });
 * ```
 */
export function toPrediction(
  row: ArrayLike<number>,
  model: { readonly labels: readonly string[]; readonly output: OutputKind },
  options: { readonly topk: number | undefined; readonly empty: boolean },
): Prediction {
  const probabilities = toProbabilities(row, model.output);
  const best = argmax(probabilities);
  return {
    label: model.labels[best],
    confidence: probabilities[best],
    probabilities,
    ...(options.topk === undefined ? {} : { topk: topK(probabilities, model.labels, options.topk) }),
    ...(options.empty ? { empty: true as const } : {}),
  };
}

/** Milliseconds rounded to microseconds, as the server reports them. */
export const roundMs = (ms: number): number => Math.round(ms * 1000) / 1000;
