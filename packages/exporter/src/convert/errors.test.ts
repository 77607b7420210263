import * as tf from '@tensorflow/tfjs';
import { OnnxpipeError } from '@onnxpipe/core';
import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { randomSequential } from '../testing/random-weights.js';
import {
  convertLayersModel,
  ONNXPIPE_EXPORT_INVALID_OPTION,
  ONNXPIPE_EXPORT_UNSUPPORTED_ACTIVATION,
  ONNXPIPE_EXPORT_UNSUPPORTED_LAYER,
  ONNXPIPE_EXPORT_UNSUPPORTED_LAYER_CONFIG,
  ONNXPIPE_EXPORT_UNSUPPORTED_OPSET,
  ONNXPIPE_EXPORT_UNSUPPORTED_TOPOLOGY,
  SUPPORTED_ACTIVATIONS,
  SUPPORTED_LAYER_CLASSES,
} from './index.js';
import type { ConvertOptions } from './index.js';

const options: ConvertOptions = { producerVersion: '0.0.0-test' };

/** Asserts that `fn` throws an OnnxpipeError with `code`, and returns it for further checks. */
function throwsCode(fn: () => unknown, code: string): OnnxpipeError {
  try {
    fn();
  } catch (error) {
    assert.ok(error instanceof OnnxpipeError, `expected an OnnxpipeError; got ${String(error)}`);
    assert.equal(error.code, code);
    return error;
  }
  assert.fail(`expected ${code}; nothing was thrown`);
}

