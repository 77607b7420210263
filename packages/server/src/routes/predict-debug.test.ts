import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PNG } from 'pngjs';
import sharp from 'sharp';
import { createRng, deriveSeed } from '@onnxpipe/core';
import { inkBoxInPhoto, photoCondition, renderPhoto, type InkImage } from '@onnxpipe/core/testing';
import { mnistTestDataDir, readMnistTestDigits } from '@onnxpipe/data/testing';
import { encodeDigit } from '../testing/digit-images.js';
import { encodePhoto } from '../testing/photo-images.js';
import { createTestApp } from '../testing/test-app.js';

// ?debug=1 on POST /predict: the crop box found and the 28×28 image the model saw. Boxes are
// checked against where the test put the digit; the image against the model's input, which
// the fixture model's forward pass recomputes from it independently.

const dataDir = mnistTestDataDir();
const NEED_DATA = dataDir === undefined ? 'the MNIST test files are missing: set ONNXPIPE_DATA_DIR' : false;
const digits = dataDir === undefined ? { images: [], labels: [] } : readMnistTestDigits(dataDir, 3);

interface Debug {
  method: string;
  inverted: boolean;
  box: { x: number; y: number; width: number; height: number } | null;
  imageWidth: number;
  imageHeight: number;
  image: string;
}
interface Prediction {
  label: string;
  empty?: boolean;
  debug?: Debug;
}

/** Decodes a debug image (a grayscale PNG data URL) with pngjs: its side and gray values. */
function decodeDebugImage(url: string): { side: number; pixels: number[] } {
  assert.match(url, /^data:image\/png;base64,[A-Za-z0-9+/]+=*$/);
  const png = PNG.sync.read(Buffer.from(url.slice(url.indexOf(',') + 1), 'base64'));
  assert.equal(png.width, png.height);
  return { side: png.width, pixels: Array.from({ length: png.width * png.height }, (_, i) => png.data[i * 4]) };
}

function centreOfMass(pixels: number[], side: number): { x: number; y: number } {
  let [total, sx, sy] = [0, 0, 0];
  pixels.forEach((v, i) => {
    total += v;
    sx += v * (i % side);
    sy += v * Math.floor(i / side);
  });
  return { x: sx / total, y: sy / total };
}

/** Bounding box of the non-zero pixels of an MNIST digit, in its 28×28 frame (exclusive ends). */
function mnistInkBox(pixels: Uint8Array): { x0: number; y0: number; x1: number; y1: number } {
  let [x0, y0, x1, y1] = [28, 28, 0, 0];
  pixels.forEach((v, i) => {
    if (v === 0) return;
    const [x, y] = [i % 28, Math.floor(i / 28)];
    [x0, y0, x1, y1] = [Math.min(x0, x), Math.min(y0, y), Math.max(x1, x + 1), Math.max(y1, y + 1)];
  });
  return { x0, y0, x1, y1 };
}

async function predict(
  app: Awaited<ReturnType<typeof createTestApp>>['app'],
  url: string,
  bytes: Buffer,
  type: string,
) {
  const response = await app.inject({ method: 'POST', url, headers: { 'content-type': type }, payload: bytes });
  return { statusCode: response.statusCode, body: response.json<{ predictions: Prediction[]; code?: string }>() };
}

test(
  'debug=1 on a scan: the clean path, the box around the digit where it was drawn, the 28×28 image centred',
  { skip: NEED_DATA },
  async () => {
    const { app, close } = await createTestApp();
    try {
      for (const [n, digit] of digits.images.entries()) {
        // Dark on white, ×4 with a 24-px margin: the digit's ink lies at 24 + 4 × its MNIST box.
        const { statusCode, body } = await predict(
          app,
          '/predict?debug=1',
          await encodeDigit(digit, { scale: 4, margin: 24 }),
          'image/png',
        );
        assert.equal(statusCode, 200);
        const debug = body.predictions[0].debug!;
        assert.deepEqual(
          [debug.method, debug.inverted, debug.imageWidth, debug.imageHeight],
          ['clean', true, 160, 160],
        );
        const ink = mnistInkBox(digit);
        const box = debug.box!;
        // The cubic resize spreads each edge by up to 2 px (its kernel's reach at ×4); faint
        // spreading below the ink threshold is cut.
        for (const [found, expected] of [
          [box.x, 24 + 4 * ink.x0],
          [box.y, 24 + 4 * ink.y0],
          [box.x + box.width, 24 + 4 * ink.x1],
          [box.y + box.height, 24 + 4 * ink.y1],
        ]) {
          assert.ok(
            Math.abs(found - expected) <= 3,
            `digit ${n}: box ${JSON.stringify(box)} vs ink ${JSON.stringify(ink)}`,
          );
        }
        const { side, pixels } = decodeDebugImage(debug.image);
        assert.equal(side, 28);
        const com = centreOfMass(pixels, 28);
        assert.ok(Math.hypot(com.x - 14, com.y - 14) <= Math.SQRT1_2 + 1e-9, `centre of mass ${JSON.stringify(com)}`);
      }
    } finally {
      await close();
    }
  },
);

