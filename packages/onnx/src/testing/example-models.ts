import { createRng } from '@onnxpipe/core';
import { attr } from '../attributes.js';
import { createModel } from '../create-model.js';
import { TensorDataType } from '../data-type.js';
import { GraphBuilder } from '../graph-builder.js';
import type { OnnxModel } from '../model-types.js';

// Small models built with the builder, each with a plain-JS reference of the same maths, so a
// test can run the encoded bytes in a runtime and compare against an independent computation.
// (This file is isomorphic; only onnx-checker.ts in this folder needs Node.)

/** A runnable example model and the reference computation it should match. */
export interface ExampleModel {
  model: OnnxModel;
  inputName: string;
  outputName: string;
  /** Input dims for a batch of `batch` samples. */
  inputDims(batch: number): number[];
  /** Output dims for a batch of `batch` samples. */
  outputDims(batch: number): number[];
  /** The model's output for `input` (row-major, `inputDims(batch)`), computed in plain JS. */
  reference(input: Float32Array, batch: number): Float32Array;
}

function randomValues(length: number, rng: ReturnType<typeof createRng>): Float32Array {
  return Float32Array.from({ length }, () => rng.next() * 2 - 1);
}

const PRODUCER = { producerName: 'onnxpipe-tests', producerVersion: '0.1.0' } as const;

/**
 * `x: float32[N,3]` → Reshape (INT64 shape initializer `[-1, 3]`) → MatMul `W[3,4]` → Add
 * `b[4]` → Relu → Softmax(axis=1) → `probs: float32[N,4]`.
 */
export function buildMlpExample(options: { opset?: number; seed?: number } = {}): ExampleModel {
  const rng = createRng(options.seed ?? 1);
  const weights = randomValues(12, rng);
  const bias = randomValues(4, rng);

  const g = new GraphBuilder('mlp');
  const x = g.input('x', TensorDataType.FLOAT, ['N', 3]);
  const shape = g.initializer('shape', TensorDataType.INT64, [2], BigInt64Array.from([-1n, 3n]));
  const w = g.initializer('W', TensorDataType.FLOAT, [3, 4], weights);
  const b = g.initializer('b', TensorDataType.FLOAT, [4], bias);
  const [flat] = g.node('Reshape', [x, shape]);
  const [product] = g.node('MatMul', [flat!, w]);
  const [sum] = g.node('Add', [product!, b]);
  const [hidden] = g.node('Relu', [sum!]);
  g.node('Softmax', [hidden!], { outputs: ['probs'], attributes: [attr.int('axis', 1)] });
  g.output('probs', TensorDataType.FLOAT, ['N', 4]);

  const model = createModel({ graph: g.build(), opset: options.opset ?? 17, ...PRODUCER });
  return {
    model,
    inputName: 'x',
    outputName: 'probs',
    inputDims: (batch) => [batch, 3],
    outputDims: (batch) => [batch, 4],
    reference(input, batch) {
      const out = new Float32Array(batch * 4);
      for (let n = 0; n < batch; n++) {
        const row = new Array<number>(4);
        for (let j = 0; j < 4; j++) {
          let acc = bias[j]!;
          for (let k = 0; k < 3; k++) acc += input[n * 3 + k]! * weights[k * 4 + j]!;
          row[j] = Math.max(0, acc);
        }
        const max = Math.max(...row);
        const exps = row.map((v) => Math.exp(v - max));
        const total = exps.reduce((a, v) => a + v, 0);
        exps.forEach((e, j) => (out[n * 4 + j] = e / total));
      }
      return out;
    },
  };
}

/**
 * `image: float32[N,1,6,6]` → Conv(2 filters 3x3, pads 1) → Relu → MaxPool(2x2, stride 2) →
 * Flatten → Gemm(transB=1, bias from a Constant node's TENSOR attribute) → `logits: float32[N,3]`.
 * Uses INT, INTS, FLOAT, STRING and TENSOR attributes.
 */
