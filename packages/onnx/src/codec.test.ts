import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { attr } from './attributes.js';
import { createModel } from './create-model.js';
import { TensorDataType } from './data-type.js';
import { decodeModel } from './decode-model.js';
import { encodeModel } from './encode-model.js';
import { GraphBuilder } from './graph-builder.js';
import type { OnnxModel } from './model-types.js';
import { buildCnnExample } from './testing/example-models.js';
import { officialOnnxProtoMissing, parseOfficialOnnxProto } from './testing/official-onnx-proto.js';

// An independent codec: protobufjs driven by the official onnx.proto text, not our descriptor.
const needsProto = { skip: officialOnnxProtoMissing() ?? false };
const OfficialModel = parseOfficialOnnxProto()?.lookupType('onnx.ModelProto');

/** Encodes a ModelProto given as snake_case JSON with the official schema. */
function officialBytes(json: Record<string, unknown>): Uint8Array {
  const base = {
    ir_version: 8,
    opset_import: [{ domain: '', version: 17 }],
    graph: { name: 'g', output: [{ name: 'y', type: { tensor_type: { elem_type: 1, shape: { dim: [] } } } }] },
  };
  const message = OfficialModel!.fromObject({ ...base, ...json });
  return OfficialModel!.encode(message).finish();
}

function richModel(): OnnxModel {
  const g = new GraphBuilder('rich');
  const x = g.input('x', TensorDataType.FLOAT, ['batch', 3, '']);
  g.initializer('i64', TensorDataType.INT64, [3], BigInt64Array.from([-(2n ** 62n), 0n, 2n ** 63n - 1n]));
  g.initializer('u8', TensorDataType.UINT8, [2, 2], Uint8Array.from([0, 1, 254, 255]));
  g.initializer('i32', TensorDataType.INT32, [], Int32Array.from([-7]));
  g.initializer('f64', TensorDataType.DOUBLE, [2], Float64Array.from([Math.PI, -0]));
  g.initializer('half', TensorDataType.FLOAT16, [1], Uint16Array.from([0x3c00]));
  g.initializer('empty', TensorDataType.FLOAT, [0, 4], new Float32Array(0));
  g.node('Everything', [x, '', 'i64'], {
    name: 'custom',
    domain: 'ai.onnxpipe.test',
    outputs: ['y', 'z'],
    docString: 'a node with one attribute of each type',
    attributes: [
      attr.float('f', 0.25),
      attr.int('i', -(2 ** 53 - 1)),
      attr.string('s', 'grüße ✓'),
      attr.tensor('t', { name: 't', dataType: TensorDataType.INT8, dims: [2], data: Int8Array.from([-128, 127]) }),
      attr.floats('fs', [1.5, -2, 0]),
      attr.ints('is', [1, -1, 2 ** 40]),
      attr.strings('ss', ['a', '', 'ü']),
      attr.floats('empty_floats', []),
    ],
  });
  g.output('y', TensorDataType.FLOAT, ['batch', 3, '']);
  g.output('z', TensorDataType.INT64, []);
  const model = createModel({
    graph: g.build(),
    opset: 17,
    producerName: 'onnxpipe',
    producerVersion: '0.1.0',
    metadata: { labels: '0,1,2', 'mean std': '0.1307 0.3081' },
    docString: 'round trip',
    extraOpsets: [{ domain: 'ai.onnxpipe.test', version: 1 }],
  });
  return { ...model, domain: 'ai.onnxpipe', modelVersion: 3 };
}

