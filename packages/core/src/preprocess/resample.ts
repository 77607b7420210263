/**
 * Step 4 of preprocessing: resizing a window of an image, separably (rows, then columns).
 *
 * Shrinking averages areas (a box filter with exact fractional coverage), which is what keeps a
 * two-pixel stroke of a large photo as a gray-levelled stroke of MNIST width instead of the
 * broken, aliased line nearest-neighbour sampling would leave. Enlarging (a small drawing
 * fitted into a larger box) interpolates linearly between pixel centres, so edges stay soft
 * rather than blocky. Both are convex combinations: the output stays within the input's range.
 */

/** A rectangular window of a row-major single-channel plane, read through a lookup table. */
export interface PlaneWindow {
  /** The whole plane, `stride` values per row. */
  readonly data: Uint8Array;
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
interface AxisWeights {
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
  const weights: number[] = [];
  for (let i = 0; i < outSize; i++) {
    const a = i * ratio;
    const b = Math.min(inSize, (i + 1) * ratio);
    const first = Math.floor(a);
    const last = Math.min(inSize, Math.ceil(b));
    start[i] = first;
    offset[i] = weights.length;
    for (let j = first; j < last; j++) {
      const overlap = Math.min(b, j + 1) - Math.max(a, j);
      weights.push(overlap / ratio);
    }
    count[i] = last - first;
  }
  return { start, count, offset, weights: Float64Array.from(weights) };
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

/** Area averaging when shrinking, linear interpolation when enlarging, identity otherwise. */
export function axisWeights(inSize: number, outSize: number): AxisWeights {
  return outSize < inSize ? areaWeights(inSize, outSize) : linearWeights(inSize, outSize);
}

/**
 * Resizes `source` to `targetWidth × targetHeight` values (row-major, in the table's units).
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
): Float64Array {
  const { data, stride, x0, y0, width, height, table } = source;
  const across = axisWeights(width, targetWidth);
  const down = axisWeights(height, targetHeight);

  // Rows first: height × targetWidth, so the large source is read once, row by row.
  const rows = new Float64Array(height * targetWidth);
  for (let y = 0; y < height; y++) {
    const rowStart = (y0 + y) * stride + x0;
    const target = y * targetWidth;
    for (let i = 0; i < targetWidth; i++) {
      let sum = 0;
      const first = rowStart + across.start[i];
      const w = across.offset[i];
      for (let k = 0; k < across.count[i]; k++) {
        sum += across.weights[w + k] * table[data[first + k]];
      }
      rows[target + i] = sum;
    }
  }

  const out = new Float64Array(targetWidth * targetHeight);
  for (let j = 0; j < targetHeight; j++) {
    const first = down.start[j];
    const w = down.offset[j];
    const target = j * targetWidth;
    for (let k = 0; k < down.count[j]; k++) {
      const weight = down.weights[w + k];
      const row = (first + k) * targetWidth;
      for (let i = 0; i < targetWidth; i++) out[target + i] += weight * rows[row + i];
    }
  }
  return out;
}