export function buildCnnExample(options: { opset?: number; seed?: number } = {}): ExampleModel {
  const rng = createRng(options.seed ?? 2);
  const filters = randomValues(2 * 1 * 3 * 3, rng);
  const filterBias = randomValues(2, rng);
  const dense = randomValues(3 * 18, rng); // [3, 18], used transposed
  const denseBias = randomValues(3, rng);

  const g = new GraphBuilder('cnn');
  const image = g.input('image', TensorDataType.FLOAT, ['N', 1, 6, 6]);
  const w = g.initializer('conv.W', TensorDataType.FLOAT, [2, 1, 3, 3], filters);
  const b = g.initializer('conv.b', TensorDataType.FLOAT, [2], filterBias);
  const [conv] = g.node('Conv', [image, w, b], {
    name: 'conv',
    attributes: [
      attr.ints('kernel_shape', [3, 3]),
      attr.ints('pads', [1, 1, 1, 1]),
      attr.ints('strides', [1, 1]),
      attr.ints('dilations', [1, 1]),
      attr.int('group', 1),
      attr.string('auto_pad', 'NOTSET'),
    ],
  });
  const [relu] = g.node('Relu', [conv!]);
  const [pool] = g.node('MaxPool', [relu!], {
    attributes: [attr.ints('kernel_shape', [2, 2]), attr.ints('strides', [2, 2])],
  });
  const [flat] = g.node('Flatten', [pool!], { attributes: [attr.int('axis', 1)] });
  const denseW = g.initializer('dense.W', TensorDataType.FLOAT, [3, 18], dense);
  const [denseB] = g.node('Constant', [], {
    outputs: ['dense.b'],
    attributes: [attr.tensor('value', { name: 'dense.b', dataType: TensorDataType.FLOAT, dims: [3], data: denseBias })],
  });
  g.node('Gemm', [flat!, denseW, denseB!], {
    outputs: ['logits'],
    attributes: [attr.float('alpha', 1), attr.float('beta', 1), attr.int('transB', 1)],
  });
  g.output('logits', TensorDataType.FLOAT, ['N', 3]);

  const model = createModel({ graph: g.build(), opset: options.opset ?? 17, ...PRODUCER });
  return {
    model,
    inputName: 'image',
    outputName: 'logits',
    inputDims: (batch) => [batch, 1, 6, 6],
    outputDims: (batch) => [batch, 3],
    reference(input, batch) {
      const out = new Float32Array(batch * 3);
      for (let n = 0; n < batch; n++) {
        const pooled: number[] = []; // [2, 3, 3] flattened, as Flatten orders it
        for (let c = 0; c < 2; c++) {
          const at = (y: number, x: number): number => {
            let acc = filterBias[c]!;
            for (let ky = 0; ky < 3; ky++) {
              for (let kx = 0; kx < 3; kx++) {
                const iy = y + ky - 1;
                const ix = x + kx - 1;
                if (iy < 0 || iy >= 6 || ix < 0 || ix >= 6) continue;
                acc += input[n * 36 + iy * 6 + ix]! * filters[c * 9 + ky * 3 + kx]!;
              }
            }
            return Math.max(0, acc);
          };
          for (let py = 0; py < 3; py++) {
            for (let px = 0; px < 3; px++) {
              pooled.push(
                Math.max(
                  at(2 * py, 2 * px),
                  at(2 * py, 2 * px + 1),
                  at(2 * py + 1, 2 * px),
                  at(2 * py + 1, 2 * px + 1),
                ),
              );
            }
          }
        }
        for (let j = 0; j < 3; j++) {
          let acc = denseBias[j]!;
          for (let k = 0; k < 18; k++) acc += pooled[k]! * dense[j * 18 + k]!;
          out[n * 3 + j] = acc;
        }
      }
      return out;
    },
  };
}
