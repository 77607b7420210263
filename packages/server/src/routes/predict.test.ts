import { test } from 'node:test';
import assert from 'node:assert/strict';
import sharp from 'sharp';
import { MNIST_NORMALIZATION, normalizePixels, preprocessDigit } from '@onnxpipe/core';
import { encodeDigit } from '../testing/digit-images.js';
import { mnistTestDataDir, readMnistTestDigits } from '@onnxpipe/data/testing';
import { createTestApp } from '../testing/test-app.js';
import { buildTinyMnistModel } from '../testing/tiny-model.js';

// Every input form of POST /predict against a real ONNX model in onnxruntime-node. Numbers are
// checked against the fixture's plain-JS forward pass, never against earlier outputs.

const dataDir = mnistTestDataDir();
const NEED_DATA = dataDir === undefined ? 'the MNIST test files are missing: set ONNXPIPE_DATA_DIR' : false;
const digits = dataDir === undefined ? { images: [], labels: [] } : readMnistTestDigits(dataDir, 4);
const reference = buildTinyMnistModel();

interface Prediction {
  label: string;
  confidence: number;
  probabilities: number[];
  topk?: { label: string; probability: number }[];
  empty?: boolean;
}
interface PredictBody {
  model: { name: string; version: string };
  executionProvider: string;
  predictions: Prediction[];
  timings?: Record<string, number>;
}

function assertWellFormed(body: PredictBody, count: number): void {
  assert.deepEqual(body.model, { name: 'mnist', version: '1' });
  assert.equal(body.executionProvider, 'cpu');
  assert.equal(body.predictions.length, count);
  for (const p of body.predictions) {
    assert.equal(p.probabilities.length, 10);
    const sum = p.probabilities.reduce((a, b) => a + b, 0);
    assert.ok(Math.abs(sum - 1) <= 1e-9, `probabilities sum to ${sum}`);
    const best = p.probabilities.indexOf(Math.max(...p.probabilities));
    assert.equal(p.label, String(best));
    assert.equal(p.confidence, p.probabilities[best]);
  }
}

/** Expected probabilities for one normalised input, from the plain-JS forward pass. */
function expectedProbabilities(input: Float32Array): number[] {
  return Array.from(reference.reference(input, 1), Math.exp);
}

function assertClose(actual: readonly number[], expected: readonly number[], tolerance = 1e-5): void {
  const worst = Math.max(...actual.map((v, i) => Math.abs(v - expected[i])));
  assert.ok(worst <= tolerance, `max |Δ| = ${worst} > ${tolerance}`);
}

test(
  'JSON pixels (784 numbers, preprocess none) give the reference forward pass to 1e-5',
  { skip: NEED_DATA },
  async () => {
    const { app, close } = await createTestApp();
    try {
      const pixels = Array.from(digits.images[0]);
      const response = await app.inject({ method: 'POST', url: '/predict', payload: { pixels, preprocess: 'none' } });
      assert.equal(response.statusCode, 200, response.body);
      const body = response.json<PredictBody>();
      assertWellFormed(body, 1);
      // Normalisation from the fixture's metadata (the MNIST statistics), computed independently.
      assertClose(
        body.predictions[0].probabilities,
        expectedProbabilities(normalizePixels(digits.images[0], MNIST_NORMALIZATION)),
      );
    } finally {
      await close();
    }
  },
);

test(
  'JSON pixels: 28×28 nested, a batch of flat arrays and a batch of nested ones, in 0–1 or 0–255',
  { skip: NEED_DATA },
  async () => {
    const { app, close } = await createTestApp();
    try {
      const flat = digits.images.slice(0, 3).map((img) => Array.from(img));
      const nested = (img: number[]) => Array.from({ length: 28 }, (_, y) => img.slice(y * 28, y * 28 + 28));
      const single = await app.inject({
        method: 'POST',
        url: '/predict?preprocess=none',
        payload: { pixels: flat[0] },
      });
      const forms = [
        { pixels: nested(flat[0]) },
        { pixels: flat[0].map((v) => v / 255) },
        { pixels: flat },
        { pixels: flat.map(nested) },
      ];
      const expected = single.json<PredictBody>().predictions[0].probabilities;
      for (const payload of forms) {
        const response = await app.inject({ method: 'POST', url: '/predict?preprocess=none', payload });
        assert.equal(response.statusCode, 200, response.body);
        const body = response.json<PredictBody>();
        assertWellFormed(body, Array.isArray(payload.pixels[0]) && payload.pixels.length === 3 ? 3 : 1);
        assertClose(body.predictions[0].probabilities, expected, 1e-6);
      }
    } finally {
      await close();
    }
  },
);

