import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import { loadDataset } from '@onnxpipe/data';
import { mnistTestDataDir } from '@onnxpipe/data/testing';
import { selectBackend } from '../select-backend.js';
import type { Recipe } from '../../recipes/recipe.js';
import { resolveRecipe } from '../../recipes/resolve-recipe.js';
import type { GradientComputer } from '../../train/gradient-computer.js';
import type { TrainingData } from '../../train/engine-data.js';
import { createGradientComputer } from '../../train/create-gradient-computer.js';
import { TfjsComputer } from '../../train/tfjs-computer.js';
import { createTrainingState, stateArrays, type TrainingState } from '../../train/training-state.js';
import { OnnxRuntimeComputer } from './onnxruntime-computer.js';

// The MNIST files of every package's tests (undefined: the loader's own lookup, which downloads).
const MNIST_DIR = mnistTestDataDir();

// The onnxruntime backend against the tfjs `cpu` backend on real MNIST: the same batches (with
// augmentation), the same dropout masks, the same optimizer and weight-average formulas must give
// the same step, to 1e-5 of each array's largest value. tfjs cpu is slow (~2 s per image and step
// for the reference network), so the batches are small.

let data: TrainingData;
const reference = resolveRecipe('reference');
const robust = resolveRecipe('robust');
const settings = { provider: 'cpu', threads: 1 } as const;

before(async () => {
  await selectBackend('cpu');
  const [train, test] = await Promise.all(
    (['train', 'test'] as const).map((split) =>
      loadDataset({ name: 'mnist', split, dataDir: MNIST_DIR, download: MNIST_DIR === undefined }),
    ),
  );
  data = {
    trainImages: train.images.subarray(0, 1000 * 784),
    trainLabels: train.labels.subarray(0, 1000),
    testImages: test.images.subarray(0, 300 * 784),
    testLabels: test.labels.subarray(0, 300),
    devImages: test.images.subarray(300 * 784, 400 * 784),
    devLabels: test.labels.subarray(300, 400),
    normalization: train.normalization,
  };
});

/**
 * How far `a` is from `b`: elements farther than `relative` · max |b|, the largest |a − b|, and
 * that over max |b| (0 for empty arrays: the reference network has no statistics).
 */
function compare(a: Float32Array, b: Float32Array, relative = 1e-5): { count: number; largest: number; error: number } {
  if (b.length === 0) return { count: a.length, largest: 0, error: a.length === 0 ? 0 : Infinity };
  let scale = 0;
  for (const v of b) scale = Math.max(scale, Math.abs(v));
  let count = 0;
  let largest = 0;
  for (let i = 0; i < b.length; i++) {
    const diff = Math.abs(a[i] - b[i]);
    if (diff > relative * scale) count++;
    largest = Math.max(largest, diff);
  }
  return { count, largest, error: largest / scale };
}

const relativeError = (a: Float32Array, b: Float32Array) => compare(a, b).error;

const batch = (size: number, k: number) => Int32Array.from({ length: size }, (_, i) => (i * 37 + k * 101) % 1000);

async function pair(
  recipe: Recipe,
  seed: number,
): Promise<{ tfjs: GradientComputer; ort: GradientComputer; states: [TrainingState, TrainingState] }> {
  const states: [TrainingState, TrainingState] = [
    createTrainingState(recipe, 1, seed),
    createTrainingState(recipe, 1, seed),
  ];
  return {
    tfjs: new TfjsComputer(recipe, data, states[0]),
    ort: new OnnxRuntimeComputer(recipe, data, states[1], settings),
    states,
  };
}

for (const recipe of [reference, robust]) {
  test(`${recipe.name}: gradients and one whole step (${recipe.optimizer.kind}${recipe.weightAverageDecay ? ', weight average' : ''}) match tfjs cpu with the same batch and masks (≤ 1e-5 relative)`, async () => {
    const { tfjs, ort, states } = await pair(recipe, 21);
    try {
      const indices = batch(6, 0);
      const grads = [new Float32Array(states[0].params.length), new Float32Array(states[0].params.length)];
      const losses = [await tfjs.gradients(indices, 4242, grads[0]), await ort.gradients(indices, 4242, grads[1])];
      assert.ok(Math.abs(losses[1] - losses[0]) <= 1e-5 * losses[0], `summed loss ${losses[1]} vs ${losses[0]}`);
      const gradError = relativeError(grads[1], grads[0]);
      process.stdout.write(`# ${recipe.name}: gradient ${gradError.toExponential(2)}\n`);
      assert.ok(gradError <= 1e-5, `gradients: ${gradError}`);

      const request = { indices: batch(6, 1), seed: 777, lr: recipe.defaults.lr, step: 1 };
      const stepLosses = [await tfjs.trainStep(request), await ort.trainStep(request)];
      assert.ok(Math.abs(stepLosses[1] - stepLosses[0]) <= 1e-5 * stepLosses[0]);
      await ort.dispose(); // makes the TrainingState current
      const before = createTrainingState(recipe, 1, 21);
      const expected = stateArrays(states[0]);
      for (const [name, array] of Object.entries(stateArrays(states[1]))) {
        const { count, largest, error } = compare(array, expected[name]);
        process.stdout.write(`# ${recipe.name}: ${name} ${error.toExponential(2)}\n`);
        if ((name === 'params' || name === 'averaged') && recipe.optimizer.kind === 'adam') {
          // Adam's first step is g/(|g| + ε) · lr: where a gradient is as small as ε, float
          // rounding in the two runtimes' sums moves it by different parts of lr. Such weights
          // must be rare and still within one step (the weight average follows them); every other weight within 1e-5.
          process.stdout.write(
            `# ${recipe.name}: ${name} beyond 1e-5: ${count} of ${array.length}, largest |Δ| ${largest.toExponential(2)}\n`,
          );
          assert.ok(count <= 1e-4 * array.length, `${name}: ${count} weights beyond 1e-5`);
          assert.ok(largest <= recipe.defaults.lr, `${name}: a weight differs by ${largest}, more than one step`);
        } else {
          assert.ok(error <= 1e-5, `${name}: ${error}`);
        }
      }
      // The step moved the weights by far more than the tolerance.
      assert.ok(relativeError(before.params, states[0].params) > 1e-3);
    } finally {
      await ort.dispose();
    }
  });
}

