import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { MNIST_NORMALIZATION, preprocessDigit, type RawImage } from '@onnxpipe/core';
import { photoCondition } from '@onnxpipe/core/testing';
import {
  exifOrientationSegment,
  mnistHarnessUnavailableReason,
  mnistTestDataDir,
  openHarness,
  PHOTO_PAGE_SCRIPT,
  photoRoute,
  readMnistTestDigits,
  renderPhotos,
  type BrowserHarness,
  type HarnessGlobals,
  type PhotoPageGlobals,
  type ServedPhoto,
} from '../testing/index.js';

// Photos in the SDK, in real Chromium with the shipped model on wasm: `{ debug: true }` shows
// exactly what core's preprocessing gives in Node for the same pixels (an independent runtime),
// files are read upright by their EXIF orientation, and large photos are scaled down first.

const skip = mnistHarnessUnavailableReason() ?? false;
const COUNT = 4;
let harness: BrowserHarness;
const sets = new Map<string, ServedPhoto[]>();

/** An upright 240×160 scan with the digit ×4 at (16, 24), and the same turned 90° anticlockwise (160×240). */
function uprightAndSideways(digit: Uint8Array): [RawImage, RawImage] {
  const [w, h] = [240, 160];
  const upright = new Uint8Array(w * h).fill(255);
  for (let y = 0; y < 112; y++)
    for (let x = 0; x < 112; x++)
      upright[(24 + y) * w + 16 + x] = 255 - digit[Math.floor(y / 4) * 28 + Math.floor(x / 4)];
  // Anticlockwise: upright (x, y) lands at (y, w − 1 − x) of the sideways image (width h).
  const sideways = new Uint8Array(w * h);
  for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) sideways[(w - 1 - x) * h + y] = upright[y * w + x];
  return [
    { width: w, height: h, channels: 1, data: upright },
    { width: h, height: w, channels: 1, data: sideways },
  ];
}

before(async () => {
  if (skip !== false) return;
  const { images } = readMnistTestDigits(mnistTestDataDir()!, COUNT);
  const inks = images.map((data) => ({ width: 28, height: 28, data }));
  // Lossless photos (noise, uneven light): the page decodes exactly the pixels rendered here.
  sets.set(
    'noisy',
    renderPhotos(inks, photoCondition('gradient-50')).map(({ image }) => ({ image })),
  );
  const [upright, sideways] = uprightAndSideways(images[0]);
  sets.set('upright', [{ image: upright }]);
  sets.set('sideways', [{ image: sideways, jpegQuality: 95 }]);
  // A phone-sized photo: 3000×2000 of plain paper with the digit.
  const big = renderPhotos(inks.slice(0, 1), {
    ...photoCondition('plain'),
    sample: (ink) => ({
      scene: {
        ...photoCondition('plain').sample(ink, { next: () => 0, nextUint32: () => 0, nextInt: () => 0 }).scene,
        width: 3000,
        height: 2000,
        centerX: 1500,
        centerY: 1000,
        digitSize: 900,
      },
    }),
  });
  sets.set('big', big);
  harness = await openHarness({ routes: photoRoute(sets) });
  await harness.page.addScriptTag({ content: PHOTO_PAGE_SCRIPT });
});
after(async () => harness?.close());

test(
  '{ debug: true }: the box and the 28×28 image are what core gives in Node for the same photo, exactly',
  { skip },
  async () => {
    const answers = await harness.page.evaluate(
      async ({ url, count }) => {
        const page = globalThis as unknown as HarnessGlobals & PhotoPageGlobals;
        const classifier = await page.onnxpipe.createClassifier(url, { device: 'wasm' });
        const files = await Promise.all(Array.from({ length: count }, (_, i) => page.photoFile('noisy', i)));
        const { predictions } = await classifier.predict(files, { debug: true });
        const plain = await classifier.predict(files);
        await classifier.dispose();
        return Promise.all(
          predictions.map(async (p, i) => ({
            debug: p.debug!,
            label: p.label,
            plainHasDebug: 'debug' in plain.predictions[i],
            seen: await page.dataUrlPixels(p.debug!.image),
          })),
        );
      },
      { url: harness.modelUrl, count: COUNT },
    );
    for (const [i, answer] of answers.entries()) {
      const expected = preprocessDigit(sets.get('noisy')![i].image, { normalization: MNIST_NORMALIZATION });
      assert.equal(expected.method, 'photo');
      assert.equal(answer.debug.method, 'photo');
      assert.equal(answer.debug.inverted, true);
      assert.deepEqual([answer.debug.imageWidth, answer.debug.imageHeight], [256, 256]);
      const box = expected.box!;
      assert.deepEqual(answer.debug.box, { x: box.x0, y: box.y0, width: box.x1 - box.x0, height: box.y1 - box.y0 });
      assert.equal(answer.seen.width, 28);
      assert.deepEqual(answer.seen.pixels, Array.from(expected.pixels), `photo ${i}: the page saw what Node computes`);
      assert.equal(answer.plainHasDebug, false, 'no debug unless asked');
    }
    assert.deepEqual(harness.pageErrors, []);
  },
);

