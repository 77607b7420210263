import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { gunzipSync } from 'node:zlib';
import { FASHION_MNIST_NORMALIZATION, MNIST_NORMALIZATION } from '../normalization.js';
import { createRng, type Rng } from '../rng.js';
import { MNIST_TEST_IMAGES, mnistTestDir } from '../testing/mnist-file.js';
import { preprocessDigitReference, type ReferenceOptions } from '../testing/preprocess-digit-reference.js';
import { PREPROCESS_DEFAULTS, preprocessDigit } from './preprocess-digit.js';
import type { RawImage } from './raw-image.js';

// preprocessDigit is optimised (fused passes, cached weights, no per-step arrays); the browser
// and the server must still feed the model the same bytes as the straightforward version, kept
// in src/testing/. Exact equality of every output, on real digits and on adversarial inputs.
//
// The reference is the clean path (issue 15 added a photo path for images whose paper is not
// one value). Every comparison forces `method: 'clean'`, so the adversarial inputs — random
// noise, bars along two edges — still check the clean path bit for bit although `auto` now
// sends most of them to the photo path; and on the real digits (scaled, inverted, tinted, with
// alpha, on gray canvases) the default `auto` must give the very same bytes: it takes the clean
// path for every one of them, as before the photo path existed.

const DIGITS = 200;
const mnistDir = mnistTestDir();
const mnistFile = mnistDir === undefined ? undefined : join(mnistDir, MNIST_TEST_IMAGES);

function loadDigits(path: string, count: number): Uint8Array[] {
  const bytes = gunzipSync(readFileSync(path));
  return Array.from({ length: count }, (_, i) => bytes.subarray(16 + i * 784, 16 + (i + 1) * 784));
}

type Options = Partial<Omit<ReferenceOptions, 'normalization'>> & Pick<ReferenceOptions, 'normalization'>;

function assertSame(image: RawImage, options: Options, what: string, method: 'clean' | 'auto' = 'clean'): void {
  const resolved: ReferenceOptions = { ...PREPROCESS_DEFAULTS, ...options };
  const expected = preprocessDigitReference(image, resolved);
  const actual = preprocessDigit(image, method === 'clean' ? { ...options, method } : options);
  assert.notEqual(actual.method, 'photo', `${what}: ${method} took the clean path`);
  const where = `${what} (${image.width}×${image.height}×${image.channels}, ${JSON.stringify({ ...options, normalization: undefined })})`;
  assert.equal(actual.inverted, expected.inverted, `${where}: inverted`);
  assert.equal(actual.empty, expected.empty, `${where}: empty`);
  assert.ok(actual.pixels instanceof Uint8Array && actual.input instanceof Float32Array, `${where}: array types`);
  assert.equal(actual.pixels.length, expected.pixels.length, `${where}: pixel count`);
  const pixels = actual.pixels.findIndex((v, i) => v !== expected.pixels[i]);
  assert.equal(pixels, -1, `${where}: pixel ${pixels}: ${actual.pixels[pixels]} vs ${expected.pixels[pixels]}`);
  // Bit patterns, not values: -0 and 0, or two NaNs, must not pass for each other.
  const bits = new Uint32Array(actual.input.buffer, actual.input.byteOffset, actual.input.length);
  const expectedBits = new Uint32Array(expected.input.buffer, expected.input.byteOffset, expected.input.length);
  const input = bits.findIndex((v, i) => v !== expectedBits[i]);
  assert.equal(bits.length, expectedBits.length, `${where}: input length`);
  assert.equal(input, -1, `${where}: input ${input}`);
}

/** Nearest-neighbour resize of a gray image by any factor. */
function resizeNearest(data: Uint8Array, width: number, height: number, toWidth: number, toHeight: number): Uint8Array {
  const out = new Uint8Array(toWidth * toHeight);
  for (let y = 0; y < toHeight; y++) {
    const sy = Math.min(height - 1, Math.floor((y * height) / toHeight));
    for (let x = 0; x < toWidth; x++)
      out[y * toWidth + x] = data[sy * width + Math.min(width - 1, Math.floor((x * width) / toWidth))];
  }
  return out;
}

/** A gray image as 1–4 channels: gray + alpha carries `alpha`, colour channels are tinted. */
function withChannels(
  gray: Uint8Array,
  width: number,
  height: number,
  channels: 1 | 2 | 3 | 4,
  alpha?: (v: number, i: number) => number,
  rng?: Rng,
): RawImage {
  const data = new Uint8Array(width * height * channels);
  for (let i = 0; i < gray.length; i++) {
    const v = gray[i];
    const o = i * channels;
    if (channels <= 2) data[o] = v;
    else {
      const tint = rng === undefined ? 0 : rng.nextInt(21) - 10;
      data[o] = Math.max(0, Math.min(255, v + tint));
      data[o + 1] = v;
      data[o + 2] = Math.max(0, Math.min(255, v - tint));
    }
    if (channels === 2 || channels === 4) data[o + channels - 1] = alpha === undefined ? 255 : alpha(v, i);
  }
  return { width, height, channels, data };
}

