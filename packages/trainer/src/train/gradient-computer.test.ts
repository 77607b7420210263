import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { createRng } from '@onnxpipe/core';
import { loadDataset } from '@onnxpipe/data';
import { selectBackend } from '../backends/select-backend.js';
import { initializeParameters } from '../model/reference-network.js';
import { Adadelta } from '../optim/adadelta.js';
import { allocateParameters, createGradientComputer, createOptimizer } from './create-gradient-computer.js';
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

test('two steps with 2 workers update weights and Adadelta state as 1 worker and a serial update do (dropout off, |Δ| ≤ 1e-5)', async () => {
  const batches = [0, 1].map((s) => Int32Array.from({ length: 64 }, (_, i) => (i * 37 + s * 11) % 1000));
  const lrs = [1.0, 0.7];
  const results: Float32Array[][] = [];
  const gradients: Float32Array[] = [];
  for (const workers of [1, 2]) {
    const params = allocateParameters(workers);
    initializeParameters(params, createRng(7).next);
    const optimizer = createOptimizer(params);
    const computer = await createGradientComputer({ workers, backend: 'wasm', data, params, optimizer });
    try {
      assert.equal(computer.workers, workers);
      const grads = new Float32Array(params.length);
      assert.ok((await computer.gradients(batches[0], undefined, grads)) > 0);
      gradients.push(grads);
      for (const [k, indices] of batches.entries()) {
        const loss = await computer.trainStep(indices, undefined, lrs[k]);
        assert.ok(Number.isFinite(loss) && loss > 0);
      }
      results.push([params.slice(), optimizer.state.squareAverage.slice(), optimizer.state.accumulatedDelta.slice()]);
    } finally {
      await computer.dispose();
    }
  }
  // The serial reference: gradients from one engine, averaged and applied on this thread.
  const reference = allocateParameters(1);
  initializeParameters(reference, createRng(7).next);
  const serial = new Adadelta(reference.length);
  const engine = await createGradientComputer({ workers: 1, backend: 'wasm', data, params: reference, optimizer: new Adadelta(reference.length) });
  for (const [k, indices] of batches.entries()) {
    const grads = new Float32Array(reference.length);
    await engine.gradients(indices, undefined, grads);
    for (let i = 0; i < grads.length; i++) grads[i] /= indices.length;
    serial.step(reference, grads, lrs[k]);
  }
  await engine.dispose();
  const expected = [reference, serial.state.squareAverage, serial.state.accumulatedDelta];

  const maxDelta = (a: Float32Array, b: Float32Array) => a.reduce((m, x, i) => Math.max(m, Math.abs(x - b[i])), 0);
  const initial = allocateParameters(1);
  initializeParameters(initial, createRng(7).next);
  const moved = results[1][0].filter((x, i) => x !== initial[i]).length;
  assert.ok(moved > initial.length / 2, 'the steps changed the weights');
  // Adadelta's first step is nearly sign(g)·√ε, so compare the gradients themselves as well.
  const maxGrad = gradients[0].reduce((m, x) => Math.max(m, Math.abs(x)), 0);
  const maxGradDelta = maxDelta(gradients[0], gradients[1]);
  assert.ok(maxGrad > 1e-3, 'non-trivial gradients');
  assert.ok(maxGradDelta <= 1e-5 * maxGrad, `max |Δg| between 1 and 2 workers: ${maxGradDelta}`);
  const names = ['θ', 'v', 'u'];
  for (const workers of [0, 1]) {
    for (const [k, name] of names.entries()) {
      const delta = maxDelta(results[workers][k], expected[k]);
      process.stdout.write(`# ${workers + 1} worker(s) vs serial: max |Δ${name}| ${delta}\n`);
      assert.ok(delta <= 1e-5, `${workers + 1} worker(s) vs serial update: max |Δ${name}| ${delta}`);
    }
  }
  // One worker computes exactly what the serial update does.
  assert.deepEqual(results[0][0], expected[0]);
});

test('a batch smaller than the worker count still updates every slice of the parameters', async () => {
  const results: Float32Array[] = [];
  for (const workers of [1, 2]) {
    const params = allocateParameters(workers);
    initializeParameters(params, createRng(9).next);
    const computer = await createGradientComputer({ workers, backend: 'wasm', data, params, optimizer: createOptimizer(params) });
    try {
      await computer.trainStep(Int32Array.of(5), undefined, 1.0);
      results.push(params.slice());
    } finally {
      await computer.dispose();
    }
  }
  const initial = allocateParameters(1);
  initializeParameters(initial, createRng(9).next);
  // The last parameters belong to the second worker, whose share of the batch is empty.
  assert.notEqual(results[1].at(-1), initial.at(-1));
  assert.ok(results[0].every((x, i) => Math.abs(x - results[1][i]) <= 1e-6));
});

test('2 workers evaluate the test set exactly as 1 worker does', async () => {
  const evaluations = [];
  for (const workers of [1, 2]) {
    const params = allocateParameters(workers);
    initializeParameters(params, createRng(3).next);
    const computer = await createGradientComputer({ workers, backend: 'wasm', data, params, optimizer: createOptimizer(params) });
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
  const computer = await createGradientComputer({ workers: 1, backend: 'wasm', data, params, optimizer: createOptimizer(params) });
  const step = async (i: number) => {
    const indices = Int32Array.from({ length: 8 }, (_, k) => (i * 8 + k) % 1000);
    await computer.trainStep(indices, i, 0.1);
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
