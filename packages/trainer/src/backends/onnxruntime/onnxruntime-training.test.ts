import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { mnistTestDataDir } from '@onnxpipe/data/testing';
import { runTraining } from '../../train/run-training.js';
import { DEFAULT_TRAIN_OPTIONS, type TrainOptions } from '../../train/train-options.js';

// The MNIST files of every package's tests (undefined: the loader's own lookup, which downloads).
const MNIST_DIR = mnistTestDataDir();

// Whole runs on the onnxruntime backend: the same outputs as the tfjs backends, reproducible,
// resumable, and able to continue a checkpoint another backend wrote.

function options(out: string, overrides: Partial<TrainOptions>): TrainOptions {
  return {
    ...DEFAULT_TRAIN_OPTIONS,
    dataDir: MNIST_DIR,
    out,
    backend: 'onnxruntime',
    noAccel: true,
    devSet: 'none',
    download: MNIST_DIR === undefined,
    ...overrides,
  };
}

test('onnxruntime: one epoch on 12,000 real MNIST images (batch 32) reaches ≥ 96 % and writes every output', async () => {
  const out = await mkdtemp(join(tmpdir(), 'onnxpipe-ort-train-'));
  try {
    const lines: string[] = [];
    const result = await runTraining(options(out, { epochs: 1, limit: 12000, batchSize: 32 }), {
      log: (l) => lines.push(l),
    });
    const final = result.history.at(-1)!;
    process.stdout.write(
      `# onnxruntime, 1 epoch on 12,000 images: test accuracy ${(100 * final.testAccuracy).toFixed(2)} %\n`,
    );
    assert.ok(final.testAccuracy >= 0.96, `test accuracy ${final.testAccuracy}`);
    assert.ok(
      lines.some((l) => /^backend: onnxruntime \(onnxruntime-node [\d.]+, CPU execution provider/.test(l)),
      lines.join('\n'),
    );
    const files = await readdir(out);
    for (const f of ['model.json', 'weights.bin', 'metrics.jsonl', 'manifest.json', 'report.html', 'checkpoints'])
      assert.ok(files.includes(f), `missing ${f}`);
    const manifest = JSON.parse(await readFile(join(out, 'manifest.json'), 'utf8'));
    assert.equal(manifest.backend, 'onnxruntime');
    assert.match(manifest.packages['onnxruntime-node'], /^\d+\.\d+\.\d+$/);
    assert.equal(manifest.finalTestAccuracy, final.testAccuracy);
  } finally {
    await rm(out, { recursive: true, force: true });
  }
});

test('onnxruntime: the same seed gives the same weights, --resume continues exactly, and a wasm checkpoint resumes on onnxruntime', async () => {
  const dirs = await Promise.all([0, 1, 2].map(() => mkdtemp(join(tmpdir(), 'onnxpipe-ort-seed-'))));
  try {
    const quiet = { log: () => {} };
    const base = { limit: 640, testBatchSize: 1000 } as const;
    const a = await runTraining(options(dirs[0], { ...base, epochs: 2 }), quiet);
    const b = await runTraining(options(dirs[1], { ...base, epochs: 2 }), quiet);
    assert.deepEqual(a.params, b.params);

    await runTraining(options(dirs[2], { ...base, epochs: 1 }), quiet);
    const resumed = await runTraining(options(dirs[2], { ...base, epochs: 2, resume: true }), quiet);
    assert.deepEqual(resumed.params, a.params);
    assert.equal(resumed.history.length, 2);

    // Epoch 1 on wasm, epoch 2 on onnxruntime: the checkpoint's arrays carry over unchanged.
    await rm(dirs[2], { recursive: true, force: true });
    const wasm = await runTraining(options(dirs[2], { ...base, epochs: 1, backend: 'wasm', workers: 1 }), quiet);
    const continued = await runTraining(options(dirs[2], { ...base, epochs: 2, resume: true }), quiet);
    assert.deepEqual(continued.history[0], wasm.history[0]);
    assert.equal(continued.history.length, 2);
    // Both backends compute the same steps up to float32 rounding, so the runs end close together.
    const far = continued.params.reduce((m, x, i) => Math.max(m, Math.abs(x - a.params[i])), 0);
    process.stdout.write(`# max |Δθ| after 2 epochs, wasm then onnxruntime vs onnxruntime only: ${far}\n`);
    assert.ok(far < 1e-3, `max |Δθ|: ${far}`);

    // The robust recipe carries every kind of state (Adam's moments, the average, BN statistics).
    const robust = {
      recipe: 'robust',
      limit: 320,
      testBatchSize: 1000,
      lr: 0.003,
      gamma: 1,
      batchSize: 32,
      epochs: 1,
    } as const;
    const c = await runTraining(options(dirs[0], robust), quiet);
    const d = await runTraining(options(dirs[1], robust), quiet);
    assert.deepEqual(c.params, d.params);
    assert.deepEqual(c.statistics, d.statistics);
  } finally {
    await Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true })));
  }
});
