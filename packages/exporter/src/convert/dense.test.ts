import * as tf from '@tensorflow/tfjs';
import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { ExportLog } from '../testing/parity.js';
import { randomSequential } from '../testing/random-weights.js';

const log = new ExportLog();

const opTypes = (r: { onnx: { graph: { node: { opType: string }[] } } }): string[] =>
  r.onnx.graph.node.map((n) => n.opType);

describe('Dense', () => {
  before(async () => {
    await tf.setBackend('cpu');
  });

  it('2-D input → Gemm, with and without bias', async () => {
    const model = randomSequential(
      [7],
      [tf.layers.dense({ units: 5, activation: 'relu' }), tf.layers.dense({ units: 3, useBias: false })],
      31,
    );
    const results = await log.expectParity('dense-mlp', model);
    for (const r of results) {
      assert.deepEqual(opTypes(r), ['Gemm', 'Relu', 'Gemm']);
      assert.deepEqual(r.onnx.graph.input[0].shape, ['N', 7]);
      const gemms = r.onnx.graph.node.filter((n) => n.opType === 'Gemm');
      assert.deepEqual(
        gemms.map((n) => n.input.length),
        [3, 2],
      );
    }
  });

  it('Flatten → Dense from NCHW permutes the kernel rows instead of transposing', async () => {
    const model = randomSequential(
      [6, 5, 3],
      [
        tf.layers.conv2d({ filters: 4, kernelSize: 3, activation: 'relu' }),
        tf.layers.flatten({}),
        tf.layers.dense({ units: 6, activation: 'tanh' }),
      ],
      32,
    );
    const results = await log.expectParity('flatten-dense-permuted', model);
    const nchw = results.filter((r) => r.layout === 'nchw');
    for (const r of nchw) assert.deepEqual(opTypes(r), ['Conv', 'Relu', 'Flatten', 'Gemm', 'Tanh']);
  });

  it('Flatten → Dropout → Activation → Dense still takes the permutation path', async () => {
    const model = randomSequential(
      [5, 4, 3],
      [
        tf.layers.conv2d({ filters: 3, kernelSize: 2 }),
        tf.layers.flatten({}),
        tf.layers.dropout({ rate: 0.5 }),
        tf.layers.activation({ activation: 'sigmoid' }),
        tf.layers.dense({ units: 4, useBias: false }),
      ],
      33,
    );
    const results = await log.expectParity('flatten-dropout-act-dense', model);
    for (const r of results.filter((x) => x.layout === 'nchw')) {
      assert.deepEqual(opTypes(r), ['Conv', 'Flatten', 'Sigmoid', 'Gemm']);
    }
  });

  it('NHWC input straight into Flatten → Dense needs no transpose at all', async () => {
    const model = randomSequential([4, 3, 2], [tf.layers.flatten({}), tf.layers.dense({ units: 3 })], 34);
    const results = await log.expectParity('nhwc-flatten-dense', model);
    for (const r of results.filter((x) => x.layout === 'nhwc')) assert.deepEqual(opTypes(r), ['Flatten', 'Gemm']);
  });

  it('Dense on an image (rank 4) → 1×1 Conv that stays NCHW', async () => {
    const model = randomSequential(
      [5, 4, 3],
      [tf.layers.dense({ units: 6, activation: 'relu' }), tf.layers.conv2d({ filters: 2, kernelSize: 2 })],
      35,
    );
    const results = await log.expectParity('dense-on-image', model);
    for (const r of results.filter((x) => x.layout === 'nchw')) assert.deepEqual(opTypes(r), ['Conv', 'Relu', 'Conv']);
  });

  it('Dense on a rank-3 tensor → MatMul + Add', async () => {
    const model = randomSequential(
      [4, 6],
      [tf.layers.dense({ units: 5, activation: 'softmax' }), tf.layers.dense({ units: 2, useBias: false })],
      36,
    );
    const results = await log.expectParity('dense-rank3', model);
    for (const r of results) assert.deepEqual(opTypes(r), ['MatMul', 'Add', 'Softmax', 'MatMul']);
  });

  it('every export passes onnx.checker full_check', (t) => {
    assert.deepEqual(log.check(), []);
    t.diagnostic(`${log.size} models checked; max |Δ| ${log.maxAbsDiff.toExponential(2)}`);
  });
});