describe('convertLayersModel errors', () => {
  before(async () => {
    await tf.setBackend('cpu');
  });

  it('an LSTM → UNSUPPORTED_LAYER naming the layer, its class and the supported classes', () => {
    const model = randomSequential(
      [5, 3],
      [tf.layers.lstm({ name: 'rnn', units: 4 }), tf.layers.dense({ units: 2 })],
      1,
    );
    const error = throwsCode(() => convertLayersModel(model, options), ONNXPIPE_EXPORT_UNSUPPORTED_LAYER.code);
    assert.equal(error.statusCode, 422);
    assert.match(error.message, /'rnn'/);
    assert.match(error.message, /LSTM/);
    for (const className of SUPPORTED_LAYER_CLASSES) assert.ok(error.message.includes(className), className);
  });

  it('a Conv2DTranspose → UNSUPPORTED_LAYER', () => {
    const model = randomSequential(
      [4, 4, 2],
      [tf.layers.conv2dTranspose({ name: 'up', filters: 2, kernelSize: 2 })],
      2,
    );
    const error = throwsCode(() => convertLayersModel(model, options), ONNXPIPE_EXPORT_UNSUPPORTED_LAYER.code);
    assert.match(error.message, /'up' has class Conv2DTranspose/);
  });

  it('an unsupported activation, fused or as a layer → UNSUPPORTED_ACTIVATION listing the supported ones', () => {
    const gelu = 'gelu' as 'relu';
    const fused = randomSequential([4], [tf.layers.dense({ name: 'fc', units: 2, activation: gelu })], 3);
    const error = throwsCode(() => convertLayersModel(fused, options), ONNXPIPE_EXPORT_UNSUPPORTED_ACTIVATION.code);
    assert.match(error.message, /'fc'/);
    assert.match(error.message, /"gelu"/);
    for (const name of SUPPORTED_ACTIVATIONS) assert.ok(error.message.includes(name), name);

    const layer = randomSequential([4, 4, 1], [tf.layers.activation({ name: 'act', activation: gelu })], 4);
    throwsCode(() => convertLayersModel(layer, options), ONNXPIPE_EXPORT_UNSUPPORTED_ACTIVATION.code);
    const conv = randomSequential([4, 4, 1], [tf.layers.conv2d({ filters: 1, kernelSize: 1, activation: gelu })], 5);
    throwsCode(() => convertLayersModel(conv, options), ONNXPIPE_EXPORT_UNSUPPORTED_ACTIVATION.code);
  });

  it('opsets outside 13..21 → UNSUPPORTED_OPSET (400)', () => {
    const model = randomSequential([4], [tf.layers.dense({ units: 2 })], 6);
    for (const opset of [12, 7, 22, 13.5, Number.NaN]) {
      const error = throwsCode(
        () => convertLayersModel(model, { ...options, opset }),
        ONNXPIPE_EXPORT_UNSUPPORTED_OPSET.code,
      );
      assert.equal(error.statusCode, 400);
      assert.match(error.message, /'opset' must be an integer from 13 to 21/);
    }
  });

  it('a merge (Add) → UNSUPPORTED_TOPOLOGY', () => {
    const input = tf.input({ shape: [4] });
    const a = tf.layers.dense({ units: 3 }).apply(input) as tf.SymbolicTensor;
    const b = tf.layers.dense({ units: 3 }).apply(input) as tf.SymbolicTensor;
    const sum = tf.layers.add({ name: 'merge' }).apply([a, b]) as tf.SymbolicTensor;
    const model = tf.model({ inputs: input, outputs: sum });
    const error = throwsCode(() => convertLayersModel(model, options), ONNXPIPE_EXPORT_UNSUPPORTED_TOPOLOGY.code);
    assert.match(error.message, /'merge' \(Add\) takes 2 inputs/);
  });

  it('two outputs → UNSUPPORTED_TOPOLOGY', () => {
    const input = tf.input({ shape: [4] });
    const a = tf.layers.dense({ units: 3 }).apply(input) as tf.SymbolicTensor;
    const b = tf.layers.dense({ units: 2 }).apply(a) as tf.SymbolicTensor;
    const model = tf.model({ inputs: input, outputs: [a, b] });
    throwsCode(() => convertLayersModel(model, options), ONNXPIPE_EXPORT_UNSUPPORTED_TOPOLOGY.code);
  });

  it('a functional chain converts like a Sequential model', () => {
    const input = tf.input({ shape: [6, 6, 1] });
    const conv = tf.layers.conv2d({ filters: 2, kernelSize: 3 }).apply(input) as tf.SymbolicTensor;
    const flat = tf.layers.flatten().apply(conv) as tf.SymbolicTensor;
    const out = tf.layers.dense({ units: 3 }).apply(flat) as tf.SymbolicTensor;
    const onnx = convertLayersModel(tf.model({ inputs: input, outputs: out }), options);
    assert.deepEqual(
      onnx.graph.node.map((n) => n.opType),
      ['Conv', 'Flatten', 'Gemm'],
    );
  });

  it('channelsFirst convolutions → UNSUPPORTED_LAYER_CONFIG', () => {
    const conv = tf.layers.conv2d({ name: 'cf', filters: 2, kernelSize: 1, dataFormat: 'channelsFirst' });
    const model = tf.sequential({ layers: [tf.layers.inputLayer({ inputShape: [2, 4, 4] }), conv] });
    const error = throwsCode(() => convertLayersModel(model, options), ONNXPIPE_EXPORT_UNSUPPORTED_LAYER_CONFIG.code);
    assert.match(error.message, /'dataFormat' must be "channelsLast"; received "channelsFirst"/);
  });

  it('bad option values → INVALID_OPTION naming the option and the valid values', () => {
    const model = randomSequential([4], [tf.layers.dense({ units: 2 })], 7);
    const layout = throwsCode(
      () => convertLayersModel(model, { ...options, layout: 'nwhc' as 'nhwc' }),
      ONNXPIPE_EXPORT_INVALID_OPTION.code,
    );
    assert.equal(layout.message, `'layout' must be one of nchw, nhwc; received "nwhc"`);
    throwsCode(
      () => convertLayersModel(model, { ...options, inputName: 'x', outputName: 'x' }),
      ONNXPIPE_EXPORT_INVALID_OPTION.code,
    );
    throwsCode(() => convertLayersModel(model, { ...options, batchDim: '' }), ONNXPIPE_EXPORT_INVALID_OPTION.code);
    throwsCode(
      () => convertLayersModel(model, { producerVersion: undefined as unknown as string }),
      ONNXPIPE_EXPORT_INVALID_OPTION.code,
    );
  });
});
