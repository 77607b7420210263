import {
  ONNXPIPE_CORE_BAD_IMAGE,
  OnnxpipeError,
  pixelsFromFloats,
  preprocessDigit,
  type PixelBox,
  type RawImage,
} from '@onnxpipe/core';
import { ONNXPIPE_SERVER_BAD_INPUT_TENSOR } from '../errors.js';
import type { ModelMetadata } from '@onnxpipe/core';
import { decodeImage, decodeImageSync, decodeWithSharp } from './decode-image.js';
import type { InputItem, PreprocessMode } from './request-items.js';

/** Preprocessing starts with core's toGrayscale: a decoder that can hand over gray directly may. */
const GRAY = { grayscale: true } as const;

/** What preprocessing saw and did, for `?debug=1`. */
export interface PreprocessTrace {
  /** The `side × side` image the model saw (0 background, 255 ink). */
  readonly pixels: Uint8Array;
  readonly side: number;
  /** How the digit was found: `clean`, `photo`, or `skip` (`preprocess=none`). */
  readonly method: 'skip' | 'clean' | 'photo';
  /** Dark ink on light paper, inverted. */
  readonly inverted: boolean;
  /** The crop around the digit in the decoded image (after EXIF orientation); absent when empty or skipped. */
  readonly box?: PixelBox;
  /** Size of the decoded image (after EXIF orientation), or of the pixel array. */
  readonly width: number;
  readonly height: number;
}

/** One item turned into model input. */
export interface PreparedInput {
  /** `height × width` normalised values: one image of the model's input. */
  readonly input: Float32Array;
  /** No ink was found: the prediction is for a blank image. */
  readonly empty: boolean;
  /** Present when asked for (`trace`). */
  readonly trace?: PreprocessTrace;
}

/**
 * Decodes and preprocesses items the way the model's metadata says: core's `preprocessDigit`
 * (the same code the browser runs) with the model's normalisation and input side, or with
 * `preprocess: 'none'` only grayscale and normalisation for inputs already in MNIST format.
 * Items are decoded concurrently (sharp decodes on libuv's thread pool). With `trace`, each
 * result also says what preprocessing saw (for `?debug=1`).
 *
 * @throws `ONNXPIPE_SERVER_BAD_INPUT_TENSOR` (422) for pixels or images the model cannot take
 * (wrong count or size, values outside 0–255), and the errors of {@link decodeImage}
 */
export async function prepareInputs(
  items: readonly InputItem[],
  metadata: ModelMetadata,
  preprocess: PreprocessMode,
  maxImagePixels: number,
  trace = false,
): Promise<PreparedInput[]> {
  // One item, the usual request: decoded and preprocessed on the spot, without a promise per
  // step when its image takes the synchronous PNG path.
  if (items.length === 1) {
    const [item] = items;
    const image =
      item.kind === 'image'
        ? (decodeImageSync(item.bytes, item.where, maxImagePixels, GRAY) ??
          (await decodeWithSharp(item.bytes, item.where, maxImagePixels)))
        : undefined;
    return [prepareItem(item, image, metadata, preprocess, trace)];
  }
  return Promise.all(
    items.map(async (item) => {
      const image = item.kind === 'image' ? await decodeImage(item.bytes, item.where, maxImagePixels, GRAY) : undefined;
      return prepareItem(item, image, metadata, preprocess, trace);
    }),
  );
}

/** Preprocesses one item: its decoded image, or its pixel array when `image` is undefined. */
function prepareItem(
  item: InputItem,
  image: RawImage | undefined,
  metadata: ModelMetadata,
  preprocess: PreprocessMode,
  trace: boolean,
): PreparedInput {
  try {
    const raw = image ?? pixelsFromFloats(item.kind === 'pixels' ? item.values : [], { size: metadata.height });
    const result = preprocessDigit(raw, {
      normalization: metadata.normalization,
      skip: preprocess === 'none',
      outputSize: metadata.height,
    });
    if (!trace) return { input: result.input, empty: result.empty };
    const { pixels, method, inverted, box } = result;
    const seen = { pixels, side: metadata.height, method, inverted, width: raw.width, height: raw.height };
    return { input: result.input, empty: result.empty, trace: box === undefined ? seen : { ...seen, box } };
  } catch (error) {
    if (error instanceof OnnxpipeError && error.code === ONNXPIPE_CORE_BAD_IMAGE.code) {
      const hint =
        preprocess === 'none' && image !== undefined
          ? " (with preprocess=none the image must already be the model's input size)"
          : '';
      throw new ONNXPIPE_SERVER_BAD_INPUT_TENSOR(`${item.where}: ${error.message}${hint}`, { cause: error });
    }
    throw error;
  }
}
