import type { OutputKind } from './model-metadata.js';
import { argmax, toProbabilities, topK, type RankedLabel } from './probabilities.js';

// The answer for one image, as POST /predict and the browser SDK give it: both build it here,
// so the server and the page answer alike.

/** One image's prediction. */
export interface Prediction {
  readonly label: string;
  /** Probability of `label`. */
  readonly confidence: number;
  /** One per label, in label order, summing to 1. */
  readonly probabilities: readonly number[];
  /** The k most probable labels, when asked for. */
  readonly topk?: readonly RankedLabel[];
  /** Present and true when the image had no ink: the prediction means little. */
  readonly empty?: true;
}

/**
 * The prediction for one row of network output.
 *
 * @example
 * ```ts
 * toPrediction(row, { labels, output: 'log_softmax' }, { topk: 3, empty: false });
 * ```
 */
export function toPrediction(
  row: ArrayLike<number>,
  model: { readonly labels: readonly string[]; readonly output: OutputKind },
  options: { readonly topk?: number | undefined; readonly empty?: boolean } = {},
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
