import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as ort from 'onnxruntime-node';
import { normalizePixels } from '@onnxpipe/core';
import { loadDataset } from '@onnxpipe/data';
import { mnistTestDataDir } from '@onnxpipe/data/testing';
import { decodeModel } from '@onnxpipe/onnx';

// Each version of the model the project ships (models/mnist/<version>: 1 trained with the
// reference recipe, 2 with the robust one, both exported with our exporter) must do on the real
// test set what its manifest says it does.
const root = fileURLToPath(new URL('..', import.meta.url));
const modelRoot = join(root, 'models', 'mnist');
const versions = readdirSync(modelRoot).filter(
  (entry) => /^\d+$/.test(entry) && existsSync(join(modelRoot, entry, 'manifest.json')),
);
/** What each recipe's full run must reach for the model to ship. */
const SHIPPING_FLOOR: Record<string, { accuracy: number; epochs?: number }> = {
  reference: { accuracy: 0.9915, epochs: 14 },
  robust: { accuracy: 0.996 },
};
const dataDir = mnistTestDataDir();

for (const version of versions)
  test(`shipped version ${version}: the ONNX model reaches its manifest accuracy (±0.01 %) on the 10,000 MNIST test images`, async () => {
    const modelDir = join(modelRoot, version);
    const manifest = JSON.parse(await readFile(join(modelDir, 'manifest.json'), 'utf8'));
    const recipe: string = manifest.recipe?.name ?? 'reference';
    const floor = SHIPPING_FLOOR[recipe];
    // What the served file measured at export: the training run's own figure, or for a model that
    // averages several trained networks (manifest.onnx.ensemble), the average's.
    const served: number = manifest.onnx.testAccuracy ?? manifest.finalTestAccuracy;
    assert.ok(
      served >= floor.accuracy,
      `manifest accuracy ${served} is below the ${recipe} recipe's ${100 * floor.accuracy} %`,
    );
    if (floor.epochs !== undefined)
      assert.equal(manifest.epochs, floor.epochs, `the shipped model is the ${recipe} recipe's full run`);
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
        const x = normalizePixels(
          testSet.images.subarray(start * pixels, (start + n) * pixels),
          manifest.dataset.normalization,
        );
        const out = await session.run({
          [session.inputNames[0]]: new ort.Tensor('float32', x, [n, 1, testSet.rows, testSet.cols]),
        });
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
    process.stdout.write(
      `# shipped version ${version} (${recipe}): ${correct}/10000 = ${(100 * accuracy).toFixed(2)} % (manifest ${(100 * served).toFixed(2)} %)\n`,
    );
    assert.ok(Math.abs(accuracy - served) <= 0.0001, `ONNX accuracy ${accuracy} vs manifest ${served}`);
  });
