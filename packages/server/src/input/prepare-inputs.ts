import { OnnxpipeError, pixelsFromFloats, preprocessDigit, type RawImage } from '@onnxpipe/core';
import { ONNXPIPE_SERVER_BAD_INPUT_TENSOR } from '../errors.js';
import type { ModelMetadata } from '@onnxpipe/core';
import { decodeImage, decodeImageSync, decodeWithSharp } from './decode-image.js';
import type { InputItem, PreprocessMode } from './request-items.js';

/** Preprocessing starts with core's toGrayscale: a decoder that can hand over gray directly may. */
const GRAY = { grayscale: true } as const;

/** One item turned into model input. */
export interface PreparedInput {
  /** `height × width` normalised values: one image of the model's input. */
  readonly input: Float32Array;
  /** No ink was found: the prediction is for a blank image. */
  readonly empty: boolean;
}

/**
 * Decodes and preprocesses items the way the model's metadata says: core's `preprocessDigit`
 * (the same code the browser runs) with the model's normalisation and input side, or with
 * `preprocess: 'none'` only grayscale and normalisation for inputs already in MNIST format.
 * Items are decoded concurrently (sharp decodes on libuv's thread pool).
 *
 * @throws `ONNXPIPE_SERVER_BAD_INPUT_TENSOR` (422) for pixels or images the model cannot take
 * (wrong count or size, values outside 0–255), and the errors of {@link decodeImage}
 */
export async function prepareInputs(
  items: readonly InputItem[],
  metadata: ModelMetadata,
  preprocess: PreprocessMode,
  maxImagePixels: number,
): Promise<PreparedInput[]> {
  // One item, the usual request: decoded and preprocessed on the spot, without a promise per
  // step when its image takes the synchronous PNG path.
  if (items.length === 1) {
    const [item] = items;
    const image =
      item.kind === 'image'
        ? (decodeImageSync(item.bytes, item.where, maxImagePixels, GRAY) ?? (await decodeWithSharp(item.bytes, item.where, maxImagePixels)))
        : undefined;
    return [prepareItem(item, image, metadata, preprocess)];
  }
  return Promise.all(
    items.map(async (item) => {
      const image = item.kind === 'image' ? await decodeImage(item.bytes, item.where, maxImagePixels, GRAY) : undefined;
      return prepareItem(item, image, metadata, preprocess);
    }),
  );
}

/** Preprocesses one item: its decoded image, or its pixel array when `image` is undefined. */
function prepareItem(item: InputItem, image: RawImage | undefined, metadata: ModelMetadata, preprocess: PreprocessMode): PreparedInput {
  try {
    const raw = image ?? pixelsFromFloats(item.kind === 'pixels' ? item.values : [], { size: metadata.height });
    const result = preprocessDigit(raw, {
      normalization: metadata.normalization,
      skip: preprocess === 'none',
      outputSize: metadata.height,
    });
    return { input: result.input, empty: result.empty };
  } catch (error) {
    if (error instanceof OnnxpipeError && error.code === 'ONNXPIPE_CORE_BAD_IMAGE') {
      const hint = preprocess === 'none' && image !== undefined ? " (with preprocess=none the image must already be the model's input size)" : '';
      throw new ONNXPIPE_SERVER_BAD_INPUT_TENSOR(`${item.where}: ${error.message}${hint}`, { cause: error });
    }
    throw error;
  }
}
