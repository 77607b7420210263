import * as tf from '@tensorflow/tfjs';
import { OnnxpipeError } from '@onnxpipe/core';
import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { ExportLog } from '../testing/parity.js';
import { randomSequential } from '../testing/random-weights.js';
import { convertLayersModel, ONNXPIPE_EXPORT_UNSUPPORTED_LAYER_CONFIG } from './index.js';

const log = new ExportLog();

describe('BatchNormalization (inference)', () => {
  before(async () => {
    await tf.setBackend('cpu');
  });

  const flags = [
    { center: true, scale: true },
    { center: true, scale: false },
    { center: false, scale: true },
    { center: false, scale: false },
  ];

  for (const { center, scale } of flags) {
    it(`after a Conv, center=${center} scale=${scale}`, async () => {
      const model = randomSequential(
        [7, 6, 2],
        [
          tf.layers.conv2d({ filters: 3, kernelSize: 3, padding: 'same' }),
          tf.layers.batchNormalization({ center, scale, epsilon: 0.01 }),
          tf.layers.activation({ activation: 'relu' }),
        ],
        41,
      );
      const results = await log.expectParity(`bn-conv-c${+center}-s${+scale}`, model);
      for (const r of results.filter((x) => x.layout === 'nchw')) {
        assert.deepEqual(
          r.onnx.graph.node.map((n) => n.opType),
          ['Conv', 'Mul', 'Add', 'Relu'],
        );
        const scaleInit = r.onnx.graph.initializer.find((t) => t.name.endsWith('/scale'));
        assert.deepEqual(scaleInit?.dims, [3, 1, 1]);
      }
    });
  }

  it('on 2-D features (Dense → BN → Dense)', async () => {
    const model = randomSequential(
      [6],
      [tf.layers.dense({ units: 5 }), tf.layers.batchNormalization({}), tf.layers.dense({ units: 3 })],
      42,
    );
    await log.expectParity('bn-dense', model);
  });

  it('with the last axis given explicitly (axis 3 of an image)', async () => {
    const model = randomSequential([5, 4, 3], [tf.layers.batchNormalization({ axis: 3 })], 43);
    await log.expectParity('bn-axis-3', model);
  });

  it('on another axis → UNSUPPORTED_LAYER_CONFIG (tfjs kernels only broadcast along the last)', () => {
    const model = randomSequential([5, 4, 3], [tf.layers.batchNormalization({ name: 'bn_h', axis: 1 })], 45);
    assert.throws(
      () => convertLayersModel(model, { producerVersion: '0.0.0-test' }),
      (error: unknown) => {
        assert.ok(error instanceof OnnxpipeError);
        assert.equal(error.code, ONNXPIPE_EXPORT_UNSUPPORTED_LAYER_CONFIG.code);
        assert.match(error.message, /'bn_h'.*'axis' must be -1 or 3/);
        return true;
      },
    );
  });

  it('directly on the graph input in both layouts', async () => {
    const model = randomSequential(
      [6, 5, 2],
      [tf.layers.batchNormalization({}), tf.layers.maxPooling2d({ poolSize: 2 })],
      44,
    );
    await log.expectParity('bn-input', model);
  });

  it('every export passes onnx.checker full_check', (t) => {
    assert.deepEqual(log.check(), []);
    t.diagnostic(`${log.size} models checked; max |Δ| ${log.maxAbsDiff.toExponential(2)}`);
  });
});
