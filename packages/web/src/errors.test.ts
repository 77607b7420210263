import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  harnessUnavailableReason,
  openHarness,
  type BrowserHarness,
  type CaughtError,
  type HarnessGlobals,
} from './testing/index.js';

// Every coded error of the local classifier, raised in real Chromium by the mistakes a page
// makes: bad options, bad inputs, bad model URLs, a disposed classifier, a wrong wasmPaths.
// Tests assert codes (stable) and that the message names what it is about.

const skip = harnessUnavailableReason() ?? false;
let harness: BrowserHarness;

before(async () => {
  if (skip === false) harness = await openHarness();
});
after(async () => harness?.close());

test('options, model URLs, inputs and dispose fail with coded errors naming the culprit', { skip }, async () => {
  const caught = await harness.page.evaluate(async (url) => {
    const { onnxpipe: sdk, catchError: attempt } = globalThis as unknown as HarnessGlobals;
    const classifier = await sdk.createClassifier(url, { device: 'wasm' });
    const digit = new Array(784).fill(0);
    const results: Record<string, CaughtError> = {
      device: await attempt(() => sdk.createClassifier(url, { device: 'gpu2' as never })),
      maxBatch: await attempt(() => sdk.createClassifier(url, { maxBatch: 0 })),
      wasmPathsSlash: await attempt(() => sdk.createClassifier(url, { wasmPaths: '/ort' })),
      modelType: await attempt(() => sdk.createClassifier(42 as never)),
      notFound: await attempt(() => sdk.createClassifier('/models/nope/1/model.onnx')),
      notOnnx: await attempt(() => sdk.createClassifier('/harness.html')),
      notOnnxBytes: await attempt(() => sdk.createClassifier(new Uint8Array([1, 2, 3, 4]))),
      inputString: await attempt(() => classifier.predict('seven' as never)),
      inputInArray: await attempt(() => classifier.predict([digit, {} as never])),
      inputEmpty: await attempt(() => classifier.predict([])),
      inputCount: await attempt(() => classifier.predict(new Array(10).fill(0))),
      inputRange: await attempt(() => classifier.predict(new Array(784).fill(300))),
      inputBlob: await attempt(() => classifier.predict(new Blob(['not an image'], { type: 'text/plain' }))),
      inputNoneSize: await attempt(() => classifier.predict(new ImageData(56, 56), { preprocess: 'none' })),
      preprocess: await attempt(() => classifier.predict(digit, { preprocess: 'fancy' as never })),
      topk: await attempt(() => classifier.predict(digit, { topk: 0 })),
    };
    await classifier.dispose();
    await classifier.dispose(); // twice is fine
    results.disposed = await attempt(() => classifier.predict(digit));
    return results;
  }, harness.modelUrl);

  const expect = (name: string, code: string, message: RegExp) => {
    assert.equal(caught[name].code, code, `${name}: ${JSON.stringify(caught[name])}`);
    assert.match(caught[name].message ?? '', message, name);
  };
  expect('device', 'ONNXPIPE_WEB_INVALID_ARGUMENT', /^'device' must be one of auto, webgpu, wasm; received "gpu2"$/);
  expect('maxBatch', 'ONNXPIPE_WEB_INVALID_ARGUMENT', /'maxBatch' must be an integer from 1 to \d+; received 0/);
  expect(
    'wasmPathsSlash',
    'ONNXPIPE_WEB_INVALID_ARGUMENT',
    /'wasmPaths' must be a URL prefix ending in '\/'; received "\/ort"/,
  );
  expect('modelType', 'ONNXPIPE_WEB_INVALID_ARGUMENT', /'model' must be a URL .*received 42/);
  expect(
    'notFound',
    'ONNXPIPE_WEB_MODEL_LOAD_FAILED',
    /http:\/\/127\.0\.0\.1:\d+\/models\/nope\/1\/model\.onnx answered 404/,
  );
  expect('notOnnx', 'ONNXPIPE_WEB_MODEL_LOAD_FAILED', /\/harness\.html is not an (ONNX|onnxpipe) model/);
  expect('notOnnxBytes', 'ONNXPIPE_WEB_MODEL_LOAD_FAILED', /the model bytes is not an (ONNX|onnxpipe) model/);
  expect(
    'inputString',
    'ONNXPIPE_WEB_BAD_INPUT',
    /^'input\[0\]' must be one of HTMLCanvasElement, OffscreenCanvas, ImageData, ImageBitmap, HTMLImageElement, Blob, Float32Array, number\[\]; received a string/,
  );
  expect('inputInArray', 'ONNXPIPE_WEB_BAD_INPUT', /^'input\[1\]' must be one of .*; received a plain object/);
  expect('inputEmpty', 'ONNXPIPE_WEB_BAD_INPUT', /received an empty array/);
  expect(
    'inputCount',
    'ONNXPIPE_WEB_BAD_INPUT',
    /^'input\[0\]' \(an array of 10 numbers\) cannot be read: .*784 numbers; received 10/,
  );
  expect('inputRange', 'ONNXPIPE_WEB_BAD_INPUT', /'input\[0\]'.*0–255/);
  expect(
    'inputBlob',
    'ONNXPIPE_WEB_BAD_INPUT',
    /'input\[0\]' \(a Blob\) cannot be read: not a decodable image \(type "text\/plain"/,
  );
  expect(
    'inputNoneSize',
    'ONNXPIPE_WEB_BAD_INPUT',
    /^'input\[0\]' must be a 28×28 image .* with preprocess 'none'; received 56×56$/,
  );
  expect('preprocess', 'ONNXPIPE_WEB_INVALID_ARGUMENT', /^'preprocess' must be one of mnist, none; received "fancy"$/);
  expect('topk', 'ONNXPIPE_WEB_INVALID_ARGUMENT', /'topk' must be an integer from 1 to 1000; received 0/);
  expect('disposed', 'ONNXPIPE_WEB_DISPOSED', /disposed/);
  for (const [name, error] of Object.entries(caught))
    assert.equal(error.isOnnxpipeError, true, `${name} is an OnnxpipeError`);
});

test(
  "a wasmPaths without onnxruntime's files fails with ONNXPIPE_WEB_RUNTIME_LOAD_FAILED naming it",
  { skip },
  async () => {
    // onnxruntime-web starts once per page: a fresh page, whose first classifier looks in the wrong place.
    const page = await harness.page.context().newPage();
    try {
      await page.goto(`${harness.origin}/harness.html`);
      await page.waitForFunction(() => (globalThis as { harnessReady?: boolean }).harnessReady === true);
      const caught = await page.evaluate(async (url) => {
        const { onnxpipe: sdk, catchError } = globalThis as unknown as HarnessGlobals;
        return catchError(() => sdk.createClassifier(url, { device: 'wasm', wasmPaths: '/missing/' }));
      }, harness.modelUrl);
      assert.equal(caught.code, 'ONNXPIPE_WEB_RUNTIME_LOAD_FAILED', JSON.stringify(caught));
      assert.match(caught.message ?? '', /'wasmPaths' "http:\/\/127\.0\.0\.1:\d+\/missing\/"/);
    } finally {
      await page.close();
    }
  },
);
