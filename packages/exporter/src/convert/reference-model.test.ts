import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { decodeModel, encodeModel, irVersionForOpset } from '@onnxpipe/onnx';
import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { ExportLog } from '../testing/parity.js';
import { randomizeWeights } from '../testing/random-weights.js';
import { convertLayersModel, PRODUCER_NAME } from './index.js';

/**
 * The project's reference network (see packages/trainer/src/model/layers-model.ts), rebuilt
 * here because the exporter must not import the trainer.
 */
function referenceNetwork(): tf.LayersModel {
  return tf.sequential({
    name: 'reference_cnn',
    layers: [
      tf.layers.conv2d({ name: 'conv1', inputShape: [28, 28, 1], filters: 32, kernelSize: 3, activation: 'relu' }),
      tf.layers.conv2d({ name: 'conv2', filters: 62, kernelSize: 3, activation: 'relu' }),
      tf.layers.maxPooling2d({ name: 'pool', poolSize: 2 }),
      tf.layers.dropout({ name: 'dropout1', rate: 0.25 }),
      tf.layers.flatten({ name: 'flatten' }),
      tf.layers.dense({ name: 'fc1', units: 128, activation: 'relu' }),
      tf.layers.dropout({ name: 'dropout2', rate: 0.5 }),
      tf.layers.dense({ name: 'fc2', units: 10, activation: 'logSoftmax' as 'softmax' }),
    ],
  });
}

const log = new ExportLog();

describe('the reference MNIST network', () => {
  let model: tf.LayersModel;
  before(async () => {
    await tf.setBackend('cpu');
    model = referenceNetwork();
    randomizeWeights(model, 71);
  });

  it('matches tfjs in both layouts at opsets 13 and 17', async () => {
    const results = await log.expectParity('reference', model, { inputRange: [0, 1], batch: 4 });
    for (const r of results) {
      const graph = r.onnx.graph;
      assert.deepEqual(
        graph.node.map((n) => n.opType),
        [
          ...(r.layout === 'nhwc' ? ['Transpose'] : []),
          'Conv',
          'Relu',
          'Conv',
          'Relu',
          'MaxPool',
          'Flatten',
          'Gemm',
          'Relu',
          'Gemm',
          'LogSoftmax',
        ],
      );
      assert.deepEqual(graph.input[0].shape, r.layout === 'nchw' ? ['N', 1, 28, 28] : ['N', 28, 28, 1]);
      assert.equal(graph.output[0].name, 'output');
      assert.equal(graph.output[0].elemType, 1);
      assert.deepEqual(graph.output[0].shape, ['N', 10]);
    }
  });

  it('matches the wasm backend too (the one the export CLI runs tfjs on)', async () => {
    await tf.setBackend('wasm');
    try {
      await log.expectParity('reference-wasm', model, { inputRange: [0, 1], batch: 4, opsets: [17] });
    } finally {
      await tf.setBackend('cpu');
    }
  });

  it('also runs at opset 21 (past what the local checker knows)', async () => {
    await log.expectParity('reference-opset21', model, { inputRange: [0, 1], opsets: [21], layouts: ['nchw'] });
  });

  it('carries opset, IR version, producer and metadata, and survives an encode/decode round trip', () => {
    const onnx = convertLayersModel(model, {
      opset: 13,
      producerVersion: '1.2.3',
      metadata: { dataset: 'mnist', labels: '0,1,2,3,4,5,6,7,8,9' },
      inputName: 'images',
      outputName: 'log_probs',
      batchDim: 'batch',
      graphName: 'mnist_cnn',
    });
    assert.equal(onnx.irVersion, irVersionForOpset(13));
    assert.deepEqual(onnx.opsetImport, [{ domain: '', version: 13 }]);
    assert.equal(onnx.producerName, PRODUCER_NAME);
    assert.equal(onnx.producerVersion, '1.2.3');
    assert.equal(onnx.graph.name, 'mnist_cnn');
    assert.deepEqual(onnx.graph.input[0].name, 'images');
    assert.deepEqual(onnx.graph.input[0].shape, ['batch', 1, 28, 28]);
    assert.deepEqual(onnx.graph.output[0].name, 'log_probs');

    const decoded = decodeModel(encodeModel(onnx));
    const metadata = Object.fromEntries(decoded.metadataProps.map((e) => [e.key, e.value]));
    assert.deepEqual(metadata, { dataset: 'mnist', labels: '0,1,2,3,4,5,6,7,8,9' });
    // Through JSON: absent and undefined optional fields are the same thing here.
    const plain = (value: unknown): unknown => JSON.parse(JSON.stringify(value));
    assert.deepEqual(plain(decoded.graph.node), plain(onnx.graph.node));
    assert.deepEqual(plain(decoded.graph.input), plain(onnx.graph.input));
    assert.deepEqual(plain(decoded.graph.output), plain(onnx.graph.output));
    assert.deepEqual(
      decoded.graph.initializer.map((t) => [t.name, t.dataType, t.dims]),
      onnx.graph.initializer.map((t) => [t.name, t.dataType, t.dims]),
    );
    for (const [i, t] of onnx.graph.initializer.entries()) {
      assert.deepEqual(decoded.graph.initializer[i].data, t.data, `initializer ${t.name}`);
    }
    // Parameter count survives: 32·9+32 + 62·288+62 + 8928·128+128 + 128·10+10.
    const parameters = decoded.graph.initializer.reduce((n, t) => n + t.data.length, 0);
    assert.equal(parameters, 320 + 17918 + 1142912 + 1290);
  });

  it('every export passes onnx.checker full_check', (t) => {
    assert.deepEqual(log.check(), []);
    t.diagnostic(`${log.size} models checked; max |Δ| ${log.maxAbsDiff.toExponential(2)}`);
  });
});
