/**
 * Photo path, step 2: the local background, by grayscale opening (van Herk / Gil–Werman
 * running minimum and maximum: three comparisons per pixel and pass, whatever the window).
 *
 * On a plane where ink is bright (inverted if need be), an opening — the minimum over a square
 * window, then the maximum over the same window — removes every bright structure narrower than
 * the window (the strokes) and keeps everything wider (the paper, its shadows, the fall-off of
 * the light). Subtracting it leaves the strokes on a flat, zero background: the "top-hat".
 */

/**
 * Running minimum (or maximum) over windows of `k = 2·radius + 1` along one line, van Herk /
 * Gil–Werman: the padded line is cut into blocks of k; `forward` holds extremes from each
 * block's start, `backward` to each block's end, and every window is one block end plus one
 * block start. `padded` holds the line with `radius` neutral values on each side.
 */
function runningExtreme(padded: Float32Array, length: number, k: number, isMin: boolean, forward: Float32Array, backward: Float32Array, out: Float32Array, n: number): void {
  // Math.min and Math.max compile to branch-free instructions: on noisy photos a compare and
  // branch mispredicts about every other pixel and costs twice the time. (Written out twice: a
  // function chosen at run time would not be inlined.)
  if (isMin) {
    for (let start = 0; start < length; start += k) {
      const end = Math.min(length, start + k);
      let m = padded[start];
      forward[start] = m;
      for (let i = start + 1; i < end; i++) forward[i] = m = Math.min(m, padded[i]);
      m = padded[end - 1];
      backward[end - 1] = m;
      for (let i = end - 2; i >= start; i--) backward[i] = m = Math.min(m, padded[i]);
    }
    for (let i = 0; i < n; i++) out[i] = Math.min(backward[i], forward[i + k - 1]);
  } else {
    for (let start = 0; start < length; start += k) {
      const end = Math.min(length, start + k);
      let m = padded[start];
      forward[start] = m;
      for (let i = start + 1; i < end; i++) forward[i] = m = Math.max(m, padded[i]);
      m = padded[end - 1];
      backward[end - 1] = m;
      for (let i = end - 2; i >= start; i--) backward[i] = m = Math.max(m, padded[i]);
    }
    for (let i = 0; i < n; i++) out[i] = Math.max(backward[i], forward[i + k - 1]);
  }
}

/** Scratch arrays for {@link opening}, grown on demand. */
let padded = new Float32Array(0);
let lineOut = new Float32Array(0);
let forward = new Float32Array(0);
let backward = new Float32Array(0);

function ensureScratch(length: number, radius: number): void {
  if (padded.length < length + 2 * radius) {
    padded = new Float32Array(length + 2 * radius);
    forward = new Float32Array(length + 2 * radius);
    backward = new Float32Array(length + 2 * radius);
  }
  if (lineOut.length < length) lineOut = new Float32Array(length);
}

/** Running minimum (or maximum) over `2·radius + 1` along rows, then along columns, in place. */
function squareExtreme(plane: Float32Array, width: number, height: number, radius: number, isMin: boolean): void {
  ensureScratch(Math.max(width, height), radius);
  const k = 2 * radius + 1;
  // Neutral padding: beyond the edges the window only shrinks.
  const neutral = isMin ? Infinity : -Infinity;
  padded.fill(neutral);
  for (let y = 0; y < height; y++) {
    const row = y * width;
    for (let x = 0; x < width; x++) padded[radius + x] = plane[row + x];
    padded.fill(neutral, radius + width, width + 2 * radius);
    runningExtreme(padded, width + 2 * radius, k, isMin, forward, backward, lineOut, width);
    for (let x = 0; x < width; x++) plane[row + x] = lineOut[x];
  }
  padded.fill(neutral);
  for (let x = 0; x < width; x++) {
    for (let y = 0; y < height; y++) padded[radius + y] = plane[y * width + x];
    padded.fill(neutral, radius + height, height + 2 * radius);
    runningExtreme(padded, height + 2 * radius, k, isMin, forward, backward, lineOut, height);
    for (let y = 0; y < height; y++) plane[y * width + x] = lineOut[y];
  }
}

/**
 * Grayscale opening of `plane` with a `(2·radius + 1)²` square, written to `out`: the largest
 * function below `plane` that is made of window-sized squares. Pixels beyond the edges are
 * ignored (the window shrinks there), so the edges are neither paper nor ink.
 *
 * @example
 * ```ts
 * opening(inkPositive, w, h, 15, background);
 * for (let i = 0; i < w * h; i++) foreground[i] = inkPositive[i] - background[i]; // ≥ 0
 * ```
 */
export function opening(plane: Float32Array, width: number, height: number, radius: number, out: Float32Array): void {
  out.set(plane.subarray(0, width * height));
  squareExtreme(out, width, height, radius, true);
  squareExtreme(out, width, height, radius, false);
}