function randomImage(rng: Rng, width: number, height: number, channels: 1 | 2 | 3 | 4): RawImage {
  const data = new Uint8Array(width * height * channels);
  const mode = rng.nextInt(4);
  for (let i = 0; i < data.length; i++) {
    // Full-range noise, two-level noise, or sparse specks on a flat background.
    data[i] =
      mode === 0
        ? rng.nextInt(256)
        : mode === 1
          ? rng.nextInt(2)
            ? 200
            : 40
          : mode === 2
            ? rng.nextInt(50) === 0
              ? rng.nextInt(256)
              : 128
            : 255 - rng.nextInt(8);
  }
  if ((channels === 2 || channels === 4) && rng.nextInt(3) === 0) {
    for (let i = channels - 1; i < data.length; i += channels) data[i] = 255; // opaque
  }
  return { width, height, channels, data };
}

const normalization = MNIST_NORMALIZATION;

describe('preprocessDigit is bit-identical to the reference implementation', () => {
  it(
    'on real MNIST digits: as published, inverted, enlarged, tinted, with alpha, off-centre',
    { skip: mnistFile === undefined && 'MNIST t10k images not found (set ONNXPIPE_DATA_DIR)' },
    () => {
      const digits = loadDigits(mnistFile!, DIGITS);
      const rng = createRng(7);
      digits.forEach((digit, n) => {
        const what = `digit ${n}`;
        const same = (image: RawImage, options: Options, label: string) => {
          assertSame(image, options, label);
          assertSame(image, options, `${label} (auto)`, 'auto');
        };
        same({ width: 28, height: 28, channels: 1, data: digit }, { normalization }, `${what} as published`);
        const inverted = digit.map((v) => 255 - v);
        const side = 28 + rng.nextInt(120);
        const big = resizeNearest(inverted, 28, 28, side, Math.round(side * (0.6 + rng.next())));
        const h = big.length / side;
        same(withChannels(big, side, h, 1), { normalization }, `${what} dark on white`);
        // Tinted RGB: the tint is ±10 levels per pixel, so the border is not one value; clean only.
        assertSame(withChannels(big, side, h, 3, undefined, rng), { normalization }, `${what} RGB`);
        same(withChannels(big, side, h, 4), { normalization }, `${what} opaque RGBA`);
        // Dark strokes on a transparent canvas, anti-aliased by alpha; light strokes likewise.
        same(
          withChannels(big, side, h, 4, (v) => 255 - v, rng),
          { normalization },
          `${what} RGBA strokes`,
        );
        same(
          withChannels(
            big.map((v) => 255 - v),
            side,
            h,
            2,
            (v) => v,
          ),
          { normalization },
          `${what} gray + alpha`,
        );
        // Off-centre on a larger mid-gray canvas, pencil-like contrast.
        const [cw, ch] = [side + rng.nextInt(90), h + rng.nextInt(90)];
        const canvas = new Uint8Array(cw * ch).fill(180);
        const [left, top] = [rng.nextInt(cw - side + 1), rng.nextInt(ch - h + 1)];
        for (let y = 0; y < h; y++)
          for (let x = 0; x < side; x++)
            canvas[(top + y) * cw + left + x] = 180 - ((180 - 40) * (255 - big[y * side + x])) / 255;
        same(withChannels(canvas, cw, ch, 1), { normalization, inkThreshold: rng.nextInt(60) }, `${what} on gray`);
        // Other output geometries.
        const outputSize = 1 + rng.nextInt(64);
        same(
          { width: 28, height: 28, channels: 1, data: digit },
          { normalization: FASHION_MNIST_NORMALIZATION, outputSize, fitSize: 1 + rng.nextInt(outputSize) },
          `${what} other sizes`,
        );
      });
    },
  );

  it('on random noise of every channel count and many sizes', () => {
    const rng = createRng(3);
    for (let n = 0; n < 600; n++) {
      const channels = (1 + rng.nextInt(4)) as 1 | 2 | 3 | 4;
      const [width, height] = [1 + rng.nextInt(n < 300 ? 12 : 90), 1 + rng.nextInt(n < 300 ? 12 : 90)];
      const outputSize = rng.nextInt(3) === 0 ? 1 + rng.nextInt(40) : 28;
      const fitSize = outputSize === 28 && rng.nextInt(2) === 0 ? 20 : 1 + rng.nextInt(outputSize);
      const inkThreshold = [0, 32, 31.5, 100, 254, 254.9][rng.nextInt(6)];
      assertSame(
        randomImage(rng, width, height, channels),
        { normalization, outputSize, fitSize, inkThreshold },
        `noise ${n}`,
      );
    }
  });

  it('on edge cases: 1×1, uniform, single pixels, extreme aspect ratios, thresholds, skip', () => {
    for (const channels of [1, 2, 3, 4] as const) {
      for (const value of [0, 1, 127, 128, 255]) {
        assertSame(
          { width: 1, height: 1, channels, data: new Uint8Array(channels).fill(value) },
          { normalization },
          '1×1',
        );
      }
    }
    for (const [width, height] of [
      [64, 64],
      [1, 300],
      [300, 1],
      [3, 2000],
      [2000, 3],
      [2, 2],
      [1, 2],
      [5, 7],
    ]) {
      assertSame(
        { width, height, channels: 1, data: new Uint8Array(width * height).fill(255) },
        { normalization },
        'uniform white',
      );
      assertSame(
        { width, height, channels: 4, data: new Uint8Array(width * height * 4) },
        { normalization },
        'all transparent',
      );
      // One ink pixel at many places, on white and on black.
      const step = Math.max(1, Math.floor((width * height) / 40));
      for (let p = 0; p < width * height; p += step) {
        for (const [paper, ink] of [
          [255, 0],
          [0, 255],
          [200, 160],
          [200, 167],
          [200, 168],
        ]) {
          const data = new Uint8Array(width * height).fill(paper);
          data[p] = ink;
          assertSame({ width, height, channels: 1, data }, { normalization }, `speck at ${p} (${ink} on ${paper})`);
        }
      }
      // A diagonal stroke across the whole image, and a bar along each edge.
      const diagonal = new Uint8Array(width * height).fill(255);
      for (let y = 0; y < height; y++) diagonal[y * width + Math.floor((y * width) / height)] = 0;
      assertSame({ width, height, channels: 1, data: diagonal }, { normalization }, 'diagonal');
      const edges = new Uint8Array(width * height).fill(255);
      edges.fill(0, 0, width);
      for (let y = 0; y < height; y++) edges[y * width + width - 1] = 0;
      assertSame({ width, height, channels: 1, data: edges }, { normalization }, 'edges');
    }
    // Contrast at, just above and just below the ink threshold, both polarities.
    for (const contrast of [31, 32, 33, 34]) {
      for (const [paper, sign] of [
        [100, 1],
        [100, -1],
        [0, 1],
        [255, -1],
      ]) {
        const data = new Uint8Array(30 * 30).fill(paper);
        for (let i = 100; i < 400; i += 7) data[i] = paper + sign * contrast;
        data[450] = paper + (sign * contrast) / 2;
        assertSame({ width: 30, height: 30, channels: 1, data }, { normalization }, `contrast ${contrast}`);
        assertSame(
          { width: 30, height: 30, channels: 1, data },
          { normalization, inkThreshold: contrast - 0.5 },
          `contrast ${contrast}, threshold below`,
        );
      }
    }
    // A Uint8ClampedArray (canvas ImageData) and a Buffer-like view at an offset.
    const rng = createRng(5);
    const base = randomImage(rng, 40, 30, 4);
    assertSame({ ...base, data: new Uint8ClampedArray(base.data) }, { normalization }, 'Uint8ClampedArray');
    const padded = new Uint8Array(base.data.length + 13);
    padded.set(base.data, 13);
    assertSame({ ...base, data: padded.subarray(13) }, { normalization }, 'view at an offset');
    // skip: already in MNIST format, for each channel count.
    for (const channels of [1, 2, 3, 4] as const) {
      assertSame(randomImage(rng, 28, 28, channels), { normalization, skip: true }, 'skip');
      assertSame(
        { width: 28, height: 28, channels, data: new Uint8Array(784 * channels) },
        { normalization, skip: true },
        'skip, black',
      );
    }
  });

  it('on repeated calls with other sizes in between (no state leaks from one call into the next)', () => {
    const rng = createRng(9);
    const images = Array.from({ length: 30 }, () => randomImage(rng, 2 + rng.nextInt(150), 2 + rng.nextInt(150), 1));
    for (let round = 0; round < 3; round++) {
      for (const image of images) assertSame(image, { normalization }, `round ${round}`);
    }
  });
});
