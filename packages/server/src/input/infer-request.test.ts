import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseModelMetadata } from '@onnxpipe/core';
import { mnistMetadata } from '../testing/tiny-model.js';
import { encodeBytesElements, encodeFloat32, splitBinaryBody } from './binary-tensors.js';
import { itemsFromTensors, requestedOutput, type InferInputTensor, type InferRequestBody } from './infer-request.js';

// The checks of an Open Inference Protocol request against the model, without a model:
// every refusal is a 400 (or 413) naming the field, and accepted forms give the same items.

const metadata = parseModelMetadata(Object.entries(mnistMetadata()).map(([key, value]) => ({ key, value })));
const model = { inputName: 'input', outputName: 'log_probs', metadata };
const ramp = (n: number) => Array.from({ length: n * 784 }, (_, i) => (i % 784) / 784 - 0.5 + Math.floor(i / 784));
const body = (input: Partial<InferInputTensor>, rest: Partial<InferRequestBody> = {}): InferRequestBody => ({
  inputs: [{ name: 'input', shape: [2, 1, 28, 28], datatype: 'FP32', data: ramp(2), ...input }],
  ...rest,
});

function rejects(request: InferRequestBody, code: string, mentions: RegExp, binary?: Uint8Array): void {
  assert.throws(
    () => itemsFromTensors(request, model, 64, binary),
    (error: { code: string; message: string }) => {
      assert.equal(error.code, code);
      assert.match(error.message, mentions);
      return true;
    },
  );
}

test('flat and nested data give the same items, one per batch entry, as float32', () => {
  const flat = itemsFromTensors(body({}), model, 64);
  assert.equal(flat.length, 2);
  assert.ok(flat.every((item) => item instanceof Float32Array && item.length === 784));
  assert.deepEqual(Array.from(flat[1]), Array.from(Float32Array.from(ramp(2).slice(784))));
  const values = ramp(2);
  const nested = Array.from({ length: 2 }, (_, n) => [
    Array.from({ length: 28 }, (_, y) => values.slice(n * 784 + y * 28, n * 784 + y * 28 + 28)),
  ]);
  assert.deepEqual(itemsFromTensors(body({ data: nested }), model, 64), flat);
});

test('other numeric datatypes are converted, within their range', () => {
  const items = itemsFromTensors(
    body({ shape: [1, 1, 28, 28], datatype: 'UINT8', data: Array(784).fill(255) }),
    model,
    64,
  );
  assert.equal(items[0][0], 255);
  rejects(
    body({ shape: [1, 1, 28, 28], datatype: 'UINT8', data: [256, ...Array(783).fill(0)] }),
    'ONNXPIPE_SERVER_BAD_REQUEST',
    /inputs\[0\]\.data\[0\].*integer from 0 to 255.*UINT8; received 256/,
  );
  rejects(
    body({ shape: [1, 1, 28, 28], datatype: 'INT32', data: [0.5, ...Array(783).fill(0)] }),
    'ONNXPIPE_SERVER_BAD_REQUEST',
    /integer/,
  );
  rejects(
    body({ datatype: 'BYTES' }),
    'ONNXPIPE_SERVER_BAD_REQUEST',
    /'inputs\[0\]\.datatype' must be one of FP32, .*received "BYTES"/,
  );
  rejects(body({ datatype: 'BOOL' }), 'ONNXPIPE_SERVER_BAD_REQUEST', /received "BOOL"/);
});

