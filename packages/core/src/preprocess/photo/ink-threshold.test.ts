import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createRng } from '../../rng.js';
import { gaussian } from '../../testing/photo-like.js';
import { inkStatistics, levelHistogram, percentile } from './ink-threshold.js';
import { PHOTO_SETTINGS } from './photo-settings.js';
import { LEVEL_SCALE } from './working-plane.js';

/** Levels (0–255, fractional) as the photo path's fixed-point plane. */
const fixed = (levels: number[]) => Int32Array.from(levels, (v) => Math.round(v * LEVEL_SCALE));

describe('ink statistics and threshold (photo path, step 3)', () => {
  it('percentiles match a sorted copy to a quarter level', () => {
    const rng = createRng(2);
    const values = fixed(Array.from({ length: 5000 }, () => rng.next() * 300 - 20));
    const histogram = levelHistogram(values, values.length);
    const sorted = Array.from(values, (v) => Math.min(255.99, Math.max(0, v / LEVEL_SCALE))).sort((a, b) => a - b);
    for (const q of [0.001, 0.1, 0.5, 0.9, 0.999, 1]) {
      const expected = sorted[Math.ceil(q * sorted.length) - 1];
      const actual = percentile(histogram, q);
      assert.ok(actual <= expected && expected < actual + 0.25, `q ${q}: ${actual} vs ${expected}`);
    }
    assert.equal(percentile(levelHistogram(values, 0), 0.5), 0, 'an empty histogram');
    // Every third value: the same as a histogram of those values.
    for (const length of [4999, 5000]) {
      const every = levelHistogram(values, length, undefined, 3);
      const picked = Int32Array.from({ length: Math.ceil(length / 3) }, (_, i) => values[i * 3]);
      const direct = levelHistogram(picked, picked.length);
      assert.equal(every.total, picked.length);
      assert.deepEqual(Array.from(every.counts), Array.from(direct.counts));
    }
  });

  it('estimates the noise σ within 10 % and puts the threshold noiseThreshold σ above the median', () => {
    const rng = createRng(3);
    for (const sigma of [1, 2.5, 6]) {
      const foreground = fixed(Array.from({ length: 20_000 }, () => Math.max(0, 40 + sigma * gaussian(rng))));
      const stats = inkStatistics(foreground, foreground.length, PHOTO_SETTINGS);
      assert.ok(Math.abs(stats.sigma - sigma) <= 0.1 * sigma + 0.15, `σ ${sigma}: estimated ${stats.sigma}`);
      assert.ok(Math.abs(stats.median - 40) <= 0.5);
      assert.equal(
        stats.threshold,
        Math.max(
          Math.min(
            stats.median + PHOTO_SETTINGS.noiseThreshold * stats.sigma,
            PHOTO_SETTINGS.maxNoiseThreshold * stats.peak,
          ),
          PHOTO_SETTINGS.peakThreshold * stats.peak,
        ),
      );
    }
  });

  it('where ink covers most of the picture, the noise bound is capped at maxNoiseThreshold of the peak', () => {
    const rng = createRng(9);
    // 70 % ink at 150 ± 20 levels, 30 % paper at 0–3: median and deviation are the ink's.
    const foreground = fixed(
      Array.from({ length: 10_000 }, (_, i) => (i % 10 < 7 ? 150 + 20 * gaussian(rng) : 3 * rng.next())),
    );
    const stats = inkStatistics(foreground, foreground.length, PHOTO_SETTINGS);
    assert.ok(
      stats.median + PHOTO_SETTINGS.noiseThreshold * stats.sigma > stats.peak,
      'the uncapped bound would leave no ink',
    );
    assert.equal(stats.threshold, PHOTO_SETTINGS.maxNoiseThreshold * stats.peak);
  });

  it('on noise-free paper with ink the threshold is peakThreshold of the ink peak', () => {
    const foreground = new Int32Array(10_000);
    for (let i = 0; i < 400; i++) foreground[i * 25] = 180 * LEVEL_SCALE; // 4 % ink at 180 levels, the rest 0
    const stats = inkStatistics(foreground, foreground.length, PHOTO_SETTINGS);
    assert.deepEqual([stats.median, stats.sigma, stats.peak], [0, 0, 180]);
    assert.equal(stats.threshold, PHOTO_SETTINGS.peakThreshold * 180);
  });
});
