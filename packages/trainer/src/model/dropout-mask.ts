import { createRng } from '@onnxpipe/core';

/**
 * Inverted dropout's mask, as PyTorch applies it: each element is 0 with probability `rate`,
 * else 1/(1 − rate), drawn in order from `createRng(seed)` — one pass, no tensor ops. Element i is
 * the i-th element of the activation in tfjs's NHWC order.
 */
export function fillDropoutMask(into: Float32Array, rate: number, seed: number): void {
  const random = createRng(seed).next;
  const scale = 1 / (1 - rate);
  for (let i = 0; i < into.length; i++) into[i] = random() < rate ? 0 : scale;
}

/**
 * The same mask as {@link fillDropoutMask} — the same draws in the same NHWC order — stored in
 * NCHW order for an activation of NCHW `shape` [B, C, H, W] (or [B, F], where both orders agree),
 * so that a channels-first graph drops exactly the elements the tfjs forward pass drops.
 */
export function fillDropoutMaskChannelsFirst(into: Float32Array, shape: readonly number[], rate: number, seed: number): void {
  if (shape.length !== 4) {
    fillDropoutMask(into, rate, seed);
    return;
  }
  const [b, c, h, w] = shape;
  const random = createRng(seed).next;
  const scale = 1 / (1 - rate);
  const plane = h * w;
  for (let n = 0; n < b; n++) {
    const image = n * c * plane;
    for (let p = 0; p < plane; p++) {
      for (let k = 0; k < c; k++) into[image + k * plane + p] = random() < rate ? 0 : scale;
    }
  }
}
