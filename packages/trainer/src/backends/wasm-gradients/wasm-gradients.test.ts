import { before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { registerWasmGradientKernels } from './register.js';

// Every kernel of ours is checked against tfjs's pure-JS `cpu` backend, an independent
// implementation, on random data, for each configuration it accepts.
const TOLERANCE = 1e-4;

before(async () => {
  registerWasmGradientKernels();
  await tf.setBackend('wasm');
});

function random(shape: number[], seed: number): { values: Float32Array; shape: number[] } {
  let state = seed >>> 0;
  const values = new Float32Array(shape.reduce((a, b) => a * b, 1)).map(() => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return state / 2 ** 32 - 0.5;
  });
  return { values, shape };
}

async function runOn(
  backend: 'cpu' | 'wasm',
  kernel: string,
  inputs: Record<string, { values: Float32Array; shape: number[] }>,
  attrs: object,
): Promise<{ values: Float32Array; shape: number[] }> {
  await tf.setBackend(backend);
  const tensors = Object.fromEntries(Object.entries(inputs).map(([k, v]) => [k, tf.tensor(v.values, v.shape)]));
  const out = tf.engine().runKernel(kernel, tensors, attrs as tf.NamedAttrMap) as tf.Tensor;
  const result = { values: (await out.data()) as Float32Array, shape: out.shape };
  tf.dispose([out, ...Object.values(tensors)]);
  return result;
}

async function assertMatchesCpu(
  kernel: string,
  inputs: Record<string, { values: Float32Array; shape: number[] }>,
  attrs: object,
) {
  const expected = await runOn('cpu', kernel, inputs, attrs);
  const actual = await runOn('wasm', kernel, inputs, attrs);
  assert.deepEqual(actual.shape, expected.shape);
  let maxError = 0;
  for (let i = 0; i < expected.values.length; i++) {
    maxError = Math.max(maxError, Math.abs(actual.values[i] - expected.values[i]));
  }
  assert.ok(maxError <= TOLERANCE, `${kernel} ${JSON.stringify(attrs)}: max |Δ| ${maxError} > ${TOLERANCE}`);
}

type Pad = 'valid' | 'same' | [[number, number], [number, number], [number, number], [number, number]];
const explicitPad: Pad = [
  [0, 0],
  [1, 2],
  [0, 1],
  [0, 0],
];
const convCases: {
  kernel: [number, number];
  strides: [number, number];
  pad: Pad;
  input: [number, number, number, number];
  co: number;
}[] = [];
for (const kernel of [
  [1, 1],
  [3, 3],
  [5, 3],
] as [number, number][]) {
  for (const strides of [
    [1, 1],
    [2, 2],
    [2, 1],
  ] as [number, number][]) {
    for (const pad of ['valid', 'same', explicitPad] as Pad[]) {
      convCases.push({ kernel, strides, pad, input: [3, 11, 10, 4], co: 5 });
    }
  }
}
// The reference network's own shapes.
convCases.push({ kernel: [3, 3], strides: [1, 1], pad: 'valid', input: [4, 28, 28, 1], co: 32 });
convCases.push({ kernel: [3, 3], strides: [1, 1], pad: 'valid', input: [4, 26, 26, 32], co: 62 });
// A batch that is not a multiple of the filter gradient's chunk of images, and padding with it.
convCases.push({ kernel: [3, 3], strides: [1, 1], pad: 'valid', input: [7, 12, 11, 5], co: 6 });
convCases.push({ kernel: [3, 5], strides: [1, 1], pad: explicitPad, input: [9, 10, 12, 3], co: 4 });

function convOutputShape(c: (typeof convCases)[number]): number[] {
  const info = tf.backend_util.computeConv2DInfo(
    c.input,
    [...c.kernel, c.input[3], c.co],
    c.strides,
    1,
    c.pad as never,
  );
  return info.outShape;
}

