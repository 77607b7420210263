import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import * as ort from 'onnxruntime-node';
import { createRng } from '@onnxpipe/core';
import { checkOnnxModels } from '@onnxpipe/onnx/testing';
import { batchNormTraining } from './ops/batch-norm.js';
import { conv2d } from './ops/conv2d.js';
import { crossEntropy, logSoftmax } from './ops/cross-entropy.js';
import { dense } from './ops/dense.js';
import { dropout } from './ops/dropout.js';
import { flattenChannelsLast } from './ops/flatten.js';
import { maxPool, reluMaxPool } from './ops/max-pool.js';
import { relu } from './ops/relu.js';
import { ShapedGraph, size, type Value } from './shaped-graph.js';
import { Tape } from './tape.js';
import { encode } from './training-graph.js';

// Every gradient rule of the onnxruntime backend, each on its own small graph, against two
// independent computations: tfjs's `cpu` backend differentiating the same function with its own
// gradients (≤ 1e-5 of the largest value), and central finite differences of our graph's forward
// pass along a random direction (≤ 1e-3 relative: the forward pass runs in float32).

interface RuleInput {
  readonly name: string;
  readonly shape: number[];
  /** Values in the graph's layout; default: uniform in ±1. */
  readonly values?: (random: () => number) => Float32Array;
  /** Differentiated (a parameter, or an activation); masks and images are not. @defaultValue true */
  readonly differentiable?: boolean;
}

interface RuleCase {
  readonly name: string;
  readonly inputs: readonly RuleInput[];
  /** Our op, recorded on the tape. */
  build(tape: Tape, inputs: readonly Value[]): Value;
  /** The same function in tfjs on the inputs in the graph's layout (tfjs differentiates it). */
  reference(inputs: readonly tf.Tensor[]): tf.Tensor;
  /** Finite differences cross kinks (ties, ReLU at 0) when the inputs are built to have them. @defaultValue true */
  readonly finiteDifferences?: boolean;
  /** Step of the finite differences. @defaultValue 1e-2 */
  readonly epsilon?: number;
}

const uniform = (shape: number[]) => (random: () => number) =>
  Float32Array.from({ length: size(shape) }, () => random() * 2 - 1);
/** Values at least `gap` away from 0 (no ReLU kink within the finite-difference step). */
const awayFromZero =
  (shape: number[], gap = 0.1) =>
  (random: () => number) =>
    Float32Array.from({ length: size(shape) }, () => (random() < 0.5 ? -1 : 1) * (gap + random()));
/** Distinct values at least 0.05 apart (no max-pool tie within the finite-difference step). */
const distinct = (shape: number[]) => (random: () => number) => {
  const n = size(shape);
  const order = Array.from({ length: n }, (_, i) => i).sort(() => random() - 0.5);
  return Float32Array.from(order, (rank) => (rank - n / 2) * 0.05);
};
/** Few levels, many ties, some all-negative windows: what MNIST's flat background produces. */
const tied = (shape: number[]) => (random: () => number) =>
  Float32Array.from({ length: size(shape) }, () => [-0.5, 0, 0.25, 0.25, 0.75][Math.floor(random() * 5)]);

const nhwc = (x: tf.Tensor) => tf.transpose(x, [0, 2, 3, 1]);
const nchw = (x: tf.Tensor) => tf.transpose(x, [0, 3, 1, 2]);

