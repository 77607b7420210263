import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as tf from '@tensorflow/tfjs';
import { decodeModel } from '@onnxpipe/onnx';
import { mnistTestDataDir } from '@onnxpipe/data/testing';
import { checkOnnxModels } from '@onnxpipe/onnx/testing';
import { randomizeWeights } from '../testing/random-weights.js';

const root = fileURLToPath(new URL('../../../../', import.meta.url));
const cli = join(root, 'packages', 'exporter', 'src', 'cli', 'export-cli.ts');
const dataDir = mnistTestDataDir();

/** A small MNIST-shaped model saved as the trainer saves its artifacts, with a trainer manifest. */
async function writeTrainedModel(dir: string, seed = 3): Promise<void> {
  await tf.setBackend('cpu');
  const model = tf.sequential({
    layers: [
      tf.layers.conv2d({ name: 'conv1', inputShape: [28, 28, 1], filters: 4, kernelSize: 3, activation: 'relu' }),
      tf.layers.maxPooling2d({ name: 'pool', poolSize: 2 }),
      tf.layers.flatten({ name: 'flatten' }),
      tf.layers.dense({ name: 'fc', units: 10, activation: 'logSoftmax' as 'softmax' }),
    ],
  });
  randomizeWeights(model, seed);
  await model.save(
    tf.io.withSaveHandler(async (artifacts) => {
      const weights = artifacts.weightData as ArrayBuffer;
      await writeFile(join(dir, 'weights.bin'), new Uint8Array(weights));
      await writeFile(
        join(dir, 'model.json'),
        JSON.stringify({
          modelTopology: artifacts.modelTopology,
          format: 'layers-model',
          weightsManifest: [{ paths: ['weights.bin'], weights: artifacts.weightSpecs }],
        }),
      );
      return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
    }),
  );
  const sha = (c: string) => c.repeat(64);
  await writeFile(
    join(dir, 'manifest.json'),
    JSON.stringify({
      name: 'mnist',
      dataset: {
        name: 'mnist',
        classNames: ['0', '1', '2', '3', '4', '5', '6', '7', '8', '9'],
        normalization: { mean: 0.1307, std: 0.3081 },
        train: { images: { sha256: sha('a') }, labels: { sha256: sha('b') } },
        test: { images: { sha256: sha('c') }, labels: { sha256: sha('d') } },
      },
      network: { inputShape: [28, 28, 1] },
      epochs: 1,
      finalTestAccuracy: 0.1,
      finalTestLoss: 2.3,
      gitCommit: null,
      backend: 'cpu',
      createdAt: '2026-01-01T00:00:00.000Z',
    }),
  );
}

function runCli(args: string[]) {
  return spawnSync(process.execPath, ['--conditions=source', '--import', 'tsx', cli, ...args], {
    encoding: 'utf8',
    env: { ...process.env, ...(dataDir ? { ONNXPIPE_DATA_DIR: dataDir } : {}) },
  });
}

