/**
 * Photo path, step 1: the working plane — the photo's luma shrunk by an integer factor (block
 * means) and smoothed with a 3×3 box (after step 2 has read its polarity off the block means). Both steps suppress noise before anything decides what
 * is ink: a block mean of f×f pixels divides the noise's σ by f, the box by 3 more; a pen
 * stroke, several pixels wide, keeps its contrast. Shrinking also bounds the work of every
 * later step to about `workingSide²` pixels whatever the photo's size.
 */

import { toGrayscale } from '../grayscale.js';
import type { RawImage } from '../raw-image.js';

/** A row-major float plane of gray levels (0 black – 255 white), and the factor it was shrunk by. */
export interface WorkingPlane {
  readonly data: Float32Array;
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
 * Block sums of luma ×1000 (`299 R + 587 G + 114 B`, or gray × 1000): luma is linear, so the
 * block mean of the unrounded luma is exact. Images with transparency are composited first,
 * exactly as the clean path does ({@link toGrayscale}).
 */
function blockMeans(image: RawImage, factor: number, out: Float32Array, width: number, height: number): void {
  const source = isOpaque(image) ? image : { width: image.width, height: image.height, channels: 1 as const, data: toGrayscale(image) };
  const { data, channels } = source;
  const stride = image.width * channels;
  const colour = channels >= 3;
  const scale = 1 / (factor * factor * (colour ? 1000 : 1));
  const step = factor * channels;
  if (factor === 2) {
    // The common case (images of 256–383 px) without the generic loops.
    for (let y = 0; y < height; y++) {
      const target = y * width;
      let i = 2 * y * stride;
      if (colour) {
        const c = channels;
        const j = stride;
        for (let x = 0; x < width; x++, i += step) {
          const r = data[i] + data[i + c] + data[i + j] + data[i + j + c];
          const g = data[i + 1] + data[i + c + 1] + data[i + j + 1] + data[i + j + c + 1];
          const b = data[i + 2] + data[i + c + 2] + data[i + j + 2] + data[i + j + c + 2];
          out[target + x] = (299 * r + 587 * g + 114 * b) * scale;
        }
      } else {
        for (let x = 0; x < width; x++, i += step) {
          out[target + x] = (data[i] + data[i + channels] + data[i + stride] + data[i + stride + channels]) * scale;
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
      out[target + x] = sum * scale;
    }
  }
}

/**
 * Readies the working plane for the background step, in place: a 3×3 box mean (edges
 * replicated) when `smooth`, and ink turned bright (`255 − v`) when `invert`, in one pass.
 * `scratch` (at least the plane's size) holds the row pass.
 */
export function smoothPlane(plane: WorkingPlane, smooth: boolean, invert: boolean, scratch: Float32Array): void {
  const { data, width, height } = plane;
  const size = width * height;
  if (!smooth) {
    if (invert) for (let i = 0; i < size; i++) data[i] = 255 - data[i];
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
  // Columns: v' = sum / 9, or 255 − sum / 9 — one multiply-add either way.
  const scale = invert ? -1 / 9 : 1 / 9;
  const offset = invert ? 255 : 0;
  for (let y = 0; y < height; y++) {
    const up = (y > 0 ? y - 1 : y) * width;
    const row = y * width;
    const down = (y < height - 1 ? y + 1 : y) * width;
    for (let x = 0; x < width; x++) data[row + x] = offset + (scratch[up + x] + scratch[row + x] + scratch[down + x]) * scale;
  }
}

/**
 * The working plane of `image`: its luma shrunk by {@link workingFactor} (block means). Smooth
 * it with {@link smoothPlane} once its polarity is known.
 */
export function workingPlane(image: RawImage, workingSide: number): WorkingPlane {
  const factor = workingFactor(image.width, image.height, workingSide);
  const width = Math.floor(image.width / factor);
  const height = Math.floor(image.height / factor);
  const data = new Float32Array(width * height);
  blockMeans(image, factor, data, width, height);
  return { data, width, height, factor };
}
