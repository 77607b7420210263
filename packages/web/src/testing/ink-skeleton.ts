// The first half of recovering pen paths from a rendered digit: which pixels are ink, and their
// 1-pixel-wide centre lines (Zhang–Suen thinning). trace-skeleton.ts turns the centre lines into
// ordered strokes.

/** A grayscale or colour image as decoded (the dev set's PNGs: one channel, dark ink on white). */
export interface InkImage {
  readonly width: number;
  readonly height: number;
  readonly channels: 1 | 2 | 3 | 4;
  readonly data: Uint8Array;
}

/** A binary image: 1 = ink. */
export interface Mask {
  readonly width: number;
  readonly height: number;
  readonly data: Uint8Array;
}

/**
 * Ink per pixel, 0 (background) to 1 (full ink). The background's polarity is read from the
 * border, so dark ink on white paper and light ink on a dark pad read alike; anti-aliased edges
 * keep their fractions, which say where a line's edge lies between pixels.
 */
export function inkLevels(image: InkImage): Float32Array {
  const { width, height, channels, data } = image;
  const level = new Float32Array(width * height);
  const colour = Math.min(channels, 3);
  for (let i = 0; i < level.length; i++) {
    let sum = 0;
    for (let c = 0; c < colour; c++) sum += data[i * channels + c];
    level[i] = sum / colour / 255;
  }
  let border = 0;
  let count = 0;
  for (let x = 0; x < width; x++) {
    border += level[x] + level[(height - 1) * width + x];
    count += 2;
  }
  for (let y = 1; y < height - 1; y++) {
    border += level[y * width] + level[y * width + width - 1];
    count += 2;
  }
  if (border / count >= 0.5) for (let i = 0; i < level.length; i++) level[i] = 1 - level[i];
  return level;
}

/** Ink as a binary mask: pixels at least `threshold` of the way from the background to full ink. */
export function inkMask(image: InkImage, threshold = 0.5): Mask {
  const level = inkLevels(image);
  const mask = new Uint8Array(level.length);
  for (let i = 0; i < level.length; i++) mask[i] = level[i] >= threshold ? 1 : 0;
  return { width: image.width, height: image.height, data: mask };
}

/** The 8 neighbours in Zhang–Suen's order P2…P9: N, NE, E, SE, S, SW, W, NW. */
const NEIGHBOURS = [
  [0, -1],
  [1, -1],
  [1, 0],
  [1, 1],
  [0, 1],
  [-1, 1],
  [-1, 0],
  [-1, -1],
] as const;

/** The neighbours P2…P9 of (x, y), 0 outside the image. */
function neighbourhood(mask: Mask, x: number, y: number, out: Uint8Array): void {
  for (let k = 0; k < 8; k++) {
    const nx = x + NEIGHBOURS[k][0];
    const ny = y + NEIGHBOURS[k][1];
    out[k] = nx >= 0 && ny >= 0 && nx < mask.width && ny < mask.height ? mask.data[ny * mask.width + nx] : 0;
  }
}

/**
 * Zhang–Suen thinning (T. Y. Zhang, C. Y. Suen, "A fast parallel algorithm for thinning digital
 * patterns", CACM 1984): peels the ink from both sides in alternating sub-iterations until only
 * a connected skeleton is left, with the mask's topology (holes stay holes). Zhang–Suen leaves
 * 2-pixel staircases on diagonals and erases a blob that shrinks to 2×2; both are mended here, so
 * the result is an 8-connected line one pixel wide, and every inked region keeps a pixel.
 */
