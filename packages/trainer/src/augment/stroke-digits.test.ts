import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as ort from 'onnxruntime-node';
import { createRng, MNIST_NORMALIZATION, preprocessDigit } from '@onnxpipe/core';
import { fileURLToPath } from 'node:url';
import { drawStrokeDigit } from './stroke-digits.js';

/** Version 1 never saw a template digit: what it reads is what any reader of MNIST would. */
const versionOne = new URL('../../../../models/mnist/1/model.onnx', import.meta.url);
const PER_LABEL = 60;

const inkRows = (pixels: Uint8Array) => {
  const rows = new Set<number>();
  pixels.forEach((v, i) => v > 64 && rows.add(Math.floor(i / 28)));
  return rows.size;
};

test('a template digit is drawn anew from the seed, about as high as an MNIST digit, inside the image', () => {
  for (let label = 0; label < 10; label++) {
    const a = new Uint8Array(784);
    const b = new Uint8Array(784);
    drawStrokeDigit(a, 28, label, createRng(label));
    drawStrokeDigit(b, 28, label, createRng(label));
    assert.deepEqual(a, b, `digit ${label}: same seed, same drawing`);
    const other = new Uint8Array(784);
    drawStrokeDigit(other, 28, label, createRng(label + 100));
    assert.notDeepEqual(a, other, `digit ${label}: another seed, another drawing`);
    const rows = inkRows(a);
    assert.ok(rows >= 16 && rows <= 24, `digit ${label}: ${rows} rows of ink`);
    for (let i = 0; i < 28; i++) {
      assert.equal(a[i] + a[27 * 28 + i] + a[i * 28] + a[i * 28 + 27], 0, `digit ${label}: ink on the border`);
    }
  }
});

test('a model trained on MNIST alone reads the template digits as their labels', async () => {
  const session = await ort.InferenceSession.create(fileURLToPath(versionOne));
  const random = createRng(5);
  const batch = new Float32Array(10 * PER_LABEL * 784);
  for (let i = 0; i < 10 * PER_LABEL; i++) {
    const pixels = new Uint8Array(784);
    drawStrokeDigit(pixels, 28, Math.floor(i / PER_LABEL), random);
    const { input } = preprocessDigit(
      { width: 28, height: 28, channels: 1, data: pixels },
      { normalization: MNIST_NORMALIZATION },
    );
    batch.set(input, i * 784);
  }
  const outputs = await session.run({ input: new ort.Tensor('float32', batch, [10 * PER_LABEL, 1, 28, 28]) });
  const scores = outputs.output.data as Float32Array;
  const correct = new Array<number>(10).fill(0);
  for (let i = 0; i < 10 * PER_LABEL; i++) {
    let best = 0;
    for (let k = 1; k < 10; k++) if (scores[i * 10 + k] > scores[i * 10 + best]) best = k;
    if (best === Math.floor(i / PER_LABEL)) correct[best]++;
  }
  // A mislabelled or illegible template shows as a digit read far below the others. The 1s are
  // lowest: their long flags are what MNIST lacks and the templates are there to teach (~76 %).
  correct.forEach((count, label) => {
    assert.ok(count >= (label === 1 ? 0.6 : 0.85) * PER_LABEL, `digit ${label}: ${count}/${PER_LABEL} read right`);
  });
});
