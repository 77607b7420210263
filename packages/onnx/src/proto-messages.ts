import { ONNXPIPE_ONNX_UNSAFE_INTEGER } from './errors.js';

// Internal: the plain-object shapes of the protobuf messages (snake_case, as in onnx.proto) that
// `encode-model.ts` hands to protobufjs and `decode-model.ts` gets back from `toObject`. Every
// field is optional because proto2 fields are, and decoding keeps only the fields present.

/** protobufjs's 64-bit value as two signed 32-bit halves (what its writer accepts). */
export interface LongBitsLike {
  low: number;
  high: number;
}

/** An int64/uint64 field: `bigint` when decoded, a number or {@link LongBitsLike} to encode. */
export type Int64 = number | bigint | LongBitsLike;

export interface StringStringEntryObject {
  key?: string;
  value?: string;
}

export interface TensorProtoObject {
  dims?: Int64[];
  data_type?: number;
  segment?: unknown;
  float_data?: number[];
  int32_data?: number[];
  string_data?: Uint8Array[];
  int64_data?: Int64[];
  name?: string;
  doc_string?: string;
  raw_data?: Uint8Array;
  external_data?: StringStringEntryObject[];
  data_location?: number;
  double_data?: number[];
  uint64_data?: Int64[];
}

export interface AttributeProtoObject {
  name?: string;
  doc_string?: string;
  type?: number;
  f?: number;
  i?: Int64;
  s?: Uint8Array;
  t?: TensorProtoObject;
  g?: unknown;
  sparse_tensor?: unknown;
  tp?: unknown;
  floats?: number[];
  ints?: Int64[];
  strings?: Uint8Array[];
  tensors?: unknown[];
  graphs?: unknown[];
  sparse_tensors?: unknown[];
  type_protos?: unknown[];
}

export interface DimensionObject {
  dim_value?: Int64;
  dim_param?: string;
  denotation?: string;
}

export interface TypeProtoObject {
  tensor_type?: { elem_type?: number; shape?: { dim?: DimensionObject[] } };
  sequence_type?: unknown;
  map_type?: unknown;
  optional_type?: unknown;
  sparse_tensor_type?: unknown;
  denotation?: string;
}

export interface ValueInfoProtoObject {
  name?: string;
  type?: TypeProtoObject;
  doc_string?: string;
}

export interface NodeProtoObject {
  input?: string[];
  output?: string[];
  name?: string;
  op_type?: string;
  domain?: string;
  attribute?: AttributeProtoObject[];
  doc_string?: string;
}

export interface GraphProtoObject {
  node?: NodeProtoObject[];
  name?: string;
  initializer?: TensorProtoObject[];
  sparse_initializer?: unknown[];
  doc_string?: string;
  input?: ValueInfoProtoObject[];
  output?: ValueInfoProtoObject[];
  value_info?: ValueInfoProtoObject[];
}

export interface ModelProtoObject {
  ir_version?: Int64;
  opset_import?: { domain?: string; version?: Int64 }[];
  producer_name?: string;
  producer_version?: string;
  domain?: string;
  model_version?: Int64;
  doc_string?: string;
  graph?: GraphProtoObject;
  metadata_props?: StringStringEntryObject[];
  training_info?: Uint8Array[];
  functions?: Uint8Array[];
}

/** Any decoded or encodable 64-bit value as a bigint (two's complement unless `unsigned`). */
export function toBigInt(value: Int64, unsigned = false): bigint {
  if (typeof value === 'bigint') return unsigned ? BigInt.asUintN(64, value) : value;
  if (typeof value === 'number') return BigInt(value);
  const bits = (BigInt(value.high >>> 0) << 32n) | BigInt(value.low >>> 0);
  return unsigned ? bits : BigInt.asIntN(64, bits);
}

/**
 * A 64-bit value as a JS number, for fields where callers expect numbers (dims, versions, INT
 * attributes).
 *
 * @throws ONNXPIPE_ONNX_UNSAFE_INTEGER when the value is outside ±(2^53 - 1)
 */
export function toSafeNumber(value: Int64, field: string): number {
  const big = toBigInt(value);
  const asNumber = Number(big);
  if (!Number.isSafeInteger(asNumber) || BigInt(asNumber) !== big) {
    throw new ONNXPIPE_ONNX_UNSAFE_INTEGER(field, `${big}`);
  }
  return asNumber;
}

/** A bigint as protobufjs's writer wants it; it would read a raw bigint as zero. */
export function bigIntToWire(value: bigint): LongBitsLike {
  return {
    low: Number(BigInt.asIntN(32, value)),
    high: Number(BigInt.asIntN(32, value >> 32n)),
  };
}