test(
  'PNG, JPEG and WebP bodies are decoded, preprocessed as MNIST and match the reference',
  { skip: NEED_DATA },
  async () => {
    const { app, close } = await createTestApp();
    try {
      for (const format of ['png', 'jpeg', 'webp'] as const) {
        const bytes = await encodeDigit(digits.images[1], { format, scale: 5 });
        const response = await app.inject({
          method: 'POST',
          url: '/predict?topk=3&timings=true',
          headers: { 'content-type': `image/${format}` },
          payload: bytes,
        });
        assert.equal(response.statusCode, 200, response.body);
        const body = response.json<PredictBody>();
        assertWellFormed(body, 1);
        // The reference path: sharp decode, core preprocessing with the model's metadata, JS forward.
        const { data, info } = await sharp(bytes).raw().toBuffer({ resolveWithObject: true });
        const { input } = preprocessDigit(
          { width: info.width, height: info.height, channels: info.channels as 3, data },
          { normalization: MNIST_NORMALIZATION },
        );
        assertClose(body.predictions[0].probabilities, expectedProbabilities(input));
        const topk = body.predictions[0].topk!;
        assert.equal(topk.length, 3);
        assert.equal(topk[0].label, body.predictions[0].label);
        assert.ok(topk[0].probability >= topk[1].probability && topk[1].probability >= topk[2].probability);
        assert.ok(
          body.timings !== undefined &&
            body.timings.totalMs >= body.timings.inferenceMs &&
            body.timings.batchSize === 1,
        );
      }
    } finally {
      await close();
    }
  },
);

test(
  'JSON image / images carry base64 files (plain or data: URL), one prediction each',
  { skip: NEED_DATA },
  async () => {
    const { app, close } = await createTestApp();
    try {
      const files = await Promise.all(digits.images.slice(0, 3).map((img) => encodeDigit(img)));
      const raw = await app.inject({
        method: 'POST',
        url: '/predict',
        headers: { 'content-type': 'image/png' },
        payload: files[0],
      });
      const one = await app.inject({
        method: 'POST',
        url: '/predict',
        payload: { image: files[0].toString('base64') },
      });
      const dataUrl = await app.inject({
        method: 'POST',
        url: '/predict',
        payload: { image: `data:image/png;base64,${files[0].toString('base64')}` },
      });
      const many = await app.inject({
        method: 'POST',
        url: '/predict',
        payload: { images: files.map((f) => f.toString('base64')) },
      });
      for (const response of [one, dataUrl, many]) assert.equal(response.statusCode, 200, response.body);
      assertWellFormed(many.json<PredictBody>(), 3);
      const expected = raw.json<PredictBody>().predictions[0].probabilities;
      assert.deepEqual(one.json<PredictBody>().predictions[0].probabilities, expected);
      assert.deepEqual(dataUrl.json<PredictBody>().predictions[0].probabilities, expected);
      assert.deepEqual(many.json<PredictBody>().predictions[0].probabilities, expected);
    } finally {
      await close();
    }
  },
);

test(
  'multipart/form-data with several files gives one prediction per file, in order',
  { skip: NEED_DATA },
  async () => {
    const { app, close } = await createTestApp();
    try {
      const files = await Promise.all(
        digits.images.slice(0, 3).map((img, i) => encodeDigit(img, { format: i === 1 ? 'jpeg' : 'png' })),
      );
      const form = new FormData();
      files.forEach((bytes, i) =>
        form.append('image', new Blob([bytes], { type: i === 1 ? 'image/jpeg' : 'image/png' }), `digit-${i}`),
      );
      const request = new Request('http://localhost/predict', { method: 'POST', body: form });
      const response = await app.inject({
        method: 'POST',
        url: '/predict',
        headers: { 'content-type': request.headers.get('content-type')! },
        payload: Buffer.from(await request.arrayBuffer()),
      });
      assert.equal(response.statusCode, 200, response.body);
      const body = response.json<PredictBody>();
      assertWellFormed(body, 3);
      for (let i = 0; i < 3; i++) {
        const single = await app.inject({
          method: 'POST',
          url: '/predict',
          headers: { 'content-type': i === 1 ? 'image/jpeg' : 'image/png' },
          payload: files[i],
        });
        assertClose(body.predictions[i].probabilities, single.json<PredictBody>().predictions[0].probabilities, 1e-6);
      }
    } finally {
      await close();
    }
  },
);

test('a blank page is predicted but flagged empty; the model and version can be named', async () => {
  const { app, close } = await createTestApp();
  try {
    const blank = await sharp({ create: { width: 64, height: 64, channels: 3, background: '#ffffff' } })
      .png()
      .toBuffer();
    const response = await app.inject({
      method: 'POST',
      url: '/predict?model=mnist&version=1',
      headers: { 'content-type': 'image/png' },
      payload: blank,
    });
    assert.equal(response.statusCode, 200, response.body);
    const body = response.json<PredictBody>();
    assertWellFormed(body, 1);
    assert.equal(body.predictions[0].empty, true);
    assert.equal(response.headers['x-request-id'] !== undefined, true);
  } finally {
    await close();
  }
});
