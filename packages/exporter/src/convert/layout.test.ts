import * as tf from '@tensorflow/tfjs';
import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { randomInput } from '../testing/random-weights.js';
import { flattenRowPermutation, hwioToOihw, onnxAxis, permuteRows, transpose2d } from './layout.js';
import { axisWindow } from './padding.js';

// The permutations are checked against tf.transpose / tf.reshape: an independent computation.
describe('layout helpers', () => {
  before(async () => {
    await tf.setBackend('cpu');
  });

  it('hwioToOihw equals tf.transpose(kernel, [3, 2, 0, 1])', () => {
    const dims = [3, 2, 4, 5];
    const kernel = randomInput(dims, 1);
    const expected = tf.transpose(tf.tensor(kernel, dims), [3, 2, 0, 1]).dataSync();
    assert.deepEqual(hwioToOihw(kernel, dims), expected);
  });

  it('transpose2d equals tf.transpose', () => {
    const m = randomInput([3, 7], 2);
    assert.deepEqual(transpose2d(m, 3, 7), tf.transpose(tf.tensor(m, [3, 7])).dataSync());
  });

  it('flattenRowPermutation maps an NCHW flatten onto the NHWC flatten', () => {
    const [h, w, c] = [3, 4, 2];
    const nhwc = tf.range(0, h * w * c).reshape([1, h, w, c]);
    const chwOrder = tf.transpose(nhwc, [0, 3, 1, 2]).dataSync();
    // chwOrder[r] is the value (= H,W,C index) found at C,H,W position r.
    assert.deepEqual([...flattenRowPermutation([h, w, c])], [...chwOrder]);
  });

  it('permuteRows gathers whole rows', () => {
    const kernel = Float32Array.from([0, 1, 10, 11, 20, 21]);
    assert.deepEqual([...permuteRows(kernel, 2, Int32Array.from([2, 0, 1]))], [20, 21, 0, 1, 10, 11]);
  });

  it('onnxAxis maps tfjs NHWC axes to NCHW positions', () => {
    const image = { name: 'x', layout: 'nchw', shape: [4, 5, 3] } as const;
    assert.deepEqual(
      [0, 1, 2, 3, -1, -3].map((a) => onnxAxis(image, a)),
      [0, 2, 3, 1, 1, 2],
    );
    const features = { name: 'y', layout: 'tf', shape: [7] } as const;
    assert.deepEqual(
      [1, -1].map((a) => onnxAxis(features, a)),
      [1, 1],
    );
  });

  it('axisWindow reproduces tfjs output sizes and puts the odd pad at the end', () => {
    for (const size of [5, 6, 7, 10]) {
      for (const kernel of [1, 2, 3, 4]) {
        for (const stride of [1, 2, 3]) {
          for (const padding of ['valid', 'same'] as const) {
            if (padding === 'valid' && kernel > size) continue;
            const x = tf.zeros([1, size, 1, 1]) as tf.Tensor4D;
            const y = tf.maxPool(x, [kernel, 1], [stride, 1], padding);
            const window = axisWindow(size, kernel, stride, 1, padding);
            assert.equal(window.outSize, y.shape[1], `${padding} in=${size} k=${kernel} s=${stride}`);
            assert.ok(window.after - window.before === 0 || window.after - window.before === 1);
          }
        }
      }
    }
    assert.deepEqual(axisWindow(10, 3, 2, 1, 'same'), { before: 0, after: 1, outSize: 5 });
    assert.deepEqual(axisWindow(9, 3, 1, 2, 'same'), { before: 2, after: 2, outSize: 9 });
  });
});
