import { describeValue } from '@onnxpipe/core';
import { validateAttribute } from './attributes.js';
import { ONNXPIPE_ONNX_DECODE_FAILED, ONNXPIPE_ONNX_UNSUPPORTED_FEATURE } from './errors.js';
import type { OnnxAttribute } from './model-types.js';
import { toSafeNumber } from './proto-messages.js';
import type { AttributeProtoObject } from './proto-messages.js';
import { ATTRIBUTE_TYPE } from './onnx-schema.js';
import { tensorFromProto, tensorToProto } from './tensor-codec.js';

const WIRE_TYPE_NAME = new Map<number, string>(Object.entries(ATTRIBUTE_TYPE).map(([name, value]) => [value, name]));

const utf8Encoder = new TextEncoder();
const utf8Decoder = new TextDecoder();

/** An {@link OnnxAttribute} as an `AttributeProto` object. */
export function attributeToProto(attribute: OnnxAttribute): AttributeProtoObject {
  validateAttribute(attribute);
  const { name } = attribute;
  switch (attribute.type) {
    case 'FLOAT':
      return { name, type: ATTRIBUTE_TYPE.FLOAT, f: attribute.f };
    case 'INT':
      return { name, type: ATTRIBUTE_TYPE.INT, i: attribute.i };
    case 'STRING':
      return { name, type: ATTRIBUTE_TYPE.STRING, s: utf8Encoder.encode(attribute.s) };
    case 'TENSOR':
      return { name, type: ATTRIBUTE_TYPE.TENSOR, t: tensorToProto(attribute.t) };
    case 'FLOATS':
      return { name, type: ATTRIBUTE_TYPE.FLOATS, floats: attribute.floats.slice() };
    case 'INTS':
      return { name, type: ATTRIBUTE_TYPE.INTS, ints: attribute.ints.slice() };
    case 'STRINGS':
      return {
        name,
        type: ATTRIBUTE_TYPE.STRINGS,
        strings: attribute.strings.map((s) => utf8Encoder.encode(s)),
      };
  }
}

// IR version 1 files may leave `type` out; the field that is present tells it. Lists come last
// because an empty repeated field cannot be told apart from an absent one.
function inferType(proto: AttributeProtoObject): number {
  if (proto.f !== undefined) return ATTRIBUTE_TYPE.FLOAT;
  if (proto.i !== undefined) return ATTRIBUTE_TYPE.INT;
  if (proto.s !== undefined) return ATTRIBUTE_TYPE.STRING;
  if (proto.t !== undefined) return ATTRIBUTE_TYPE.TENSOR;
  if (proto.g !== undefined) return ATTRIBUTE_TYPE.GRAPH;
  if (proto.floats?.length) return ATTRIBUTE_TYPE.FLOATS;
  if (proto.ints?.length) return ATTRIBUTE_TYPE.INTS;
  if (proto.strings?.length) return ATTRIBUTE_TYPE.STRINGS;
  if (proto.tensors?.length) return ATTRIBUTE_TYPE.TENSORS;
  if (proto.graphs?.length) return ATTRIBUTE_TYPE.GRAPHS;
  return ATTRIBUTE_TYPE.UNDEFINED;
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
  const type = proto.type !== undefined && proto.type !== ATTRIBUTE_TYPE.UNDEFINED ? proto.type : inferType(proto);
  const missing = (field: string): never => {
    throw new ONNXPIPE_ONNX_DECODE_FAILED(`${here} has type ${WIRE_TYPE_NAME.get(type)} but no '${field}'`);
  };
  switch (type) {
    case ATTRIBUTE_TYPE.FLOAT:
      return { name, type: 'FLOAT', f: proto.f ?? missing('f') };
    case ATTRIBUTE_TYPE.INT:
      return { name, type: 'INT', i: toSafeNumber(proto.i ?? missing('i'), `${here}.i`) };
    case ATTRIBUTE_TYPE.STRING:
      return { name, type: 'STRING', s: utf8Decoder.decode(proto.s ?? missing('s')) };
    case ATTRIBUTE_TYPE.TENSOR:
      return { name, type: 'TENSOR', t: tensorFromProto(proto.t ?? missing('t'), `${here}.t`) };
    case ATTRIBUTE_TYPE.FLOATS:
      return { name, type: 'FLOATS', floats: (proto.floats ?? []).slice() };
    case ATTRIBUTE_TYPE.INTS:
      return {
        name,
        type: 'INTS',
        ints: (proto.ints ?? []).map((v, index) => toSafeNumber(v, `${here}.ints[${index}]`)),
      };
    case ATTRIBUTE_TYPE.STRINGS:
      return { name, type: 'STRINGS', strings: (proto.strings ?? []).map((s) => utf8Decoder.decode(s)) };
    default:
      throw new ONNXPIPE_ONNX_UNSUPPORTED_FEATURE(
        `${WIRE_TYPE_NAME.get(type) ?? `unknown (${type})`} attributes (${here})`,
        'supported attribute types are FLOAT, INT, STRING, TENSOR, FLOATS, INTS, STRINGS',
      );
  }
}
