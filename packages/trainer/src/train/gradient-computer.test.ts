import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { loadDataset } from '@onnxpipe/data';
import { mnistTestDataDir } from '@onnxpipe/data/testing';
import { selectBackend } from '../backends/select-backend.js';
import { Adadelta } from '../optim/adadelta.js';
import { resolveRecipe } from '../recipes/resolve-recipe.js';
import { createGradientComputer } from './create-gradient-computer.js';
import { splitRange } from './gradient-computer.js';
import type { TrainingData } from './engine-data.js';
import { createTrainingState } from './training-state.js';

// The MNIST files of every package's tests (undefined: the loader's own lookup, which downloads).
const MNIST_DIR = mnistTestDataDir();

let data: TrainingData;
const reference = resolveRecipe('reference');
const robust = resolveRecipe('robust');
const computerFor = (workers: number, seed: number, recipe = reference) => {
  const state = createTrainingState(recipe, workers, seed);
  return { state, start: () => createGradientComputer({ workers, backend: 'wasm', recipe, data, state }) };
};

before(async () => {
  await selectBackend('wasm');
  const [train, testSplit] = await Promise.all(
    (['train', 'test'] as const).map((split) =>
      loadDataset({ name: 'mnist', split, dataDir: MNIST_DIR, download: MNIST_DIR === undefined }),
    ),
  );
  data = {
    trainImages: train.images.subarray(0, 1000 * 784),
    trainLabels: train.labels.subarray(0, 1000),
    testImages: testSplit.images.subarray(0, 200 * 784),
    testLabels: testSplit.labels.subarray(0, 200),
    devImages: testSplit.images.subarray(200 * 784, 300 * 784),
    devLabels: testSplit.labels.subarray(200, 300),
    normalization: train.normalization,
  };
});

test('splitRange covers the range in near-equal contiguous parts', () => {
  assert.deepEqual(splitRange(10, 3), [
    { start: 0, end: 4 },
    { start: 4, end: 7 },
    { start: 7, end: 10 },
  ]);
  assert.deepEqual(splitRange(1, 2), [
    { start: 0, end: 1 },
    { start: 1, end: 1 },
  ]);
});

test('two steps with 2 workers update weights and Adadelta state as 1 worker and a serial update do (dropout off, |Δ| ≤ 1e-5)', async () => {
  const batches = [0, 1].map((s) => Int32Array.from({ length: 64 }, (_, i) => (i * 37 + s * 11) % 1000));
  const lrs = [1.0, 0.7];
  const results: Float32Array[][] = [];
  const gradients: Float32Array[] = [];
  for (const workers of [1, 2]) {
    const { state, start } = computerFor(workers, 7);
    const computer = await start();
    try {
      assert.equal(computer.workers, workers);
      const grads = new Float32Array(state.params.length);
      assert.ok((await computer.gradients(batches[0], undefined, grads)) > 0);
      gradients.push(grads);
      for (const [k, indices] of batches.entries()) {
        const loss = await computer.trainStep({ indices, seed: undefined, lr: lrs[k], step: k + 1 });
        assert.ok(Number.isFinite(loss) && loss > 0);
      }
      results.push([
        state.params.slice(),
        state.optimizer.state.squareAverage.slice(),
        state.optimizer.state.accumulatedDelta.slice(),
      ]);
    } finally {
      await computer.dispose();
    }
  }
  // The serial reference: gradients from one engine, averaged and applied on this thread.
  const serialRun = computerFor(1, 7);
  const serial = new Adadelta(serialRun.state.params.length);
  const engine = await serialRun.start();
  for (const [k, indices] of batches.entries()) {
    const grads = new Float32Array(serialRun.state.params.length);
    await engine.gradients(indices, undefined, grads);
    for (let i = 0; i < grads.length; i++) grads[i] /= indices.length;
    serial.step(serialRun.state.params, grads, lrs[k]);
  }
  await engine.dispose();
  const expected = [serialRun.state.params, serial.state.squareAverage, serial.state.accumulatedDelta];

  const maxDelta = (a: Float32Array, b: Float32Array) => a.reduce((m, x, i) => Math.max(m, Math.abs(x - b[i])), 0);
  const initial = createTrainingState(reference, 1, 7).params;
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
    const { state, start } = computerFor(workers, 9);
    const computer = await start();
    try {
      await computer.trainStep({ indices: Int32Array.of(5), seed: undefined, lr: 1.0, step: 1 });
      results.push(state.params.slice());
    } finally {
      await computer.dispose();
    }
  }
  const initial = createTrainingState(reference, 1, 9).params;
  // The last parameters belong to the second worker, whose share of the batch is empty.
  assert.notEqual(results[1].at(-1), initial.at(-1));
  assert.ok(results[0].every((x, i) => Math.abs(x - results[1][i]) <= 1e-6));
});

