/**
 * Photo path, step 3: how strong the noise is, how strong the ink is, and the threshold between
 * them — chosen per image from the foreground (the top-hat: strokes on a zero background).
 *
 * Measured alternatives (docs/benchmarks.md): Otsu's threshold on the foreground is pulled
 * towards the background when the ink is a few per cent of the picture; a threshold at a fixed
 * number of σ alone lets faint texture in when the noise is low. Taking the larger of a noise
 * bound and a fraction of the ink's peak keeps both out.
 */

import { LEVEL_SCALE } from './working-plane.js';

/** Histogram resolution: bins per gray level (noise of σ ≈ 1 level must still be resolved). */
const BINS_PER_LEVEL = 4;
const BINS = 256 * BINS_PER_LEVEL;
/** Fixed-point value → bin: a right shift (LEVEL_SCALE / BINS_PER_LEVEL = 4 = 2²). */
const BIN_SHIFT = Math.log2(LEVEL_SCALE / BINS_PER_LEVEL);

/** A histogram of levels 0–255 (clamped) at {@link BINS_PER_LEVEL} bins per level. */
export interface LevelHistogram {
  readonly counts: Uint32Array;
  readonly total: number;
}

// A second set of counts: alternate pixels go to alternate sets, so that a run of equal values
// (paper, or a zero background) does not make every increment wait for the one before.
const otherCounts = new Uint32Array(BINS);

/**
 * Histogram of every `step`-th value of `values[0..length)` (fixed point, LEVEL_SCALE per
 * level); `counts` (at least 1024 entries) is overwritten.
 */
export function levelHistogram(
  values: Int32Array,
  length: number,
  counts: Uint32Array = new Uint32Array(BINS),
  step = 1,
): LevelHistogram {
  counts.fill(0, 0, BINS);
  otherCounts.fill(0);
  let i = 0;
  for (; i + step < length; i += 2 * step) {
    const a = values[i];
    const b = values[i + step];
    const binA = a > 0 ? a >> BIN_SHIFT : 0;
    const binB = b > 0 ? b >> BIN_SHIFT : 0;
    counts[binA < BINS ? binA : BINS - 1]++;
    otherCounts[binB < BINS ? binB : BINS - 1]++;
  }
  if (i < length) {
    const v = values[i];
    const bin = v > 0 ? v >> BIN_SHIFT : 0;
    counts[bin < BINS ? bin : BINS - 1]++;
  }
  for (let bin = 0; bin < BINS; bin++) counts[bin] += otherCounts[bin];
  return { counts, total: Math.ceil(length / step) };
}

/**
 * The value below which a share `q` (0–1) of the histogram lies, to a quarter level (the
 * lower edge of the bin that reaches it). 0 for an empty histogram.
 */
export function percentile(histogram: LevelHistogram, q: number): number {
  const { counts, total } = histogram;
  const target = Math.min(total, Math.max(1, Math.ceil(q * total)));
  let seen = 0;
  for (let bin = 0; bin < BINS; bin++) {
    seen += counts[bin];
    if (seen >= target) return bin / BINS_PER_LEVEL;
  }
  return 0;
}

/** Median absolute deviation from `center`, from a histogram, to a quarter level. */
function medianAbsoluteDeviation(histogram: LevelHistogram, center: number): number {
  const { counts, total } = histogram;
  const half = Math.ceil(total / 2);
  const c = Math.round(center * BINS_PER_LEVEL);
  let seen = counts[c] ?? 0;
  for (let d = 1; seen < half && d < BINS; d++) {
    if (c - d >= 0) seen += counts[c - d];
    if (c + d < BINS) seen += counts[c + d];
    if (seen >= half) return d / BINS_PER_LEVEL;
  }
  return 0;
}

/** Noise and ink levels of a foreground, and the ink threshold chosen from them, in gray levels. */
export interface InkStatistics {
  /** Median of the foreground: the background's residual level. */
  readonly median: number;
  /** The noise's σ, estimated as 1.4826 × the median absolute deviation (exact for Gaussian noise). */
  readonly sigma: number;
  /** The ink's peak level: the foreground's `peakPercentile`. */
  readonly peak: number;
  /** Pixels above this are ink. */
  readonly threshold: number;
}

/** Settings of {@link inkStatistics} (see photo-settings.ts). */
export interface ThresholdSettings {
  readonly noiseThreshold: number;
  readonly peakThreshold: number;
  readonly peakPercentile: number;
  readonly maxNoiseThreshold: number;
}

/**
 * Statistics of a foreground plane (`length` fixed-point values ≥ 0) and its ink threshold, in
 * gray levels: `max(min(median + noiseThreshold·σ, maxNoiseThreshold·peak), peakThreshold·peak)`.
 * The noise bound is capped: where ink covers most of the picture (a bold digit framed tightly)
 * the median and its deviation measure the ink, not the noise.
 */
export function inkStatistics(
  foreground: Int32Array,
  length: number,
  settings: ThresholdSettings,
  counts?: Uint32Array,
): InkStatistics {
  const histogram = levelHistogram(foreground, length, counts);
  const median = percentile(histogram, 0.5);
  const sigma = 1.4826 * medianAbsoluteDeviation(histogram, median);
  const peak = percentile(histogram, settings.peakPercentile);
  const noise = Math.min(median + settings.noiseThreshold * sigma, settings.maxNoiseThreshold * peak);
  const threshold = Math.max(noise, settings.peakThreshold * peak);
  return { median, sigma, peak, threshold };
}
