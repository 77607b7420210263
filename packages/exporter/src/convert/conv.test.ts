import * as tf from '@tensorflow/tfjs';
import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { ExportLog } from '../testing/parity.js';
import { randomSequential } from '../testing/random-weights.js';

type ConvArgs = Parameters<typeof tf.layers.conv2d>[0];

const log = new ExportLog();

describe('Conv2D → Conv', () => {
  before(async () => {
    await tf.setBackend('cpu');
  });

  // Odd, non-square inputs make TF's "extra pad at the bottom/right" rule observable.
  const cases: { name: string; args: Partial<ConvArgs>; input: number[] }[] = [
    { name: 'valid-3x3', args: { kernelSize: 3 }, input: [10, 9, 2] },
    { name: 'same-3x3', args: { kernelSize: 3, padding: 'same' }, input: [10, 9, 2] },
    { name: 'same-2x2-even-kernel', args: { kernelSize: 2, padding: 'same' }, input: [7, 8, 3] },
    { name: 'valid-stride2', args: { kernelSize: 3, strides: 2 }, input: [10, 9, 2] },
    { name: 'same-stride2', args: { kernelSize: 3, strides: 2, padding: 'same' }, input: [10, 9, 2] },
    {
      name: 'same-stride-2x3-kernel-4x2',
      args: { kernelSize: [4, 2], strides: [2, 3], padding: 'same' },
      input: [9, 10, 2],
    },
    { name: 'valid-dilation2', args: { kernelSize: 3, dilationRate: 2 }, input: [10, 9, 2] },
    { name: 'same-dilation-2x3', args: { kernelSize: 3, dilationRate: [2, 3], padding: 'same' }, input: [10, 9, 2] },
    { name: 'no-bias', args: { kernelSize: 3, useBias: false }, input: [8, 8, 3] },
    {
      name: 'no-bias-same-relu',
      args: { kernelSize: 3, useBias: false, padding: 'same', activation: 'relu' },
      input: [8, 8, 3],
    },
    { name: 'fused-relu', args: { kernelSize: 3, activation: 'relu' }, input: [8, 8, 2] },
    { name: 'fused-softmax-channels', args: { kernelSize: 3, activation: 'softmax' }, input: [8, 8, 2] },
  ];

  for (const { name, args, input } of cases) {
    it(`matches tfjs: ${name}`, async () => {
      const model = randomSequential(input, [tf.layers.conv2d({ filters: 4, kernelSize: 3, ...args })], 11);
      const results = await log.expectParity(`conv-${name}`, model);
      for (const { onnx, layout } of results) {
        const ops = onnx.graph.node.map((n) => n.opType);
        assert.equal(ops.filter((op) => op === 'Conv').length, 1);
        // A conv-only graph returns images in the layout they came in: NCHW in, NCHW out,
        // NHWC in, NHWC out (one Transpose each way).
        assert.equal(ops.filter((op) => op === 'Transpose').length, layout === 'nchw' ? 0 : 2);
      }
    });
  }

  it('stacks convolutions without transposes between them', async () => {
    const model = randomSequential(
      [10, 9, 2],
      [
        tf.layers.conv2d({ filters: 3, kernelSize: 3, padding: 'same', activation: 'tanh' }),
        tf.layers.conv2d({ filters: 5, kernelSize: 2, strides: 2 }),
        tf.layers.conv2d({ filters: 2, kernelSize: 1, activation: 'sigmoid' }),
      ],
      12,
    );
    const results = await log.expectParity('conv-stack', model);
    const nchw = results.find((r) => r.layout === 'nchw');
    assert.deepEqual(
      nchw?.onnx.graph.node.map((n) => n.opType),
      ['Conv', 'Tanh', 'Conv', 'Conv', 'Sigmoid'],
    );
    assert.deepEqual(nchw?.onnx.graph.output[0].shape, ['N', 2, 5, 4]);
  });

  it('declares [N, C, H, W] input for nchw and [N, H, W, C] for nhwc', async () => {
    const model = randomSequential([10, 9, 2], [tf.layers.conv2d({ filters: 3, kernelSize: 3 })], 13);
    const results = await log.expectParity('conv-io-shapes', model, { opsets: [17] });
    const byLayout = new Map(results.map((r) => [r.layout, r.onnx.graph]));
    assert.deepEqual(byLayout.get('nchw')?.input[0].shape, ['N', 2, 10, 9]);
    assert.deepEqual(byLayout.get('nchw')?.output[0].shape, ['N', 3, 8, 7]);
    assert.deepEqual(byLayout.get('nhwc')?.input[0].shape, ['N', 10, 9, 2]);
    assert.deepEqual(byLayout.get('nhwc')?.output[0].shape, ['N', 8, 7, 3]);
  });

  it('every export passes onnx.checker full_check', (t) => {
    assert.deepEqual(log.check(), []);
    t.diagnostic(`${log.size} models checked; max |Δ| ${log.maxAbsDiff.toExponential(2)}`);
  });
});
