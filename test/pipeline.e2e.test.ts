import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import * as tf from '@tensorflow/tfjs';
import { chromiumUnavailableReason, launchChromium } from '@onnxpipe/web/testing';
import { openDemo } from './helpers/demo-page.js';
import { mnistTestDataDir, mnistTestDigits } from './helpers/mnist-digits.js';
import { maxAbsDifference, pageClassify, serverPredict, type Answer } from './helpers/parity.js';
import { repositoryRoot, startWebServer } from './helpers/web-server.js';

// The whole pipeline, chained as a user chains it — by the command-line tools, not by imports:
// `npm run train` (a short run: 200 steps on 6,400 real images) into a fresh folder,
// `npm run export` into a model repository there, the server on that repository, and the
// browser SDK in a page the server hosts. On real test digits all three — the trainer's own
// tfjs model, the exported ONNX in the server (onnxruntime-node), and the same ONNX in the page
// (onnxruntime-web, wasm) — agree on every label and on the probabilities to 1e-4.

const COUNT = 100;
const TOLERANCE = 1e-4;
const skip = mnistTestDataDir() ? undefined : 'no MNIST dataset (ONNXPIPE_DATA_DIR)';
// Without Chromium the pipeline still runs up to the server; only the page's part is skipped.
const noBrowser = chromiumUnavailableReason();

const run = promisify(execFile);

/** Runs one of the repository's TypeScript CLIs as `npm run <script>` does; fails with its output. */
async function cli(script: string, args: readonly string[]): Promise<string> {
  try {
    const { stdout } = await run(process.execPath, ['--conditions=source', '--import', 'tsx', script, ...args], {
      cwd: repositoryRoot,
      maxBuffer: 16 * 1024 * 1024,
    });
    return stdout;
  } catch (error) {
    const { stdout, stderr } = error as { stdout?: string; stderr?: string };
    throw new Error(`${script} ${args.join(' ')} failed:\n${stdout ?? ''}${stderr ?? ''}`, { cause: error });
  }
}

/** The trainer's tfjs model (model.json + weights.bin) on raw 28×28 digits: probabilities per digit. */
async function tfjsPredict(modelDir: string, images: readonly (readonly number[])[]): Promise<Answer[]> {
  const manifest = JSON.parse(await readFile(join(modelDir, 'manifest.json'), 'utf8'));
  const { mean, std } = manifest.dataset.normalization as { mean: number; std: number };
  const labels = manifest.dataset.classNames as string[];
  const artifacts = JSON.parse(await readFile(join(modelDir, 'model.json'), 'utf8'));
  const weights = new Uint8Array(await readFile(join(modelDir, 'weights.bin')));
  await tf.setBackend('cpu');
  const model = await tf.loadLayersModel(
    tf.io.fromMemory({
      modelTopology: artifacts.modelTopology,
      weightSpecs: artifacts.weightsManifest[0].weights,
      weightData: weights.buffer,
    }),
  );
  try {
    const shape = model.inputs[0].shape; // [null, 28, 28, 1] (tfjs is channels-last)
    const x = tf.tidy(() =>
      tf
        .tensor(images.flat(), [images.length, ...(shape.slice(1) as number[])])
        .div(255)
        .sub(mean)
        .div(std),
    );
    const logProbabilities = model.predict(x) as tf.Tensor;
    const scores = (await logProbabilities.array()) as number[][];
    tf.dispose([x, logProbabilities]);
    return scores.map((row) => {
      // The network ends in log-softmax, as the exported ONNX does; the server reports exp of it, renormalised.
      const exp = row.map(Math.exp);
      const sum = exp.reduce((a, b) => a + b, 0);
      const probabilities = exp.map((p) => p / sum);
      return { label: labels[probabilities.indexOf(Math.max(...probabilities))], probabilities };
    });
  } finally {
    model.dispose();
  }
}

function assertAgree(actual: readonly Answer[], expected: readonly Answer[], what: string): number {
  const disagreements = actual.flatMap((a, i) =>
    a.label === expected[i].label ? [] : [`#${i}: ${a.label} vs ${expected[i].label}`],
  );
  assert.deepEqual(disagreements, [], `${what}: labels`);
  const delta = maxAbsDifference(actual, expected);
  assert.ok(delta <= TOLERANCE, `${what}: max |Δ| of the probabilities ${delta} > ${TOLERANCE}`);
  return delta;
}

test(
  'train → export → serve → browser: the trainer, the server and the page agree on real test digits',
  { skip, timeout: 300_000 },
  async (t) => {
    const work = await mkdtemp(join(tmpdir(), 'onnxpipe-pipeline-'));
    const modelDir = join(work, 'repository', 'mnist', '1');
    const started = performance.now();
    const lap = (what: string) =>
      process.stdout.write(`# ${what}: ${((performance.now() - started) / 1000).toFixed(1)} s\n`);
    try {
      // 200 steps of 32: enough for a model well above chance, in well under a minute on 2 cores.
      const trainLog = await cli('packages/trainer/src/cli.ts', [
        '--epochs',
        '1',
        '--limit',
        '6400',
        '--batch-size',
        '32',
        '--backend',
        'wasm',
        '--workers',
        '2',
        '--data-dir',
        mnistTestDataDir()!,
        '--no-download',
        '--log-interval',
        '100',
        '--out',
        modelDir,
      ]);
      assert.match(trainLog, /Test set: Average loss: [\d.]+, Accuracy: \d+\/10000/);
      lap('trained');
      await cli('packages/exporter/src/cli/export-cli.ts', ['--model', modelDir]);
      lap('exported');

      const { images, labels } = await mnistTestDigits(COUNT);
      const pixels = images.map((image) => Array.from(image));
      const trainer = await tfjsPredict(modelDir, pixels);
      const correct = trainer.filter((a, i) => a.label === String(labels[i])).length;
      assert.ok(correct >= COUNT * 0.9, `the short run's tfjs model is right on ${correct}/${COUNT} test digits`);

      const server = await startWebServer(join(work, 'repository'));
      const browser = noBrowser === undefined ? await launchChromium() : undefined;
      try {
        // MNIST-format digits as they are (preprocess none): the trainer saw exactly these.
        const served = await serverPredict(server.origin, pixels, 'none');
        const serverDelta = assertAgree(served, trainer, 'server (onnxruntime-node) vs trainer (tfjs)');
        if (browser === undefined) {
          t.diagnostic(`the browser part is skipped: ${noBrowser}`);
          return;
        }

        const page = await browser.context.newPage();
        await openDemo(page, `${server.origin}/?mode=remote`);
        const inPage = await pageClassify(page, {
          modelUrl: '/models/mnist/versions/1/model.onnx',
          device: 'wasm',
          images: pixels,
          preprocess: ['none'],
        });
        assert.equal(inPage.executionProvider, 'wasm');
        const pageDelta = assertAgree(inPage.answers.none, trainer, 'page (onnxruntime-web) vs trainer (tfjs)');
        assertAgree(inPage.answers.none, served, 'page vs server');
        lap('served and compared');
        process.stdout.write(
          `# ${correct}/${COUNT} correct after 200 steps; max |Δ| vs tfjs: server ${serverDelta.toExponential(2)}, page ${pageDelta.toExponential(2)}\n`,
        );
      } finally {
        await browser?.close();
        await server.close();
      }
    } finally {
      await rm(work, { recursive: true, force: true });
    }
  },
);
