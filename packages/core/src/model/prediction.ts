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
  /** What preprocessing saw, when asked for (`?debug=1` on the server, `{ debug: true }` in the SDK). */
  readonly debug?: PredictionDebug;
}

/**
 * What preprocessing saw and did for one image: how a user understands a wrong answer. The
 * server's `?debug=1` and the SDK's `{ debug: true }` give the same object.
 */
export interface PredictionDebug {
  /** `clean` (paper of one value), `photo` (local background, components) or `skip` (`preprocess: 'none'`). */
  readonly method: 'clean' | 'photo' | 'skip';
  /** Dark ink on light paper, turned into light on black as MNIST. */
  readonly inverted: boolean;
  /**
   * The crop around the digit in the preprocessed image's pixels; `null` when none was found or
   * preprocessing was skipped.
   */
  readonly box: { readonly x: number; readonly y: number; readonly width: number; readonly height: number } | null;
  /** Size of the image preprocessing read (decoded, EXIF-oriented; in the page, after scaling a large photo down). */
  readonly imageWidth: number;
  readonly imageHeight: number;
  /** The model's input image as a grayscale PNG data URL (light ink on black, as MNIST). */
  readonly image: string;
}

/**
 * The {@link PredictionDebug} of a preprocessing result (core's `preprocessDigit`), for an image
 * of `width × height`, with its 28×28 pixels already encoded as `image`.
 *
 * @example
 * ```ts
 * const debug = predictionDebug(result, raw, await pngDataUrl(result.pixels));
 * ```
 */
export function predictionDebug(
  result: {
    readonly method: PredictionDebug['method'];
    readonly inverted: boolean;
    readonly box?: { readonly x0: number; readonly y0: number; readonly x1: number; readonly y1: number };
  },
  size: { readonly width: number; readonly height: number },
  image: string,
): PredictionDebug {
  const { box } = result;
  return {
    method: result.method,
    inverted: result.inverted,
    box: box === undefined ? null : { x: box.x0, y: box.y0, width: box.x1 - box.x0, height: box.y1 - box.y0 },
    imageWidth: size.width,
    imageHeight: size.height,
    image,
  };
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