test('2 workers evaluate the test and development sets exactly as 1 worker does', async () => {
  const evaluations = [];
  for (const workers of [1, 2]) {
    const computer = await computerFor(workers, 3).start();
    try {
      evaluations.push([await computer.evaluate('test', 64), await computer.evaluate('dev', 64)]);
    } finally {
      await computer.dispose();
    }
  }
  for (const k of [0, 1]) {
    assert.deepEqual(evaluations[1][k].predictions, evaluations[0][k].predictions);
    assert.equal(evaluations[1][k].correct, evaluations[0][k].correct);
    assert.ok(Math.abs(evaluations[1][k].lossSum - evaluations[0][k].lossSum) < 1e-3);
  }
  assert.equal(evaluations[0][1].predictions.length, 100);
});

test('robust recipe: same seed and workers give the same weights, average and statistics; calibration sets the statistics', async () => {
  const runs = [];
  for (const _attempt of [0, 1]) {
    const { state, start } = computerFor(2, 11, robust);
    const computer = await start();
    try {
      for (let k = 0; k < 3; k++) {
        const indices = Int32Array.from({ length: 32 }, (_, i) => (i * 13 + k * 101) % 1000);
        const loss = await computer.trainStep({ indices, seed: 1000 + k, lr: 0.002, step: k + 1 });
        assert.ok(Number.isFinite(loss) && loss > 0);
      }
      await computer.calibrate(500, 100);
      const evaluation = await computer.evaluate('test', 100);
      runs.push({
        params: state.params.slice(),
        averaged: state.averaged!.slice(),
        statistics: state.statistics.slice(),
        evaluation,
      });
    } finally {
      await computer.dispose();
    }
  }
  assert.deepEqual(runs[1].params, runs[0].params);
  assert.deepEqual(runs[1].averaged, runs[0].averaged);
  assert.deepEqual(runs[1].statistics, runs[0].statistics);
  assert.deepEqual(runs[1].evaluation.predictions, runs[0].evaluation.predictions);
  const fresh = createTrainingState(robust, 1, 11);
  assert.notDeepEqual(runs[0].params, fresh.params, 'the steps moved the weights');
  assert.notDeepEqual(runs[0].averaged, runs[0].params, 'the average trails the weights');
  // Variances are positive and not the initial 1s; means moved off 0.
  const variances = runs[0].statistics.filter((_, i) => Math.floor(i / 32) % 2 === 1).slice(0, 32);
  assert.ok(variances.every((v) => v > 0) && variances.some((v) => Math.abs(v - 1) > 1e-3));
});

test('no tensor or wasm-heap leak across 300 training steps', async () => {
  for (const recipe of [reference, robust]) {
    const { start } = computerFor(1, 5, recipe);
    const computer = await start();
    const step = async (i: number) => {
      const indices = Int32Array.from({ length: 8 }, (_, k) => (i * 8 + k) % 1000);
      await computer.trainStep({ indices, seed: i, lr: 0.001, step: i + 1 });
    };
    await step(0);
    await computer.calibrate(100, 50);
    // Our kernels allocate on the wasm heap behind the engine's back: count the backend's buffers too.
    const backendBuffers = () =>
      (tf.backend() as unknown as { dataIdMap: { numDataIds(): number } }).dataIdMap.numDataIds();
    const buffersBefore = backendBuffers();
    const before = tf.memory();
    for (let i = 1; i <= (recipe === reference ? 300 : 100); i++) await step(i);
    await computer.calibrate(100, 50);
    await computer.evaluate('test', 100);
    const after = tf.memory();
    assert.equal(after.numTensors, before.numTensors, `${recipe.name}: tensor count`);
    assert.equal(after.numBytes, before.numBytes, `${recipe.name}: bytes held by tensors`);
    assert.equal(backendBuffers(), buffersBefore, `${recipe.name}: wasm backend buffers`);
    await computer.dispose();
  }
});
