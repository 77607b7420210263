import * as tf from '@tensorflow/tfjs';
import { createRng } from '@onnxpipe/core';
import type { Rng } from '@onnxpipe/core';

function uniform(rng: Rng, count: number, low: number, high: number): Float32Array {
  const out = new Float32Array(count);
  for (let i = 0; i < count; i++) out[i] = low + (high - low) * rng.next();
  return out;
}

/**
 * Replaces every weight of `model` with seeded random values of a sensible scale: kernels
 * U(±1/√fanIn) as PyTorch initialises them (so activations stay O(1) through deep stacks and
 * float32 rounding stays far below test tolerances), biases and BN shifts/means U(±0.5), BN
 * scales and variances U(0.5, 1.5). tfjs's own initialisers leave biases and BN statistics at
 * 0/1, which would hide a dropped bias or a misplaced statistic.
 */
export function randomizeWeights(model: tf.LayersModel, seed: number): void {
  const rng = createRng(seed);
  const values = model.weights.map((variable) => {
    const shape = variable.shape as number[];
    const count = shape.reduce((a, b) => a * b, 1);
    const shortName = variable.originalName.slice(variable.originalName.lastIndexOf('/') + 1);
    let data: Float32Array;
    if (shortName === 'gamma' || shortName === 'moving_variance') data = uniform(rng, count, 0.5, 1.5);
    else if (shape.length === 1) data = uniform(rng, count, -0.5, 0.5);
    else {
      const bound = 1 / Math.sqrt(count / shape[shape.length - 1]);
      data = uniform(rng, count, -bound, bound);
    }
    return tf.tensor(data, shape);
  });
  model.setWeights(values);
  tf.dispose(values);
}

/** Seeded U(low, high) input of `shape` (batch included), e.g. for `model.predict`. */
export function randomInput(shape: readonly number[], seed: number, low = -1, high = 1): Float32Array {
  return uniform(
    createRng(seed),
    shape.reduce((a, b) => a * b, 1),
    low,
    high,
  );
}

/** `[N, H, W, C]` → `[N, C, H, W]`, for feeding tfjs-layout data to an NCHW graph. */
export function nhwcToNchw(data: Float32Array, [n, h, w, c]: readonly number[]): Float32Array {
  const out = new Float32Array(data.length);
  for (let b = 0; b < n; b++) {
    for (let y = 0; y < h; y++) {
      for (let x = 0; x < w; x++) {
        for (let ch = 0; ch < c; ch++) out[((b * c + ch) * h + y) * w + x] = data[((b * h + y) * w + x) * c + ch];
      }
    }
  }
  return out;
}

/** `[N, C, H, W]` → `[N, H, W, C]`. */
export function nchwToNhwc(data: Float32Array, [n, c, h, w]: readonly number[]): Float32Array {
  const out = new Float32Array(data.length);
  for (let b = 0; b < n; b++) {
    for (let ch = 0; ch < c; ch++) {
      for (let y = 0; y < h; y++) {
        for (let x = 0; x < w; x++) out[((b * h + y) * w + x) * c + ch] = data[((b * c + ch) * h + y) * w + x];
      }
    }
  }
  return out;
}

/**
 * A Sequential model on `inputShape` (batch excluded) with {@link randomizeWeights} applied.
 *
 * @example
 * ```ts
 * const model = randomSequential([8, 8, 2], [tf.layers.conv2d({ filters: 3, kernelSize: 3 })], 7);
 * ```
 */
export function randomSequential(inputShape: number[], layers: tf.layers.Layer[], seed: number): tf.LayersModel {
  const model = tf.sequential({ layers: [tf.layers.inputLayer({ inputShape }), ...layers] });
  randomizeWeights(model, seed);
  return model;
}
