import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { describe, it } from 'node:test';
import { createRng } from '@onnxpipe/core';
import * as ort from 'onnxruntime-node';
import { TensorDataType } from './data-type.js';
import { decodeModel } from './decode-model.js';
import { encodeModel } from './encode-model.js';
import type { OnnxModel } from './model-types.js';
import { buildCnnExample, buildMlpExample } from './testing/example-models.js';
import type { ExampleModel } from './testing/example-models.js';
import { checkOnnxModel, ONNX_CHECKER_PYTHON } from './testing/onnx-checker.js';

// The encoded bytes are judged by two independent tools: onnxruntime runs them (and the result
// must match a plain-JS computation of the same maths), and onnx's own checker validates them.

const TOLERANCE = 1e-5;
const BATCH = 5;

function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  assert.equal(a.length, b.length);
  let max = 0;
  for (let i = 0; i < a.length; i++) max = Math.max(max, Math.abs(a[i]! - b[i]!));
  return max;
}

async function runFloat(bytes: Uint8Array, inputName: string, input: Float32Array, dims: number[]) {
  const session = await ort.InferenceSession.create(bytes);
  try {
    const results = await session.run({ [inputName]: new ort.Tensor('float32', input, dims) });
    return results[session.outputNames[0]!]!;
  } finally {
    await session.release();
  }
}

const examples: Array<[string, () => ExampleModel]> = [
  ['MatMul/Add/Relu/Softmax MLP at opset 17', () => buildMlpExample({ opset: 17 })],
  ['MatMul/Add/Relu/Softmax MLP at opset 13', () => buildMlpExample({ opset: 13 })],
  ['Conv/MaxPool/Flatten/Gemm CNN at opset 17', () => buildCnnExample({ opset: 17 })],
];

describe('encoded models in onnxruntime-node', () => {
  for (const [title, build] of examples) {
    it(`${title}: matches the JS reference within ${TOLERANCE}`, async () => {
      const example = build();
      const dims = example.inputDims(BATCH);
      const rng = createRng(7);
      const input = Float32Array.from({ length: dims.reduce((a, d) => a * d, 1) }, () => rng.next() * 4 - 2);
      const output = await runFloat(encodeModel(example.model), example.inputName, input, dims);
      assert.deepEqual(output.dims, example.outputDims(BATCH));
      const delta = maxAbsDiff(output.data as Float32Array, example.reference(input, BATCH));
      assert.ok(delta <= TOLERANCE, `max |Δ| = ${delta}`);
    });
  }

  it('runs a model written by onnx.helper (float_data, int64_data) after decode and re-encode', async () => {
    const script = `
import sys
from onnx import helper, TensorProto
w = helper.make_tensor('W', TensorProto.FLOAT, [2, 2], [1.0, 2.0, 3.0, 4.0])
s = helper.make_tensor('S', TensorProto.INT64, [2], [-1, 2])
nodes = [helper.make_node('MatMul', ['x', 'W'], ['h']), helper.make_node('Reshape', ['h', 'S'], ['y'])]
graph = helper.make_graph(nodes, 'py', [helper.make_tensor_value_info('x', TensorProto.FLOAT, ['N', 2])],
                          [helper.make_tensor_value_info('y', TensorProto.FLOAT, ['N', 2])], [w, s])
model = helper.make_model(graph, opset_imports=[helper.make_opsetid('', 17)], producer_name='onnx.helper')
model.ir_version = 8
sys.stdout.buffer.write(model.SerializeToString())
`;
    const pythonBytes = new Uint8Array(execFileSync(ONNX_CHECKER_PYTHON, ['-c', script]));
    const model = decodeModel(pythonBytes);
    assert.equal(model.producerName, 'onnx.helper');
    assert.deepEqual(model.graph.input[0]!.shape, ['N', 2]);
    const shape = model.graph.initializer.find((t) => t.name === 'S')!;
    assert.equal(shape.dataType, TensorDataType.INT64);
    assert.deepEqual(shape.data, BigInt64Array.from([-1n, 2n]));

    const input = Float32Array.from([1, 0, 0, 1, 2, 3]);
    const direct = await runFloat(pythonBytes, 'x', input, [3, 2]);
    const viaUs = await runFloat(encodeModel(model), 'x', input, [3, 2]);
    assert.deepEqual(viaUs.data, direct.data);
    assert.deepEqual([...(direct.data as Float32Array)], [1, 2, 3, 4, 11, 16]);
  });
});

describe('onnx.checker (python3-onnx 1.12, full_check=True)', () => {
  for (const [title, build] of examples) {
    it(`accepts the ${title}`, async () => {
      const result = await checkOnnxModel(encodeModel(build().model));
      assert.equal(result.ok, true, result.message);
    });
  }

  it('rejects a node that consumes an undefined tensor (so the check can fail)', async () => {
    const model: OnnxModel = structuredClone(buildMlpExample().model);
    model.graph.node[1]!.input[0] = 'no_such_tensor'; // bypasses the builder's validation
    const result = await checkOnnxModel(encodeModel(model));
    assert.equal(result.ok, false);
    assert.match(result.message, /no_such_tensor/);
  });

  it('rejects a declared output type that shape inference contradicts', async () => {
    const model: OnnxModel = structuredClone(buildCnnExample().model);
    model.graph.output[0]!.elemType = TensorDataType.INT64;
    const result = await checkOnnxModel(encodeModel(model));
    assert.equal(result.ok, false);
    assert.match(result.message, /Inferred elem type differs/);
  });
});
