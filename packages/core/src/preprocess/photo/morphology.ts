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
function runningExtreme(
  padded: Int32Array,
  length: number,
  k: number,
  isMin: boolean,
  forward: Int32Array,
  backward: Int32Array,
  out: Int32Array,
  n: number,
): void {
  // Branch-free integer minimum and maximum: with d = v − m, `d & (d >> 31)` is d when d < 0,
  // else 0 (values are far below 2³⁰, so d never overflows). On a noisy photo a compare and
  // branch mispredicts about every other pixel and costs twice the time. Written out twice: a
  // function chosen at run time would not be inlined.
  if (isMin) {
    for (let start = 0; start < length; start += k) {
      const end = Math.min(length, start + k);
      let m = padded[start];
      forward[start] = m;
      for (let i = start + 1; i < end; i++) {
        const d = padded[i] - m;
        forward[i] = m += d & (d >> 31);
      }
      m = padded[end - 1];
      backward[end - 1] = m;
      for (let i = end - 2; i >= start; i--) {
        const d = padded[i] - m;
        backward[i] = m += d & (d >> 31);
      }
    }
    for (let i = 0; i < n; i++) {
      const a = backward[i];
      const d = forward[i + k - 1] - a;
      out[i] = a + (d & (d >> 31));
    }
  } else {
    for (let start = 0; start < length; start += k) {
      const end = Math.min(length, start + k);
      let m = padded[start];
      forward[start] = m;
      for (let i = start + 1; i < end; i++) {
        const d = padded[i] - m;
        forward[i] = m += d & ~(d >> 31);
      }
      m = padded[end - 1];
      backward[end - 1] = m;
      for (let i = end - 2; i >= start; i--) {
        const d = padded[i] - m;
        backward[i] = m += d & ~(d >> 31);
      }
    }
    for (let i = 0; i < n; i++) {
      const a = backward[i];
      const d = forward[i + k - 1] - a;
      out[i] = a + (d & ~(d >> 31));
    }
  }
}

/** Scratch arrays for {@link opening}, grown on demand. */
let padded = new Int32Array(0);
let lineOut = new Int32Array(0);
let forward = new Int32Array(0);
let backward = new Int32Array(0);

function ensureScratch(length: number, radius: number): void {
  if (padded.length < length + 2 * radius) {
    padded = new Int32Array(length + 2 * radius);
    forward = new Int32Array(length + 2 * radius);
    backward = new Int32Array(length + 2 * radius);
  }
  if (lineOut.length < length) lineOut = new Int32Array(length);
}

