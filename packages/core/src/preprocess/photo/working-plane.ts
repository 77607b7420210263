/**
 * Photo path, step 1: the working plane — the photo's luma shrunk by an integer factor (block
 * means) and smoothed with a 3×3 box (once step 2 has read its polarity off the block means).
 * Both suppress noise before anything decides what is ink: a block mean of f×f pixels divides
 * the noise's σ by f, the box by 3 more; a pen stroke, several pixels wide, keeps its contrast.
 * Shrinking also bounds the work of every later step to about `workingSide²` pixels whatever
 * the photo's size.
 *
 * Levels are fixed-point integers, {@link LEVEL_SCALE} per gray level: the photo path's
 * minimum, maximum and threshold passes run several times faster on `Int32Array`s than on
 * float arrays in JavaScript engines, and a sixteenth of a level is far below any noise.
 */

import { toGrayscale } from '../grayscale.js';
import type { RawImage } from '../raw-image.js';

/** Fixed-point units per gray level in the photo path's planes: 0–255 levels are 0–4080. */
export const LEVEL_SCALE = 16;
/** Full white (255 levels) in fixed point. */
export const WHITE = 255 * LEVEL_SCALE;

// x / 9 rounded down, for 0 ≤ x < 74,898, as (x · NINTH) >>> NINTH_SHIFT: NINTH = ⌈2¹⁹ / 9⌉.
const NINTH_SHIFT = 19;
const NINTH = Math.ceil(2 ** NINTH_SHIFT / 9);

/** A row-major plane of gray levels in fixed point (0 black – {@link WHITE}), and the factor it was shrunk by. */
export interface WorkingPlane {
  readonly data: Int32Array;
  readonly width: number;
  readonly height: number;
  /** Working pixel `(x, y)` covers image pixels `[x·factor, (x+1)·factor) × [y·factor, (y+1)·factor)`. */
  readonly factor: number;
}

/** The shrink factor for an image: the largest that keeps the short side at least `workingSide`. */
export function workingFactor(width: number, height: number, workingSide: number): number {
  return Math.max(1, Math.floor(Math.min(width, height) / workingSide));
}

function isOpaque(image: RawImage): boolean {
  const { data, channels } = image;
  if (channels !== 2 && channels !== 4) return true;
  for (let i = channels - 1; i < data.length; i += channels) if (data[i] !== 255) return false;
  return true;
}

/**
 * Block means of the luma, rounded to fixed point: for colour, of the unrounded Rec. 601 luma
 * (`(299 R + 587 G + 114 B) / 1000`, linear, so the block mean is exact before rounding); for
 * gray, of the gray values. Images with transparency are composited first, exactly as the
 * clean path does ({@link toGrayscale}).
 */
