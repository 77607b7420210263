import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { chromiumUnavailableReason, launchChromium, type ChromiumSession } from '@onnxpipe/web/testing';
import {
  clearPad,
  DIGIT_STROKES,
  drawStrokes,
  drawStrokesByTouch,
  openDemo,
  readAnswer,
  resultCount,
  waitForResult,
} from './helpers/demo-page.js';
import { digitPng, mnistTestDataDir, mnistTestDigits } from './helpers/mnist-digits.js';
import { phonePhoto } from './helpers/photo.js';
import { repositoryRoot, startWebServer, type WebServer } from './helpers/web-server.js';

// The demo page as `npm start` serves it — the real server on loopback with the shipped model
// and a fresh browser build — driven in headless Chromium as a person would use it: digits
// drawn with the mouse are recognised in the page, an uploaded photo of a real MNIST digit too,
// and switching to server inference gives the same labels; the page says where the model ran
// (and why not WebGPU) and how long it took.

const models = join(repositoryRoot, 'models');
const skip =
  chromiumUnavailableReason() ??
  (existsSync(join(models, 'mnist', '1', 'model.onnx')) ? undefined : 'no shipped model (models/mnist/1/model.onnx)') ??
  (mnistTestDataDir() ? undefined : 'no MNIST test set (ONNXPIPE_DATA_DIR)');

let server: WebServer;
let browser: ChromiumSession;
let page: Page;
const pageErrors: string[] = [];

before(async () => {
  if (skip) return;
  server = await startWebServer(models);
  browser = await launchChromium();
  page = await browser.context.newPage();
  page.on('pageerror', (error) => pageErrors.push(error.message));
});

after(async () => {
  await browser?.close();
  await server?.close();
});

/**
 * Draws `digit`, waits for the answer shown at the stroke's end, and returns it with the number of
 * answers shown meanwhile.
 */
async function draw(digit: string) {
  await clearPad(page);
  const before = await resultCount(page);
  await drawStrokes(page, DIGIT_STROKES[digit]);
  await waitForResult(page, before);
  return { ...(await readAnswer(page)), answers: (await resultCount(page)) - before };
}

async function upload(pixels: Uint8Array, name: string) {
  const before = await resultCount(page);
  await page.setInputFiles('#upload', { name, mimeType: 'image/png', buffer: await digitPng(pixels) });
  await waitForResult(page, before);
  return readAnswer(page);
}

async function switchMode(mode: 'local' | 'remote') {
  const before = await resultCount(page);
  await page.check(`#mode-${mode}`);
  // The page predicts its current input again in the new mode.
  await waitForResult(page, before);
  return readAnswer(page);
}

const LATENCY = /^\d+(\.\d+)? ms/;

/**
 * The file the server names for browsers (highest version's manifest), and how far from model.onnx
 * its probabilities may be.
 */
function servedWebFile(): { file: string; precision: string; tolerance: number } {
  const versions = readdirSync(join(models, 'mnist')).filter(
    (v) => /^\d+$/.test(v) && existsSync(join(models, 'mnist', v, 'model.onnx')),
  );
  const highest = versions.sort((a, b) => Number(a) - Number(b)).at(-1)!;
  const { onnx } = JSON.parse(readFileSync(join(models, 'mnist', highest, 'manifest.json'), 'utf8')) as {
    onnx: { web?: { file: string; precision: string }; variants?: { file: string; maxProbabilityDiff: number }[] };
  };
  const web = onnx.web ?? { file: 'model.onnx', precision: 'fp32' };
  const measured = onnx.variants?.find((v) => v.file === web.file)?.maxProbabilityDiff ?? 0;
  return { ...web, tolerance: Math.max(1e-4, 2 * measured) };
}

test(
  'the demo loads cross-origin isolated; digits drawn with the mouse or a finger are recognised in the page, with provider, fallback reason and latency',
  { skip },
  async () => {
    await openDemo(page, `${server.origin}/`);
    assert.equal(await page.evaluate(() => crossOriginIsolated), true, 'COOP + COEP: wasm threads are available');
    assert.equal(await page.locator('#probabilities li').count(), 10);
    for (const digit of ['1', '7', '0']) {
      const answer = await draw(digit);
      assert.equal(answer.label, digit, `a drawn ${digit}`);
      assert.equal(answer.mode, 'local');
      assert.match(answer.provider, /^wasm \(in this browser\)$/);
      assert.match(answer.latency, LATENCY);
      assert.equal(answer.probabilities.length, 10);
      assert.ok(Math.abs(answer.probabilities.reduce((a, b) => a + b, 0) - 1) < 1e-4, 'probabilities sum to 1');
      assert.equal(
        answer.probabilities.indexOf(Math.max(...answer.probabilities)),
        Number(digit),
        'the highest bar is the label',
      );
      // The 0 is one long stroke (~200 mouse moves): the answer updates while it is drawn, not only at its end.
      if (digit === '0')
        assert.ok(answer.answers >= 2, `live while drawing: ${answer.answers} answer(s) for one stroke`);
    }
    // A finger: touch pointer events on the pad.
    await clearPad(page);
    const before = await resultCount(page);
    await drawStrokesByTouch(browser.context, page, DIGIT_STROKES['7']);
    await waitForResult(page, before);
    assert.equal((await readAnswer(page)).label, '7', 'a 7 drawn with a finger');
    // Headless Chromium without --enable-unsafe-webgpu has no adapter: auto says why it used wasm.
    const fallback = page.locator('#fallback');
    assert.equal(await fallback.isVisible(), true);
    assert.match(await fallback.innerText(), /Asked for auto, running on wasm: .+/);
    assert.deepEqual(pageErrors, []);
  },
);

