import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mnistHarnessUnavailableReason, mnistTestDataDir, openHarness, readMnistTestDigits, type BrowserHarness, type HarnessGlobals } from '../testing/index.js';

// The device policy in real Chromium. With --enable-unsafe-webgpu the browser offers a
// SwiftShader adapter (WebGPU on the CPU: slow, hence few digits and small batches); without
// it navigator.gpu gives no adapter, and `auto` must say so.

const dataDir = mnistTestDataDir();
const skip = mnistHarnessUnavailableReason() ?? false;
const TOLERANCE = 1e-4;

describe('with a WebGPU adapter (SwiftShader)', { skip }, () => {
  let harness: BrowserHarness;
  before(async () => {
    harness = await openHarness({ webgpu: true });
  });
  after(async () => harness?.close());

  test('webgpu runs the model and agrees with wasm on 6 MNIST digits', async (t) => {
    const { images, labels } = readMnistTestDigits(dataDir!, 6);
    const answer = await harness.page.evaluate(
      async ({ url, images }) => {
        const sdk = (globalThis as unknown as HarnessGlobals).onnxpipe;
        const gpu = await sdk.createClassifier(url, { device: 'webgpu', maxBatch: 4 });
        const auto = await sdk.createClassifier(url, { maxBatch: 4 });
        const wasm = await sdk.createClassifier(url, { device: 'wasm' });
        const [onGpu, onWasm] = [await gpu.predict(images), await wasm.predict(images)];
        const info = { gpu: gpu.executionProvider, auto: auto.executionProvider, autoFallback: auto.fallback ?? null };
        await Promise.all([gpu.dispose(), auto.dispose(), wasm.dispose()]);
        return { onGpu, onWasm, info };
      },
      { url: harness.modelUrl, images: images.map((image) => Array.from(image)) },
    );
    assert.deepEqual(answer.info, { gpu: 'webgpu', auto: 'webgpu', autoFallback: null });
    assert.equal(answer.onGpu.executionProvider, 'webgpu');
    let maxDelta = 0;
    for (const [i, prediction] of answer.onGpu.predictions.entries()) {
      const other = answer.onWasm.predictions[i];
      assert.equal(prediction.label, other.label, `digit ${i}: same label on webgpu and wasm`);
      assert.equal(prediction.label, String(labels[i]));
      for (const [j, p] of prediction.probabilities.entries()) maxDelta = Math.max(maxDelta, Math.abs(p - other.probabilities[j]));
    }
    t.diagnostic(`max |Δp| webgpu vs wasm ${maxDelta.toExponential(2)}`);
    assert.ok(maxDelta <= TOLERANCE, `max |Δp| = ${maxDelta}`);
  });
});

describe('without a WebGPU adapter, in a cross-origin isolated page', { skip }, () => {
  let harness: BrowserHarness;
  before(async () => {
    // COOP/COEP as the onnxpipe server sends them: wasm may use threads.
    harness = await openHarness({ crossOriginIsolated: true });
  });
  after(async () => harness?.close());

  test("auto falls back to wasm (2 threads) and reports why; explicit webgpu fails with ONNXPIPE_WEB_DEVICE_UNAVAILABLE", async () => {
    const { images, labels } = readMnistTestDigits(dataDir!, 4);
    const answer = await harness.page.evaluate(async ({ url, images }) => {
      const sdk = (globalThis as unknown as HarnessGlobals).onnxpipe;
      const auto = await sdk.createClassifier(url, { numThreads: 2 });
      const result = await auto.predict([new Array(784).fill(0), ...images]);
      let error: { code?: string; message?: string } | undefined;
      try {
        await sdk.createClassifier(url, { device: 'webgpu' });
      } catch (e) {
        error = { code: (e as { code?: string }).code, message: (e as Error).message };
      }
      return {
        isolated: globalThis.crossOriginIsolated,
        provider: auto.executionProvider,
        fallback: auto.fallback,
        resultProvider: result.executionProvider,
        empty: result.predictions[0].empty,
        digits: result.predictions.slice(1).map((p) => p.label),
        error,
      };
    }, { url: harness.modelUrl, images: images.map((image) => Array.from(image)) });
    assert.equal(answer.isolated, true);
    assert.deepEqual(answer.digits, labels.map(String));
    assert.equal(answer.provider, 'wasm');
    assert.equal(answer.resultProvider, 'wasm');
    assert.equal(answer.empty, true, 'a blank image is reported as empty');
    assert.equal(answer.fallback?.requested, 'auto');
    assert.equal(answer.fallback?.used, 'wasm');
    assert.match(answer.fallback?.reason ?? '', /requestAdapter\(\) returned null/);
    assert.equal(answer.error?.code, 'ONNXPIPE_WEB_DEVICE_UNAVAILABLE');
    assert.match(answer.error?.message ?? '', /'device' is "webgpu"/);
  });
});
