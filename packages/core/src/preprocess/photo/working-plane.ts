/**
 * Photo path, step 1: the working plane — the photo's luma shrunk by an integer factor (block
 * means) and smoothed with a 3×3 box. Both steps suppress noise before anything decides what
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
  if (factor === 2 && !colour) {
    // The common case (images of 256–383 px) without the generic loops.
    const quarter = 0.25;
    for (let y = 0; y < height; y++) {
      const target = y * width;
      let i = 2 * y * stride;
      for (let x = 0; x < width; x++, i += step) {
        out[target + x] = (data[i] + data[i + channels] + data[i + stride] + data[i + stride + channels]) * quarter;
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

/** 3×3 box mean, edges replicated; `scratch` holds the row pass. */
function box3(plane: Float32Array, width: number, height: number, scratch: Float32Array): void {
  for (let y = 0; y < height; y++) {
    const row = y * width;
    for (let x = 0; x < width; x++) {
      const left = plane[row + (x > 0 ? x - 1 : x)];
      const right = plane[row + (x < width - 1 ? x + 1 : x)];
      scratch[row + x] = left + plane[row + x] + right;
    }
  }
  const third = 1 / 9;
  for (let y = 0; y < height; y++) {
    const up = (y > 0 ? y - 1 : y) * width;
    const row = y * width;
    const down = (y < height - 1 ? y + 1 : y) * width;
    for (let x = 0; x < width; x++) plane[row + x] = (scratch[up + x] + scratch[row + x] + scratch[down + x]) * third;
  }
}

/**
 * The working plane of `image`: luma, shrunk by {@link workingFactor}, 3×3 box-smoothed when
 * `smooth`. `scratch` (at least the plane's size) holds intermediate values.
 */
export function workingPlane(image: RawImage, workingSide: number, smooth: boolean, scratch: Float32Array): WorkingPlane {
  const factor = workingFactor(image.width, image.height, workingSide);
  const width = Math.floor(image.width / factor);
  const height = Math.floor(image.height / factor);
  const data = new Float32Array(width * height);
  blockMeans(image, factor, data, width, height);
  if (smooth) box3(data, width, height, scratch);
  return { data, width, height, factor };
}
