import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createRng } from '../../rng.js';
import { coarseOpening, opening } from './morphology.js';

/** Independent: the opening by definition, minimum then maximum over the window ∩ image, O(n·k²). */
function naiveOpening(plane: Int32Array, width: number, height: number, radius: number): Int32Array {
  const extreme = (source: Int32Array, isMin: boolean) => {
    const out = new Int32Array(source.length);
    for (let y = 0; y < height; y++) {
      for (let x = 0; x < width; x++) {
        let m = isMin ? Infinity : -Infinity;
        for (let v = Math.max(0, y - radius); v <= Math.min(height - 1, y + radius); v++) {
          for (let u = Math.max(0, x - radius); u <= Math.min(width - 1, x + radius); u++) {
            m = isMin ? Math.min(m, source[v * width + u]) : Math.max(m, source[v * width + u]);
          }
        }
        out[y * width + x] = m;
      }
    }
    return out;
  };
  return extreme(extreme(plane, true), false);
}

function randomPlane(width: number, height: number, seed: number): Int32Array {
  const rng = createRng(seed);
  return Int32Array.from({ length: width * height }, () => Math.floor(rng.next() * 4080));
}

describe('opening (photo path, step 2: the local background)', () => {
  for (const [width, height, radius] of [
    [1, 1, 1],
    [7, 5, 1],
    [40, 33, 3],
    [33, 40, 8],
    [64, 64, 16],
    [10, 60, 30],
  ]) {
    it(`equals the opening by definition (${width}×${height}, radius ${radius}), exactly`, () => {
      const plane = randomPlane(width, height, width * 100 + radius);
      const out = new Int32Array(width * height);
      opening(plane, width, height, radius, out);
      assert.deepEqual(Array.from(out), Array.from(naiveOpening(plane, width, height, radius)));
    });
  }

  it('removes strokes narrower than the window and keeps the background under them: a ramp with a stroke on it', () => {
    const [width, height] = [64, 48];
    const plane = new Int32Array(width * height);
    for (let y = 0; y < height; y++)
      for (let x = 0; x < width; x++) plane[y * width + x] = (20 + x / 2 + (x >= 30 && x < 34 ? 150 : 0)) * 16;
    const out = new Int32Array(width * height);
    opening(plane, width, height, 5, out);
    for (let y = 0; y < height; y++) {
      for (let x = 0; x < width; x++) {
        const i = y * width + x;
        assert.ok(out[i] <= plane[i], 'an opening lies below its plane');
        // Under the stroke the background is the ramp's own level within the window's reach.
        assert.ok(
          plane[i] - out[i] <= (x >= 30 && x < 34 ? 150 + 5 / 2 : 5 / 2) * 16,
          `top-hat at (${x}, ${y}): ${plane[i] - out[i]}`,
        );
        // The stroke hides the ramp under it, so the background there is the ramp's level just
        // beside the stroke: off by at most the ramp's rise across the stroke, 4 px × 0.5.
        if (x >= 30 && x < 34)
          assert.ok(
            plane[i] - out[i] >= (150 - 4 * 0.5) * 16,
            `the stroke stands out at (${x}, ${y}): ${plane[i] - out[i]}`,
          );
      }
    }
  });

  it('is idempotent and keeps plateaus wider than the window (a shadow) as background', () => {
    const [width, height] = [50, 50];
    const plane = new Int32Array(width * height);
    for (let y = 0; y < height; y++) for (let x = 0; x < width; x++) plane[y * width + x] = (x < 20 ? 90 : 30) * 16;
    const once = new Int32Array(width * height);
    const twice = new Int32Array(width * height);
    opening(plane, width, height, 4, once);
    opening(once, width, height, 4, twice);
    assert.deepEqual(Array.from(once), Array.from(plane));
    assert.deepEqual(Array.from(twice), Array.from(once));
  });

  it('coarseOpening: the opening of the block means, read back bilinearly between block centres; shrink 1 is the opening', () => {
    const [width, height, radius, shrink] = [61, 45, 8, 4];
    const plane = randomPlane(width, height, 12);
    const out = new Int32Array(width * height);
    coarseOpening(plane, width, height, radius, shrink, out);
    const [cw, ch] = [Math.ceil(width / shrink), Math.ceil(height / shrink)];
    const [sums, counts] = [new Float64Array(cw * ch), new Float64Array(cw * ch)];
    for (let y = 0; y < height; y++)
      for (let x = 0; x < width; x++) {
        const c = Math.floor(y / shrink) * cw + Math.floor(x / shrink);
        sums[c] += plane[y * width + x];
        counts[c]++;
      }
    const means = Int32Array.from(sums, (sum, c) => Math.round(sum / counts[c]));
    const coarse = naiveOpening(means, cw, ch, radius / shrink);
    // Bilinear, written out: block centres at ((i + ½)·shrink − ½), clamped at the outer half blocks.
    const at = (i: number, n: number) => Math.min(n - 1, Math.max(0, (i + 0.5) / shrink - 0.5));
    for (let y = 0; y < height; y++) {
      for (let x = 0; x < width; x++) {
        const [fx, fy] = [at(x, cw), at(y, ch)];
        const [x0, y0] = [Math.floor(fx), Math.floor(fy)];
        const [x1, y1] = [Math.min(cw - 1, x0 + 1), Math.min(ch - 1, y0 + 1)];
        const c = (u: number, v: number) => coarse[v * cw + u];
        const expected =
          (c(x0, y0) * (1 - (fx - x0)) + c(x1, y0) * (fx - x0)) * (1 - (fy - y0)) +
          (c(x0, y1) * (1 - (fx - x0)) + c(x1, y1) * (fx - x0)) * (fy - y0);
        // Weights in 256ths, each of the two interpolations rounded: within a unit (1/16 level) or two.
        assert.ok(Math.abs(out[y * width + x] - expected) <= 2, `(${x}, ${y}): ${out[y * width + x]} vs ${expected}`);
      }
    }
    const exact = new Int32Array(width * height);
    coarseOpening(plane, width, height, radius, 1, exact);
    assert.deepEqual(Array.from(exact), Array.from(naiveOpening(plane, width, height, radius)));
  });
});
