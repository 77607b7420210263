import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import * as ort from 'onnxruntime-node';
import { normalizePixels, MNIST_NORMALIZATION } from '@onnxpipe/core';
import { mnistTestDataDir, readMnistTestDigits } from '@onnxpipe/data/testing';
import { decodeModel, encodeModel, type OnnxModel } from '@onnxpipe/onnx';
import { checkOnnxModels } from '@onnxpipe/onnx/testing';
import { averageClassifiers } from './average-classifiers.js';

const shipped = (version: number) =>
  decodeModel(readFileSync(fileURLToPath(new URL(`../../../../models/mnist/${version}/model.onnx`, import.meta.url))));
const dir = mnistTestDataDir();

async function logProbabilities(model: OnnxModel, input: Float32Array, n: number): Promise<Float32Array> {
  const session = await ort.InferenceSession.create(encodeModel(model));
  try {
    const out = await session.run({ input: new ort.Tensor('float32', input, [n, 1, 28, 28]) });
    return out.output.data as Float32Array;
  } finally {
    await session.release();
  }
}

test(
  'the averaged model answers the mean of its members’ probabilities, as a log-softmax',
  { skip: dir === undefined ? 'no MNIST test files (ONNXPIPE_DATA_DIR)' : undefined },
  async () => {
    const members = [shipped(1), shipped(2)];
    const averaged = averageClassifiers(members);
    assert.deepEqual(checkOnnxModels(new Map([['averaged', encodeModel(averaged)]])), []);
    const { images } = readMnistTestDigits(dir!, 200);
    const n = images.length;
    const input = new Float32Array(n * 784);
    images.forEach((image, i) => input.set(normalizePixels(image, MNIST_NORMALIZATION), i * 784));
    const [a, b, both] = await Promise.all([...members, averaged].map((m) => logProbabilities(m, input, n)));
    let largest = 0;
    for (let k = 0; k < both.length; k++) {
      const expected = Math.log((Math.exp(a[k]) + Math.exp(b[k])) / 2);
      largest = Math.max(largest, Math.abs(both[k] - expected));
    }
    assert.ok(largest < 1e-5, `largest |Δ| ${largest}`);
    for (let i = 0; i < n; i++) {
      const sum = both.subarray(i * 10, i * 10 + 10).reduce((s, v) => s + Math.exp(v), 0);
      assert.ok(Math.abs(sum - 1) < 1e-5, `image ${i}: probabilities sum to ${sum}`);
    }
  },
);

test('averageClassifiers names what it needs: two or more members of one signature', () => {
  const one = shipped(1);
  assert.throws(() => averageClassifiers([one]), {
    code: 'ONNXPIPE_EXPORT_INVALID_OPTION',
    message: /'members' must hold at least 2 models; received 1/,
  });
  const other = { ...one, graph: { ...one.graph, output: [{ ...one.graph.output[0], name: 'scores' }] } };
  assert.throws(() => averageClassifiers([one, other]), {
    code: 'ONNXPIPE_EXPORT_INVALID_OPTION',
    message: /member 1 differs from member 0/,
  });
  const softmax = {
    ...one,
    metadataProps: one.metadataProps.map((p) => (p.key === 'onnxpipe.output' ? { ...p, value: 'softmax' } : p)),
  };
  assert.throws(() => averageClassifiers([softmax, softmax]), {
    code: 'ONNXPIPE_EXPORT_INVALID_OPTION',
    message: /members must output log_softmax/,
  });
});