describe('Conv2DBackpropFilter (wasm) matches cpu', () => {
  for (const [i, c] of convCases.entries()) {
    test(`kernel ${c.kernel} strides ${c.strides} pad ${JSON.stringify(c.pad)} input ${c.input}`, async () => {
      const filterShape = [...c.kernel, c.input[3], c.co];
      await assertMatchesCpu(
        'Conv2DBackpropFilter',
        { x: random(c.input, i + 1), dy: random(convOutputShape(c), i + 100) },
        { strides: c.strides, pad: c.pad, dataFormat: 'NHWC', dimRoundingMode: undefined, filterShape },
      );
    });
  }
  test('refuses NCHW and dilations with a coded error', async () => {
    await tf.setBackend('wasm');
    const x = tf.zeros([1, 5, 5, 2]);
    const dy = tf.zeros([1, 3, 3, 2]);
    for (const attrs of [{ dataFormat: 'NCHW' }, { dataFormat: 'NHWC', dilations: 2 }] as tf.NamedAttrMap[]) {
      assert.throws(
        () =>
          tf
            .engine()
            .runKernel(
              'Conv2DBackpropFilter',
              { x, dy },
              { strides: 1, pad: 'valid', filterShape: [3, 3, 2, 2], ...attrs },
            ),
        (e: Error & { code?: string }) =>
          e.code === 'ONNXPIPE_TRAINER_UNSUPPORTED_KERNEL_CONFIG' && /must be/.test(e.message),
      );
    }
    tf.dispose([x, dy]);
  });
});

describe('Conv2DBackpropInput (wasm) matches cpu', () => {
  for (const [i, c] of convCases.entries()) {
    test(`kernel ${c.kernel} strides ${c.strides} pad ${JSON.stringify(c.pad)} input ${c.input}`, async () => {
      await assertMatchesCpu(
        'Conv2DBackpropInput',
        { dy: random(convOutputShape(c), i + 200), filter: random([...c.kernel, c.input[3], c.co], i + 300) },
        { strides: c.strides, pad: c.pad, dataFormat: 'NHWC', dimRoundingMode: undefined, inputShape: c.input },
      );
    });
  }
  test('refuses NCHW with a coded error', async () => {
    await tf.setBackend('wasm');
    const dy = tf.zeros([1, 2, 3, 3]);
    const filter = tf.zeros([3, 3, 2, 2]);
    assert.throws(
      () =>
        tf
          .engine()
          .runKernel(
            'Conv2DBackpropInput',
            { dy, filter },
            { strides: 1, pad: 'valid', dataFormat: 'NCHW', inputShape: [1, 2, 5, 5] },
          ),
      (e: Error & { code?: string }) => e.code === 'ONNXPIPE_TRAINER_UNSUPPORTED_KERNEL_CONFIG',
    );
    tf.dispose([dy, filter]);
  });
});

describe('MaxPoolGrad (wasm) matches cpu', () => {
  const cases: {
    filter: [number, number];
    strides: [number, number];
    pad: 'valid' | 'same';
    input: [number, number, number, number];
  }[] = [];
  for (const filter of [
    [2, 2],
    [3, 3],
    [3, 2],
  ] as [number, number][]) {
    for (const strides of [
      [1, 1],
      [2, 2],
      [3, 2],
    ] as [number, number][]) {
      for (const pad of ['valid', 'same'] as const) cases.push({ filter, strides, pad, input: [2, 9, 8, 3] });
    }
  }
  cases.push({ filter: [2, 2], strides: [2, 2], pad: 'valid', input: [4, 24, 24, 62] });
  const withTies = cases.length;
  // Coarsely quantised inputs put equal values in one window: the gradient must go to the same
  // (first) maximum as on cpu.
  cases.push({ filter: [2, 2], strides: [2, 2], pad: 'valid', input: [2, 8, 8, 5] });
  cases.push({ filter: [3, 3], strides: [2, 2], pad: 'same', input: [2, 9, 8, 3] });
  for (const [i, c] of cases.entries()) {
    const ties = i >= withTies;
    test(`filter ${c.filter} strides ${c.strides} pad ${c.pad} input ${c.input}${ties ? ' with ties' : ''}`, async () => {
      const input = random([...c.input], i + 400);
      if (ties) input.values.forEach((v, k) => (input.values[k] = Math.round(v * 2) / 2));
      await tf.setBackend('cpu');
      const x = tf.tensor4d(input.values, c.input);
      const pooled = tf.maxPool(x, c.filter, c.strides, c.pad);
      const output = { values: (await pooled.data()) as Float32Array, shape: [...pooled.shape] as number[] };
      tf.dispose([x, pooled]);
      await assertMatchesCpu(
        'MaxPoolGrad',
        { dy: random(output.shape, i + 500), input, output },
        { filterSize: c.filter, strides: c.strides, pad: c.pad, dimRoundingMode: undefined },
      );
    });
  }
});