function blockMeans(image: RawImage, factor: number, out: Int32Array, width: number, height: number): void {
  const source = isOpaque(image)
    ? image
    : { width: image.width, height: image.height, channels: 1 as const, data: toGrayscale(image) };
  const { data, channels } = source;
  const stride = image.width * channels;
  const colour = channels >= 3;
  const step = factor * channels;
  if (factor <= 2 && !colour) {
    // The common cases (images of up to 383 px) without the generic loops: exact shifts.
    const shift = factor === 1 ? 4 : 2; // ×16, or ×16 / 4
    for (let y = 0; y < height; y++) {
      const target = y * width;
      let i = factor * y * stride;
      if (factor === 1) {
        for (let x = 0; x < width; x++, i += step) out[target + x] = data[i] << shift;
      } else {
        for (let x = 0; x < width; x++, i += step)
          out[target + x] = (data[i] + data[i + channels] + data[i + stride] + data[i + stride + channels]) << shift;
      }
    }
    return;
  }
  // Σ luma×1000 (or gray) over a block → fixed point, rounded: sum × 16 / (f² × 1000).
  const divisor = (factor * factor * (colour ? 1000 : 1)) / LEVEL_SCALE;
  if (factor <= 2 && colour) {
    // The common colour cases (a JPEG, a canvas), without the generic loops.
    const c = channels;
    const j = stride;
    const scale = 1 / divisor;
    for (let y = 0; y < height; y++) {
      const target = y * width;
      let i = factor * y * stride;
      if (factor === 1) {
        for (let x = 0; x < width; x++, i += step)
          out[target + x] = ((299 * data[i] + 587 * data[i + 1] + 114 * data[i + 2]) * scale + 0.5) | 0;
      } else {
        for (let x = 0; x < width; x++, i += step) {
          const r = data[i] + data[i + c] + data[i + j] + data[i + j + c];
          const g = data[i + 1] + data[i + c + 1] + data[i + j + 1] + data[i + j + c + 1];
          const b = data[i + 2] + data[i + c + 2] + data[i + j + 2] + data[i + j + c + 2];
          out[target + x] = ((299 * r + 587 * g + 114 * b) * scale + 0.5) | 0;
        }
      }
    }
    return;
  }
  for (let y = 0; y < height; y++) {
    const target = y * width;
    const top = y * factor * stride;
    for (let x = 0; x < width; x++) {
      let sum = 0;
      // The block's pixels, row by row: `factor` rows of `factor` pixels from its top-left.
      for (let row = top + x * step, end = row + factor * stride; row < end; row += stride) {
        if (colour) {
          for (let i = row; i < row + step; i += channels) sum += 299 * data[i] + 587 * data[i + 1] + 114 * data[i + 2];
        } else {
          for (let i = row; i < row + step; i += channels) sum += data[i];
        }
      }
      out[target + x] = Math.round(sum / divisor);
    }
  }
}

/**
 * Readies the working plane for the background step, in place: a 3×3 box mean (edges
 * replicated, rounded) when `smooth`, and ink turned bright (`WHITE − v`) when `invert`, in one
 * pass. `scratch` (at least the plane's size) holds the row pass.
 */
export function smoothPlane(plane: WorkingPlane, smooth: boolean, invert: boolean, scratch: Int32Array): void {
  const { data, width, height } = plane;
  const size = width * height;
  if (!smooth) {
    if (invert) for (let i = 0; i < size; i++) data[i] = WHITE - data[i];
    return;
  }
  // Rows: sums of three, the first and last pixel counted twice (edges replicated).
  for (let y = 0; y < height; y++) {
    const row = y * width;
    const last = row + width - 1;
    if (width === 1) {
      scratch[row] = 3 * data[row];
      continue;
    }
    scratch[row] = 2 * data[row] + data[row + 1];
    for (let i = row + 1; i < last; i++) scratch[i] = data[i - 1] + data[i] + data[i + 1];
    scratch[last] = data[last - 1] + 2 * data[last];
  }
  // Columns: the sum of nine, divided by 9 and rounded: floor((sum + 4) / 9), as a multiply and a
  // shift (exact for sums below 74,898; nine levels of 4080 make 36,720), inverted or not.
  const offset = invert ? WHITE : 0;
  const sign = invert ? -1 : 1;
  for (let y = 0; y < height; y++) {
    const row = y * width;
    const up = y > 0 ? width : 0;
    const down = y < height - 1 ? width : 0;
    for (let i = row, end = row + width; i < end; i++)
      data[i] = offset + sign * (((scratch[i - up] + scratch[i] + scratch[i + down] + 4) * NINTH) >>> NINTH_SHIFT);
  }
}

/**
 * The working plane of `image`: its luma shrunk by {@link workingFactor} (block means). Smooth
 * it with {@link smoothPlane} once its polarity is known. `reuse`, when large enough, holds the
 * plane instead of a new array (the caller's scratch, overwritten).
 */
export function workingPlane(image: RawImage, workingSide: number, reuse?: Int32Array): WorkingPlane {
  const factor = workingFactor(image.width, image.height, workingSide);
  const width = Math.floor(image.width / factor);
  const height = Math.floor(image.height / factor);
  const data =
    reuse !== undefined && reuse.length >= width * height
      ? reuse.subarray(0, width * height)
      : new Int32Array(width * height);
  blockMeans(image, factor, data, width, height);
  return { data, width, height, factor };
}