describe('encodeModel / decodeModel', () => {
  it('round-trips a model with every attribute type, int64 tensors, metadata and symbolic dims', () => {
    const model = richModel();
    model.graph.valueInfo = [{ name: 'x', elemType: TensorDataType.FLOAT, shape: [], unknownRank: true }];
    model.graph.docString = 'graph doc';
    const decoded = decodeModel(encodeModel(model));
    assert.deepEqual(decoded, model);
    const i64 = decoded.graph.initializer.find((t) => t.name === 'i64');
    assert.ok(i64?.data instanceof BigInt64Array);
    assert.equal(i64.data[2], 2n ** 63n - 1n);
  });

  it('round-trips the CNN example exactly', () => {
    const { model } = buildCnnExample();
    assert.deepEqual(decodeModel(encodeModel(model)), model);
  });

  it('writes initializers as little-endian raw_data that the official schema reads back', needsProto, () => {
    const bytes = encodeModel(richModel());
    const object = OfficialModel!.toObject(OfficialModel!.decode(bytes), { longs: String }) as {
      ir_version: string;
      graph: { initializer: { name: string; raw_data: Uint8Array; float_data?: number[] }[] };
    };
    assert.equal(object.ir_version, '8');
    const i32 = object.graph.initializer.find((t) => t.name === 'i32');
    assert.deepEqual([...i32!.raw_data], [0xf9, 0xff, 0xff, 0xff]);
    const half = object.graph.initializer.find((t) => t.name === 'half');
    assert.deepEqual([...half!.raw_data], [0x00, 0x3c]);
    assert.equal(i32!.float_data, undefined);
  });

  it('returns a Uint8Array of its own, not a view into a shared pool', () => {
    const bytes = encodeModel(buildCnnExample().model);
    assert.equal(bytes.constructor, Uint8Array);
    assert.equal(bytes.byteOffset, 0);
    assert.equal(bytes.buffer.byteLength, bytes.byteLength);
  });

  it('decodes the typed data fields: float_data, int64_data, int32_data, double_data, uint64_data', needsProto, () => {
    const bytes = officialBytes({
      graph: {
        name: 'typed',
        initializer: [
          { name: 'f', data_type: 1, dims: [2], float_data: [1.5, -2] },
          { name: 'l', data_type: 7, dims: [2], int64_data: ['-9223372036854775808', '42'] },
          { name: 'b', data_type: 9, dims: [3], int32_data: [1, 0, 1] },
          { name: 'h', data_type: 10, dims: [1], int32_data: [0x3c00] },
          { name: 'd', data_type: 11, dims: [1], double_data: [0.1] },
          { name: 'u', data_type: 13, dims: [1], uint64_data: ['18446744073709551615'] },
          { name: 'u32', data_type: 12, dims: [1], uint64_data: [4294967295] },
        ],
        output: [{ name: 'f', type: { tensor_type: { elem_type: 1 } } }],
      },
    });
    const { graph } = decodeModel(bytes);
    const data = Object.fromEntries(graph.initializer.map((t) => [t.name, t.data]));
    assert.deepEqual(data.f, Float32Array.from([1.5, -2]));
    assert.deepEqual(data.l, BigInt64Array.from([-(2n ** 63n), 42n]));
    assert.deepEqual(data.b, Uint8Array.from([1, 0, 1]));
    assert.deepEqual(data.h, Uint16Array.from([0x3c00]));
    assert.deepEqual(data.d, Float64Array.from([0.1]));
    assert.deepEqual(data.u, BigUint64Array.from([2n ** 64n - 1n]));
    assert.deepEqual(data.u32, Uint32Array.from([4294967295]));
    assert.deepEqual(graph.output[0], { name: 'f', elemType: TensorDataType.FLOAT, shape: [], unknownRank: true });
  });

  it('infers the attribute type when an old file leaves it out', needsProto, () => {
    const bytes = officialBytes({
      graph: {
        node: [{ op_type: 'Flatten', input: ['x'], output: ['y'], attribute: [{ name: 'axis', i: 1 }] }],
        input: [{ name: 'x', type: { tensor_type: { elem_type: 1 } } }],
        output: [{ name: 'y', type: { tensor_type: { elem_type: 1 } } }],
      },
    });
    assert.deepEqual(decodeModel(bytes).graph.node[0]!.attribute, [{ name: 'axis', type: 'INT', i: 1 }]);
  });

  it('rejects garbage, truncated and empty buffers with ONNXPIPE_ONNX_DECODE_FAILED', () => {
    const good = encodeModel(buildCnnExample().model);
    const garbage = Uint8Array.from({ length: 256 }, (_, i) => (i * 131 + 7) & 0xff);
    for (const bytes of [
      good.subarray(0, good.length - 10),
      garbage,
      new Uint8Array(0),
      new TextEncoder().encode('hello'),
    ]) {
      assert.throws(() => decodeModel(bytes), { code: 'ONNXPIPE_ONNX_DECODE_FAILED' });
    }
    assert.throws(() => decodeModel('model.onnx' as unknown as Uint8Array), { code: 'ONNXPIPE_ONNX_INVALID_ARGUMENT' });
  });

  it('refuses values the API cannot represent, with specific codes', needsProto, () => {
    const unsafe = officialBytes({
      graph: {
        node: [{ op_type: 'X', output: ['y'], attribute: [{ name: 'big', type: 2, i: '9007199254740993' }] }],
        output: [{ name: 'y', type: { tensor_type: { elem_type: 1 } } }],
      },
    });
    assert.throws(() => decodeModel(unsafe), { code: 'ONNXPIPE_ONNX_UNSAFE_INTEGER' });
    const external = officialBytes({
      graph: { initializer: [{ name: 'w', data_type: 1, dims: [1], data_location: 1 }], output: [] },
    });
    assert.throws(() => decodeModel(external), { code: 'ONNXPIPE_ONNX_UNSUPPORTED_FEATURE' });
    const strings = officialBytes({
      graph: { initializer: [{ name: 's', data_type: 8, dims: [1], string_data: ['YQ=='] }] },
    });
    assert.throws(() => decodeModel(strings), { code: 'ONNXPIPE_ONNX_UNSUPPORTED_FEATURE' });
    const float8 = officialBytes({
      graph: { initializer: [{ name: 'e4m3', data_type: 17, dims: [1], raw_data: 'AA==' }] },
    });
    assert.throws(() => decodeModel(float8), { code: 'ONNXPIPE_ONNX_UNSUPPORTED_FEATURE' });
    const functions = officialBytes({ functions: [{ name: 'f', domain: 'local' }] });
    assert.throws(() => decodeModel(functions), { code: 'ONNXPIPE_ONNX_UNSUPPORTED_FEATURE' });
    const short = officialBytes({
      graph: { initializer: [{ name: 'w', data_type: 1, dims: [2], raw_data: Uint8Array.from([0, 0, 128, 63]) }] },
    });
    assert.throws(() => decodeModel(short), { code: 'ONNXPIPE_ONNX_BAD_TENSOR' });
  });

  it('checks what it encodes: tensor sizes and attribute values', () => {
    const model = buildCnnExample().model;
    const badTensor = structuredClone(model);
    badTensor.graph.initializer[0]!.dims = [2, 1, 3, 4];
    assert.throws(() => encodeModel(badTensor), { code: 'ONNXPIPE_ONNX_BAD_TENSOR' });
    const badAttr = structuredClone(model);
    badAttr.graph.node[0]!.attribute.push({ name: 'group', type: 'INT', i: 1.5 });
    assert.throws(() => encodeModel(badAttr), { code: 'ONNXPIPE_ONNX_INVALID_ARGUMENT' });
  });
});