test('name, count, shape, value count and values are checked, with the field named', () => {
  rejects(body({ name: 'x' }), 'ONNXPIPE_SERVER_BAD_REQUEST', /'inputs\[0\]\.name' must be "input".*received "x"/);
  rejects(
    { inputs: [body({}).inputs[0], body({}).inputs[0]] },
    'ONNXPIPE_SERVER_BAD_REQUEST',
    /'inputs' must hold one tensor/,
  );
  rejects(
    body({ shape: [2, 784] }),
    'ONNXPIPE_SERVER_BAD_REQUEST',
    /'inputs\[0\]\.shape' must be \[n, 1, 28, 28\] \(NCHW\).*received \[2, 784\]/,
  );
  rejects(body({ shape: [2, 3, 28, 28] }), 'ONNXPIPE_SERVER_BAD_REQUEST', /shape/);
  rejects(body({ shape: [0, 1, 28, 28], data: [] }), 'ONNXPIPE_SERVER_BAD_REQUEST', /n ≥ 1/);
  rejects(body({ shape: [3, 1, 28, 28] }), 'ONNXPIPE_SERVER_BAD_REQUEST', /must hold 2352 values.*received 1568/);
  rejects(
    body({ data: ['a', ...ramp(2).slice(1)] }),
    'ONNXPIPE_SERVER_BAD_REQUEST',
    /data\[0\].*finite number.*received "a"/,
  );
  rejects(body({ shape: [65, 1, 28, 28] }), 'ONNXPIPE_SERVER_TOO_MANY_ITEMS', /batch of 65.*at most 64/);
  const deep = [[[[[[[[[[0]]]]]]]]]];
  rejects(body({ shape: [1, 1, 28, 28], data: deep }), 'ONNXPIPE_SERVER_BAD_REQUEST', /nests arrays deeper/);
});

test('binary tensor data: split at the header length, little-endian FP32, sizes checked', () => {
  const values = ramp(1);
  const json = JSON.stringify({
    inputs: [{ name: 'input', shape: [1, 1, 28, 28], datatype: 'FP32', parameters: { binary_data_size: 784 * 4 } }],
  });
  const { json: text, binary } = splitBinaryBody(
    Buffer.concat([Buffer.from(json), encodeFloat32(values)]),
    String(Buffer.byteLength(json)),
  );
  const request = JSON.parse(text) as InferRequestBody;
  assert.deepEqual(Array.from(itemsFromTensors(request, model, 64, binary)[0]), Array.from(Float32Array.from(values)));
  rejects(
    request,
    'ONNXPIPE_SERVER_BAD_REQUEST',
    /binary_data_size.*784 FP32 values|must equal the bytes/,
    binary.subarray(4),
  );
  rejects(
    { inputs: [{ ...request.inputs[0], datatype: 'FP64' }] },
    'ONNXPIPE_SERVER_BAD_REQUEST',
    /must be FP32 for binary tensor data/,
    binary,
  );
  assert.throws(() => splitBinaryBody(Buffer.from('{}'), '99'), { code: 'ONNXPIPE_SERVER_BAD_REQUEST' });
  assert.throws(() => splitBinaryBody(Buffer.from('{}'), 'abc'), {
    code: 'ONNXPIPE_SERVER_BAD_REQUEST',
    message: /Inference-Header-Content-Length/,
  });
  assert.deepEqual([...encodeBytesElements(['ab'])], [2, 0, 0, 0, 97, 98]);
});

test('requested outputs: the model output by name, classification k capped at the label count, binary flag', () => {
  assert.deepEqual(requestedOutput(body({}), model), { binary: false });
  assert.deepEqual(requestedOutput(body({}, { parameters: { binary_data_output: true } }), model), { binary: true });
  assert.deepEqual(
    requestedOutput(body({}, { outputs: [{ name: 'log_probs', parameters: { classification: 99 } }] }), model),
    { binary: false, classification: 10 },
  );
  assert.throws(() => requestedOutput(body({}, { outputs: [{ name: 'probs' }] }), model), {
    code: 'ONNXPIPE_SERVER_BAD_REQUEST',
    message: /'outputs' may only name "log_probs"/,
  });
  assert.throws(
    () => requestedOutput(body({}, { outputs: [{ name: 'log_probs', parameters: { classification: 0 } }] }), model),
    { code: 'ONNXPIPE_SERVER_BAD_REQUEST', message: /classification/ },
  );
});
