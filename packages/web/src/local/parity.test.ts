import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  createNodeReference,
  mnistHarnessUnavailableReason,
  mnistTestDataDir,
  openHarness,
  readMnistTestDigits,
  SHIPPED_MODEL_FILE,
  type BrowserHarness,
  type HarnessGlobals,
} from '../testing/index.js';

// onnxruntime-web (wasm) in Chromium against onnxruntime-node in this process, on real MNIST
// test digits through the same core preprocessing: an independent runtime, not earlier output.

const COUNT = 300;
const TOLERANCE = 1e-4;
const dataDir = mnistTestDataDir();
const skip = mnistHarnessUnavailableReason() ?? false;
let harness: BrowserHarness;

before(async () => {
  if (skip === false) harness = await openHarness();
});
after(async () => harness?.close());

test(
  `wasm in Chromium matches onnxruntime-node on ${COUNT} MNIST test digits (same labels, probabilities within ${TOLERANCE})`,
  { skip },
  async (t) => {
    const { images, labels } = readMnistTestDigits(dataDir!, COUNT);
    const reference = await createNodeReference(SHIPPED_MODEL_FILE);
    const expected = await reference.classify(reference.prepare(images));
    await reference.release();

    const answer = await harness.page.evaluate(
      async ({ url, images }) => {
        const sdk = (globalThis as unknown as HarnessGlobals).onnxpipe;
        const classifier = await sdk.createClassifier(url, { device: 'wasm', maxBatch: 64 });
        const result = await classifier.predict(images, { topk: 3 });
        // Concurrent calls share the session one run at a time; odd batch sizes stitch up in order.
        const halves = await Promise.all([
          classifier.predict(images.slice(0, 150)),
          classifier.predict(images.slice(150)),
        ]);
        const small = await sdk.createClassifier(url, { device: 'wasm', maxBatch: 7 });
        const inSevens = await small.predict(images.slice(0, 50));
        await Promise.all([classifier.dispose(), small.dispose()]);
        return {
          result,
          concurrent: halves.flatMap((h) => h.predictions.map((p) => p.probabilities)),
          inSevens: inSevens.predictions.map((p) => p.probabilities),
          labels: classifier.labels,
          executionProvider: classifier.executionProvider,
        };
      },
      { url: harness.modelUrl, images: images.map((image) => Array.from(image)) },
    );

    assert.equal(answer.executionProvider, 'wasm');
    assert.equal(answer.result.executionProvider, 'wasm');
    assert.deepEqual(answer.result.model, { name: 'mnist', version: '1' });
    assert.deepEqual(answer.labels, reference.metadata.labels, 'labels come from the model metadata');
    const predictions = answer.result.predictions;
    assert.equal(predictions.length, COUNT);
    let maxDelta = 0;
    let correct = 0;
    for (const [i, prediction] of predictions.entries()) {
      const row = expected[i];
      const best = row.indexOf(Math.max(...row));
      assert.equal(prediction.label, reference.metadata.labels[best], `digit ${i}: same label as onnxruntime-node`);
      for (const [j, p] of prediction.probabilities.entries()) maxDelta = Math.max(maxDelta, Math.abs(p - row[j]));
      assert.equal(prediction.confidence, Math.max(...prediction.probabilities));
      assert.equal(prediction.topk?.[0].label, prediction.label);
      if (prediction.label === String(labels[i])) correct++;
    }
    t.diagnostic(`max |Δp| ${maxDelta.toExponential(2)}, accuracy ${correct}/${COUNT}`);
    assert.ok(maxDelta <= TOLERANCE, `max |Δp| = ${maxDelta}`);
    assert.ok(correct / COUNT > 0.97, `accuracy ${correct}/${COUNT}`);
    const near = (a: readonly (readonly number[])[], b: readonly (readonly number[])[]) =>
      a.every((row, i) => row.every((p, j) => Math.abs(p - b[i][j]) <= 1e-6));
    assert.ok(
      near(
        answer.concurrent,
        predictions.map((p) => p.probabilities),
      ),
      'two concurrent calls answer as one',
    );
    assert.ok(
      near(
        answer.inSevens,
        predictions.slice(0, 50).map((p) => p.probabilities),
      ),
      'maxBatch 7 answers as maxBatch 64',
    );
    assert.deepEqual(harness.pageErrors, []);
  },
);
