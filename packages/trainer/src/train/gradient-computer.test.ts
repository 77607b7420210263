import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { createRng } from '@onnxpipe/core';
import { loadDataset } from '@onnxpipe/data';
import { selectBackend } from '../backends/select-backend.js';
import { initializeParameters } from '../model/reference-network.js';
import { Adadelta } from '../optim/adadelta.js';
import { allocateParameters, createGradientComputer } from './create-gradient-computer.js';
import { splitRange } from './gradient-computer.js';
import type { TrainingData } from './gradient-engine.js';
import { MNIST_DIR } from './test-data.js';

let data: TrainingData;

before(async () => {
  await selectBackend('wasm');
  const [train, testSplit] = await Promise.all(
    (['train', 'test'] as const).map((split) => loadDataset({ name: 'mnist', split, dataDir: MNIST_DIR, download: MNIST_DIR === undefined })),
  );
  data = {
    trainImages: train.images.subarray(0, 1000 * 784),
    trainLabels: train.labels.subarray(0, 1000),
    testImages: testSplit.images.subarray(0, 200 * 784),
    testLabels: testSplit.labels.subarray(0, 200),
    normalization: train.normalization,
  };
});

test('splitRange covers the range in near-equal contiguous parts', () => {
  assert.deepEqual(splitRange(10, 3), [{ start: 0, end: 4 }, { start: 4, end: 7 }, { start: 7, end: 10 }]);
  assert.deepEqual(splitRange(1, 2), [{ start: 0, end: 1 }, { start: 1, end: 1 }]);
});

test('one step with 2 workers updates the weights as 1 worker does (dropout off, |Δ| ≤ 1e-5)', async () => {
  const indices = Int32Array.from({ length: 64 }, (_, i) => (i * 37) % 1000);
  const results: Float32Array[] = [];
  const gradients: Float32Array[] = [];
  for (const workers of [1, 2]) {
    const params = allocateParameters(workers);
    initializeParameters(params, createRng(7).next);
    const computer = await createGradientComputer({ workers, backend: 'wasm', data, params });
    try {
      assert.equal(computer.workers, workers);
      const grads = new Float32Array(params.length);
      const loss = await computer.gradients(indices, undefined, grads);
      assert.ok(Number.isFinite(loss) && loss > 0);
      for (let i = 0; i < grads.length; i++) grads[i] /= indices.length;
      gradients.push(grads.slice());
      new Adadelta(params.length).step(params, grads, 1.0);
      results.push(params.slice());
    } finally {
      await computer.dispose();
    }
  }
  let maxDelta = 0;
  let moved = 0;
  const initial = allocateParameters(1);
  initializeParameters(initial, createRng(7).next);
  for (let i = 0; i < results[0].length; i++) {
    maxDelta = Math.max(maxDelta, Math.abs(results[0][i] - results[1][i]));
    if (results[0][i] !== initial[i]) moved++;
  }
  assert.ok(moved > results[0].length / 2, 'the step changed the weights');
  // Adadelta's first step is nearly sign(g)·√ε, so compare the gradients themselves as well.
  let maxGradDelta = 0;
  let maxGrad = 0;
  for (let i = 0; i < gradients[0].length; i++) {
    maxGradDelta = Math.max(maxGradDelta, Math.abs(gradients[0][i] - gradients[1][i]));
    maxGrad = Math.max(maxGrad, Math.abs(gradients[0][i]));
  }
  process.stdout.write(`# max |g| ${maxGrad}, max |Δg| ${maxGradDelta}, max |Δθ| ${maxDelta}\n`);
  assert.ok(maxGrad > 1e-3, 'non-trivial gradients');
  assert.ok(maxGradDelta <= 1e-5 * maxGrad, `max |Δg| between 1 and 2 workers: ${maxGradDelta}`);
  assert.ok(maxDelta <= 1e-5, `max |Δ| between 1 and 2 workers: ${maxDelta}`);
});

test('2 workers evaluate the test set exactly as 1 worker does', async () => {
  const evaluations = [];
  for (const workers of [1, 2]) {
    const params = allocateParameters(workers);
    initializeParameters(params, createRng(3).next);
    const computer = await createGradientComputer({ workers, backend: 'wasm', data, params });
    try {
      evaluations.push(await computer.evaluate(64));
    } finally {
      await computer.dispose();
    }
  }
  assert.deepEqual(evaluations[1].predictions, evaluations[0].predictions);
  assert.equal(evaluations[1].correct, evaluations[0].correct);
  assert.ok(Math.abs(evaluations[1].lossSum - evaluations[0].lossSum) < 1e-3);
});

test('no tensor or wasm-heap leak across 300 training steps', async () => {
  const params = allocateParameters(1);
  initializeParameters(params, createRng(5).next);
  const computer = await createGradientComputer({ workers: 1, backend: 'wasm', data, params });
  const grads = new Float32Array(params.length);
  const optimizer = new Adadelta(params.length);
  const step = async (i: number) => {
    const indices = Int32Array.from({ length: 8 }, (_, k) => (i * 8 + k) % 1000);
    await computer.gradients(indices, i, grads);
    optimizer.step(params, grads, 0.1);
  };
  await step(0);
  // Our kernels allocate on the wasm heap behind the engine's back: count the backend's buffers too.
  const backendBuffers = () => (tf.backend() as unknown as { dataIdMap: { numDataIds(): number } }).dataIdMap.numDataIds();
  const buffersBefore = backendBuffers();
  const before = tf.memory();
  for (let i = 1; i <= 300; i++) await step(i);
  await computer.evaluate(100);
  const after = tf.memory();
  assert.equal(after.numTensors, before.numTensors, 'tensor count');
  assert.equal(after.numBytes, before.numBytes, 'bytes held by tensors');
  assert.equal(backendBuffers(), buffersBefore, 'wasm backend buffers');
});
