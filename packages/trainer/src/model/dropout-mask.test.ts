import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createRng } from '@onnxpipe/core';
import { fillDropoutMask, fillDropoutMaskChannelsFirst } from './dropout-mask.js';

test('fillDropoutMask draws 0 with probability rate, else 1/(1 − rate), in order from createRng(seed).next() (every rate the recipes use)', () => {
  for (const rate of [0.25, 0.5, 0.2, 0.4]) {
    const mask = new Float32Array(10_000);
    fillDropoutMask(mask, rate, 42);
    const random = createRng(42).next;
    for (let i = 0; i < mask.length; i++)
      assert.equal(mask[i], random() < rate ? 0 : Math.fround(1 / (1 - rate)), `rate ${rate}, element ${i}`);
    const dropped = mask.filter((v) => v === 0).length / mask.length;
    assert.ok(Math.abs(dropped - rate) < 0.02, `rate ${rate}: dropped share ${dropped}`);
  }
});

test('the channels-first mask is the NHWC mask transposed to NCHW (same draws, same elements)', () => {
  const [b, c, h, w] = [3, 5, 4, 6];
  const nhwc = new Float32Array(b * h * w * c);
  const nchw = new Float32Array(nhwc.length);
  fillDropoutMask(nhwc, 0.5, 7);
  fillDropoutMaskChannelsFirst(nchw, [b, c, h, w], 0.5, 7);
  for (let n = 0; n < b; n++) {
    for (let k = 0; k < c; k++) {
      for (let y = 0; y < h; y++) {
        for (let x = 0; x < w; x++)
          assert.equal(nchw[((n * c + k) * h + y) * w + x], nhwc[((n * h + y) * w + x) * c + k]);
      }
    }
  }
  // [B, F] activations have one order only.
  const flat = new Float32Array(40);
  fillDropoutMaskChannelsFirst(flat, [4, 10], 0.5, 7);
  assert.deepEqual(flat, nhwc.subarray(0, 40));
});
