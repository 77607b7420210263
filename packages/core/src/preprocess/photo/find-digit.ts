/**
 * The photo path of preprocessing: finds the digit in a photo of paper and returns it as a
 * levelled crop (0 paper, 255 full ink) for the clean path's fitting and centring.
 *
 * 1. Working plane: luma shrunk to a short side of about `workingSide` px by block means, then a
 *    3×3 box (noise suppression before anything is decided).
 * 2. Polarity: dark ink on light paper unless the lightest level stands out from the median far
 *    more than the darkest (`darkInkPreference`); the plane is turned so that ink is bright.
 * 3. Local background: a grayscale opening with a window of `backgroundWindow` × the short
 *    side; the foreground (plane − background, the "top-hat") is the strokes on a zero
 *    background, whatever the light and the shadows do.
 * 4. Threshold per image: above the noise (`noiseThreshold` σ) and above `peakThreshold` of the
 *    ink's peak; below `inkThreshold` peak contrast the photo holds no ink (empty).
 * 5. Connected components of the ink; the digit's are selected (see digit-components.ts).
 * 6. The crop: the digit's box (grown by `maskGrowth`), its foreground levelled so that noise
 *    (`noiseFloor` σ) maps to 0 and the kept ink's `fullInkPercentile` to 255, everything
 *    outside the kept components (grown by `maskGrowth`) 0.
 */

import type { PixelBox } from '../bounding-box.js';
import type { RawImage } from '../raw-image.js';
import { connectedComponents } from './connected-components.js';
import { selectDigit } from './digit-components.js';
import { inkStatistics, levelHistogram, percentile, type InkStatistics } from './ink-threshold.js';
import { coarseOpening } from './morphology.js';
import type { PhotoSettings } from './photo-settings.js';
import { LEVEL_SCALE, smoothPlane, workingFactor, workingPlane } from './working-plane.js';

/** A levelled crop: row-major bytes, 0 paper to 255 full ink. */
export interface DigitCrop {
  readonly data: Uint8Array;
  readonly width: number;
  readonly height: number;
}

/** What the photo path found. */
export interface FoundDigit {
  /** `true` when no ink stands out of the paper (nothing above `inkThreshold`, or only edges). */
  readonly empty: boolean;
  /** `true` when the ink is darker than the paper. */
  readonly inverted: boolean;
  /** The digit's box in the image's pixels (exclusive ends); absent when empty. */
  readonly box?: PixelBox;
  /** The digit, levelled, at the working plane's resolution; absent when empty. */
  readonly crop?: DigitCrop;
  /** The working plane's shrink factor. */
  readonly factor: number;
  readonly statistics: InkStatistics;
}

// Scratch, reused across calls (preprocessing is synchronous), grown on demand.
let scratch = new Int32Array(0);
let background = new Int32Array(0);
let planeScratch = new Int32Array(0);
const levelCounts = new Uint32Array(1024);

function ensureScratch(size: number): void {
  if (scratch.length < size) {
    scratch = new Int32Array(size);
    background = new Int32Array(size);
  }
}

/** Pixels of `image`'s working plane. */
function workingPlaneSize(image: RawImage, workingSide: number): number {
  const factor = workingFactor(image.width, image.height, workingSide);
  return Math.floor(image.width / factor) * Math.floor(image.height / factor);
}

/** Polarity (step 2): `true` when the ink is dark. Every third pixel is plenty for three percentiles. */
function isDarkInk(plane: Int32Array, size: number, preference: number, extreme: number): boolean {
  const histogram = levelHistogram(plane, size, levelCounts, 3);
  const median = percentile(histogram, 0.5);
  const dark = median - percentile(histogram, extreme);
  const light = percentile(histogram, 1 - extreme) - median;
  return !(light > preference * dark);
}

/** Step 6: the mask of the kept components inside the box, grown by `growth` px (Chebyshev). */
function keptMask(labels: Int32Array, stride: number, keep: Uint8Array, box: PixelBox, growth: number): Uint8Array {
  const width = box.x1 - box.x0;
  const height = box.y1 - box.y0;
  const mask = new Uint8Array(width * height);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      mask[y * width + x] = keep[labels[(box.y0 + y) * stride + box.x0 + x]];
    }
  }
  if (growth <= 0) return mask;
  const rows = new Uint8Array(mask.length);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      let on = 0;
      for (let dx = Math.max(0, x - growth); dx <= Math.min(width - 1, x + growth) && on === 0; dx++)
        on = mask[y * width + dx];
      rows[y * width + x] = on;
    }
  }
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      let on = 0;
      for (let dy = Math.max(0, y - growth); dy <= Math.min(height - 1, y + growth) && on === 0; dy++)
        on = rows[dy * width + x];
      mask[y * width + x] = on;
    }
  }
  return mask;
}