// Scratch for {@link coarseOpening}: the coarse plane, and its rows widened to the full width.
let coarse = new Float32Array(0);
let wide = new Float32Array(0);
let column = new Float32Array(0);

/** For each of `size` pixels, the two coarse blocks whose centres enclose it and the weight of the second. */
interface BlockCentreWeights {
  readonly first: Int32Array;
  readonly second: Int32Array;
  readonly weight: Float32Array;
}

const weightsCache = new Map<number, BlockCentreWeights>();

/** Bilinear weights between block centres `(i + ½)·shrink − ½`, clamped at the outer half blocks; cached. */
function blockCentreWeights(size: number, blocks: number, shrink: number): BlockCentreWeights {
  const key = size * 4096 + shrink; // sizes ≤ 16,384, shrink < 4096
  let weights = weightsCache.get(key);
  if (weights === undefined) {
    const first = new Int32Array(size);
    const second = new Int32Array(size);
    const weight = new Float32Array(size);
    for (let i = 0; i < size; i++) {
      const f = Math.min(blocks - 1, Math.max(0, (i + 0.5) / shrink - 0.5));
      first[i] = Math.floor(f);
      second[i] = Math.min(blocks - 1, first[i] + 1);
      weight[i] = f - first[i];
    }
    if (weightsCache.size >= 64) weightsCache.clear();
    weights = { first, second, weight };
    weightsCache.set(key, weights);
  }
  return weights;
}

/**
 * {@link opening} computed `shrink` times coarser: the plane's minimum over `shrink × shrink`
 * blocks (itself an erosion, so nothing of the ink survives that the full-size opening would
 * remove), opened with a window `shrink` times smaller, and read back bilinearly between block
 * centres. The background is smooth at that scale, and the work drops by `shrink²`. The
 * background may then lie above `plane` by less than a block's variation. With `topHat`, `out`
 * receives the foreground instead: `max(0, plane − background)`.
 */
export function coarseOpening(plane: Float32Array, width: number, height: number, radius: number, shrink: number, out: Float32Array, topHat = false): void {
  if (shrink <= 1) {
    opening(plane, width, height, radius, out);
    if (topHat) for (let i = 0; i < width * height; i++) out[i] = Math.max(0, plane[i] - out[i]);
    return;
  }
  const cw = Math.ceil(width / shrink);
  const ch = Math.ceil(height / shrink);
  if (coarse.length < cw * ch) coarse = new Float32Array(cw * ch);
  // Block minima, a row of blocks at a time: the minimum down each column of the block's rows,
  // then across each block.
  if (column.length < width) column = new Float32Array(width);
  for (let cy = 0; cy < ch; cy++) {
    const yEnd = Math.min(height, (cy + 1) * shrink);
    column.set(plane.subarray(cy * shrink * width, cy * shrink * width + width));
    for (let y = cy * shrink + 1; y < yEnd; y++) {
      const row = y * width;
      for (let x = 0; x < width; x++) column[x] = Math.min(column[x], plane[row + x]);
    }
    const target = cy * cw;
    for (let cx = 0; cx < cw; cx++) {
      const xEnd = Math.min(width, (cx + 1) * shrink);
      let m = column[cx * shrink];
      for (let x = cx * shrink + 1; x < xEnd; x++) m = Math.min(m, column[x]);
      coarse[target + cx] = m;
    }
  }
  const small = coarse.subarray(0, cw * ch);
  opening(small, cw, ch, Math.max(1, Math.round(radius / shrink)), small);
  // Read back bilinearly between block centres: nearest blocks would leave steps of a block's
  // worth of the light's slope across a soft shadow's rim, which the threshold sees as bands.
  // Rows first (each coarse row widened to the plane's width), then between two widened rows.
  const across = blockCentreWeights(width, cw, shrink);
  if (wide.length < ch * width) wide = new Float32Array(ch * width);
  for (let cy = 0; cy < ch; cy++) {
    const source = cy * cw;
    const target = cy * width;
    for (let x = 0; x < width; x++) {
      const a = small[source + across.first[x]];
      wide[target + x] = a + (small[source + across.second[x]] - a) * across.weight[x];
    }
  }
  const down = blockCentreWeights(height, ch, shrink);
  for (let y = 0; y < height; y++) {
    const top = down.first[y] * width;
    const bottom = down.second[y] * width;
    const w = down.weight[y];
    const row = y * width;
    if (topHat) {
      for (let x = 0; x < width; x++) {
        const a = wide[top + x];
        out[row + x] = Math.max(0, plane[row + x] - (a + (wide[bottom + x] - a) * w));
      }
    } else {
      for (let x = 0; x < width; x++) {
        const a = wide[top + x];
        out[row + x] = a + (wide[bottom + x] - a) * w;
      }
    }
  }
}