test('robust: batch-norm calibration and evaluation (averaged weights) match tfjs cpu', async () => {
  const { tfjs, ort, states } = await pair(robust, 5);
  try {
    for (let k = 0; k < 3; k++) await ort.trainStep({ indices: batch(16, k), seed: 90 + k, lr: 0.003, step: k + 1 });
    await ort.calibrate(400, 150);
    // tfjs evaluates exactly the state onnxruntime trained.
    for (const [name, array] of Object.entries(stateArrays(states[1]))) stateArrays(states[0])[name].set(array);
    states[0].statistics.fill(0);
    await tfjs.calibrate(400, 150);
    const statisticsError = relativeError(states[1].statistics, states[0].statistics);
    assert.ok(statisticsError <= 1e-5, `statistics: ${statisticsError}`);
    for (const set of ['test', 'dev'] as const) {
      const [expected, actual] = [await tfjs.evaluate(set, 128), await ort.evaluate(set, 128)];
      assert.deepEqual(actual.predictions, expected.predictions);
      assert.equal(actual.correct, expected.correct);
      assert.ok(
        Math.abs(actual.lossSum - expected.lossSum) <= 1e-5 * expected.lossSum,
        `${set} loss ${actual.lossSum} vs ${expected.lossSum}`,
      );
      assert.ok(relativeError(actual.confidences, expected.confidences) <= 1e-5);
    }
  } finally {
    await ort.dispose();
  }
});

test('the TrainingState is current after each evaluation and at dispose, whichever buffer a step left current; batch sizes change', async () => {
  const run = async (evaluateBetween: boolean) => {
    const state = createTrainingState(robust, 1, 8);
    const computer = new OnnxRuntimeComputer(robust, data, state, settings);
    const snapshots: Float32Array[] = [];
    for (let k = 0; k < 5; k++) {
      // The last step of an epoch is shorter: a second graph shares the buffers.
      await computer.trainStep({ indices: batch(k === 2 ? 5 : 12, k), seed: k, lr: 0.003, step: k + 1 });
      if (evaluateBetween) {
        await computer.evaluate('dev', 100);
        snapshots.push(state.params.slice());
      }
    }
    await computer.dispose();
    return { state, snapshots };
  };
  const straight = await run(false);
  const interrupted = await run(true);
  assert.deepEqual(stateArrays(interrupted.state), stateArrays(straight.state));
  // Each snapshot differs from the next: evaluate saw every step's weights, not a stale buffer.
  for (let k = 1; k < interrupted.snapshots.length; k++)
    assert.notDeepEqual(interrupted.snapshots[k], interrupted.snapshots[k - 1]);
});

test('2 data-parallel workers (gradient graphs, then the JS update of each slice) step as 1 process does (dropout off, ≤ 1e-5)', async () => {
  const results: Record<string, Float32Array>[] = [];
  for (const workers of [1, 2]) {
    const state = createTrainingState(reference, workers, 13);
    const computer = await createGradientComputer({
      workers,
      backend: 'onnxruntime',
      threads: 1,
      recipe: reference,
      data,
      state,
    });
    try {
      assert.equal(computer.workers, workers);
      for (let k = 0; k < 2; k++)
        await computer.trainStep({ indices: batch(10, k), seed: undefined, lr: 1, step: k + 1 });
      const evaluation = await computer.evaluate('test', 100);
      assert.equal(evaluation.predictions.length, 300);
    } finally {
      await computer.dispose();
    }
    results.push(Object.fromEntries(Object.entries(stateArrays(state)).map(([name, array]) => [name, array.slice()])));
  }
  for (const name of Object.keys(results[0])) {
    const error = relativeError(results[1][name], results[0][name]);
    assert.ok(error <= 1e-5, `${name}: ${error}`);
  }
});

test('memory stays flat over 300 steps (RSS grows by less than 32 MiB after warm-up)', async () => {
  const state = createTrainingState(reference, 1, 2);
  const computer = new OnnxRuntimeComputer(reference, data, state, settings);
  try {
    for (let k = 0; k < 20; k++) await computer.trainStep({ indices: batch(8, k), seed: k, lr: 1, step: k + 1 });
    const before = process.memoryUsage().rss;
    for (let k = 20; k < 320; k++) await computer.trainStep({ indices: batch(8, k), seed: k, lr: 1, step: k + 1 });
    const grown = (process.memoryUsage().rss - before) / 2 ** 20;
    process.stdout.write(`# RSS growth over 300 steps: ${grown.toFixed(1)} MiB\n`);
    assert.ok(grown < 32, `RSS grew by ${grown.toFixed(1)} MiB`);
  } finally {
    await computer.dispose();
  }
});