describe('BatchMatMul with transposes (wasm) matches cpu', () => {
  const cases = [
    { a: [64, 37], b: [64, 12], transposeA: true, transposeB: false },
    { a: [64, 12], b: [37, 12], transposeA: false, transposeB: true },
    { a: [12, 64], b: [37, 12], transposeA: true, transposeB: true },
    { a: [3, 20, 7], b: [3, 20, 5], transposeA: true, transposeB: false },
    { a: [3, 7, 20], b: [1, 5, 20], transposeA: false, transposeB: true },
    { a: [9, 33], b: [33, 8], transposeA: false, transposeB: false },
    // Cheaper as the transposed product (op(B)ᵀ·op(A)ᵀ)ᵀ: fc1's input gradient, batched and broadcast.
    { a: [6, 12], b: [40, 12], transposeA: false, transposeB: true },
    { a: [3, 4, 20], b: [1, 50, 20], transposeA: false, transposeB: true },
    { a: [40, 6], b: [40, 5], transposeA: true, transposeB: false },
  ];
  for (const [i, c] of cases.entries()) {
    test(`a ${c.a} b ${c.b} transposeA ${c.transposeA} transposeB ${c.transposeB}`, async () => {
      await assertMatchesCpu('BatchMatMul', { a: random(c.a, i + 600), b: random(c.b, i + 700) }, c);
    });
  }
});

describe('Sum (wasm) matches cpu', () => {
  const cases = [
    { shape: [4, 6, 6, 7], axis: [0, 1, 2], keepDims: false },
    { shape: [4, 6, 6, 7], axis: [2, 0, 1], keepDims: true },
    { shape: [4, 6, 6, 7], axis: [-4, -3, -2], keepDims: false },
    { shape: [50, 9], axis: 0, keepDims: false },
    { shape: [4, 6, 7], axis: [1, 2], keepDims: false },
    { shape: [4, 6, 7], axis: [0, 2], keepDims: false },
    { shape: [4, 6, 7], axis: null, keepDims: false },
  ];
  for (const [i, c] of cases.entries()) {
    test(`shape ${c.shape} axis ${JSON.stringify(c.axis)} keepDims ${c.keepDims}`, async () => {
      await assertMatchesCpu(
        'Sum',
        { x: random(c.shape, i + 800) },
        { axis: c.axis ?? undefined, keepDims: c.keepDims },
      );
    });
  }
});

test('training gradients on wasm match cpu end to end (conv → relu → pool → dense)', async () => {
  const x = random([4, 12, 12, 2], 1);
  const w1 = random([3, 3, 2, 6], 2);
  const w2 = random([150, 3], 3);
  async function gradsOn(backend: 'cpu' | 'wasm') {
    await tf.setBackend(backend);
    const [tx, t1, t2] = [x, w1, w2].map((v) => tf.tensor(v.values, v.shape));
    const grads = tf.grads((a: tf.Tensor, b: tf.Tensor) =>
      tf.sum(
        tf.matMul(
          tf.reshape(
            tf.maxPool(tf.relu(tf.conv2d(tx as tf.Tensor4D, a as tf.Tensor4D, 1, 'valid')), 2, 2, 'valid'),
            [4, -1],
          ),
          b,
        ),
      ),
    )([t1, t2]);
    const values = await Promise.all(grads.map((g) => g.data()));
    tf.dispose([tx, t1, t2, ...grads]);
    return values;
  }
  const expected = await gradsOn('cpu');
  const actual = await gradsOn('wasm');
  expected.forEach((e, k) => {
    let maxError = 0;
    for (let i = 0; i < e.length; i++) maxError = Math.max(maxError, Math.abs(e[i] - actual[k][i]));
    assert.ok(maxError <= TOLERANCE, `gradient ${k}: max |Δ| ${maxError}`);
  });
});
