import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  mnistHarnessUnavailableReason,
  mnistTestDataDir,
  openHarness,
  readMnistTestDigits,
  type BrowserHarness,
  type HarnessGlobals,
} from '../testing/index.js';

// The device policy in real Chromium, and what it downloads. With --enable-unsafe-webgpu the
// browser offers a SwiftShader adapter (WebGPU on the CPU: slow, hence few digits and small
// batches); without it navigator.gpu gives no adapter. `auto` and `wasm` load only the wasm-only
// runtime; the WebGPU runtime (its chunk, .mjs and .wasm) is fetched only for `webgpu` with an adapter.

const dataDir = mnistTestDataDir();
const skip = mnistHarnessUnavailableReason() ?? false;
const TOLERANCE = 1e-4;

/**
 * The runtime files and the WebGPU chunk among the URLs a page (and its workers: the wasm threads)
 * asked for, each once.
 */
function runtimeRequests(urls: readonly string[]): string[] {
  return [...new Set(urls)]
    .map((url) => new URL(url).pathname)
    .filter((path) => /\/ort-wasm[^/]*\.(mjs|wasm)$|\/chunks\/ort-webgpu-[^/]*\.js$/.test(path))
    .map((path) => path.replace(/^.*\//, '').replace(/ort-webgpu-[0-9a-f]+\.js$/, 'ort-webgpu-<hash>.js'))
    .sort();
}

describe('with a WebGPU adapter (SwiftShader)', { skip }, () => {
  let harness: BrowserHarness;
  const requested: string[] = [];
  before(async () => {
    harness = await openHarness({ webgpu: true });
    harness.page.on('request', (request) => requested.push(request.url()));
  });
  after(async () => harness?.close());

  test('auto and wasm load only the wasm-only runtime; webgpu loads its own, runs the model and agrees with wasm on 6 MNIST digits', async (t) => {
    const { images, labels } = readMnistTestDigits(dataDir!, 6);
    const onWasm = await harness.page.evaluate(
      async ({ url, images }) => {
        const sdk = (globalThis as unknown as HarnessGlobals).onnxpipe;
        const auto = await sdk.createClassifier(url, { maxBatch: 4 });
        const wasm = await sdk.createClassifier(url, { device: 'wasm' });
        const result = await wasm.predict(images);
        const info = { auto: auto.executionProvider, autoFallback: auto.fallback ?? null, variant: wasm.variant };
        await Promise.all([auto.dispose(), wasm.dispose()]);
        return { result, info };
      },
      { url: harness.modelUrl, images: images.map((image) => Array.from(image)) },
    );
    assert.equal(onWasm.info.auto, 'wasm', 'auto runs digit models on wasm');
    assert.equal(onWasm.info.autoFallback?.requested, 'auto');
    assert.match(onWasm.info.autoFallback?.reason ?? '', /'auto' runs digit models on wasm/);
    assert.equal(onWasm.info.variant, 'fp32');
    assert.deepEqual(
      runtimeRequests(requested),
      ['ort-wasm-simd-threaded.mjs', 'ort-wasm-simd-threaded.wasm'],
      'nothing of the WebGPU runtime yet',
    );

    const onGpu = await harness.page.evaluate(
      async ({ url, images }) => {
        const sdk = (globalThis as unknown as HarnessGlobals).onnxpipe;
        const gpu = await sdk.createClassifier(url, { device: 'webgpu', maxBatch: 4 });
        const result = await gpu.predict(images);
        await gpu.dispose();
        return { result, provider: gpu.executionProvider };
      },
      { url: harness.modelUrl, images: images.map((image) => Array.from(image)) },
    );
    assert.deepEqual(runtimeRequests(requested), [
      'ort-wasm-simd-threaded.jsep.mjs',
      'ort-wasm-simd-threaded.jsep.wasm',
      'ort-wasm-simd-threaded.mjs',
      'ort-wasm-simd-threaded.wasm',
      'ort-webgpu-<hash>.js',
    ]);
    assert.equal(onGpu.provider, 'webgpu');
    assert.equal(onGpu.result.executionProvider, 'webgpu');
    let maxDelta = 0;
    for (const [i, prediction] of onGpu.result.predictions.entries()) {
      const other = onWasm.result.predictions[i];
      assert.equal(prediction.label, other.label, `digit ${i}: same label on webgpu and wasm`);
      assert.equal(prediction.label, String(labels[i]));
      for (const [j, p] of prediction.probabilities.entries())
        maxDelta = Math.max(maxDelta, Math.abs(p - other.probabilities[j]));
    }
    t.diagnostic(`max |Δp| webgpu vs wasm ${maxDelta.toExponential(2)}`);
    assert.ok(maxDelta <= TOLERANCE, `max |Δp| = ${maxDelta}`);
  });
});

describe('without a WebGPU adapter, in a cross-origin isolated page', { skip }, () => {
  let harness: BrowserHarness;
  const requested: string[] = [];
  before(async () => {
    // COOP/COEP as the onnxpipe server sends them: wasm may use threads.
    harness = await openHarness({ crossOriginIsolated: true });
    harness.page.on('request', (request) => requested.push(request.url()));
  });
  after(async () => harness?.close());

  test('auto runs on wasm (2 threads) and says why; explicit webgpu fails with ONNXPIPE_WEB_DEVICE_UNAVAILABLE without downloading the WebGPU runtime', async () => {
    const { images, labels } = readMnistTestDigits(dataDir!, 4);
    const answer = await harness.page.evaluate(
      async ({ url, images }) => {
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
      },
      { url: harness.modelUrl, images: images.map((image) => Array.from(image)) },
    );
    assert.equal(answer.isolated, true);
    assert.deepEqual(answer.digits, labels.map(String));
    assert.equal(answer.provider, 'wasm');
    assert.equal(answer.resultProvider, 'wasm');
    assert.equal(answer.empty, true, 'a blank image is reported as empty');
    assert.equal(answer.fallback?.requested, 'auto');
    assert.equal(answer.fallback?.used, 'wasm');
    assert.match(answer.fallback?.reason ?? '', /'auto' runs digit models on wasm/);
    assert.equal(answer.error?.code, 'ONNXPIPE_WEB_DEVICE_UNAVAILABLE');
    assert.match(
      answer.error?.message ?? '',
      /'device' is "webgpu" but navigator\.gpu\.requestAdapter\(\) returned null/,
    );
    assert.deepEqual(runtimeRequests(requested), ['ort-wasm-simd-threaded.mjs', 'ort-wasm-simd-threaded.wasm']);
  });
});