const cases: RuleCase[] = [
  {
    name: 'conv2d valid 3×3 with bias',
    inputs: [
      { name: 'x', shape: [2, 3, 7, 6] },
      { name: 'kernel', shape: [3, 3, 3, 4] },
      { name: 'bias', shape: [4] },
    ],
    build: (tape, [x, k, b]) => conv2d(tape, x, k, b, { kernelSize: 3, padding: 'valid' }),
    reference: ([x, k, b]) => nchw(tf.add(tf.conv2d(nhwc(x) as tf.Tensor4D, k as tf.Tensor4D, 1, 'valid'), b)),
  },
  {
    name: 'conv2d same 3×3 without bias',
    inputs: [
      { name: 'x', shape: [2, 2, 6, 5] },
      { name: 'kernel', shape: [3, 3, 2, 3] },
    ],
    build: (tape, [x, k]) => conv2d(tape, x, k, undefined, { kernelSize: 3, padding: 'same' }),
    reference: ([x, k]) => nchw(tf.conv2d(nhwc(x) as tf.Tensor4D, k as tf.Tensor4D, 1, 'same')),
  },
  {
    name: 'conv2d valid 5×5 on images (no input gradient)',
    inputs: [
      { name: 'x', shape: [3, 1, 9, 8], differentiable: false },
      { name: 'kernel', shape: [5, 5, 1, 2] },
      { name: 'bias', shape: [2] },
    ],
    build: (tape, [x, k, b]) => conv2d(tape, x, k, b, { kernelSize: 5, padding: 'valid' }),
    reference: ([x, k, b]) => nchw(tf.add(tf.conv2d(nhwc(x) as tf.Tensor4D, k as tf.Tensor4D, 1, 'valid'), b)),
  },
  {
    name: 'dense with bias',
    inputs: [
      { name: 'x', shape: [3, 5] },
      { name: 'kernel', shape: [5, 4] },
      { name: 'bias', shape: [4] },
    ],
    build: (tape, [x, k, b]) => dense(tape, x, k, b),
    reference: ([x, k, b]) => tf.add(tf.matMul(x as tf.Tensor2D, k as tf.Tensor2D), b),
  },
  {
    name: 'relu',
    inputs: [{ name: 'x', shape: [2, 3, 4, 4], values: awayFromZero([2, 3, 4, 4]) }],
    build: (tape, [x]) => relu(tape, x),
    reference: ([x]) => tf.relu(x),
  },
  {
    name: 'maxPool 2 (distinct values, odd sizes dropped)',
    inputs: [{ name: 'x', shape: [2, 3, 5, 7], values: distinct([2, 3, 5, 7]) }],
    build: (tape, [x]) => maxPool(tape, x, 2),
    reference: ([x]) => nchw(tf.maxPool(nhwc(x) as tf.Tensor4D, 2, 2, 'valid')),
  },
  {
    name: 'maxPool 2 with ties (first maximum in row-major order)',
    inputs: [{ name: 'x', shape: [2, 3, 6, 6], values: tied([2, 3, 6, 6]) }],
    build: (tape, [x]) => maxPool(tape, x, 2),
    reference: ([x]) => nchw(tf.maxPool(nhwc(x) as tf.Tensor4D, 2, 2, 'valid')),
    finiteDifferences: false,
  },
  {
    name: 'maxPool 3 with ties',
    inputs: [{ name: 'x', shape: [2, 2, 7, 6], values: tied([2, 2, 7, 6]) }],
    build: (tape, [x]) => maxPool(tape, x, 3),
    reference: ([x]) => nchw(tf.maxPool(nhwc(x) as tf.Tensor4D, 3, 3, 'valid')),
    finiteDifferences: false,
  },
  {
    name: 'relu then maxPool 2, folded (distinct values)',
    inputs: [{ name: 'x', shape: [2, 3, 6, 6], values: distinct([2, 3, 6, 6]) }],
    build: (tape, [x]) => reluMaxPool(tape, x, 2),
    reference: ([x]) => nchw(tf.maxPool(nhwc(tf.relu(x)) as tf.Tensor4D, 2, 2, 'valid')),
  },
  {
    name: 'relu then maxPool 2, folded, with ties and all-negative windows',
    inputs: [{ name: 'x', shape: [3, 4, 6, 6], values: tied([3, 4, 6, 6]) }],
    build: (tape, [x]) => reluMaxPool(tape, x, 2),
    reference: ([x]) => nchw(tf.maxPool(nhwc(tf.relu(x)) as tf.Tensor4D, 2, 2, 'valid')),
    finiteDifferences: false,
  },
  {
    name: 'batch normalisation over NCHW, batch statistics',
    inputs: [
      { name: 'x', shape: [3, 4, 3, 3] },
      { name: 'gamma', shape: [4] },
      { name: 'beta', shape: [4] },
    ],
    build: (tape, [x, gamma, beta]) => batchNormTraining(tape, x, gamma, beta, 1e-5),
    reference: ([x, gamma, beta]) => plainBatchNorm(x, gamma, beta, [0, 2, 3], [1, 4, 1, 1]),
    epsilon: 1e-3,
  },
  {
    name: 'batch normalisation over [B, C], batch statistics',
    inputs: [
      { name: 'x', shape: [6, 5] },
      { name: 'gamma', shape: [5] },
      { name: 'beta', shape: [5] },
    ],
    build: (tape, [x, gamma, beta]) => batchNormTraining(tape, x, gamma, beta, 1e-5),
    reference: ([x, gamma, beta]) => plainBatchNorm(x, gamma, beta, [0], [1, 5]),
    epsilon: 1e-3,
  },
  {
    name: 'dropout (mask as input)',
    inputs: [
      { name: 'x', shape: [2, 3, 4, 4] },
      {
        name: 'mask',
        shape: [2, 3, 4, 4],
        differentiable: false,
        values: (r) => Float32Array.from({ length: 96 }, () => (r() < 0.25 ? 0 : 4 / 3)),
      },
    ],
    build: (tape, [x, mask]) => dropout(tape, x, mask),
    reference: ([x, mask]) => tf.mul(x, mask),
  },
  {
    name: 'flatten in NHWC order',
    inputs: [{ name: 'x', shape: [2, 3, 2, 4] }],
    build: (tape, [x]) => flattenChannelsLast(tape, x),
    reference: ([x]) => tf.reshape(nhwc(x), [2, 24]),
  },
  {
    name: 'logSoftmax',
    inputs: [{ name: 'x', shape: [4, 10] }],
    build: (tape, [x]) => logSoftmax(tape, x),
    reference: ([x]) => tf.logSoftmax(x),
    epsilon: 1e-3,
  },
];