test(
  'debug=1 on a noisy, unevenly lit JPEG photo: the photo path, the box where the digit is',
  { skip: NEED_DATA },
  async () => {
    const { app, close } = await createTestApp();
    try {
      const condition = photoCondition('photo');
      for (const [n, data] of digits.images.entries()) {
        const ink: InkImage = { width: 28, height: 28, data };
        const rng = createRng(deriveSeed(21, n));
        const { scene, jpegQuality } = condition.sample(ink, rng);
        const file = await encodePhoto(renderPhoto(ink, scene, rng), jpegQuality);
        const { statusCode, body } = await predict(app, '/predict?debug=true', file.bytes, file.type);
        assert.equal(statusCode, 200);
        const { debug, empty } = body.predictions[0];
        assert.equal(empty, undefined, 'a digit was found');
        assert.deepEqual(
          [debug!.method, debug!.inverted, debug!.imageWidth, debug!.imageHeight],
          ['photo', true, 256, 256],
        );
        // The box is where the scene put the ink, give or take the working plane's 2 px grain, the
        // kept soft edge and the blur.
        const box = debug!.box!;
        const truth = inkBoxInPhoto(ink, scene);
        const off = Math.max(
          ...[
            [box.x, truth.x0],
            [box.y, truth.y0],
            [box.x + box.width, truth.x1],
            [box.y + box.height, truth.y1],
          ].map(([a, b]) => Math.abs(a - b)),
        );
        assert.ok(off <= 8, `digit ${n}: box ${JSON.stringify(box)}, ink at ${JSON.stringify(truth)}`);
      }
    } finally {
      await close();
    }
  },
);

test('debug=1 on a blank photo and on preprocess=none pixels: empty with no box; skip', async () => {
  const { app, close } = await createTestApp();
  try {
    const blank: InkImage = { width: 28, height: 28, data: new Uint8Array(784) };
    const rng = createRng(3);
    const { scene, jpegQuality } = photoCondition('gradient-noise-jpeg').sample(blank, rng);
    const file = await encodePhoto(renderPhoto(blank, scene, rng), jpegQuality);
    const { body } = await predict(app, '/predict?debug=1', file.bytes, file.type);
    const [prediction] = body.predictions;
    assert.equal(prediction.empty, true);
    assert.equal(prediction.debug!.method, 'photo');
    assert.equal(prediction.debug!.box, null);
    assert.ok(
      decodeDebugImage(prediction.debug!.image).pixels.every((v) => v === 0),
      'the model saw a blank image',
    );

    const pixels = Array.from({ length: 784 }, (_, i) => (i % 29 === 0 ? 255 : 0));
    const none = await app.inject({ method: 'POST', url: '/predict?debug=1', payload: { pixels, preprocess: 'none' } });
    const debug = none.json<{ predictions: Prediction[] }>().predictions[0].debug!;
    assert.deepEqual([debug.method, debug.box, debug.imageWidth, debug.imageHeight], ['skip', null, 28, 28]);
    assert.deepEqual(decodeDebugImage(debug.image).pixels, pixels, 'the image is the input as given');
  } finally {
    await close();
  }
});

test('without debug (or debug=0) there is no debug field; debug=maybe is a coded 400', async () => {
  const { app, close } = await createTestApp();
  try {
    const pixels = new Array(784).fill(0);
    for (const url of ['/predict', '/predict?debug=0', '/predict?debug=false']) {
      const response = await app.inject({ method: 'POST', url, payload: { pixels } });
      assert.equal(response.statusCode, 200);
      assert.equal('debug' in response.json<{ predictions: Prediction[] }>().predictions[0], false, url);
    }
    const bad = await app.inject({ method: 'POST', url: '/predict?debug=maybe', payload: { pixels } });
    assert.equal(bad.statusCode, 400);
    assert.equal(bad.json<{ code: string }>().code, 'ONNXPIPE_SERVER_BAD_REQUEST');
  } finally {
    await close();
  }
});

test(
  'EXIF orientation is honoured: a JPEG stored sideways with orientation 6 is read upright (size and box)',
  { skip: NEED_DATA },
  async () => {
    const { app, close } = await createTestApp();
    try {
      // Upright: 240×160, the digit ×4 (112 px) in the left part, at (16, 24).
      const digit = digits.images[0];
      const upright = await sharp(Buffer.from(digit.map((v) => 255 - v)), {
        raw: { width: 28, height: 28, channels: 1 },
      })
        .resize(112, 112, { kernel: 'cubic' })
        .extend({
          left: 16,
          top: 24,
          right: 240 - 16 - 112,
          bottom: 160 - 24 - 112,
          background: { r: 255, g: 255, b: 255 },
        })
        .toColourspace('srgb')
        .png()
        .toBuffer();
      // Stored turned 90° anticlockwise (160×240), tagged "rotate 90° clockwise to display".
      const sideways = await sharp(upright)
        .rotate(270)
        .jpeg({ quality: 95 })
        .withMetadata({ orientation: 6 })
        .toBuffer();
      const stored = await sharp(sideways).metadata();
      assert.deepEqual([stored.width, stored.height, stored.orientation], [160, 240, 6]);

      const { body } = await predict(app, '/predict?debug=1', sideways, 'image/jpeg');
      const debug = body.predictions[0].debug!;
      assert.deepEqual([debug.imageWidth, debug.imageHeight], [240, 160], 'decoded upright');
      const ink = mnistInkBox(digit);
      assert.ok(
        Math.abs(debug.box!.x - (16 + 4 * ink.x0)) <= 3 && Math.abs(debug.box!.y - (24 + 4 * ink.y0)) <= 3,
        `box ${JSON.stringify(debug.box)}`,
      );
      // And the model saw the digit as the upright scan gives it.
      const reference = await predict(app, '/predict?debug=1', upright, 'image/png');
      const [a, b] = [
        decodeDebugImage(debug.image).pixels,
        decodeDebugImage(reference.body.predictions[0].debug!.image).pixels,
      ];
      const meanAbs = a.reduce((sum, v, i) => sum + Math.abs(v - b[i]), 0) / a.length;
      assert.ok(meanAbs <= 4, `mean |Δ| from the upright PNG ${meanAbs} levels (JPEG at 95)`);
    } finally {
      await close();
    }
  },
);
