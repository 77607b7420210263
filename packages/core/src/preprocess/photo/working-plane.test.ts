import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createRng } from '../../rng.js';
import { gaussian } from '../../testing/photo-like.js';
import { toGrayscale } from '../grayscale.js';
import type { RawImage } from '../raw-image.js';
import { LEVEL_SCALE, smoothPlane, WHITE, workingFactor, workingPlane } from './working-plane.js';

function randomImage(width: number, height: number, channels: 1 | 2 | 3 | 4, seed: number, opaque = true): RawImage {
  const rng = createRng(seed);
  const data = Uint8Array.from({ length: width * height * channels }, (_, i) =>
    opaque && (channels === 2 || channels === 4) && i % channels === channels - 1 ? 255 : rng.nextInt(256),
  );
  return { width, height, channels, data };
}

/** Independent: the block mean of the exact (unrounded) Rec. 601 luma, in float64. */
function expectedMeans(image: RawImage, factor: number): Float64Array {
  const { width, height, channels, data } = image;
  const [w, h] = [Math.floor(width / factor), Math.floor(height / factor)];
  const out = new Float64Array(w * h);
  for (let y = 0; y < h * factor; y++) {
    for (let x = 0; x < w * factor; x++) {
      const i = (y * width + x) * channels;
      const luma = channels >= 3 ? 0.299 * data[i] + 0.587 * data[i + 1] + 0.114 * data[i + 2] : data[i];
      out[Math.floor(y / factor) * w + Math.floor(x / factor)] += luma / (factor * factor);
    }
  }
  return out;
}

const scratch = new Int32Array(1 << 20);

describe('workingPlane (photo path, step 1)', () => {
  it('smoothPlane: the 3×3 box mean with edges replicated, rounded, and white − it when inverting', () => {
    // (Its division by 9 is a multiply and a shift: 10,000 random sums over the whole range.)
    const rng = createRng(6);
    const [width, height] = [101, 99];
    const original = Int32Array.from({ length: width * height }, () => rng.nextInt(WHITE + 1));
    const at = (x: number, y: number) =>
      original[Math.min(height - 1, Math.max(0, y)) * width + Math.min(width - 1, Math.max(0, x))];
    for (const invert of [false, true]) {
      const plane = { data: original.slice(), width, height, factor: 1 };
      smoothPlane(plane, true, invert, scratch);
      for (let y = 0; y < height; y++) {
        for (let x = 0; x < width; x++) {
          let sum = 0;
          for (let dy = -1; dy <= 1; dy++) for (let dx = -1; dx <= 1; dx++) sum += at(x + dx, y + dy);
          const expected = invert ? WHITE - Math.round(sum / 9) : Math.round(sum / 9);
          assert.equal(plane.data[y * width + x], expected, `(${x}, ${y})`);
        }
      }
    }
    const plain = { data: original.slice(), width, height, factor: 1 };
    smoothPlane(plain, false, true, scratch);
    assert.deepEqual(
      Array.from(plain.data),
      Array.from(original, (v) => WHITE - v),
    );
  });

  it('shrinks by the largest whole factor that keeps the short side at least workingSide', () => {
    assert.equal(workingFactor(100, 400, 128), 1);
    assert.equal(workingFactor(256, 256, 128), 2);
    assert.equal(workingFactor(383, 1000, 128), 2);
    assert.equal(workingFactor(4032, 3024, 128), 23);
  });

  for (const channels of [1, 3, 4] as const) {
    for (const [width, height, side] of [
      [256, 200, 100],
      [77, 64, 60],
      [301, 300, 128],
      [600, 450, 128],
    ]) {
      it(`is the block mean of the luma (${channels} channel${channels > 1 ? 's' : ''}, ${width}×${height}, working side ${side}), rounded to 1/${LEVEL_SCALE} level`, () => {
        const image = randomImage(width, height, channels, width + channels);
        const plane = workingPlane(image, side);
        const factor = workingFactor(width, height, side);
        assert.equal(plane.factor, factor);
        assert.deepEqual([plane.width, plane.height], [Math.floor(width / factor), Math.floor(height / factor)]);
        const expected = expectedMeans(image, factor);
        let worst = 0;
        for (let i = 0; i < expected.length; i++)
          worst = Math.max(worst, Math.abs(plane.data[i] / LEVEL_SCALE - expected[i]));
        assert.ok(worst <= 0.5 / LEVEL_SCALE + 1e-9, `max |Δ| ${worst}`);
      });
    }
  }

  it('composites transparency as the clean path does (toGrayscale) before shrinking', () => {
    const image = randomImage(64, 64, 4, 9, false);
    const plane = workingPlane(image, 32);
    const expected = expectedMeans({ width: 64, height: 64, channels: 1, data: toGrayscale(image) }, 2);
    for (let i = 0; i < expected.length; i++)
      assert.ok(Math.abs(plane.data[i] / LEVEL_SCALE - expected[i]) <= 0.5 / LEVEL_SCALE + 1e-9);
  });

  it('suppresses noise before anything is decided: σ 12 becomes ≤ 12 / (2 · 3) · 1.1 at factor 2 with the 3×3 box', () => {
    const rng = createRng(4);
    const data = Uint8Array.from({ length: 256 * 256 }, () =>
      Math.max(0, Math.min(255, Math.round(128 + 12 * gaussian(rng)))),
    );
    const plane = workingPlane({ width: 256, height: 256, channels: 1, data }, 128);
    smoothPlane(plane, true, false, scratch);
    const n = plane.width * plane.height;
    const values = Array.from(plane.data.subarray(0, n), (v) => v / LEVEL_SCALE);
    const mean = values.reduce((a, b) => a + b, 0) / n;
    const sigma = Math.sqrt(values.reduce((a, b) => a + (b - mean) ** 2, 0) / n);
    assert.ok(Math.abs(mean - 128) < 0.2, `mean ${mean}`);
    assert.ok(sigma <= (12 / 6) * 1.1, `σ ${sigma}`);
  });
});
