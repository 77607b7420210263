import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as ort from 'onnxruntime-node';
import { normalizePixels } from '@onnxpipe/core';
import { loadDataset } from '@onnxpipe/data';
import { decodeModel } from '@onnxpipe/onnx';

// The model the project ships (models/mnist, trained with the default recipe and exported with
// our exporter) must do on the real test set what its manifest says it does.
const root = fileURLToPath(new URL('..', import.meta.url));
const modelDir = join(root, 'models', 'mnist');
const sharedMnist = join(root, '..', 'shared', 'datasets', 'mnist');
const dataDir = process.env.ONNXPIPE_DATA_DIR ?? (existsSync(sharedMnist) ? sharedMnist : undefined);

test('the shipped ONNX model reaches its manifest accuracy (±0.01 %) on the 10,000 MNIST test images', async () => {
  const manifest = JSON.parse(await readFile(join(modelDir, 'manifest.json'), 'utf8'));
  assert.ok(manifest.finalTestAccuracy >= 0.9915, `manifest accuracy ${manifest.finalTestAccuracy} is below the recipe's 99.15 %`);
  assert.equal(manifest.epochs, 14, 'the shipped model is the full default run');
  const bytes = new Uint8Array(await readFile(join(modelDir, manifest.onnx.file)));

  const metadata = Object.fromEntries(decodeModel(bytes).metadataProps.map(({ key, value }) => [key, value]));
  assert.deepEqual(JSON.parse(metadata['onnxpipe.labels']), manifest.dataset.classNames);
  assert.equal(Number(metadata['onnxpipe.normalization.mean']), manifest.dataset.normalization.mean);
  assert.equal(Number(metadata['onnxpipe.normalization.std']), manifest.dataset.normalization.std);

  const testSet = await loadDataset({ name: 'mnist', split: 'test', dataDir, download: dataDir === undefined });
  const session = await ort.InferenceSession.create(bytes);
  const pixels = testSet.rows * testSet.cols;
  let correct = 0;
  try {
    for (let start = 0; start < testSet.count; start += 1000) {
      const n = Math.min(1000, testSet.count - start);
      const x = normalizePixels(testSet.images.subarray(start * pixels, (start + n) * pixels), manifest.dataset.normalization);
      const out = await session.run({ [session.inputNames[0]]: new ort.Tensor('float32', x, [n, 1, testSet.rows, testSet.cols]) });
      const scores = out[session.outputNames[0]].data as Float32Array;
      for (let i = 0; i < n; i++) {
        let best = 0;
        for (let c = 1; c < 10; c++) if (scores[i * 10 + c] > scores[i * 10 + best]) best = c;
        if (best === testSet.labels[start + i]) correct++;
      }
    }
  } finally {
    await session.release();
  }
  const accuracy = correct / testSet.count;
  process.stdout.write(`# shipped model: ${correct}/10000 = ${(100 * accuracy).toFixed(2)} % (manifest ${(100 * manifest.finalTestAccuracy).toFixed(2)} %)\n`);
  assert.ok(Math.abs(accuracy - manifest.finalTestAccuracy) <= 0.0001, `ONNX accuracy ${accuracy} vs manifest ${manifest.finalTestAccuracy}`);
});
