import { describeValue } from '@onnxpipe/core';
import { validateAttribute } from './attributes.js';
import { ONNXPIPE_ONNX_DECODE_FAILED, ONNXPIPE_ONNX_UNSUPPORTED_FEATURE } from './errors.js';
import type { OnnxAttribute } from './model-types.js';
import { toSafeNumber } from './proto-shapes.js';
import type { AttributeProtoObject } from './proto-shapes.js';
import { tensorFromProto, tensorToProto } from './tensor-codec.js';

/** `AttributeProto.AttributeType` wire values (onnx.proto). */
const WIRE_TYPE = {
  UNDEFINED: 0,
  FLOAT: 1,
  INT: 2,
  STRING: 3,
  TENSOR: 4,
  GRAPH: 5,
  FLOATS: 6,
  INTS: 7,
  STRINGS: 8,
  TENSORS: 9,
  GRAPHS: 10,
  SPARSE_TENSOR: 11,
  SPARSE_TENSORS: 12,
  TYPE_PROTO: 13,
  TYPE_PROTOS: 14,
} as const;

const WIRE_TYPE_NAME = new Map<number, string>(
  Object.entries(WIRE_TYPE).map(([name, value]) => [value, name]),
);

const utf8Encoder = new TextEncoder();
const utf8Decoder = new TextDecoder();

/** An {@link OnnxAttribute} as an `AttributeProto` object. */
export function attributeToProto(attribute: OnnxAttribute): AttributeProtoObject {
  validateAttribute(attribute);
  const { name } = attribute;
  switch (attribute.type) {
    case 'FLOAT':
      return { name, type: WIRE_TYPE.FLOAT, f: attribute.f };
    case 'INT':
      return { name, type: WIRE_TYPE.INT, i: attribute.i };
    case 'STRING':
      return { name, type: WIRE_TYPE.STRING, s: utf8Encoder.encode(attribute.s) };
    case 'TENSOR':
      return { name, type: WIRE_TYPE.TENSOR, t: tensorToProto(attribute.t) };
    case 'FLOATS':
      return { name, type: WIRE_TYPE.FLOATS, floats: attribute.floats.slice() };
    case 'INTS':
      return { name, type: WIRE_TYPE.INTS, ints: attribute.ints.slice() };
    case 'STRINGS':
      return {
        name,
        type: WIRE_TYPE.STRINGS,
        strings: attribute.strings.map((s) => utf8Encoder.encode(s)),
      };
  }
}

// IR version 1 files may leave `type` out; the field that is present tells it. Lists come last
// because an empty repeated field cannot be told apart from an absent one.
function inferType(proto: AttributeProtoObject): number {
  if (proto.f !== undefined) return WIRE_TYPE.FLOAT;
  if (proto.i !== undefined) return WIRE_TYPE.INT;
  if (proto.s !== undefined) return WIRE_TYPE.STRING;
  if (proto.t !== undefined) return WIRE_TYPE.TENSOR;
  if (proto.g !== undefined) return WIRE_TYPE.GRAPH;
  if (proto.floats?.length) return WIRE_TYPE.FLOATS;
  if (proto.ints?.length) return WIRE_TYPE.INTS;
  if (proto.strings?.length) return WIRE_TYPE.STRINGS;
  if (proto.tensors?.length) return WIRE_TYPE.TENSORS;
  if (proto.graphs?.length) return WIRE_TYPE.GRAPHS;
  return WIRE_TYPE.UNDEFINED;
}

/**
 * A decoded `AttributeProto` as an {@link OnnxAttribute}.
 *
 * @throws ONNXPIPE_ONNX_UNSAFE_INTEGER for an INT(S) value a JS number cannot hold exactly
 * @throws ONNXPIPE_ONNX_UNSUPPORTED_FEATURE for GRAPH(S), TENSORS, SPARSE_TENSOR(S), TYPE_PROTO(S)
 * @throws ONNXPIPE_ONNX_DECODE_FAILED when the declared type's value is missing
 */
export function attributeFromProto(proto: AttributeProtoObject, where: string): OnnxAttribute {
  const name = proto.name ?? '';
  const here = `${where} attribute ${describeValue(name)}`;
  const type = proto.type !== undefined && proto.type !== WIRE_TYPE.UNDEFINED ? proto.type : inferType(proto);
  const missing = (field: string): never => {
    throw new ONNXPIPE_ONNX_DECODE_FAILED(`${here} has type ${WIRE_TYPE_NAME.get(type)} but no '${field}'`);
  };
  switch (type) {
    case WIRE_TYPE.FLOAT:
      return { name, type: 'FLOAT', f: proto.f ?? missing('f') };
    case WIRE_TYPE.INT:
      return { name, type: 'INT', i: toSafeNumber(proto.i ?? missing('i'), `${here}.i`) };
    case WIRE_TYPE.STRING:
      return { name, type: 'STRING', s: utf8Decoder.decode(proto.s ?? missing('s')) };
    case WIRE_TYPE.TENSOR:
      return { name, type: 'TENSOR', t: tensorFromProto(proto.t ?? missing('t'), `${here}.t`) };
    case WIRE_TYPE.FLOATS:
      return { name, type: 'FLOATS', floats: (proto.floats ?? []).slice() };
    case WIRE_TYPE.INTS:
      return {
        name,
        type: 'INTS',
        ints: (proto.ints ?? []).map((v, index) => toSafeNumber(v, `${here}.ints[${index}]`)),
      };
    case WIRE_TYPE.STRINGS:
      return { name, type: 'STRINGS', strings: (proto.strings ?? []).map((s) => utf8Decoder.decode(s)) };
    default:
      throw new ONNXPIPE_ONNX_UNSUPPORTED_FEATURE(
        `${WIRE_TYPE_NAME.get(type) ?? `unknown (${type})`} attributes (${here})`,
        'supported attribute types are FLOAT, INT, STRING, TENSOR, FLOATS, INTS, STRINGS',
      );
  }
}
