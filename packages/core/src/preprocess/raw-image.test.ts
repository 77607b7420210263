import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { MNIST_NORMALIZATION } from '../normalization.js';
import { preprocessDigit } from './preprocess-digit.js';
import { assertRawImage, MAX_IMAGE_SIDE, type RawImage } from './raw-image.js';
import { toGrayscale } from './grayscale.js';

const options = { normalization: MNIST_NORMALIZATION };
const good: RawImage = { width: 3, height: 2, channels: 1, data: new Uint8Array(6) };

describe('image validation', () => {
  it('accepts Uint8Array, Uint8ClampedArray and subclasses of them', () => {
    class Bytes extends Uint8Array {}
    for (const data of [new Uint8Array(6), new Uint8ClampedArray(6), new Bytes(6)]) {
      assert.doesNotThrow(() => assertRawImage({ ...good, data }));
    }
  });

  const bad: [string, unknown][] = [
    ['no image', null],
    ['width 0', { ...good, width: 0 }],
    ['fractional width', { ...good, width: 1.5, data: new Uint8Array(3) }],
    ['negative height', { ...good, height: -2 }],
    ['NaN height', { ...good, height: Number.NaN }],
    ['string width', { ...good, width: '3' }],
    ['width beyond the maximum', { ...good, width: MAX_IMAGE_SIDE + 1 }],
    ['too many pixels', { ...good, width: 16_000, height: 16_000 }],
    ['5 channels', { ...good, channels: 5, data: new Uint8Array(30) }],
    ['0 channels', { ...good, channels: 0, data: new Uint8Array(0) }],
    ['data one byte short', { ...good, data: new Uint8Array(5) }],
    ['data for RGB on a gray image', { ...good, data: new Uint8Array(18) }],
    ['plain array data', { ...good, data: [0, 0, 0, 0, 0, 0] }],
    ['float data', { ...good, data: new Float32Array(6) }],
    ['signed bytes', { ...good, data: new Int8Array(6) }],
    ['missing data', { ...good, data: undefined }],
  ];
  for (const [name, image] of bad) {
    it(`rejects ${name} with ONNXPIPE_CORE_BAD_IMAGE (400)`, () => {
      for (const run of [
        () => assertRawImage(image as RawImage),
        () => toGrayscale(image as RawImage),
        () => preprocessDigit(image as RawImage, options),
        () => preprocessDigit(image as RawImage, { ...options, skip: true }),
      ]) {
        assert.throws(run, { code: 'ONNXPIPE_CORE_BAD_IMAGE', statusCode: 400 });
      }
    });
  }
});

describe('option validation', () => {
  const image: RawImage = { width: 28, height: 28, channels: 1, data: new Uint8Array(784) };
  const bad: [string, unknown][] = [
    ['no options', undefined],
    ['no normalization', {}],
    ['std 0', { normalization: { mean: 0.1, std: 0 } }],
    ['NaN mean', { normalization: { mean: Number.NaN, std: 1 } }],
    ['fitSize above outputSize', { ...options, fitSize: 29 }],
    ['fitSize 0', { ...options, fitSize: 0 }],
    ['fractional outputSize', { ...options, outputSize: 27.5 }],
    ['inkThreshold 255', { ...options, inkThreshold: 255 }],
    ['negative inkThreshold', { ...options, inkThreshold: -1 }],
    ['string skip', { ...options, skip: 'yes' }],
  ];
  for (const [name, opts] of bad) {
    it(`rejects ${name} with ONNXPIPE_CORE_INVALID_ARGUMENT`, () => {
      assert.throws(() => preprocessDigit(image, opts as typeof options), {
        code: 'ONNXPIPE_CORE_INVALID_ARGUMENT',
      });
    });
  }
});
