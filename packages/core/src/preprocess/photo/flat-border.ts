/**
 * The clean check that decides between the two paths of preprocessing: is the paper around the
 * digit one exact value (a canvas, an MNIST digit, a clean scan), or does it vary (a photo:
 * sensor noise, uneven light)?
 */

import { luma601 } from '../grayscale.js';
import type { RawImage } from '../raw-image.js';

// Scratch for the ring's histogram: preprocessing is synchronous, so one array serves every call.
const ringCounts = new Uint32Array(256);

/**
 * Thickness of the border ring for an image of this size: the ring `analyzeInk` takes the
 * background from, 1/32 of the short side and at least one pixel.
 */
export function ringThickness(width: number, height: number): number {
  return Math.max(1, Math.floor(Math.min(width, height) / 32));
}

/**
 * How many ring pixels have exactly the bytes of the ring's first pixel, and how many the ring
 * has; `undefined` when the ring has a pixel that is not opaque (a drawing on a transparent
 * canvas). The quick answer for the usual clean image, whose paper is one value.
 */
function sameAsFirst(image: RawImage): { count: number; total: number } | undefined {
  const { width, height, channels, data } = image;
  const thickness = ringThickness(width, height);
  const alpha = channels === 2 || channels === 4 ? channels - 1 : -1;
  const first0 = data[0];
  const first1 = channels > 1 ? data[1] : 0;
  const first2 = channels > 2 ? data[2] : 0;
  const first3 = channels > 3 ? data[3] : 0;
  let count = 0;
  let total = 0;
  for (let y = 0; y < height; y++) {
    const full = y < thickness || y >= height - thickness;
    const left = full ? width : Math.min(thickness, width);
    const right = full ? width : Math.max(left, width - thickness);
    for (let x = 0; x < width; x++) {
      if (x === left) x = right;
      if (x >= width) break;
      const i = (y * width + x) * channels;
      if (alpha >= 0 && data[i + alpha] !== 255) return undefined;
      total++;
      if (
        data[i] === first0 &&
        (channels < 2 || data[i + 1] === first1) &&
        (channels < 3 || data[i + 2] === first2) &&
        (channels < 4 || data[i + 3] === first3)
      )
        count++;
    }
  }
  return { count, total };
}

/**
 * `true` when at least a share `share` (0–1) of the border ring's gray values lie within
 * `spread` levels of the ring's median. A few strokes that touch an edge do not make a border
 * uneven; sensor noise, light that changes along the border, a shadow or the table beyond the
 * paper's edge over a tenth of the ring do.
 *
 * Reads only the ring (luma for colour images, as `toGrayscale` computes it). An image with
 * transparency in its ring is a drawing on a transparent canvas: flat by definition.
 */
export function hasFlatBorder(image: RawImage, spread: number, share: number): boolean {
  const same = sameAsFirst(image);
  // A drawing on a transparent canvas, or paper of one exact value: no histogram needed.
  if (same === undefined) return true;
  if (same.count >= share * same.total) return true;
  const { width, height, channels, data } = image;
  const thickness = ringThickness(width, height);
  const counts = ringCounts;
  counts.fill(0);
  let total = 0;
  const hasAlpha = channels === 2 || channels === 4;
  const add = (p: number): boolean => {
    const i = p * channels;
    if (hasAlpha && data[i + channels - 1] !== 255) return false;
    counts[channels >= 3 ? luma601(data[i], data[i + 1], data[i + 2]) : data[i]]++;
    total++;
    return true;
  };
  for (let y = 0; y < height; y++) {
    const row = y * width;
    const full = y < thickness || y >= height - thickness;
    const left = full ? width : Math.min(thickness, width);
    for (let x = 0; x < left; x++) if (!add(row + x)) return true;
    if (full) continue;
    for (let x = Math.max(left, width - thickness); x < width; x++) if (!add(row + x)) return true;
  }
  const half = Math.ceil(total / 2);
  let seen = 0;
  let median = 255;
  for (let v = 0; v < 256; v++) {
    seen += counts[v];
    if (seen >= half) {
      median = v;
      break;
    }
  }
  let within = 0;
  const lo = Math.max(0, Math.ceil(median - spread));
  const hi = Math.min(255, Math.floor(median + spread));
  for (let v = lo; v <= hi; v++) within += counts[v];
  return within >= share * total;
}
