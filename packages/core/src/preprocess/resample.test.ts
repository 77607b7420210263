import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createRng } from '../rng.js';
import { axisWeights, resizeWindow } from './resample.js';

const identity = Float64Array.from({ length: 256 }, (_, v) => v);

describe('axisWeights', () => {
  for (const [from, to] of [
    [100, 20],
    [73, 20],
    [21, 20],
    [7, 20],
    [1, 20],
    [20, 20],
  ]) {
    it(`${from} → ${to}: every output's weights are non-negative and sum to 1`, () => {
      const w = axisWeights(from, to);
      for (let i = 0; i < to; i++) {
        let sum = 0;
        for (let k = 0; k < w.count[i]; k++) {
          const weight = w.weights[w.offset[i] + k];
          assert.ok(weight >= 0);
          sum += weight;
          assert.ok(w.start[i] + k < from);
        }
        assert.ok(Math.abs(sum - 1) <= 1e-12, `output ${i}: ${sum}`);
      }
    });
  }
});

describe('resizeWindow', () => {
  it('shrinking preserves total ink in proportion to area (max |Δ| ≤ 1e-9 relative)', () => {
    const rng = createRng(11);
    const [width, height] = [97, 61];
    const data = Uint8Array.from({ length: width * height }, () => rng.nextInt(256));
    const source = { data, stride: width, x0: 0, y0: 0, width, height, table: identity };
    const out = resizeWindow(source, 20, 13);
    const sumIn = data.reduce((a, b) => a + b, 0);
    const sumOut = out.reduce((a, b) => a + b, 0);
    const expected = (sumIn * 20 * 13) / (width * height);
    assert.ok(Math.abs(sumOut - expected) / expected <= 1e-9, `${sumOut} vs ${expected}`);
  });

  it('shrinking by a whole factor is the mean of each block', () => {
    const data = Uint8Array.from({ length: 16 }, (_, i) => i * 10);
    const source = { data, stride: 4, x0: 0, y0: 0, width: 4, height: 4, table: identity };
    const out = resizeWindow(source, 2, 2);
    // Blocks {0,10,40,50}, {20,30,60,70}, {80,90,120,130}, {100,110,140,150}.
    assert.deepEqual([...out], [25, 45, 105, 125]);
  });

  it('enlarging interpolates linearly between pixel centres', () => {
    const data = Uint8Array.of(0, 255);
    const source = { data, stride: 2, x0: 0, y0: 0, width: 2, height: 1, table: identity };
    const out = resizeWindow(source, 4, 1);
    assert.deepEqual([...out], [0, 63.75, 191.25, 255]);
  });

  it('reads a window of a larger plane through the table', () => {
    const data = Uint8Array.of(9, 9, 9, 9, 1, 2, 9, 3, 4);
    const doubled = identity.map((v) => v * 2);
    const source = { data, stride: 3, x0: 1, y0: 1, width: 2, height: 2, table: doubled };
    const out = resizeWindow(source, 2, 2);
    assert.deepEqual([...out], [2, 4, 6, 8]);
  });
});
