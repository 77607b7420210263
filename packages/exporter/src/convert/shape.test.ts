import * as tf from '@tensorflow/tfjs';
import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { ExportLog } from '../testing/parity.js';
import { randomSequential } from '../testing/random-weights.js';
import { resolveTargetShape } from './shape.js';

const log = new ExportLog();

const opTypes = (r: { onnx: { graph: { node: { opType: string }[] } } }): string[] =>
  r.onnx.graph.node.map((n) => n.opType);

describe('Flatten, Reshape, Dropout', () => {
  before(async () => {
    await tf.setBackend('cpu');
  });

  it('Flatten as the last layer transposes NCHW back to tfjs order first', async () => {
    const model = randomSequential(
      [5, 4, 3],
      [tf.layers.conv2d({ filters: 2, kernelSize: 2 }), tf.layers.flatten({})],
      51,
    );
    const results = await log.expectParity('flatten-output', model);
    for (const r of results.filter((x) => x.layout === 'nchw')) {
      assert.deepEqual(opTypes(r), ['Conv', 'Transpose', 'Flatten']);
      const perm = r.onnx.graph.node[1].attribute[0];
      assert.deepEqual(perm, { name: 'perm', type: 'INTS', ints: [0, 2, 3, 1] });
    }
  });

  it('Flatten → BatchNormalization → Dense takes the transpose path', async () => {
    const model = randomSequential(
      [5, 4, 3],
      [
        tf.layers.conv2d({ filters: 2, kernelSize: 2 }),
        tf.layers.flatten({}),
        tf.layers.batchNormalization({}),
        tf.layers.dense({ units: 3 }),
      ],
      52,
    );
    const results = await log.expectParity('flatten-bn-dense', model);
    for (const r of results.filter((x) => x.layout === 'nchw')) {
      assert.deepEqual(opTypes(r), ['Conv', 'Transpose', 'Flatten', 'Mul', 'Add', 'Gemm']);
    }
  });

  it('Reshape flat → image → Conv', async () => {
    const model = randomSequential(
      [24],
      [
        tf.layers.reshape({ targetShape: [4, 3, 2] }),
        tf.layers.conv2d({ filters: 3, kernelSize: 2, activation: 'relu' }),
        tf.layers.flatten({}),
        tf.layers.dense({ units: 2 }),
      ],
      53,
    );
    const results = await log.expectParity('reshape-to-image', model);
    for (const r of results) {
      const shape = r.onnx.graph.initializer.find((t) => t.name.endsWith('/shape'));
      assert.deepEqual([...(shape?.data ?? [])], [0n, 4n, 3n, 2n]);
    }
  });

  it('Reshape with a -1 in the target (flat → rank 3 → Dense)', async () => {
    // tfjs leaves a -1 dimension unknown in its static shapes, so only layers that need the
    // last dimension alone (Dense) can follow it there.
    const model = randomSequential(
      [24],
      [tf.layers.reshape({ targetShape: [-1, 6] }), tf.layers.dense({ units: 2 })],
      57,
    );
    const results = await log.expectParity('reshape-minus-one', model);
    for (const r of results) {
      const shape = r.onnx.graph.initializer.find((t) => t.name.endsWith('/shape'));
      assert.deepEqual([...(shape?.data ?? [])], [0n, 4n, 6n]);
    }
  });

  it('Reshape of an NCHW image transposes to tfjs order first', async () => {
    const model = randomSequential(
      [6, 4, 2],
      [
        tf.layers.conv2d({ filters: 3, kernelSize: 3, padding: 'same' }),
        tf.layers.reshape({ targetShape: [12, 6] }),
        tf.layers.dense({ units: 2 }),
      ],
      54,
    );
    await log.expectParity('image-reshape-rank3', model);
  });

  it('Dropout leaves no node behind', async () => {
    const model = randomSequential(
      [8],
      [tf.layers.dropout({ rate: 0.3 }), tf.layers.dense({ units: 4 }), tf.layers.dropout({ rate: 0.5 })],
      55,
    );
    const results = await log.expectParity('dropout', model);
    for (const r of results) {
      assert.deepEqual(opTypes(r), ['Gemm']);
      assert.equal(r.onnx.graph.node[0].output[0], 'output');
    }
  });

  it('a model of only Dropout becomes one Identity', async () => {
    const model = randomSequential([3], [tf.layers.dropout({ rate: 0.5 })], 56);
    const results = await log.expectParity('dropout-only', model);
    for (const r of results) assert.deepEqual(opTypes(r), ['Identity']);
  });

  it('resolveTargetShape fills in one -1 (or null) and rejects shapes that do not fit', () => {
    assert.deepEqual(resolveTargetShape([4, -1, 2], 24), [4, 3, 2]);
    assert.deepEqual(resolveTargetShape([null, 6], 24), [4, 6]);
    assert.deepEqual(resolveTargetShape([24], 24), [24]);
    assert.equal(resolveTargetShape([5, -1], 24), undefined);
    assert.equal(resolveTargetShape([-1, -1], 24), undefined);
    assert.equal(resolveTargetShape([0, 24], 24), undefined);
    assert.equal(resolveTargetShape('24', 24), undefined);
  });

  it('every export passes onnx.checker full_check', (t) => {
    assert.deepEqual(log.check(), []);
    t.diagnostic(`${log.size} models checked; max |Δ| ${log.maxAbsDiff.toExponential(2)}`);
  });
});
