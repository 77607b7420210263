import {
  ONNXPIPE_CORE_BAD_IMAGE,
  OnnxpipeError,
  predictionDebug,
  preprocessDigit,
  type Normalization,
  type PredictionDebug,
} from '@onnxpipe/core';
import { ONNXPIPE_WEB_BAD_INPUT } from '../errors.js';
import type { PreprocessMode } from '../types.js';
import { grayPngDataUrl } from './debug-image.js';
import { toRawImage } from './to-raw-image.js';

// The page's copy of the server's prepare-inputs.ts: the same core preprocessing with the same
// options (the model's normalisation and side, `skip` for preprocess=none), so an image gives
// the same model input in the page as on the server.

/** One input turned into model input. */
export interface PreparedDigit {
  /** `side × side` normalised values: one image of the model's input. */
  readonly input: Float32Array;
  /** The `side × side` grayscale image (0 background, 255 ink) `input` normalises. */
  readonly pixels: Uint8Array;
  /** No ink was found: the prediction is for a blank image. */
  readonly empty: boolean;
  /** What preprocessing saw, when asked for (`debug`). */
  readonly debug?: PredictionDebug;
}

/** `prediction` with the `debug` of its prepared input, when there is one. */
export function withDebug<P extends object>(prediction: P, prepared: PreparedDigit): P {
  return prepared.debug === undefined ? prediction : { ...prediction, debug: prepared.debug };
}

/** What preprocessing needs from the model. */
export interface PrepareOptions {
  readonly side: number;
  readonly normalization: Normalization;
  readonly preprocess: PreprocessMode;
  /** Files, `<img>` elements and bitmaps are scaled down to this long side first. */
  readonly maxImageSide: number;
  /** Also say what preprocessing saw (the 28×28 image as a PNG data URL, the crop box). */
  readonly debug: boolean;
}

/**
 * Reads and preprocesses every input, concurrently (decoding a Blob is asynchronous).
 *
 * @throws `ONNXPIPE_WEB_BAD_INPUT` naming the first input that cannot be read or preprocessed
 */
export async function prepareDigits(inputs: readonly unknown[], options: PrepareOptions): Promise<PreparedDigit[]> {
  const { side, normalization, preprocess, maxImageSide, debug } = options;
  return Promise.all(
    inputs.map(async (input, index) => {
      const image = await toRawImage(input, index, side, maxImageSide);
      if (preprocess === 'none' && (image.width !== side || image.height !== side)) {
        throw new ONNXPIPE_WEB_BAD_INPUT(
          `'input[${index}]' must be a ${side}×${side} image (an MNIST-format digit) with preprocess 'none'; received ${image.width}×${image.height}`,
        );
      }
      try {
        const result = preprocessDigit(image, { normalization, skip: preprocess === 'none', outputSize: side });
        const prepared = { input: result.input, pixels: result.pixels, empty: result.empty };
        return debug
          ? { ...prepared, debug: predictionDebug(result, image, await grayPngDataUrl(result.pixels, side)) }
          : prepared;
      } catch (error) {
        if (error instanceof OnnxpipeError && error.code === ONNXPIPE_CORE_BAD_IMAGE.code) {
          throw new ONNXPIPE_WEB_BAD_INPUT(`'input[${index}]' cannot be preprocessed: ${error.message}`, {
            cause: error,
          });
        }
        throw error;
      }
    }),
  );
}