/** The batch normalisation formula in plain tfjs ops, differentiated by tfjs itself. */
function plainBatchNorm(
  x: tf.Tensor,
  gamma: tf.Tensor,
  beta: tf.Tensor,
  axes: number[],
  channelShape: number[],
): tf.Tensor {
  const mean = tf.mean(x, axes, true);
  const variance = tf.mean(tf.square(tf.sub(x, mean)), axes, true);
  const normalized = tf.mul(tf.sub(x, mean), tf.rsqrt(tf.add(variance, 1e-5)));
  return tf.add(tf.mul(normalized, tf.reshape(gamma, channelShape)), tf.reshape(beta, channelShape));
}

interface BuiltCase {
  readonly model: Uint8Array;
  readonly session: ort.InferenceSession;
  readonly differentiable: number[];
  readonly outputShape: readonly number[];
}

const built = new Map<string, BuiltCase>();

async function build(rule: RuleCase): Promise<BuiltCase> {
  const g = new ShapedGraph(rule.name.replace(/\W+/g, '_'));
  const tape = new Tape(g);
  const inputs = rule.inputs.map((input) => {
    const value = g.input(input.name, input.shape);
    if (input.differentiable !== false) tape.watch(value);
    return value;
  });
  const y = rule.build(tape, inputs);
  g.output(g.op('Identity', [y], y.shape, { output: 'y' }));
  const dy = g.input('dy', y.shape);
  const differentiable = rule.inputs.flatMap((input, i) => (input.differentiable === false ? [] : [i]));
  const grads = tape.gradients(
    [[y, dy]],
    differentiable.map((i) => inputs[i]),
  );
  grads.forEach((grad, k) => {
    assert.ok(grad !== undefined, `${rule.name}: no gradient for ${rule.inputs[differentiable[k]].name}`);
    g.output(g.op('Identity', [grad], grad.shape, { output: `grad:${rule.inputs[differentiable[k]].name}` }));
  });
  const model = encode(g);
  const session = await ort.InferenceSession.create(model, { intraOpNumThreads: 1 });
  return { model, session, differentiable, outputShape: y.shape };
}

async function run(
  rule: RuleCase,
  c: BuiltCase,
  values: readonly Float32Array[],
  dy: Float32Array,
): Promise<ort.InferenceSession.ReturnType> {
  const feeds: Record<string, ort.Tensor> = { dy: new ort.Tensor('float32', dy, [...c.outputShape]) };
  rule.inputs.forEach((input, i) => (feeds[input.name] = new ort.Tensor('float32', values[i], input.shape)));
  return c.session.run(feeds);
}

/** max |a − b| / max |b|, the tolerance measure of these tests. */
function relativeError(a: Float32Array, b: Float32Array | Int32Array | Uint8Array): number {
  let diff = 0;
  let scale = 0;
  for (let i = 0; i < b.length; i++) {
    diff = Math.max(diff, Math.abs(a[i] - b[i]));
    scale = Math.max(scale, Math.abs(b[i]));
  }
  return diff / Math.max(scale, 1e-30);
}

before(async () => {
  await tf.setBackend('cpu');
  for (const rule of cases) built.set(rule.name, await build(rule));
});

