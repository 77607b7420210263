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
  if (isMin) {
    for (let start = 0; start < length; start += k) {
      const end = Math.min(length, start + k);
      let m = padded[start];
      forward[start] = m;
      for (let i = start + 1; i < end; i++) {
        const v = padded[i];
        if (v < m) m = v;
        forward[i] = m;
      }
      m = padded[end - 1];
      backward[end - 1] = m;
      for (let i = end - 2; i >= start; i--) {
        const v = padded[i];
        if (v < m) m = v;
        backward[i] = m;
      }
    }
    for (let i = 0; i < n; i++) {
      const a = backward[i];
      const b = forward[i + k - 1];
      out[i] = a < b ? a : b;
    }
  } else {
    for (let start = 0; start < length; start += k) {
      const end = Math.min(length, start + k);
      let m = padded[start];
      forward[start] = m;
      for (let i = start + 1; i < end; i++) {
        const v = padded[i];
        if (v > m) m = v;
        forward[i] = m;
      }
      m = padded[end - 1];
      backward[end - 1] = m;
      for (let i = end - 2; i >= start; i--) {
        const v = padded[i];
        if (v > m) m = v;
        backward[i] = m;
      }
    }
    for (let i = 0; i < n; i++) {
      const a = backward[i];
      const b = forward[i + k - 1];
      out[i] = a > b ? a : b;
    }
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

// Scratch for the coarse plane of {@link coarseOpening}.
let coarse = new Float32Array(0);

/**
 * {@link opening} computed `shrink` times coarser: the plane's minimum over `shrink × shrink`
 * blocks (itself an erosion, so nothing of the ink survives that the full-size opening would
 * remove), opened with a window `shrink` times smaller, and read back bilinearly between block
 * centres. The background is smooth at that scale, and the work drops by `shrink²`. `out` may then lie
 * above `plane` by less than a block's variation: callers clamp `plane − out` at 0.
 */
export function coarseOpening(plane: Float32Array, width: number, height: number, radius: number, shrink: number, out: Float32Array): void {
  if (shrink <= 1) {
    opening(plane, width, height, radius, out);
    return;
  }
  const cw = Math.ceil(width / shrink);
  const ch = Math.ceil(height / shrink);
  if (coarse.length < cw * ch) coarse = new Float32Array(cw * ch);
  coarse.fill(Infinity, 0, cw * ch);
  for (let y = 0; y < height; y++) {
    const row = y * width;
    const target = ((y / shrink) | 0) * cw;
    for (let cx = 0, x = 0; cx < cw; cx++) {
      let m = coarse[target + cx];
      for (const end = Math.min(width, x + shrink); x < end; x++) {
        const v = plane[row + x];
        if (v < m) m = v;
      }
      coarse[target + cx] = m;
    }
  }
  const small = coarse.subarray(0, cw * ch);
  opening(small, cw, ch, Math.max(1, Math.round(radius / shrink)), small);
  // Read back bilinearly between block centres: nearest blocks would leave steps of a block's
  // worth of the light's slope across a soft shadow's rim, which the threshold sees as bands.
  for (let y = 0; y < height; y++) {
    const fy = Math.min(ch - 1, Math.max(0, (y + 0.5) / shrink - 0.5));
    const y0 = fy | 0;
    const y1 = y0 + 1 < ch ? y0 + 1 : y0;
    const wy = fy - y0;
    const row = y * width;
    for (let x = 0; x < width; x++) {
      const fx = Math.min(cw - 1, Math.max(0, (x + 0.5) / shrink - 0.5));
      const x0 = fx | 0;
      const x1 = x0 + 1 < cw ? x0 + 1 : x0;
      const wx = fx - x0;
      const top = small[y0 * cw + x0] + (small[y0 * cw + x1] - small[y0 * cw + x0]) * wx;
      const bottom = small[y1 * cw + x0] + (small[y1 * cw + x1] - small[y1 * cw + x0]) * wx;
      out[row + x] = top + (bottom - top) * wy;
    }
  }
}

