import * as tf from '@tensorflow/tfjs';
import { createRng } from '@onnxpipe/core';

/**
 * The reference recipe's network (the PyTorch MNIST example, with 62 channels in conv2):
 * conv 1→32 3x3, ReLU, conv 32→62 3x3, ReLU, maxpool 2, dropout .25, flatten (8928),
 * dense 128, ReLU, dropout .5, dense 10, log-softmax. Tensors are NHWC, as tfjs wants.
 */
export interface ParameterSpec {
  /** Matches the tfjs layer weight name, so artifacts load into the Layers model. */
  readonly name: string;
  readonly shape: readonly number[];
  /** Inputs per output unit: PyTorch's default init draws U(−1/√fanIn, 1/√fanIn). */
  readonly fanIn: number;
}

export const IMAGE_SHAPE = [28, 28, 1] as const;
export const CLASS_COUNT = 10;
export const DROPOUT_RATES = { afterPool: 0.25, afterDense: 0.5 } as const;

export const PARAMETER_SPECS: readonly ParameterSpec[] = [
  { name: 'conv1/kernel', shape: [3, 3, 1, 32], fanIn: 9 },
  { name: 'conv1/bias', shape: [32], fanIn: 9 },
  { name: 'conv2/kernel', shape: [3, 3, 32, 62], fanIn: 288 },
  { name: 'conv2/bias', shape: [62], fanIn: 288 },
  { name: 'fc1/kernel', shape: [8928, 128], fanIn: 8928 },
  { name: 'fc1/bias', shape: [128], fanIn: 8928 },
  { name: 'fc2/kernel', shape: [128, 10], fanIn: 128 },
  { name: 'fc2/bias', shape: [10], fanIn: 128 },
];

/** Where each parameter lives in the flat buffer that workers and the optimizer share. */
export interface ParameterLayout {
  readonly offsets: readonly number[];
  readonly sizes: readonly number[];
  readonly total: number;
}

export function parameterLayout(specs: readonly ParameterSpec[] = PARAMETER_SPECS): ParameterLayout {
  const offsets: number[] = [];
  const sizes: number[] = [];
  let total = 0;
  for (const spec of specs) {
    const size = spec.shape.reduce((a, b) => a * b, 1);
    offsets.push(total);
    sizes.push(size);
    total += size;
  }
  return { offsets, sizes, total };
}

/** PyTorch's default initialisation (kaiming_uniform with a=√5 ≡ U(±1/√fanIn), same bound for biases). */
export function initializeParameters(into: Float32Array, random: () => number): void {
  const layout = parameterLayout();
  PARAMETER_SPECS.forEach((spec, i) => {
    const bound = 1 / Math.sqrt(spec.fanIn);
    const start = layout.offsets[i];
    for (let j = 0; j < layout.sizes[i]; j++) into[start + j] = (random() * 2 - 1) * bound;
  });
}

/** Views of the flat buffer as tensors (copied into the backend), in PARAMETER_SPECS order. */
export function parameterTensors(flat: Float32Array): tf.Tensor[] {
  const layout = parameterLayout();
  return PARAMETER_SPECS.map((spec, i) =>
    tf.tensor(flat.subarray(layout.offsets[i], layout.offsets[i] + layout.sizes[i]), spec.shape as number[]),
  );
}

export interface ForwardOptions {
  /** Dropout is applied only when a seed is given (training); inference passes none. */
  readonly dropoutSeed?: number;
}

/** Log-probabilities [n, 10] for NHWC images [n, 28, 28, 1]. */
export function forward(params: readonly tf.Tensor[], x: tf.Tensor4D, options: ForwardOptions = {}): tf.Tensor2D {
  const [w1, b1, w2, b2, w3, b3, w4, b4] = params;
  const c1 = tf.fused.conv2d({ x, filter: w1 as tf.Tensor4D, strides: 1, pad: 'valid', bias: b1, activation: 'relu' });
  const c2 = tf.fused.conv2d({ x: c1, filter: w2 as tf.Tensor4D, strides: 1, pad: 'valid', bias: b2, activation: 'relu' });
  let h: tf.Tensor = tf.maxPool(c2, 2, 2, 'valid');
  if (options.dropoutSeed !== undefined) h = dropout(h, DROPOUT_RATES.afterPool, options.dropoutSeed);
  h = tf.reshape(h, [h.shape[0], -1]);
  h = tf.fused.matMul({ a: h as tf.Tensor2D, b: w3 as tf.Tensor2D, bias: b3, activation: 'relu' });
  if (options.dropoutSeed !== undefined) h = dropout(h, DROPOUT_RATES.afterDense, options.dropoutSeed + 1);
  const logits = tf.add(tf.matMul(h as tf.Tensor2D, w4 as tf.Tensor2D), b4);
  return tf.logSoftmax(logits) as tf.Tensor2D;
}

/**
 * Inverted dropout, as PyTorch: zero with probability `rate`, scale the rest by 1/(1−rate). The
 * mask is drawn in one pass with our seeded RNG: tf.randomUniform plus a comparison, a cast and a
 * scaling cost four passes and ~5 % of a training step on wasm.
 */
function dropout(x: tf.Tensor, rate: number, seed: number): tf.Tensor {
  const random = createRng(seed).next;
  const scale = 1 / (1 - rate);
  const mask = new Float32Array(x.size);
  for (let i = 0; i < mask.length; i++) mask[i] = random() < rate ? 0 : scale;
  return tf.mul(x, tf.tensor(mask, x.shape));
}

/** Summed negative log-likelihood of the true classes (callers divide by the global batch). */
export function summedNll(logProbabilities: tf.Tensor2D, labels: tf.Tensor1D): tf.Scalar {
  const oneHot = tf.oneHot(labels, CLASS_COUNT);
  return tf.neg(tf.sum(tf.mul(logProbabilities, oneHot))) as tf.Scalar;
}
