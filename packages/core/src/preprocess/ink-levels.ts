/**
 * Steps 2 and 3a of preprocessing: which side of the background the ink is on, and how to map
 * every gray value to an MNIST ink intensity (0 = background, 255 = full ink).
 *
 * Because the mapping depends only on the gray value, it is a 256-entry table; later steps read
 * the image through it instead of building an inverted, levelled copy of a possibly large photo.
 */

/** A single-channel 8-bit plane: a grayscale copy, or a 1-channel image's own data. */
export type GrayPlane = Uint8Array | Uint8ClampedArray;

/** How the ink of one image was found. */
export interface InkLevels {
  /** `true` when the ink is darker than the background (dark on light), so it was inverted. */
  readonly inverted: boolean;
  /** Median gray value of the border ring, taken as the background. */
  readonly background: number;
  /** Gray-level distance from the background to the strongest ink; 0 for a uniform image. */
  readonly contrast: number;
  /** Ink intensity (0–255, fractional) for each gray value. */
  readonly table: Float64Array;
  /**
   * The gray values whose ink intensity is above the ink threshold: `inkLow ≤ v ≤ inkHigh`
   * (the table is monotonic, so they are one range; empty, `inkLow > inkHigh`, for an empty
   * image). A range rather than a per-value table so the bounding box compares bytes directly.
   */
  readonly inkLow: number;
  readonly inkHigh: number;
  /** `true` when no gray value in the image reaches above the ink threshold. */
  readonly empty: boolean;
}

/**
 * Darkest and lightest value, packed as `min | max << 8`. Stops as soon as both extremes are
 * 0 and 255, as they are in most drawings and scans, so those are read only up to the ink.
 */
function grayRange(gray: GrayPlane): number {
  let min = 255;
  let max = 0;
  const n = gray.length;
  for (let start = 0; start < n; start += 256) {
    const end = Math.min(n, start + 256);
    for (let i = start; i < end; i++) {
      const v = gray[i];
      if (v < min) min = v;
      if (v > max) max = v;
    }
    if (min === 0 && max === 255) break;
  }
  return min | (max << 8);
}

// Scratch for the border histogram: preprocessing is synchronous, so one array serves every call.
const borderCounts = new Uint32Array(256);

/**
 * Lower median of the ring of `thickness` pixels along the four edges. Photos and canvases are
 * framed around the digit, so the edges are background even when a stroke touches one of them;
 * the ring is a few pixels thick so that a one-pixel scanner edge or JPEG fringe cannot decide.
 */
function borderMedian(gray: GrayPlane, width: number, height: number): number {
  const thickness = Math.max(1, Math.floor(Math.min(width, height) / 32));
  const counts = borderCounts;
  counts.fill(0);
  let total = 0;
  for (let y = 0; y < height; y++) {
    const row = y * width;
    if (y < thickness || y >= height - thickness) {
      for (let x = 0; x < width; x++) counts[gray[row + x]]++;
      total += width;
    } else {
      const left = Math.min(thickness, width);
      for (let x = 0; x < left; x++) counts[gray[row + x]]++;
      const right = Math.max(thickness, width - thickness);
      for (let x = right; x < width; x++) counts[gray[row + x]]++;
      total += left + (width - right);
    }
  }
  const half = Math.ceil(total / 2);
  let seen = 0;
  for (let v = 0; v < 256; v++) {
    seen += counts[v];
    if (seen >= half) return v;
  }
  return 255;
}

/**
 * Decides the ink's polarity and levels.
 *
 * - Background: the median of the border ring (robust to strokes that touch an edge).
 * - Polarity: the ink is whichever extreme lies farther from the background — the darkest
 *   pixel if `background − min > max − background`, else the lightest. This handles mid-gray
 *   paper (background 110, pencil 30) where a fixed "background > 127" rule would fail; on an
 *   exact tie it falls back to "a light background means dark ink".
 * - Levels: the background maps to 0 and the strongest ink to 255, linearly, clamped — MNIST's
 *   ink always reaches 254–255 and its background is exactly 0, so faded pencil on gray paper
 *   is stretched to what the model saw in training. Values beyond the background on the
 *   non-ink side (paper texture, highlights) clamp to 0.
 * - Empty: when that contrast is not above `inkThreshold`, there is no ink to stretch — the
 *   image is uniform up to noise — and every value maps to 0.
 *
 * `table` receives the levels (256 values, all overwritten): a new array unless given.
 */
export function analyzeInk(
  gray: GrayPlane,
  width: number,
  height: number,
  inkThreshold: number,
  table: Float64Array = new Float64Array(256),
): InkLevels {
  const range = grayRange(gray);
  const min = range & 0xff;
  const max = range >> 8;
  const background = borderMedian(gray, width, height);
  const darkContrast = background - min;
  const lightContrast = max - background;
  const inverted = darkContrast > lightContrast || (darkContrast === lightContrast && background > 127);
  const contrast = inverted ? darkContrast : lightContrast;

  const empty = contrast <= inkThreshold;
  let inkLow = 256;
  let inkHigh = -1;
  if (!empty) {
    const inkBackground = inverted ? 255 - background : background;
    for (let v = 0; v < 256; v++) {
      const ink = inverted ? 255 - v : v;
      const level = ((ink - inkBackground) * 255) / contrast;
      const value = level <= 0 ? 0 : level >= 255 ? 255 : level;
      table[v] = value;
      if (value > inkThreshold) {
        if (v < inkLow) inkLow = v;
        inkHigh = v;
      }
    }
  } else {
    table.fill(0);
  }
  return { inverted, background, contrast, table, inkLow, inkHigh, empty };
}
