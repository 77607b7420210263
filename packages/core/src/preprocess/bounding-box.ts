/** Step 3b of preprocessing: where the ink is. */

/** Inclusive-exclusive pixel rectangle: columns `x0 ≤ x < x1`, rows `y0 ≤ y < y1`. */
export interface PixelBox {
  readonly x0: number;
  readonly y0: number;
  readonly x1: number;
  readonly y1: number;
}

/**
 * Bounding box of the pixels whose gray value `isInk` marks, or `undefined` when there are none.
 * Every ink pixel counts, so an isolated speck far from the digit widens the box: crop photos
 * around the digit first.
 */
export function inkBoundingBox(
  gray: Uint8Array,
  width: number,
  height: number,
  isInk: Uint8Array,
): PixelBox | undefined {
  let x0 = width;
  let y0 = height;
  let x1 = 0;
  let y1 = 0;
  for (let y = 0; y < height; y++) {
    const row = y * width;
    for (let x = 0; x < width; x++) {
      if (isInk[gray[row + x]] === 0) continue;
      if (x < x0) x0 = x;
      if (x >= x1) x1 = x + 1;
      if (y < y0) y0 = y;
      y1 = y + 1;
    }
  }
  return x1 === 0 ? undefined : { x0, y0, x1, y1 };
}
