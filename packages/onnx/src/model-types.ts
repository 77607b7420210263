import type { TensorData, TensorDataType } from './data-type.js';

// Plain TypeScript mirrors of the ONNX messages this project reads and writes, with camelCase
// field names. They hold no protobuf objects, so they can be built, compared and logged freely;
// `encodeModel` / `decodeModel` translate to and from the wire format.

/** `OperatorSetIdProto`: an operator set the model imports; `''` is the default ONNX domain. */
export interface OnnxOpsetId {
  domain: string;
  version: number;
}

/** `StringStringEntryProto`, as used by `ModelProto.metadata_props`. */
export interface OnnxMetadataEntry {
  key: string;
  value: string;
}

/** `ModelProto`. */
export interface OnnxModel {
  irVersion: number;
  opsetImport: OnnxOpsetId[];
  producerName: string;
  producerVersion: string;
  domain?: string;
  modelVersion?: number;
  docString?: string;
  graph: OnnxGraph;
  metadataProps: OnnxMetadataEntry[];
}

/** `GraphProto`. `node` is in topological order. */
export interface OnnxGraph {
  name: string;
  node: OnnxNode[];
  initializer: OnnxTensor[];
  input: OnnxValueInfo[];
  output: OnnxValueInfo[];
  /** Types of intermediate values; `decodeModel` leaves it out when the file has none. */
  valueInfo?: OnnxValueInfo[];
  docString?: string;
}

/** `NodeProto`. An empty string in `input` is an omitted optional input, as in ONNX. */
export interface OnnxNode {
  name: string;
  opType: string;
  /** Operator domain; absent or `''` is the default ONNX domain. */
  domain?: string;
  input: string[];
  output: string[];
  attribute: OnnxAttribute[];
  docString?: string;
}

/**
 * `AttributeProto`, restricted to the attribute types a CNN needs. The type is explicit because
 * a JS number cannot tell an INT from a FLOAT; build attributes with `attr.int(...)` etc.
 * FLOAT/FLOATS travel as float32, so a decoded value is `Math.fround` of the encoded one.
 */
export type OnnxAttribute = { name: string } & (
  | { type: 'FLOAT'; f: number }
  | { type: 'INT'; i: number }
  | { type: 'STRING'; s: string }
  | { type: 'TENSOR'; t: OnnxTensor }
  | { type: 'FLOATS'; floats: number[] }
  | { type: 'INTS'; ints: number[] }
  | { type: 'STRINGS'; strings: string[] }
);

/** The `type` values of {@link OnnxAttribute}. */
export type OnnxAttributeType = OnnxAttribute['type'];

/**
 * `TensorProto` with its elements in a typed array (see {@link TensorData} for which array goes
 * with which data type). Encoded as little-endian `raw_data`.
 */
export interface OnnxTensor {
  name: string;
  dataType: TensorDataType;
  dims: number[];
  data: TensorData;
}

/** One dimension: a size, a symbolic name (`dim_param`, e.g. `'N'`), or `''` for unknown. */
export type OnnxDim = number | string;

/** `ValueInfoProto` of a tensor. */
export interface OnnxValueInfo {
  name: string;
  elemType: TensorDataType;
  /** Dimensions; `[]` is a scalar unless {@link OnnxValueInfo.unknownRank} is set. */
  shape: OnnxDim[];
  /** The file declares no shape at all (rank unknown); `shape` is then `[]` and ignored. */
  unknownRank?: boolean;
  docString?: string;
}