/** Running minimum (or maximum) over `2·radius + 1` along rows, then along columns, in place. */
function squareExtreme(plane: Int32Array, width: number, height: number, radius: number, isMin: boolean): void {
  ensureScratch(Math.max(width, height), radius);
  // Locals, not the module's bindings: engines keep a local typed array in a register.
  const [line, out, ahead, behind] = [padded, lineOut, forward, backward];
  const k = 2 * radius + 1;
  // Neutral padding: beyond the edges the window only shrinks.
  // Beyond any level, and small integers for the engine (a 31-bit "Smi"; 2³¹ − 1 would not be).
  const neutral = isMin ? 0x3fffffff : -0x40000000;
  line.fill(neutral);
  for (let y = 0; y < height; y++) {
    const row = y * width;
    for (let x = 0; x < width; x++) line[radius + x] = plane[row + x];
    line.fill(neutral, radius + width, width + 2 * radius);
    runningExtreme(line, width + 2 * radius, k, isMin, ahead, behind, out, width);
    for (let x = 0; x < width; x++) plane[row + x] = out[x];
  }
  line.fill(neutral);
  for (let x = 0; x < width; x++) {
    for (let y = 0; y < height; y++) line[radius + y] = plane[y * width + x];
    line.fill(neutral, radius + height, height + 2 * radius);
    runningExtreme(line, height + 2 * radius, k, isMin, ahead, behind, out, height);
    for (let y = 0; y < height; y++) plane[y * width + x] = out[y];
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
export function opening(plane: Int32Array, width: number, height: number, radius: number, out: Int32Array): void {
  out.set(plane.subarray(0, width * height));
  squareExtreme(out, width, height, radius, true);
  squareExtreme(out, width, height, radius, false);
}

// Scratch for {@link coarseOpening}: the coarse plane, and its rows widened to the full width.
let coarse = new Int32Array(0);
let wide = new Int32Array(0);
let column = new Int32Array(0);

/** Fixed-point units of a bilinear weight: 256 = all of the second block. */
const WEIGHT_ONE = 256;

/**
 * For each of `size` pixels, the two coarse blocks whose centres enclose it and the weight of the
 * second (of {@link WEIGHT_ONE}).
 */
interface BlockCentreWeights {
  readonly first: Int32Array;
  readonly second: Int32Array;
  readonly weight: Int32Array;
}

const weightsCache = new Map<number, BlockCentreWeights>();

/** Bilinear weights between block centres `(i + ½)·shrink − ½`, clamped at the outer half blocks; cached. */
function blockCentreWeights(size: number, blocks: number, shrink: number): BlockCentreWeights {
  const key = size * 4096 + shrink; // sizes ≤ 16,384, shrink < 4096
  let weights = weightsCache.get(key);
  if (weights === undefined) {
    const first = new Int32Array(size);
    const second = new Int32Array(size);
    const weight = new Int32Array(size);
    for (let i = 0; i < size; i++) {
      const f = Math.min(blocks - 1, Math.max(0, (i + 0.5) / shrink - 0.5));
      first[i] = Math.floor(f);
      second[i] = Math.min(blocks - 1, first[i] + 1);
      weight[i] = Math.round((f - first[i]) * WEIGHT_ONE);
    }
    if (weightsCache.size >= 64) weightsCache.clear();
    weights = { first, second, weight };
    weightsCache.set(key, weights);
  }
  return weights;
}

/**
 * {@link opening} computed `shrink` times coarser: the plane's means over `shrink × shrink`
 * blocks, opened with a window `shrink` times smaller, and read back bilinearly between block
 * centres. The background is smooth at that scale, and the work drops by `shrink²`. The
 * background may then lie above `plane` by up to a block's variation. With `topHat`, `out`
 * receives the foreground instead: `max(0, plane − background)`.
 */
export function coarseOpening(
  plane: Int32Array,
  width: number,
  height: number,
  radius: number,
  shrink: number,
  out: Int32Array,
  topHat = false,
): void {
  if (shrink <= 1) {
    opening(plane, width, height, radius, out);
    if (topHat) {
      for (let i = 0; i < width * height; i++) {
        const v = plane[i] - out[i];
        out[i] = v > 0 ? v : 0;
      }
    }
    return;
  }
  const cw = Math.ceil(width / shrink);
  const ch = Math.ceil(height / shrink);
  if (coarse.length < cw * ch) coarse = new Int32Array(cw * ch);
  if (column.length < width) column = new Int32Array(width);
  if (wide.length < ch * width) wide = new Int32Array(ch * width);
  // Locals, not the module's bindings: engines keep a local typed array in a register.
  const [blocks, minima, widened] = [coarse, column, wide];
  // Block means, a row of blocks at a time: the sums down each column of the block's rows,
  // then across each block. (Means, not minima: near a shadow's soft rim a block's minimum lies
  // a block's worth of slope below most of it, which leaves a band of foreground along the rim;
  // ink inside a block is removed by the opening's minimum anyway.)
  for (let cy = 0; cy < ch; cy++) {
    const yStart = cy * shrink;
    const yEnd = Math.min(height, yStart + shrink);
    minima.set(plane.subarray(yStart * width, yStart * width + width));
    for (let y = yStart + 1; y < yEnd; y++) {
      const row = y * width;
      for (let x = 0; x < width; x++) minima[x] += plane[row + x];
    }
    const target = cy * cw;
    for (let cx = 0; cx < cw; cx++) {
      const xStart = cx * shrink;
      const xEnd = Math.min(width, xStart + shrink);
      let sum = 0;
      for (let x = xStart; x < xEnd; x++) sum += minima[x];
      blocks[target + cx] = Math.round(sum / ((xEnd - xStart) * (yEnd - yStart)));
    }
  }
  const small = blocks.subarray(0, cw * ch);
  opening(small, cw, ch, Math.max(1, Math.round(radius / shrink)), small);
  // Read back bilinearly between block centres: nearest blocks would leave steps of a block's
  // worth of the light's slope across a soft shadow's rim, which the threshold sees as bands.
  // Rows first (each coarse row widened to the plane's width), then between two widened rows.
  const { first, second, weight } = blockCentreWeights(width, cw, shrink);
  for (let cy = 0; cy < ch; cy++) {
    const source = cy * cw;
    const target = cy * width;
    for (let x = 0; x < width; x++) {
      const a = small[source + first[x]];
      widened[target + x] = a + (((small[source + second[x]] - a) * weight[x] + WEIGHT_ONE / 2) >> 8);
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
        const a = widened[top + x];
        const v = plane[row + x] - (a + (((widened[bottom + x] - a) * w + WEIGHT_ONE / 2) >> 8));
        out[row + x] = v > 0 ? v : 0;
      }
    } else {
      for (let x = 0; x < width; x++) {
        const a = widened[top + x];
        out[row + x] = a + (((widened[bottom + x] - a) * w + WEIGHT_ONE / 2) >> 8);
      }
    }
  }
}
