import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { chromiumUnavailableReason, launchChromium, type ChromiumSession } from '@onnxpipe/web/testing';
import { DIGIT_STROKES, drawStrokes, openDemo, readAnswer, resultCount, waitForResult } from './helpers/demo-page.js';
import { mnistTestDataDir, mnistTestDigits } from './helpers/mnist-digits.js';
import { maxAbsDifference, pageClassify, serverPredict, type Answer } from './helpers/parity.js';
import { repositoryRoot, startWebServer, type WebServer } from './helpers/web-server.js';

// The same model, three ways: onnxruntime-web in a page the server hosts (wasm, and WebGPU on
// SwiftShader), the server's POST /predict (onnxruntime-node), and the SDK's remote mode. On
// real MNIST test digits they must agree on every label and on every probability to 1e-4 —
// two runtimes, two preprocessing call sites (the SDK's and the server's, both core's code).

const COUNT = 300;
const WEBGPU_COUNT = 8;
const TOLERANCE = 1e-4;

const models = join(repositoryRoot, 'models');
const MODEL_URL = '/models/mnist/versions/1/model.onnx';
const skip =
  chromiumUnavailableReason() ??
  (existsSync(join(models, 'mnist', '1', 'model.onnx')) ? undefined : 'no shipped model (models/mnist/1/model.onnx)') ??
  (mnistTestDataDir() ? undefined : 'no MNIST test set (ONNXPIPE_DATA_DIR)');

let server: WebServer;
let digits: { images: number[][]; labels: number[] };

before(async () => {
  if (skip) return;
  server = await startWebServer(models);
  const { images, labels } = await mnistTestDigits(COUNT);
  digits = { images: images.map((image) => Array.from(image)), labels };
});

after(async () => {
  await server?.close();
});

function assertAgree(actual: readonly Answer[], expected: readonly Answer[], what: string, tolerance = TOLERANCE): number {
  assert.equal(actual.length, expected.length, what);
  const disagreements = actual.flatMap((a, i) => (a.label === expected[i].label ? [] : [`#${i}: ${a.label} vs ${expected[i].label}`]));
  assert.deepEqual(disagreements, [], `${what}: labels`);
  const delta = maxAbsDifference(actual, expected);
  assert.ok(delta <= tolerance, `${what}: max |Δ| of the probabilities ${delta} > ${tolerance}`);
  return delta;
}

test(`${COUNT} MNIST test digits: wasm in the page, the server's POST /predict and the SDK's remote mode agree (labels; probabilities to ${TOLERANCE})`, { skip }, async () => {
  const browser = await launchChromium();
  try {
    const page = await browser.context.newPage();
    // Any page of the server's origin will do; in remote mode the demo loads no model of its own.
    await openDemo(page, `${server.origin}/?mode=remote`);
    const modes = ['mnist', 'none'] as const;
    const inPage = await pageClassify(page, { modelUrl: MODEL_URL, device: 'wasm', images: digits.images, preprocess: modes });
    assert.equal(inPage.executionProvider, 'wasm');
    const remote = await pageClassify(page, { remote: true, images: digits.images, preprocess: modes });
    assert.equal(remote.executionProvider, 'cpu');
    for (const preprocess of modes) {
      const expected = await serverPredict(server.origin, digits.images, preprocess);
      const delta = assertAgree(inPage.answers[preprocess], expected, `wasm vs server, preprocess=${preprocess}`);
      // Remote mode is the server: the same numbers, not merely close ones.
      const remoteDelta = assertAgree(remote.answers[preprocess], expected, `remote vs server, preprocess=${preprocess}`, 1e-6);
      const correct = expected.filter((a, i) => a.label === String(digits.labels[i])).length;
      process.stdout.write(
        `# preprocess=${preprocess}: ${correct}/${COUNT} correct; max |Δ| wasm vs server ${delta.toExponential(2)}, remote vs server ${remoteDelta.toExponential(2)}\n`,
      );
      assert.ok(correct >= COUNT * 0.97, `the shipped model is right on ${correct}/${COUNT}`);
    }
  } finally {
    await browser.close();
  }
});

test(`WebGPU (SwiftShader): the demo's auto device picks it, and it agrees with wasm on ${WEBGPU_COUNT} digits`, { skip }, async () => {
  const browser = await launchChromium({ webgpu: true });
  try {
    const page = await browser.context.newPage();
    await openDemo(page, `${server.origin}/`);
    const before = await resultCount(page);
    await drawStrokes(page, DIGIT_STROKES['1']);
    await waitForResult(page, before);
    const answer = await readAnswer(page);
    assert.equal(answer.label, '1');
    assert.equal(answer.provider, 'webgpu (in this browser)', 'auto takes the adapter when there is one');
    assert.equal(await page.locator('#fallback').isVisible(), false, 'no fallback to explain');

    const images = digits.images.slice(0, WEBGPU_COUNT);
    const wasm = await pageClassify(page, { modelUrl: MODEL_URL, device: 'wasm', images, preprocess: ['mnist'] });
    const webgpu = await pageClassify(page, { modelUrl: MODEL_URL, device: 'webgpu', images, preprocess: ['mnist'] });
    assert.equal(webgpu.executionProvider, 'webgpu');
    const delta = assertAgree(webgpu.answers.mnist, wasm.answers.mnist, 'webgpu vs wasm');
    process.stdout.write(`# webgpu vs wasm on ${WEBGPU_COUNT} digits: max |Δ| ${delta.toExponential(2)}\n`);
  } finally {
    await browser.close();
  }
});
