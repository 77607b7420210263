/** Step 3b of preprocessing: where the ink is. */

import type { GrayPlane } from './ink-levels.js';

/** Inclusive-exclusive pixel rectangle: columns `x0 ≤ x < x1`, rows `y0 ≤ y < y1`. */
export interface PixelBox {
  readonly x0: number;
  readonly y0: number;
  readonly x1: number;
  readonly y1: number;
}

/**
 * Bounding box of the pixels whose gray value lies in `inkLow..inkHigh` (inclusive), or
 * `undefined` when there are none. Every ink pixel counts, so an isolated speck far from the
 * digit widens the box: crop photos around the digit first.
 *
 * Reads only what can still widen the box: rows from the top and from the bottom up to the
 * first ink, then in each row between only the columns left of the box and right of it so far.
 */
export function inkBoundingBox(
  gray: GrayPlane,
  width: number,
  height: number,
  inkLow: number,
  inkHigh: number,
): PixelBox | undefined {
  // (v − inkLow) as unsigned is ≤ span exactly when inkLow ≤ v ≤ inkHigh.
  const span = inkHigh - inkLow;
  if (span < 0) return undefined;
  let y0 = 0;
  let x0 = width;
  let x1 = 0;
  for (; y0 < height; y0++) {
    const row = y0 * width;
    for (let x = 0; x < width; x++) {
      if ((gray[row + x] - inkLow) >>> 0 > span) continue;
      if (x < x0) x0 = x;
      x1 = x + 1;
    }
    if (x1 !== 0) break;
  }
  if (x1 === 0) return undefined;
  let y1 = height;
  for (; y1 - 1 > y0; y1--) {
    const row = (y1 - 1) * width;
    let found = false;
    for (let x = 0; x < width; x++) {
      if ((gray[row + x] - inkLow) >>> 0 > span) continue;
      found = true;
      if (x < x0) x0 = x;
      if (x >= x1) x1 = x + 1;
    }
    if (found) break;
  }
  for (let y = y0 + 1; y < y1 - 1; y++) {
    const row = y * width;
    for (let x = 0; x < x0; x++) {
      if ((gray[row + x] - inkLow) >>> 0 <= span) {
        x0 = x;
        break;
      }
    }
    for (let x = width - 1; x >= x1; x--) {
      if ((gray[row + x] - inkLow) >>> 0 <= span) {
        x1 = x + 1;
        break;
      }
    }
  }
  return { x0, y0, x1, y1 };
}
