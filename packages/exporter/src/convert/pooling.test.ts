import * as tf from '@tensorflow/tfjs';
import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { ExportLog } from '../testing/parity.js';
import { randomSequential } from '../testing/random-weights.js';

type PoolArgs = Parameters<typeof tf.layers.maxPooling2d>[0];

const log = new ExportLog();

describe('pooling layers', () => {
  before(async () => {
    await tf.setBackend('cpu');
  });

  const windows: { name: string; args: PoolArgs }[] = [
    { name: 'valid-2', args: { poolSize: 2 } },
    { name: 'same-2', args: { poolSize: 2, padding: 'same' } },
    { name: 'valid-3-stride2', args: { poolSize: 3, strides: 2 } },
    { name: 'same-3-stride2', args: { poolSize: 3, strides: 2, padding: 'same' } },
    { name: 'same-3x2-stride1', args: { poolSize: [3, 2], strides: 1, padding: 'same' } },
  ];
  const kinds = [
    { kind: 'max', make: (a: PoolArgs) => tf.layers.maxPooling2d(a), op: 'MaxPool' },
    { kind: 'avg', make: (a: PoolArgs) => tf.layers.averagePooling2d(a), op: 'AveragePool' },
  ];

  for (const { kind, make, op } of kinds) {
    for (const { name, args } of windows) {
      it(`${kind} pooling matches tfjs: ${name}`, async () => {
        // 9×7 is odd in both directions, so `same` pads unevenly and the average over a
        // padded window must leave the padding out (count_include_pad=0).
        const model = randomSequential([9, 7, 3], [make(args)], 21);
        const results = await log.expectParity(`${kind}pool-${name}`, model);
        for (const { onnx } of results) {
          const node = onnx.graph.node.find((n) => n.opType === op);
          assert.ok(node, `${op} emitted`);
          if (op === 'AveragePool') {
            assert.deepEqual(
              node.attribute.find((a) => a.name === 'count_include_pad'),
              {
                name: 'count_include_pad',
                type: 'INT',
                i: 0,
              },
            );
          }
        }
      });
    }
  }

  it('GlobalAveragePooling2D → GlobalAveragePool + Flatten, then Dense', async () => {
    const model = randomSequential(
      [6, 5, 3],
      [
        tf.layers.conv2d({ filters: 4, kernelSize: 3, activation: 'relu' }),
        tf.layers.globalAveragePooling2d({}),
        tf.layers.dense({ units: 3, activation: 'softmax' }),
      ],
      22,
    );
    const results = await log.expectParity('global-avg', model);
    const nchw = results.find((r) => r.layout === 'nchw' && r.opset === 17);
    assert.deepEqual(
      nchw?.onnx.graph.node.map((n) => n.opType),
      ['Conv', 'Relu', 'GlobalAveragePool', 'Flatten', 'Gemm', 'Softmax'],
    );
  });

  it('GlobalMaxPooling2D → GlobalMaxPool + Flatten', async () => {
    const model = randomSequential([6, 5, 3], [tf.layers.globalMaxPooling2d({})], 23);
    await log.expectParity('global-max', model);
  });

  it('every export passes onnx.checker full_check', (t) => {
    assert.deepEqual(log.check(), []);
    t.diagnostic(`${log.size} models checked; max |Δ| ${log.maxAbsDiff.toExponential(2)}`);
  });
});
