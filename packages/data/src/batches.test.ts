import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { MNIST_NORMALIZATION } from '@onnxpipe/core';
import { batchRanges, epochOrder, gatherBatch } from './batches.js';

function isPermutation(order: Int32Array, count: number): boolean {
  const seen = new Uint8Array(count);
  for (const i of order) {
    if (i < 0 || i >= count || seen[i] === 1) return false;
    seen[i] = 1;
  }
  return order.length === count;
}

describe('epochOrder', () => {
  it('is the identity without shuffling', () => {
    assert.deepEqual(Array.from(epochOrder(5, { shuffle: false, seed: 1, epoch: 3 })), [0, 1, 2, 3, 4]);
  });

  it('is a deterministic permutation per seed and epoch', () => {
    const a = epochOrder(60_000, { shuffle: true, seed: 7, epoch: 0 });
    const b = epochOrder(60_000, { shuffle: true, seed: 7, epoch: 0 });
    assert.ok(isPermutation(a, 60_000));
    assert.deepEqual(a, b);
    const fixedPoints = a.reduce((n, v, i) => n + (v === i ? 1 : 0), 0);
    assert.ok(fixedPoints < 10, `${fixedPoints} samples stayed in place`);
  });

  it('differs between epochs and between seeds', () => {
    const e0 = epochOrder(1000, { shuffle: true, seed: 7, epoch: 0 });
    const e1 = epochOrder(1000, { shuffle: true, seed: 7, epoch: 1 });
    const s8 = epochOrder(1000, { shuffle: true, seed: 8, epoch: 0 });
    assert.ok(isPermutation(e1, 1000));
    assert.notDeepEqual(e0, e1);
    assert.notDeepEqual(e0, s8);
  });

  it('handles 0 and rejects bad input', () => {
    assert.equal(epochOrder(0, { shuffle: true, seed: 1, epoch: 0 }).length, 0);
    assert.throws(() => epochOrder(-1, { shuffle: true, seed: 1, epoch: 0 }), {
      code: 'ONNXPIPE_DATA_INVALID_ARGUMENT',
    });
    assert.throws(() => epochOrder(3, { shuffle: true, seed: 1, epoch: 0.5 }), {
      code: 'ONNXPIPE_DATA_INVALID_ARGUMENT',
    });
  });
});

describe('batchRanges', () => {
  it('covers every sample once; the last batch is the remainder', () => {
    const ranges = [...batchRanges(60_000, 64)];
    assert.equal(ranges.length, 938);
    assert.deepEqual(ranges[0], { start: 0, end: 64 });
    assert.deepEqual(ranges.at(-1), { start: 59_968, end: 60_000 });
    for (let i = 1; i < ranges.length; i++) assert.equal(ranges[i].start, ranges[i - 1].end);
  });

  it('gives exact batches when the size divides the count, and none for no samples', () => {
    assert.deepEqual(
      [...batchRanges(6, 3)],
      [
        { start: 0, end: 3 },
        { start: 3, end: 6 },
      ],
    );
    assert.deepEqual([...batchRanges(2, 10)], [{ start: 0, end: 2 }]);
    assert.deepEqual([...batchRanges(0, 4)], []);
  });

  it('rejects a batch size below 1', () => {
    assert.throws(() => [...batchRanges(10, 0)], {
      code: 'ONNXPIPE_DATA_INVALID_ARGUMENT',
      message: /'batchSize' must be an integer ≥ 1; received 0/,
    });
  });
});

describe('gatherBatch', () => {
  // Three 2×2 "images" whose pixels encode their index, so gathered order is visible.
  const images = Uint8Array.from([0, 0, 0, 0, 10, 20, 30, 40, 255, 255, 255, 255]);
  const labels = Uint8Array.from([4, 5, 6]);
  const expected = (p: number): number => (p / 255 - MNIST_NORMALIZATION.mean) / MNIST_NORMALIZATION.std;

  it('gathers in the given order and normalises like (p/255 - mean)/std (max |Δ| ≤ 1e-6)', () => {
    const order = Int32Array.from([2, 0, 1]);
    const { x, y, size } = gatherBatch(images, labels, order, 0, 2, MNIST_NORMALIZATION);
    assert.equal(size, 2);
    assert.deepEqual(Array.from(y), [6, 4]);
    const want = [255, 255, 255, 255, 0, 0, 0, 0].map(expected);
    assert.equal(x.length, 8);
    const maxDelta = Math.max(...Array.from(x, (v, i) => Math.abs(v - want[i])));
    assert.ok(maxDelta <= 1e-6, `max |Δ| = ${maxDelta}`);
  });

  it('fills caller buffers and returns views sized for a partial last batch', () => {
    const outX = new Float32Array(2 * 4).fill(Number.NaN);
    const outY = new Int32Array(2).fill(-1);
    const order = Int32Array.from([0, 1, 2]);
    const batch = gatherBatch(images, labels, order, 2, 3, MNIST_NORMALIZATION, outX, outY);
    assert.equal(batch.size, 1);
    assert.equal(batch.x.buffer, outX.buffer);
    assert.equal(batch.x.length, 4);
    assert.deepEqual(Array.from(batch.y), [6]);
    assert.ok(Math.abs(batch.x[0] - expected(255)) <= 1e-6);
  });

  it('rejects ranges, buffers and indices that do not fit', () => {
    const order = Int32Array.from([0, 1, 2]);
    const code = { code: 'ONNXPIPE_DATA_INVALID_ARGUMENT' };
    assert.throws(() => gatherBatch(images, labels, order, 2, 4, MNIST_NORMALIZATION), code);
    assert.throws(() => gatherBatch(images, labels, order, 0, 3, MNIST_NORMALIZATION, new Float32Array(8)), code);
    assert.throws(() => gatherBatch(images, labels, Int32Array.from([3]), 0, 1, MNIST_NORMALIZATION), code);
    assert.throws(() => gatherBatch(images.subarray(1), labels, order, 0, 1, MNIST_NORMALIZATION), code);
  });
});