test('a JPEG stored sideways with EXIF orientation 6 is read upright, as the upright scan', { skip }, async () => {
  const answer = await harness.page.evaluate(
    async ({ url, segment }) => {
      const page = globalThis as unknown as HarnessGlobals & PhotoPageGlobals;
      const classifier = await page.onnxpipe.createClassifier(url, { device: 'wasm' });
      const sideways = await page.withExif(await page.photoFile('sideways', 0), segment);
      const upright = await page.photoFile('upright', 0);
      const [a, b] = (await classifier.predict([sideways, upright], { debug: true })).predictions;
      await classifier.dispose();
      return {
        a: a.debug!,
        b: b.debug!,
        labels: [a.label, b.label],
        seen: [await page.dataUrlPixels(a.debug!.image), await page.dataUrlPixels(b.debug!.image)],
      };
    },
    { url: harness.modelUrl, segment: exifOrientationSegment(6) },
  );
  assert.deepEqual([answer.a.imageWidth, answer.a.imageHeight], [240, 160], 'decoded upright');
  assert.ok(
    Math.abs(answer.a.box!.x - answer.b.box!.x) <= 2 && Math.abs(answer.a.box!.y - answer.b.box!.y) <= 2,
    `${JSON.stringify(answer.a.box)} vs ${JSON.stringify(answer.b.box)}`,
  );
  const meanAbs = answer.seen[0].pixels.reduce((sum, v, i) => sum + Math.abs(v - answer.seen[1].pixels[i]), 0) / 784;
  assert.ok(meanAbs <= 4, `mean |Δ| from the upright PNG ${meanAbs} levels (JPEG at 95)`);
  assert.equal(answer.labels[0], answer.labels[1]);
});

test(
  'a 3000×2000 photo is scaled down to maxImageSide (1024 by default) before preprocessing; options are checked',
  { skip },
  async () => {
    const answer = await harness.page.evaluate(async (url) => {
      const page = globalThis as unknown as HarnessGlobals & PhotoPageGlobals;
      const classifier = await page.onnxpipe.createClassifier(url, { device: 'wasm' });
      const big = await page.photoFile('big', 0);
      const byDefault = (await classifier.predict(big, { debug: true })).predictions[0];
      const smaller = (await classifier.predict(big, { debug: true, maxImageSide: 600 })).predictions[0];
      const badDebug = await page.catchError(() => classifier.predict(big, { debug: 'yes' as unknown as boolean }));
      const badSide = await page.catchError(() => classifier.predict(big, { maxImageSide: 10 }));
      await classifier.dispose();
      return {
        byDefault: byDefault.debug!,
        smaller: smaller.debug!,
        labels: [byDefault.label, smaller.label],
        badDebug,
        badSide,
      };
    }, harness.modelUrl);
    assert.deepEqual([answer.byDefault.imageWidth, answer.byDefault.imageHeight], [1024, 683]);
    assert.deepEqual([answer.smaller.imageWidth, answer.smaller.imageHeight], [600, 400]);
    assert.equal(answer.labels[0], answer.labels[1]);
    assert.equal(answer.badDebug.code, 'ONNXPIPE_WEB_INVALID_ARGUMENT');
    assert.match(answer.badDebug.message!, /'debug' must be one of true, false/);
    assert.equal(answer.badSide.code, 'ONNXPIPE_WEB_INVALID_ARGUMENT');
    assert.match(answer.badSide.message!, /'maxImageSide' must be an integer from 28 to 16384; received 10/);
  },
);
