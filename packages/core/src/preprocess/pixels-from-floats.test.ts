import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { MNIST_NORMALIZATION } from '../normalization.js';
import { pixelsFromFloats } from './pixels-from-floats.js';
import { preprocessDigit } from './preprocess-digit.js';

const ramp = Array.from({ length: 784 }, (_, i) => (i % 256) / 255);

describe('pixelsFromFloats', () => {
  it('reads 784 values in 0–1 as a 28×28 gray image', () => {
    const image = pixelsFromFloats(ramp);
    assert.equal(image.width, 28);
    assert.equal(image.height, 28);
    assert.equal(image.channels, 1);
    assert.deepEqual(
      [...image.data],
      ramp.map((v) => Math.round(v * 255)),
    );
  });

  it('reads values in 0–255 as they are, rounded', () => {
    const values = ramp.map((v) => v * 255);
    values[5] = 254.6;
    values[6] = 3.4;
    const image = pixelsFromFloats(values);
    assert.deepEqual([image.data[5], image.data[6], image.data[300]], [255, 3, 300 % 256]);
  });

  it('reads 28 rows of 28 the same as the flat list', () => {
    const rows = Array.from({ length: 28 }, (_, y) => ramp.slice(y * 28, (y + 1) * 28));
    assert.deepEqual(pixelsFromFloats(rows), pixelsFromFloats(ramp));
  });

  it('accepts typed arrays and an explicit scale', () => {
    const halves = new Float32Array(784).fill(0.5);
    assert.equal(pixelsFromFloats(halves).data[0], 128);
    assert.equal(pixelsFromFloats(halves, { scale: 'byte' }).data[0], 1);
    assert.equal(pixelsFromFloats(new Float64Array(16).fill(1), { size: 4 }).data[3], 255);
  });

  it('feeds skip mode', () => {
    const result = preprocessDigit(pixelsFromFloats(ramp), {
      normalization: MNIST_NORMALIZATION,
      skip: true,
    });
    assert.equal(result.input.length, 784);
  });

  const bad: [string, unknown, object?][] = [
    ['783 values', ramp.slice(1)],
    ['785 values', [...ramp, 0]],
    ['no values', []],
    ['27 rows', Array.from({ length: 27 }, () => new Array(28).fill(0))],
    ['a short row', Array.from({ length: 28 }, (_, y) => new Array(y === 9 ? 27 : 28).fill(0))],
    ['a NaN', ramp.map((v, i) => (i === 3 ? Number.NaN : v))],
    ['a string', ramp.map((v, i) => (i === 3 ? '0.5' : v))],
    ['normalised values (negative)', ramp.map((v) => (v - 0.1307) / 0.3081)],
    ['values above 255', ramp.map((v) => v * 300)],
    ['values above 1 for scale unit', ramp.map((v) => v * 255), { scale: 'unit' }],
    ['not an array', 42],
  ];
  for (const [name, values, opts] of bad) {
    it(`rejects ${name} with ONNXPIPE_CORE_BAD_IMAGE`, () => {
      assert.throws(() => pixelsFromFloats(values as number[], opts), {
        code: 'ONNXPIPE_CORE_BAD_IMAGE',
      });
    });
  }

  it('rejects a bad size or scale option with ONNXPIPE_CORE_INVALID_ARGUMENT', () => {
    assert.throws(() => pixelsFromFloats(ramp, { size: 0 }), {
      code: 'ONNXPIPE_CORE_INVALID_ARGUMENT',
    });
    assert.throws(() => pixelsFromFloats(ramp, { scale: 'percent' as 'unit' }), {
      code: 'ONNXPIPE_CORE_INVALID_ARGUMENT',
    });
  });
});