/**
 * Finds the digit in `image` (see the steps above). Deterministic: the same image gives the
 * same crop on every engine.
 *
 * @param inkThreshold - the ink's peak contrast (gray levels) must be above this for ink to be found
 */
export function findDigit(image: RawImage, inkThreshold: number, settings: PhotoSettings): FoundDigit {
  // The plane is this call's alone (nothing returned refers to it): a reused array, grown on demand.
  const wanted = workingPlaneSize(image, settings.workingSide);
  if (planeScratch.length < wanted) planeScratch = new Int32Array(wanted);
  const plane = workingPlane(image, settings.workingSide, planeScratch);
  const { width, height, factor } = plane;
  const size = width * height;
  ensureScratch(size);
  const ink = plane.data;

  const inverted = isDarkInk(ink, size, settings.darkInkPreference, settings.extremePercentile);
  smoothPlane(plane, settings.smooth, inverted, scratch);

  const windowSide = Math.max(
    settings.minBackgroundWindow,
    Math.round(Math.min(width, height) * settings.backgroundWindow),
  );
  const foreground = background; // ink − background, clamped at 0 (see coarseOpening)
  coarseOpening(
    ink,
    width,
    height,
    Math.max(1, Math.floor(windowSide / 2)),
    settings.backgroundShrink,
    foreground,
    true,
  );

  const statistics = inkStatistics(foreground, size, settings, levelCounts);
  const nothing: FoundDigit = { empty: true, inverted, factor, statistics };
  if (!(statistics.peak > inkThreshold)) return nothing;
  const { labels, list } = connectedComponents(foreground, width, height, statistics.threshold * LEVEL_SCALE);
  const digit = selectDigit(list, width, height, settings);
  if (digit === undefined) return nothing;

  const growth = settings.maskGrowth;
  const box = {
    x0: Math.max(0, digit.x0 - growth),
    y0: Math.max(0, digit.y0 - growth),
    x1: Math.min(width, digit.x1 + 1 + growth),
    y1: Math.min(height, digit.y1 + 1 + growth),
  };
  const cropWidth = box.x1 - box.x0;
  const cropHeight = box.y1 - box.y0;

  // keep[label]: 1 for the digit's components (label 0, no ink, stays 0).
  const keep = new Uint8Array(list.length + 1);
  for (const id of digit.ids) keep[id] = 1;
  // Full ink: a high percentile of the kept components' own pixels, robust to a dark speck.
  const keptValues = new Int32Array(cropWidth * cropHeight);
  let kept = 0;
  for (let y = box.y0; y < box.y1; y++) {
    for (let x = box.x0; x < box.x1; x++) {
      if (keep[labels[y * width + x]] === 1) keptValues[kept++] = foreground[y * width + x];
    }
  }
  const full = percentile(levelHistogram(keptValues, kept, levelCounts), settings.fullInkPercentile);
  // Never above the ink threshold: where ink fills the picture, the noise estimate is the ink's.
  const floor = Math.min(statistics.median + settings.noiseFloor * statistics.sigma, statistics.threshold);
  const gain = 255 / Math.max(1, full - floor) / LEVEL_SCALE;
  const floorFixed = floor * LEVEL_SCALE;

  const mask = keptMask(labels, width, keep, box, growth);
  const data = new Uint8Array(cropWidth * cropHeight);
  for (let y = 0; y < cropHeight; y++) {
    for (let x = 0; x < cropWidth; x++) {
      const p = y * cropWidth + x;
      if (mask[p] === 0) continue;
      const level = (foreground[(box.y0 + y) * width + box.x0 + x] - floorFixed) * gain;
      data[p] = level <= 0 ? 0 : level >= 255 ? 255 : Math.round(level);
    }
  }
  return {
    empty: false,
    inverted,
    factor,
    statistics,
    box: {
      x0: box.x0 * factor,
      y0: box.y0 * factor,
      x1: Math.min(image.width, box.x1 * factor),
      y1: Math.min(image.height, box.y1 * factor),
    },
    crop: { data, width: cropWidth, height: cropHeight },
  };
}