export function thin(mask: Mask): Mask {
  const { width, height } = mask;
  const data = new Uint8Array(mask.data);
  const current: Mask = { width, height, data };
  const p = new Uint8Array(8);
  const remove: number[] = [];
  for (let changed = true; changed;) {
    changed = false;
    for (const pass of [0, 1]) {
      remove.length = 0;
      for (let y = 0; y < height; y++) {
        for (let x = 0; x < width; x++) {
          const i = y * width + x;
          if (data[i] === 0) continue;
          neighbourhood(current, x, y, p);
          const b = p[0] + p[1] + p[2] + p[3] + p[4] + p[5] + p[6] + p[7];
          if (b < 2 || b > 6) continue;
          let transitions = 0;
          for (let k = 0; k < 8; k++) if (p[k] === 0 && p[(k + 1) % 8] === 1) transitions++;
          if (transitions !== 1) continue;
          // P2·P4·P6 and P4·P6·P8 (first pass: south-east boundary), P2·P4·P8 and P2·P6·P8 (second: north-west).
          const [n, , e, , s, , w] = p;
          if (pass === 0 ? n * e * s !== 0 || e * s * w !== 0 : n * e * w !== 0 || n * s * w !== 0) continue;
          remove.push(i);
        }
      }
      for (const i of remove) data[i] = 0;
      if (remove.length > 0) changed = true;
    }
  }
  removeStaircases(current);
  keepEveryRegion(mask, current);
  return current;
}

/**
 * Removes skeleton pixels that connect nothing their neighbours do not already connect (Yokoi's
 * 8-connectivity number is 1) and are not line ends: the inner corner of each staircase step.
 * A pixel with two neighbours that touch each other is such a corner; one on a clean line, whose
 * two neighbours do not touch, is not.
 */
function removeStaircases(skeleton: Mask): void {
  const p = new Uint8Array(8);
  for (let changed = true; changed;) {
    changed = false;
    for (let y = 0; y < skeleton.height; y++) {
      for (let x = 0; x < skeleton.width; x++) {
        const i = y * skeleton.width + x;
        if (skeleton.data[i] === 0) continue;
        neighbourhood(skeleton, x, y, p);
        const count = p[0] + p[1] + p[2] + p[3] + p[4] + p[5] + p[6] + p[7];
        if (count < 2) continue;
        // Yokoi: Σ over the 4-neighbours k of x̄k − x̄k·x̄k+1·x̄k+2 (x̄ = 1 − x), in P2…P9 order N, NE, E, …
        let connectivity = 0;
        for (const k of [0, 2, 4, 6]) {
          const a = 1 - p[k];
          connectivity += a - a * (1 - p[k + 1]) * (1 - p[(k + 2) % 8]);
        }
        if (connectivity === 1) {
          skeleton.data[i] = 0;
          changed = true;
        }
      }
    }
  }
}

/** Puts back one pixel (the one nearest its middle) for each region of `mask` thinning erased. */
function keepEveryRegion(mask: Mask, skeleton: Mask): void {
  const { width, height } = mask;
  const seen = new Uint8Array(width * height);
  for (let start = 0; start < mask.data.length; start++) {
    if (mask.data[start] === 0 || seen[start]) continue;
    const region = [start];
    seen[start] = 1;
    let kept = false;
    for (let q = 0; q < region.length; q++) {
      const i = region[q];
      kept ||= skeleton.data[i] === 1;
      const x = i % width;
      const y = (i - x) / width;
      for (const [dx, dy] of NEIGHBOURS) {
        const nx = x + dx;
        const ny = y + dy;
        const n = ny * width + nx;
        if (nx >= 0 && ny >= 0 && nx < width && ny < height && mask.data[n] === 1 && !seen[n]) {
          seen[n] = 1;
          region.push(n);
        }
      }
    }
    if (kept) continue;
    const mx = region.reduce((sum, i) => sum + (i % width), 0) / region.length;
    const my = region.reduce((sum, i) => sum + Math.floor(i / width), 0) / region.length;
    const nearest = region.reduce((best, i) =>
      Math.hypot((i % width) - mx, Math.floor(i / width) - my) <
      Math.hypot((best % width) - mx, Math.floor(best / width) - my)
        ? i
        : best,
    );
    skeleton.data[nearest] = 1;
  }
}

/** How many pixels of `mask` are set. */
export function countInk(mask: Mask): number {
  let n = 0;
  for (const v of mask.data) n += v;
  return n;
}
