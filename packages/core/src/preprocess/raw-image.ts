import { describeValue, formatChoices, ONNXPIPE_CORE_BAD_IMAGE } from '../errors.js';

/**
 * An 8-bit image as decoders and canvases hand it over: row-major, channels interleaved,
 * straight (not premultiplied) alpha. `ImageData` from a canvas and the raw output of image
 * libraries (`{ data, info: { width, height, channels } }`) both map onto it without copying.
 *
 * Channel meaning by count: 1 gray, 2 gray + alpha, 3 RGB, 4 RGBA.
 *
 * @example
 * ```ts
 * const ctx = canvas.getContext('2d')!;
 * const { width, height, data } = ctx.getImageData(0, 0, canvas.width, canvas.height);
 * const image: RawImage = { width, height, channels: 4, data };
 * ```
 */
export interface RawImage {
  readonly width: number;
  readonly height: number;
  readonly channels: 1 | 2 | 3 | 4;
  readonly data: Uint8Array | Uint8ClampedArray;
}

/**
 * Largest accepted width or height: the largest canvas side browsers allow. Anything larger is
 * not a photo of a digit but a mistake or an attack.
 */
export const MAX_IMAGE_SIDE = 16_384;

/** Largest accepted pixel count (width × height), e.g. 8192 × 8192. */
export const MAX_IMAGE_PIXELS = 8192 * 8192;

const CHANNEL_COUNTS = [1, 2, 3, 4] as const;

// Tag check instead of instanceof: typed arrays from another realm (an iframe, a worker's
// structured clone) fail instanceof, and Node's Buffer reports itself as a Uint8Array.
function isByteArray(value: unknown): value is Uint8Array | Uint8ClampedArray {
  const tag = Object.prototype.toString.call(value);
  return tag === '[object Uint8Array]' || tag === '[object Uint8ClampedArray]';
}

function assertSide(name: 'width' | 'height', value: unknown): void {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1 || value > MAX_IMAGE_SIDE) {
    throw new ONNXPIPE_CORE_BAD_IMAGE(
      `'${name}' must be an integer from 1 to ${MAX_IMAGE_SIDE}; received ${describeValue(value)}`,
    );
  }
}

/**
 * Checks that `image` describes a usable 8-bit image and throws `ONNXPIPE_CORE_BAD_IMAGE`
 * naming the first problem otherwise. Runs in O(1): it looks at sizes, not at pixels.
 */
export function assertRawImage(image: RawImage): void {
  if (typeof image !== 'object' || image === null) {
    throw new ONNXPIPE_CORE_BAD_IMAGE(
      `'image' must be an object with width, height, channels and data; received ${describeValue(image)}`,
    );
  }
  const { width, height, channels, data } = image;
  assertSide('width', width);
  assertSide('height', height);
  if (width * height > MAX_IMAGE_PIXELS) {
    throw new ONNXPIPE_CORE_BAD_IMAGE(
      `'image' must have at most ${MAX_IMAGE_PIXELS} pixels; received ${width}×${height}`,
    );
  }
  if (!(CHANNEL_COUNTS as readonly unknown[]).includes(channels)) {
    throw new ONNXPIPE_CORE_BAD_IMAGE(
      `'channels' must be one of ${formatChoices(CHANNEL_COUNTS)}; received ${describeValue(channels)}`,
    );
  }
  if (!isByteArray(data)) {
    throw new ONNXPIPE_CORE_BAD_IMAGE(
      `'data' must be a Uint8Array or Uint8ClampedArray; received ${Object.prototype.toString.call(data)}`,
    );
  }
  const expected = width * height * channels;
  if (data.length !== expected) {
    throw new ONNXPIPE_CORE_BAD_IMAGE(
      `'data' must hold width × height × channels = ${width}×${height}×${channels} = ${expected} bytes; received ${data.length}`,
    );
  }
}