for (const [index, rule] of cases.entries()) {
  test(`${rule.name}: forward and gradients match tfjs cpu (≤ 1e-5), directional derivative matches finite differences (≤ 1e-3)`, async () => {
    const c = built.get(rule.name)!;
    const random = createRng(1000 + index).next;
    const values = rule.inputs.map((input) => (input.values ?? uniform(input.shape))(random));
    const dy = uniform([...c.outputShape])(random);
    const ours = await run(rule, c, values, dy);

    const tensors = rule.inputs.map((input, i) => tf.tensor(values[i], input.shape));
    const dyTensor = tf.tensor(dy, [...c.outputShape]);
    const expectedY = rule.reference(tensors);
    const expectedGrads = tf.grads((...xs: tf.Tensor[]) => {
      const all = tensors.map((t, i) => (c.differentiable.includes(i) ? xs[c.differentiable.indexOf(i)] : t));
      return tf.sum(tf.mul(rule.reference(all), dyTensor));
    })(c.differentiable.map((i) => tensors[i]));
    const yError = relativeError(ours.y.data as Float32Array, expectedY.dataSync() as Float32Array);
    assert.ok(yError <= 1e-5, `forward: ${yError}`);
    c.differentiable.forEach((i, k) => {
      const name = rule.inputs[i].name;
      const error = relativeError(
        ours[`grad:${name}`].data as Float32Array,
        expectedGrads[k].dataSync() as Float32Array,
      );
      assert.ok(error <= 1e-5, `gradient of ${name} vs tfjs cpu: ${error}`);
    });
    tf.dispose([...tensors, dyTensor, expectedY, ...expectedGrads]);

    if (rule.finiteDifferences === false) return;
    const epsilon = rule.epsilon ?? 1e-2;
    const loss = async (inputs: readonly Float32Array[]) => {
      const y = (await run(rule, c, inputs, dy)).y.data as Float32Array;
      let sum = 0;
      for (let j = 0; j < y.length; j++) sum += y[j] * dy[j];
      return sum;
    };
    for (const i of c.differentiable) {
      const direction = uniform(rule.inputs[i].shape)(random);
      const shifted = (sign: number) =>
        values.map((v, j) => (j === i ? v.map((x, e) => x + sign * epsilon * direction[e]) : v));
      const numeric = ((await loss(shifted(1))) - (await loss(shifted(-1)))) / (2 * epsilon);
      const grad = ours[`grad:${rule.inputs[i].name}`].data as Float32Array;
      const analytic = grad.reduce((s, g, e) => s + g * direction[e], 0);
      const error = Math.abs(numeric - analytic) / Math.max(Math.abs(analytic), 1e-3);
      assert.ok(
        error <= 1e-3,
        `${rule.inputs[i].name}: finite differences ${numeric}, gradient ${analytic} (relative ${error})`,
      );
    }
  });
}

test('cross-entropy: summed loss and its seed ∂(scale·loss)/∂logp match tfjs (label smoothing 0.1, scale 1/B)', async () => {
  const [b, classes] = [5, 10];
  const g = new ShapedGraph('cross_entropy');
  const tape = new Tape(g);
  const logp = tape.watch(g.input('logp', [b, classes]));
  const target = g.input('target', [b, classes]);
  const { loss, seed } = crossEntropy(tape, logp, target, 1 / b);
  g.output(g.op('Identity', [loss], [], { output: 'loss' }));
  g.output(g.op('Identity', [seed], seed.shape, { output: 'seed' }));
  const session = await ort.InferenceSession.create(encode(g));
  const random = createRng(7).next;
  const logits = tf.tensor2d(uniform([b, classes])(random), [b, classes]);
  const logProbabilities = tf.logSoftmax(logits);
  const labels = Int32Array.from({ length: b }, () => Math.floor(random() * classes));
  const smoothed = tf.add(tf.mul(tf.oneHot(tf.tensor1d(labels, 'int32'), classes), 0.9), 0.1 / classes);
  const ours = await session.run({
    logp: new ort.Tensor('float32', logProbabilities.dataSync() as Float32Array, [b, classes]),
    target: new ort.Tensor('float32', smoothed.dataSync() as Float32Array, [b, classes]),
  });
  const expectedLoss = tf.neg(tf.sum(tf.mul(logProbabilities, smoothed))).dataSync()[0];
  const expectedSeed = tf.grad((p: tf.Tensor) => tf.mul(tf.neg(tf.sum(tf.mul(p, smoothed))), 1 / b))(logProbabilities);
  assert.ok(Math.abs((ours.loss.data as Float32Array)[0] - expectedLoss) <= 1e-5 * Math.abs(expectedLoss));
  assert.ok(relativeError(ours.seed.data as Float32Array, expectedSeed.dataSync() as Float32Array) <= 1e-6);
  tf.dispose([logits, logProbabilities, smoothed, expectedSeed]);
  await session.release();
});

test('every rule graph passes onnx.checker (full_check, opset 17, IR 8)', () => {
  const models = new Map([...built].map(([name, c]) => [name.replace(/\W+/g, '_'), c.model]));
  assert.deepEqual(checkOnnxModels(models), []);
});
