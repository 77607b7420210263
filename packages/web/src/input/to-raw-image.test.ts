import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  mnistHarnessUnavailableReason,
  mnistTestDataDir,
  openHarness,
  readMnistTestDigits,
  type BrowserHarness,
  type HarnessGlobals,
} from '../testing/index.js';

// Every input type predict() takes, in real Chromium with the shipped model on wasm: each form
// of the same pixels must give exactly the prediction of those pixels as raw numbers.

const dataDir = mnistTestDataDir();
const skip = mnistHarnessUnavailableReason() ?? false;
let harness: BrowserHarness;

before(async () => {
  if (skip === false) harness = await openHarness();
});
after(async () => harness?.close());

test(
  'canvas, OffscreenCanvas, ImageData, ImageBitmap, <img>, Blob, Float32Array and number[] of the same pixels predict alike',
  { skip },
  async () => {
    const { images, labels } = readMnistTestDigits(dataDir!, 3);
    const results = await harness.page.evaluate(
      async ({ url, images }) => {
        const sdk = (globalThis as unknown as HarnessGlobals).onnxpipe;
        const classifier = await sdk.createClassifier(url, { device: 'wasm' });
        const out = [];
        for (const bytes of images) {
          // The digit as the user would draw it: dark ink on white, 4× larger, as RGBA.
          const side = 112;
          const rgba = new Uint8ClampedArray(side * side * 4);
          for (let y = 0; y < side; y++) {
            for (let x = 0; x < side; x++) {
              const v = 255 - bytes[Math.floor(y / 4) * 28 + Math.floor(x / 4)];
              rgba.set([v, v, v, 255], (y * side + x) * 4);
            }
          }
          const imageData = new ImageData(rgba, side, side);
          const canvas = Object.assign(document.createElement('canvas'), { width: side, height: side });
          canvas.getContext('2d')!.putImageData(imageData, 0, 0);
          const offscreen = new OffscreenCanvas(side, side);
          offscreen.getContext('2d')!.putImageData(imageData, 0, 0);
          const bitmap = await createImageBitmap(imageData);
          const blob = await offscreen.convertToBlob({ type: 'image/png' });
          const file = new File([blob], 'digit.png', { type: 'image/png' });
          const image = new Image();
          image.src = URL.createObjectURL(blob);
          await image.decode();
          const forms = { canvas, offscreen, imageData, bitmap, blob, file, image };
          const single: Record<string, unknown> = {};
          for (const [name, input] of Object.entries(forms))
            single[name] = (await classifier.predict(input)).predictions[0];
          const many = (await classifier.predict(Object.values(forms))).predictions;
          // The 28×28 original as raw pixels: bytes, unit floats, and as a single-form batch.
          const raw = {
            numbers: (await classifier.predict(Array.from(bytes))).predictions[0],
            float32: (await classifier.predict(Float32Array.from(bytes, (v) => v / 255))).predictions[0],
            rawImageData: (
              await classifier.predict(
                new ImageData(Uint8ClampedArray.from(bytes.flatMap((v) => [v, v, v, 255])), 28, 28),
              )
            ).predictions[0],
          };
          const rawMany = (await classifier.predict([Array.from(bytes), Float32Array.from(bytes, (v) => v / 255)]))
            .predictions;
          out.push({ single, many, names: Object.keys(forms), raw, rawMany });
        }
        await classifier.dispose();
        return out;
      },
      { url: harness.modelUrl, images: images.map((image) => Array.from(image)) },
    );
    for (const [i, { single, many, names, raw, rawMany }] of results.entries()) {
      const reference = single.imageData as { label: string };
      assert.equal(reference.label, String(labels[i]), `digit ${i} is a ${labels[i]}`);
      for (const [j, name] of names.entries()) {
        assert.deepEqual(single[name], reference, `digit ${i}: ${name} predicts as the ImageData of the same pixels`);
        assert.deepEqual(many[j], reference, `digit ${i}: ${name} in an array predicts as alone`);
      }
      assert.deepEqual(raw.float32, raw.numbers, `digit ${i}: Float32Array in 0–1 predicts as number[] in 0–255`);
      assert.deepEqual(raw.rawImageData, raw.numbers, `digit ${i}: gray RGBA ImageData predicts as its raw pixels`);
      assert.deepEqual(rawMany, [raw.numbers, raw.numbers], `digit ${i}: raw pixels in an array predict as alone`);
      assert.equal(raw.numbers.label, String(labels[i]));
    }
    assert.deepEqual(harness.pageErrors, []);
  },
);
