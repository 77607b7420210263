import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { mnistTestDataDir } from '@onnxpipe/data/testing';
import { runTraining } from './run-training.js';
import { DEFAULT_TRAIN_OPTIONS, type TrainOptions } from './train-options.js';

// The MNIST files of every package's tests (undefined: the loader's own lookup, which downloads).
const MNIST_DIR = mnistTestDataDir();

function options(out: string, overrides: Partial<TrainOptions>): TrainOptions {
  return {
    ...DEFAULT_TRAIN_OPTIONS,
    dataDir: MNIST_DIR,
    out,
    backend: 'wasm',
    download: MNIST_DIR === undefined,
    ...overrides,
  };
}

// At the reference batch of 64, 6,000 images are only 94 steps, and the recipe lands on 95 % ± 0.4
// depending on the dropout draws (PyTorch itself: 94.85 % here): too close to the line for a
// meaningful assertion. Batch 32 gives the same images 188 steps and a clear margin.
test('one epoch on 6,000 real MNIST images reaches ≥ 95 % on the real 10,000-image test set', async () => {
  const out = await mkdtemp(join(tmpdir(), 'onnxpipe-train-'));
  try {
    const lines: string[] = [];
    const result = await runTraining(options(out, { epochs: 1, limit: 6000, batchSize: 32, workers: 2 }), {
      log: (l) => lines.push(l),
    });
    const final = result.history.at(-1)!;
    process.stdout.write(`# 1 epoch on 6,000 images: test accuracy ${(100 * final.testAccuracy).toFixed(2)} %\n`);
    assert.equal(final.testCorrect + 0, Math.round(final.testAccuracy * 10000));
    assert.ok(final.testAccuracy >= 0.95, `test accuracy ${final.testAccuracy}`);
    assert.ok(lines.some((l) => l.startsWith('Train Epoch: 1 [0/6000 (0%)]\tLoss: ')));
    assert.ok(lines.some((l) => l.startsWith('Train Epoch: 1 [320/6000 (5%)]\tLoss: ')));
    assert.ok(lines.some((l) => /^\nTest set: Average loss: \d+\.\d{4}, Accuracy: \d+\/10000 \(\d+%\)\n$/.test(l)));

    // Every output lands in --out, and the saved tfjs artifacts reproduce the accuracy.
    const files = await readdir(out);
    for (const f of ['model.json', 'weights.bin', 'metrics.jsonl', 'manifest.json', 'report.html', 'checkpoints']) {
      assert.ok(files.includes(f), `missing ${f}`);
    }
    const manifest = JSON.parse(await readFile(join(out, 'manifest.json'), 'utf8'));
    assert.equal(manifest.finalTestAccuracy, final.testAccuracy);
    assert.equal(
      manifest.dataset.train.images.sha256,
      '440fcabf73cc546fa21475e81ea370265605f56be210a4024d2ca8f203523609',
    );
    const metrics = (await readFile(join(out, 'metrics.jsonl'), 'utf8'))
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    assert.equal(metrics.length, 1);
    assert.ok(metrics[0].imagesPerSecond > 0 && metrics[0].learningRate === 1);

    const model = await tf.loadLayersModel(
      tf.io.fromMemory(
        JSON.parse(await readFile(join(out, 'model.json'), 'utf8')).modelTopology,
        JSON.parse(await readFile(join(out, 'model.json'), 'utf8')).weightsManifest[0].weights,
        new Uint8Array(await readFile(join(out, 'weights.bin'))).buffer,
      ),
    );
    assert.equal(model.countParams(), 1162440);
    model.dispose();
  } finally {
    await rm(out, { recursive: true, force: true });
  }
});

test('the same seed and backend give the same weights; --resume continues exactly', async () => {
  const dirs = await Promise.all([0, 1, 2].map(() => mkdtemp(join(tmpdir(), 'onnxpipe-seed-'))));
  try {
    const quiet = { log: () => {} };
    const base = { limit: 640, workers: 1, testBatchSize: 1000 } as const;
    const a = await runTraining(options(dirs[0], { ...base, epochs: 2 }), quiet);
    const b = await runTraining(options(dirs[1], { ...base, epochs: 2 }), quiet);
    assert.deepEqual(a.params, b.params);

    await runTraining(options(dirs[2], { ...base, epochs: 1 }), quiet);
    const resumed = await runTraining(options(dirs[2], { ...base, epochs: 2, resume: true }), quiet);
    assert.deepEqual(resumed.params, a.params);
    assert.equal(resumed.history.length, 2);

    const other = await runTraining(options(dirs[1], { ...base, epochs: 1, seed: 2 }), quiet);
    assert.notDeepEqual(other.params, a.params);
  } finally {
    await Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true })));
  }
});
