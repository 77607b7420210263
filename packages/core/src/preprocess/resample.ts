/**
 * Step 4 of preprocessing: resizing a window of an image, separably (rows, then columns).
 *
 * Shrinking averages areas (a box filter with exact fractional coverage), which is what keeps a
 * two-pixel stroke of a large photo as a gray-levelled stroke of MNIST width instead of the
 * broken, aliased line nearest-neighbour sampling would leave. Enlarging (a small drawing
 * fitted into a larger box) interpolates linearly between pixel centres, so edges stay soft
 * rather than blocky. Both are convex combinations: the output stays within the input's range.
 */

import type { GrayPlane } from './ink-levels.js';

/** A rectangular window of a row-major single-channel plane, read through a lookup table. */
export interface PlaneWindow {
  /** The whole plane, `stride` values per row. */
  readonly data: GrayPlane;
  readonly stride: number;
  /** Top-left corner and size of the window. */
  readonly x0: number;
  readonly y0: number;
  readonly width: number;
  readonly height: number;
  /** Value of each byte, e.g. the ink levels from `analyzeInk`. */
  readonly table: Float64Array;
}

/** Contributions to every output sample along one axis, in flat arrays. */
export interface AxisWeights {
  /** First source index for output `i`. */
  readonly start: Int32Array;
  /** Number of source samples for output `i`; their weights start at `offset[i]`. */
  readonly count: Int32Array;
  readonly offset: Int32Array;
  readonly weights: Float64Array;
}

function areaWeights(inSize: number, outSize: number): AxisWeights {
  const ratio = inSize / outSize;
  const start = new Int32Array(outSize);
  const count = new Int32Array(outSize);
  const offset = new Int32Array(outSize);
  // Each output covers `ratio` inputs, so it touches at most ⌈ratio⌉ + 1 of them (one more
  // for rounding's sake: a write past the end would be dropped silently).
  const all = new Float64Array(outSize * (Math.ceil(ratio) + 2));
  let used = 0;
  for (let i = 0; i < outSize; i++) {
    const a = i * ratio;
    const b = Math.min(inSize, (i + 1) * ratio);
    const first = Math.floor(a);
    const last = Math.min(inSize, Math.ceil(b));
    start[i] = first;
    offset[i] = used;
    for (let j = first; j < last; j++) {
      const overlap = Math.min(b, j + 1) - Math.max(a, j);
      all[used++] = overlap / ratio;
    }
    count[i] = last - first;
  }
  return { start, count, offset, weights: all.slice(0, used) };
}

function linearWeights(inSize: number, outSize: number): AxisWeights {
  const start = new Int32Array(outSize);
  const count = new Int32Array(outSize);
  const offset = new Int32Array(outSize);
  const weights = new Float64Array(outSize * 2);
  for (let i = 0; i < outSize; i++) {
    // Pixel centres aligned: output centre i + ½ maps to input coordinate (i + ½)·in/out.
    const s = Math.min(inSize - 1, Math.max(0, ((i + 0.5) * inSize) / outSize - 0.5));
    const j = Math.floor(s);
    const f = s - j;
    start[i] = j;
    offset[i] = i * 2;
    count[i] = j + 1 < inSize ? 2 : 1;
    weights[i * 2] = count[i] === 2 ? 1 - f : 1;
    weights[i * 2 + 1] = count[i] === 2 ? f : 0;
  }
  return { start, count, offset, weights };
}

// Digits are fitted into the same few sizes again and again (20 × something), so the weights of
// recent size pairs are kept; the cache is emptied when it fills, which bounds its memory.
const WEIGHTS_CACHE_ENTRIES = 512;
const weightsCache = new Map<number, AxisWeights>();

/**
 * Area averaging when shrinking, linear interpolation when enlarging, identity otherwise.
 * The result may be shared with other calls: read it, do not modify it.
 */
export function axisWeights(inSize: number, outSize: number): AxisWeights {
  // Sizes are at most 16,384 in and 1,024 out (checked upstream); the key is exact up to 2⁵³.
  const key = inSize * 65_536 + outSize;
  let weights = weightsCache.get(key);
  if (weights === undefined) {
    weights = outSize < inSize ? areaWeights(inSize, outSize) : linearWeights(inSize, outSize);
    if (weightsCache.size >= WEIGHTS_CACHE_ENTRIES) weightsCache.clear();
    weightsCache.set(key, weights);
  }
  return weights;
}

// Scratch for the row pass (height × targetWidth values), reused while it stays small: a large
// photo's rows get an array of their own rather than pinning megabytes between requests.
const ROWS_SCRATCH_MAX = 65_536;
let rowsScratch = new Float64Array(4096);

/**
 * Resizes `source` to `targetWidth × targetHeight` values (row-major, in the table's units),
 * written to the start of `out` (a new array unless given; larger is fine).
 *
 * @example
 * ```ts
 * const fitted = resizeWindow({ data: gray, stride: w, x0, y0, width, height, table }, 14, 20);
 * ```
 */
export function resizeWindow(
  source: PlaneWindow,
  targetWidth: number,
  targetHeight: number,
  out: Float64Array = new Float64Array(targetWidth * targetHeight),
): Float64Array {
  const { data, stride, x0, y0, width, height, table } = source;
  const across = axisWeights(width, targetWidth);
  const down = axisWeights(height, targetHeight);

  // Rows first: height × targetWidth, so the large source is read once, row by row.
  const size = height * targetWidth;
  if (size > rowsScratch.length && size <= ROWS_SCRATCH_MAX) rowsScratch = new Float64Array(size);
  const rows = size <= rowsScratch.length ? rowsScratch : new Float64Array(size);
  const { start: aStart, count: aCount, offset: aOffset, weights: aWeights } = across;
  for (let y = 0; y < height; y++) {
    const rowStart = (y0 + y) * stride + x0;
    const target = y * targetWidth;
    for (let i = 0; i < targetWidth; i++) {
      // Summed from 0 in source order, as the weights list them, whatever the count: the
      // unrolled cases (shrinking by up to 2×, the usual case) add the same terms in the same order.
      const first = rowStart + aStart[i];
      const w = aOffset[i];
      const n = aCount[i];
      let sum = 0;
      if (n === 3) {
        sum += aWeights[w] * table[data[first]];
        sum += aWeights[w + 1] * table[data[first + 1]];
        sum += aWeights[w + 2] * table[data[first + 2]];
      } else if (n === 2) {
        sum += aWeights[w] * table[data[first]];
        sum += aWeights[w + 1] * table[data[first + 1]];
      } else {
        for (let k = 0; k < n; k++) sum += aWeights[w + k] * table[data[first + k]];
      }
      rows[target + i] = sum;
    }
  }

  out.fill(0, 0, targetWidth * targetHeight);
  const { start: dStart, count: dCount, offset: dOffset, weights: dWeights } = down;
  for (let j = 0; j < targetHeight; j++) {
    const first = dStart[j];
    const w = dOffset[j];
    const target = j * targetWidth;
    for (let k = 0; k < dCount[j]; k++) {
      const weight = dWeights[w + k];
      const row = (first + k) * targetWidth;
      for (let i = 0; i < targetWidth; i++) out[target + i] += weight * rows[row + i];
    }
  }
  return out;
}
