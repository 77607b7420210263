import {
  describeValue,
  invalidChoiceMessage,
  ONNXPIPE_CORE_BAD_IMAGE,
  ONNXPIPE_CORE_INVALID_ARGUMENT,
} from '../errors.js';
import type { RawImage } from './raw-image.js';

/** How {@link pixelsFromFloats} reads the values. */
export interface PixelsFromFloatsOptions {
  /** Side of the square image; the values must number `size²`. @defaultValue `28` */
  readonly size?: number;
  /**
   * Range of the values: `unit` for 0–1, `byte` for 0–255, `auto` for 0–1 when no value
   * exceeds 1 and 0–255 otherwise (an image whose values are all ≤ 1 in 0–255 is black anyway).
   * @defaultValue `'auto'`
   */
  readonly scale?: 'auto' | 'unit' | 'byte';
}

const SCALES = ['auto', 'unit', 'byte'] as const;

function flatten(values: ArrayLike<number> | ArrayLike<ArrayLike<number>>, size: number): ArrayLike<number> {
  if (values.length === 0 || typeof values[0] === 'number') return values as ArrayLike<number>;
  const rows = values as ArrayLike<ArrayLike<number>>;
  if (rows.length !== size) {
    throw new ONNXPIPE_CORE_BAD_IMAGE(`'values' as nested rows must have ${size} rows; received ${rows.length}`);
  }
  const flat = new Array<number>(size * size);
  for (let y = 0; y < size; y++) {
    const row = rows[y];
    const isRow = row !== null && typeof row === 'object';
    if (!isRow || row.length !== size) {
      const received = isRow ? `${row.length} values` : describeValue(row);
      throw new ONNXPIPE_CORE_BAD_IMAGE(`'values[${y}]' must be a row of ${size} numbers; received ${received}`);
    }
    for (let x = 0; x < size; x++) flat[y * size + x] = row[x];
  }
  return flat;
}

/**
 * A 1-channel {@link RawImage} from pixel values given as numbers, as JSON clients send them:
 * `size²` values row-major, or `size` rows of `size`, in 0–1 or 0–255. Values are rounded to
 * bytes; 0 is black. Pass the result to `preprocessDigit` (with `skip: true` when the values
 * are already an MNIST image).
 *
 * @throws `ONNXPIPE_CORE_BAD_IMAGE` when the count is not `size²`, a value is not a finite number,
 * or a value is outside the scale's range
 *
 * @example
 * ```ts
 * const image = pixelsFromFloats(body.pixels); // 784 numbers
 * const { input } = preprocessDigit(image, { normalization, skip: true });
 * ```
 */
export function pixelsFromFloats(
  values: ArrayLike<number> | ArrayLike<ArrayLike<number>>,
  options: PixelsFromFloatsOptions = {},
): RawImage {
  const size = options.size ?? 28;
  if (!Number.isInteger(size) || size < 1 || size > 1024) {
    throw new ONNXPIPE_CORE_INVALID_ARGUMENT(
      `'size' must be an integer from 1 to 1024; received ${describeValue(size)}`,
    );
  }
  const scale = options.scale ?? 'auto';
  if (!SCALES.includes(scale)) {
    throw new ONNXPIPE_CORE_INVALID_ARGUMENT(invalidChoiceMessage('scale', SCALES, scale));
  }
  if (values === null || typeof values !== 'object' || typeof values.length !== 'number') {
    throw new ONNXPIPE_CORE_BAD_IMAGE(
      `'values' must be an array of ${size * size} numbers or ${size} rows of ${size}; received ${describeValue(values)}`,
    );
  }
  const flat = flatten(values, size);
  const count = size * size;
  if (flat.length !== count) {
    throw new ONNXPIPE_CORE_BAD_IMAGE(`'values' must hold ${size}×${size} = ${count} numbers; received ${flat.length}`);
  }
  let max = 0;
  for (let i = 0; i < count; i++) {
    const v = flat[i];
    if (typeof v !== 'number' || !Number.isFinite(v) || v < 0) {
      throw new ONNXPIPE_CORE_BAD_IMAGE(
        `'values[${i}]' must be a finite number in 0–1 or 0–255 (raw pixels, not normalised); received ${describeValue(v)}`,
      );
    }
    if (v > max) max = v;
  }
  const unit = scale === 'unit' || (scale === 'auto' && max <= 1);
  const limit = unit ? 1 : 255;
  if (max > limit) {
    throw new ONNXPIPE_CORE_BAD_IMAGE(
      `'values' must lie in 0–${limit} for scale ${scale}; received a maximum of ${max}`,
    );
  }
  const data = new Uint8Array(count);
  for (let i = 0; i < count; i++) data[i] = Math.round(unit ? flat[i] * 255 : flat[i]);
  return { width: size, height: size, channels: 1, data };
}
