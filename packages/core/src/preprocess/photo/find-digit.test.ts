import assert from 'node:assert/strict';
import { describe, it, type TestContext } from 'node:test';
import { MNIST_NORMALIZATION } from '../../normalization.js';
import { createRng, deriveSeed } from '../../rng.js';
import { mnistTestDir, mnistTestSet } from '../../testing/mnist-file.js';
import { photoCondition } from '../../testing/photo-conditions.js';
import { inkBoxInPhoto, renderPhoto, type InkImage } from '../../testing/photo-like.js';
import { preprocessDigit } from '../preprocess-digit.js';
import { findDigit } from './find-digit.js';
import { PHOTO_SETTINGS } from './photo-settings.js';

// Real MNIST digits photographed (core/testing's photo-like renderer, no JPEG: that needs an
// encoder, and the server's and the browser's suites cover it) must come out of the photo path
// as they come out of the clean path from the same digit on plain paper, and the box found must
// be where the renderer put the digit. Independent references: the clean path (untouched by the
// photo path) and the renderer's own geometry.

const DIGITS = 60;
const dir = mnistTestDir();
const skip = dir === undefined ? 'MNIST t10k images not found (set ONNXPIPE_DATA_DIR)' : false;
const options = { normalization: MNIST_NORMALIZATION };

/** Mean |a − b| over the 28×28 frame, with `b` shifted by (dx, dy), 0 outside. */
function meanAbs(a: Uint8Array, b: Uint8Array, dx = 0, dy = 0): number {
  let sum = 0;
  for (let y = 0; y < 28; y++) {
    for (let x = 0; x < 28; x++) {
      const [sx, sy] = [x - dx, y - dy];
      sum += Math.abs(a[y * 28 + x] - (sx < 0 || sy < 0 || sx > 27 || sy > 27 ? 0 : b[sy * 28 + sx]));
    }
  }
  return sum / 784;
}

/** The least mean |Δ| over shifts of up to 1 px (a centre of mass near a half pixel may round either way). */
function closeness(a: Uint8Array, b: Uint8Array): number {
  let best = Infinity;
  for (let dy = -1; dy <= 1; dy++) for (let dx = -1; dx <= 1; dx++) best = Math.min(best, meanAbs(a, b, dx, dy));
  return best;
}

const CONDITIONS = [
  'noise-12',
  'gradient-50',
  'shadow',
  'paper-edge',
  'ruled',
  'specks',
  'framing',
  'blur-1.5',
  'coloured-ink',
];

describe('the photo path on photographed MNIST digits', { skip }, () => {
  const { images } = dir === undefined ? { images: [] } : mnistTestSet(dir, DIGITS);
  const inks: InkImage[] = images.map((data) => ({ width: 28, height: 28, data }));
  // The reference: each digit on plain paper, through the clean path.
  const clean = inks.map((ink, n) => {
    const { scene } = photoCondition('plain').sample(ink, createRng(n));
    const result = preprocessDigit(renderPhoto(ink, scene, createRng(n)), options);
    assert.equal(result.method, 'clean', 'plain paper takes the clean path');
    return result.pixels;
  });

  for (const name of CONDITIONS) {
    it(`${name}: close to the clean digit, the box around the digit`, (t: TestContext) => {
      const condition = photoCondition(name);
      let total = 0;
      let worst = 0;
      let boxErrors = 0;
      inks.forEach((ink, n) => {
        const rng = createRng(deriveSeed(15, n));
        const { scene } = condition.sample(ink, rng);
        const photo = renderPhoto(ink, scene, rng);
        const result = preprocessDigit(photo, { ...options, method: 'photo' });
        assert.equal(result.empty, false, `digit ${n}: found`);
        const d = closeness(result.pixels, clean[n]);
        total += d;
        worst = Math.max(worst, d);
        // The box holds the digit, give or take one working pixel (2 px here) and the soft edge.
        const truth = inkBoxInPhoto(ink, scene);
        const box = result.box!;
        const slack = 2 * (PHOTO_SETTINGS.maskGrowth + 1) + 1;
        const inside =
          box.x0 <= truth.x0 + slack &&
          box.y0 <= truth.y0 + slack &&
          box.x1 >= truth.x1 - slack &&
          box.y1 >= truth.y1 - slack;
        const tight =
          box.x0 >= truth.x0 - 2 * slack &&
          box.y0 >= truth.y0 - 2 * slack &&
          box.x1 <= truth.x1 + 2 * slack &&
          box.y1 <= truth.y1 + 2 * slack;
        if (!inside || !tight) boxErrors++;
      });
      const mean = total / inks.length;
      t.diagnostic(
        `${name}: mean |Δ| from the clean digit ${mean.toFixed(2)} levels (worst ${worst.toFixed(1)}), boxes off ${boxErrors}/${inks.length}`,
      );
      // Neighbouring MNIST digits differ by > 20 levels (mnist-round-trip.test.ts): a tenth of
      // that on average, and no digit beyond half of it.
      assert.ok(mean <= 8, `mean |Δ| ${mean}`);
      assert.ok(worst <= 20, `worst |Δ| ${worst}`);
      assert.ok(boxErrors <= inks.length * 0.05, `${boxErrors} boxes off`);
    });
  }
});

describe('findDigit on photos without a digit', () => {
  const blank: InkImage = { width: 28, height: 28, data: new Uint8Array(784) };
  for (const name of ['noise-12', 'gradient-50', 'shadow', 'paper-edge', 'ruled', 'photo']) {
    it(`${name}: empty`, () => {
      for (let n = 0; n < 10; n++) {
        const rng = createRng(deriveSeed(16, n));
        const { scene } = photoCondition(name).sample(blank, rng);
        const found = findDigit(renderPhoto(blank, scene, rng), 32, PHOTO_SETTINGS);
        assert.equal(found.empty, true, `${name} ${n}: ${JSON.stringify(found.statistics)}`);
      }
    });
  }
});
