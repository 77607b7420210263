/**
 * Steps 2 and 3a of preprocessing: which side of the background the ink is on, and how to map
 * every gray value to an MNIST ink intensity (0 = background, 255 = full ink).
 *
 * Because the mapping depends only on the gray value, it is a 256-entry table; later steps read
 * the image through it instead of building an inverted, levelled copy of a possibly large photo.
 */

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
  /** 1 where the ink intensity of the gray value is above the ink threshold, else 0. */
  readonly isInk: Uint8Array;
  /** `true` when no gray value in the image reaches above the ink threshold. */
  readonly empty: boolean;
}

function histogram(gray: Uint8Array): Uint32Array {
  const counts = new Uint32Array(256);
  for (let i = 0; i < gray.length; i++) counts[gray[i]]++;
  return counts;
}

/**
 * Histogram of the ring of `thickness` pixels along the four edges. Photos and canvases are
 * framed around the digit, so the edges are background even when a stroke touches one of them;
 * the ring is a few pixels thick so that a one-pixel scanner edge or JPEG fringe cannot decide.
 */
function borderHistogram(gray: Uint8Array, width: number, height: number): Uint32Array {
  const thickness = Math.max(1, Math.floor(Math.min(width, height) / 32));
  const counts = new Uint32Array(256);
  for (let y = 0; y < height; y++) {
    const row = y * width;
    if (y < thickness || y >= height - thickness) {
      for (let x = 0; x < width; x++) counts[gray[row + x]]++;
    } else {
      for (let x = 0; x < Math.min(thickness, width); x++) counts[gray[row + x]]++;
      for (let x = Math.max(thickness, width - thickness); x < width; x++) counts[gray[row + x]]++;
    }
  }
  return counts;
}

/** Lower median of a histogram. */
function histogramMedian(counts: Uint32Array): number {
  let total = 0;
  for (let v = 0; v < 256; v++) total += counts[v];
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
 */
export function analyzeInk(
  gray: Uint8Array,
  width: number,
  height: number,
  inkThreshold: number,
): InkLevels {
  const counts = histogram(gray);
  let min = 0;
  while (counts[min] === 0) min++;
  let max = 255;
  while (counts[max] === 0) max--;
  const background = histogramMedian(borderHistogram(gray, width, height));
  const darkContrast = background - min;
  const lightContrast = max - background;
  const inverted =
    darkContrast > lightContrast || (darkContrast === lightContrast && background > 127);
  const contrast = inverted ? darkContrast : lightContrast;

  const table = new Float64Array(256);
  const isInk = new Uint8Array(256);
  const empty = contrast <= inkThreshold;
  if (!empty) {
    const inkBackground = inverted ? 255 - background : background;
    for (let v = 0; v < 256; v++) {
      const ink = inverted ? 255 - v : v;
      const level = ((ink - inkBackground) * 255) / contrast;
      table[v] = level <= 0 ? 0 : level >= 255 ? 255 : level;
      isInk[v] = table[v] > inkThreshold ? 1 : 0;
    }
  }
  return { inverted, background, contrast, table, isInk, empty };
}