test('npm run export --verify writes a checked Triton repository entry that agrees with tfjs on 10,000 test images', async () => {
  const work = await mkdtemp(join(tmpdir(), 'onnxpipe-export-'));
  try {
    const modelDir = join(work, 'models', 'mnist');
    await import('node:fs/promises').then((fs) => fs.mkdir(modelDir, { recursive: true }));
    await writeTrainedModel(modelDir);
    const run = runCli(['--model', modelDir, '--verify', '--version', '3']);
    assert.equal(run.status, 0, run.stderr);
    assert.match(
      run.stdout,
      /verify: 10000 test images, max \|Δ\| [\d.e+-]+ \(limit 0\.0001\), argmax disagreements 0/,
    );

    const bytes = new Uint8Array(await readFile(join(modelDir, '3', 'model.onnx')));
    assert.deepEqual(checkOnnxModels(new Map([['exported', bytes]])), []);
    const onnx = decodeModel(bytes);
    assert.deepEqual(onnx.graph.input[0].shape, ['N', 1, 28, 28]);
    const metadata = Object.fromEntries(onnx.metadataProps.map(({ key, value }) => [key, value]));
    assert.equal(metadata['onnxpipe.normalization.mean'], '0.1307');
    assert.equal(metadata['onnxpipe.output'], 'log_softmax');

    const config = await readFile(join(modelDir, 'config.pbtxt'), 'utf8');
    assert.match(config, /^name: "mnist"$/m);
    assert.match(config, /platform: "onnxruntime_onnx"/);
    assert.match(config, /dims: \[ 1, 28, 28 \]/);
    assert.match(config, /dims: \[ 10 \]/);

    const manifest = JSON.parse(await readFile(join(modelDir, 'manifest.json'), 'utf8'));
    assert.equal(manifest.onnx.file, '3/model.onnx');
    assert.equal(manifest.onnx.verification.disagreements, 0);
    assert.ok(manifest.onnx.verification.maxAbsDiff <= 1e-4);
    assert.equal(manifest.epochs, 1, 'the trainer manifest is extended, not replaced');
  } finally {
    await rm(work, { recursive: true, force: true });
  }
});

test('npm run export --average-with writes one model that averages the networks, verified against tfjs', async () => {
  const work = await mkdtemp(join(tmpdir(), 'onnxpipe-export-'));
  try {
    const versionDir = join(work, 'models', 'mnist', '2');
    const memberDir = join(versionDir, 'members', '2');
    await mkdir(memberDir, { recursive: true });
    await writeTrainedModel(versionDir, 3);
    await writeTrainedModel(memberDir, 4);
    const run = runCli(['--model', versionDir, '--average-with', memberDir, '--verify']);
    assert.equal(run.status, 0, run.stderr);
    assert.match(run.stdout, /averaging 2 networks' probabilities/);
    assert.match(run.stdout, /argmax disagreements 0/);

    const bytes = new Uint8Array(await readFile(join(versionDir, 'model.onnx')));
    assert.deepEqual(checkOnnxModels(new Map([['averaged', bytes]])), []);
    const onnx = decodeModel(bytes);
    const metadata = Object.fromEntries(onnx.metadataProps.map(({ key, value }) => [key, value]));
    assert.equal(metadata['onnxpipe.ensemble.members'], '2');
    assert.equal(metadata['onnxpipe.output'], 'log_softmax');
    assert.equal(onnx.graph.node.filter((n) => n.opType === 'Conv').length, 2, 'both networks are in the graph');

    const manifest = JSON.parse(await readFile(join(versionDir, 'manifest.json'), 'utf8'));
    assert.deepEqual(
      manifest.onnx.ensemble.members.map((m: { model: string }) => m.model),
      ['.', 'members/2'],
    );
    assert.equal(manifest.onnx.verification.disagreements, 0);
  } finally {
    await rm(work, { recursive: true, force: true });
  }
});

test('export CLI rejects bad flags with exit code 2 and names the flag', () => {
  for (const [args, pattern] of [
    [['--layout', 'nhcw'], /'--layout' must be one of nchw, nhwc; received "nhcw"/],
    [['--opset', '12'], /'--opset' must be an integer from 13 to 21; received "12"/],
    [['--opset', '22'], /'--opset' must be an integer from 13 to 21; received "22"/],
    [['--bogus'], /Unknown option '--bogus'/],
    [['--average-with', ','], /'--average-with' takes comma-separated directories; received ","/],
    [
      ['--model', 'models/mnist/2', '--average-with', 'models/mnist/2'],
      /'--average-with' must name other networks than --model, each once/,
    ],
    [['--quantize', 'bf16'], /'--quantize' must be a comma-separated list of fp16, int8; received "bf16"/],
    [
      ['--quantize', 'int8', '--max-accuracy-drop', 'lots'],
      /'--max-accuracy-drop' must be a number of percentage points from 0 to 100; received "lots"/,
    ],
  ] as const) {
    const run = runCli([...args]);
    assert.equal(run.status, 2);
    assert.match(run.stderr, pattern);
  }
});
