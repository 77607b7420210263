import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { DIGIT_LABELS, FASHION_MNIST_LABELS } from './labels.js';
import {
  FASHION_MNIST_NORMALIZATION,
  MNIST_NORMALIZATION,
  normalizationTable,
  normalizePixels,
} from './normalization.js';

describe('normalizePixels', () => {
  const pixels = Uint8Array.from({ length: 256 }, (_, i) => i);

  for (const [name, norm] of [
    ['mnist', MNIST_NORMALIZATION],
    ['fashion-mnist', FASHION_MNIST_NORMALIZATION],
  ] as const) {
    it(`matches (p/255 - mean)/std in double precision for ${name} (max |Δ| ≤ 1e-6)`, () => {
      const out = normalizePixels(pixels, norm);
      let maxDelta = 0;
      for (let p = 0; p < 256; p++) {
        maxDelta = Math.max(maxDelta, Math.abs(out[p] - (p / 255 - norm.mean) / norm.std));
      }
      assert.ok(maxDelta <= 1e-6, `max |Δ| = ${maxDelta}`);
    });
  }

  it('maps background and full ink to the known MNIST endpoints', () => {
    const out = normalizePixels(Uint8Array.of(0, 255), MNIST_NORMALIZATION);
    assert.ok(Math.abs(out[0] - -0.4242129) <= 1e-6);
    assert.ok(Math.abs(out[1] - 2.8214867) <= 1e-6);
  });

  it('writes into a caller buffer of the same length and rejects a wrong length', () => {
    const out = new Float32Array(3);
    assert.equal(normalizePixels(Uint8Array.of(1, 2, 3), MNIST_NORMALIZATION, out), out);
    assert.throws(() => normalizePixels(Uint8Array.of(1, 2, 3), MNIST_NORMALIZATION, new Float32Array(4)), {
      code: 'ONNXPIPE_CORE_INVALID_ARGUMENT',
    });
  });

  it('rejects a non-positive std', () => {
    assert.throws(() => normalizationTable({ mean: 0, std: 0 }), {
      code: 'ONNXPIPE_CORE_INVALID_ARGUMENT',
    });
  });
});

describe('labels', () => {
  it('has ten classes per dataset in label order', () => {
    assert.deepEqual([...DIGIT_LABELS], ['0', '1', '2', '3', '4', '5', '6', '7', '8', '9']);
    assert.equal(FASHION_MNIST_LABELS.length, 10);
    assert.equal(FASHION_MNIST_LABELS[0], 'T-shirt/top');
    assert.equal(FASHION_MNIST_LABELS[9], 'Ankle boot');
  });
});