test(
  'an uploaded PNG of a real MNIST digit is recognised, and server inference gives the same labels',
  { skip },
  async () => {
    const { images, labels } = await mnistTestDigits(3);
    await openDemo(page, `${server.origin}/`);
    const local = await upload(images[0], 'digit-0.png');
    assert.equal(local.label, String(labels[0]), `uploaded MNIST test digit 0 (a ${labels[0]})`);

    const remote = await switchMode('remote');
    assert.equal(remote.mode, 'remote');
    assert.equal(remote.label, local.label, 'the server agrees on the upload');
    assert.match(remote.provider, /^cpu \(on the server\)$/);
    assert.match(remote.latency, LATENCY);
    // The page runs the file the server names for browsers (a reduced-precision variant of the
    // model.onnx the server runs): as close as the exporter measured it on the test set.
    const web = servedWebFile();
    assert.equal(local.variant, web.precision, `the page runs ${web.file}`);
    for (let i = 0; i < 10; i++)
      assert.ok(Math.abs(remote.probabilities[i] - local.probabilities[i]) <= web.tolerance, `probability of ${i}`);
    assert.equal(await page.isDisabled('#device'), true, 'the device applies to in-page inference only');

    for (const [i, name] of [
      [1, 'digit-1.png'],
      [2, 'digit-2.png'],
    ] as const) {
      assert.equal(
        (await upload(images[i], name)).label,
        String(labels[i]),
        `uploaded MNIST test digit ${i}, on the server`,
      );
    }
    for (const digit of ['1', '7']) assert.equal((await draw(digit)).label, digit, `a drawn ${digit}, on the server`);

    const back = await switchMode('local');
    assert.equal(back.label, '7');
    assert.match(back.provider, /^wasm/);
    assert.deepEqual(pageErrors, []);
  },
);

test(
  'a phone photo (2000×1500 JPEG stored sideways, noisy, unevenly lit) is recognised; the page shows what the model saw and where',
  { skip },
  async () => {
    const { images, labels } = await mnistTestDigits(3);
    await openDemo(page, `${server.origin}/`);
    // Phones offer the camera for the second picker; both take any image.
    assert.equal(await page.getAttribute('#camera', 'capture'), 'environment');
    assert.equal(await page.getAttribute('#camera', 'accept'), 'image/*');
    assert.equal(await page.getAttribute('#upload', 'accept'), 'image/*');
    const photos = new Map([0, 2].map((i) => [i, phonePhoto(images[i], i + 1)]));
    for (const mode of ['local', 'remote'] as const) {
      if (mode === 'remote') await switchMode('remote');
      for (const i of [0, 2]) {
        const photo = await photos.get(i)!;
        const before = await resultCount(page);
        await page.setInputFiles('#camera', { name: `photo-${i}.jpg`, mimeType: 'image/jpeg', buffer: photo.bytes });
        await waitForResult(page, before);
        const answer = await readAnswer(page);
        assert.equal(answer.label, String(labels[i]), `${mode}: photographed MNIST test digit ${i} (a ${labels[i]})`);
        const seen = await page.evaluate(() => {
          const main = document.querySelector('main')!;
          const img = document.getElementById('seen') as HTMLImageElement;
          return {
            method: main.dataset.method,
            box: main.dataset.box,
            hidden: document.getElementById('seen-figure')!.hidden,
            src: img.src,
            loaded: img.complete && img.naturalWidth,
            caption: document.getElementById('seen-caption')!.textContent,
          };
        });
        assert.equal(seen.method, 'photo');
        assert.equal(seen.hidden, false, 'the 28×28 image is shown beside the answer');
        assert.match(seen.src, /^data:image\/png;base64,/);
        assert.match(seen.caption ?? '', /found in a photo/);
        // The box is in the picture as the page read it: upright (EXIF applied), scaled down to 1024 px wide.
        const [x, y, w, h] = seen.box!.split(',').map(Number);
        const scale = 1024 / photo.width;
        assert.ok(
          x < 800 * scale && 800 * scale < x + w && y < 700 * scale && 700 * scale < y + h,
          `box ${seen.box} holds the digit's centre (${800 * scale}, ${700 * scale})`,
        );
      }
    }
    await switchMode('local');
    assert.deepEqual(pageErrors, []);
  },
);
