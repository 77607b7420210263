import { describeValue } from '@onnxpipe/core';
import { attributeToProto } from './attribute-codec.js';
import { isTensorDataType } from './data-type.js';
import { ONNXPIPE_ONNX_INVALID_ARGUMENT } from './errors.js';
import type { OnnxGraph, OnnxModel, OnnxNode, OnnxValueInfo } from './model-types.js';
import { ModelProtoType } from './onnx-schema.js';
import type {
  DimensionObject,
  GraphProtoObject,
  ModelProtoObject,
  NodeProtoObject,
  ValueInfoProtoObject,
} from './proto-messages.js';
import { tensorToProto } from './tensor-codec.js';

function fail(message: string): never {
  throw new ONNXPIPE_ONNX_INVALID_ARGUMENT(message);
}

function checkString(value: unknown, param: string): string {
  if (typeof value !== 'string') fail(`'${param}' must be a string; received ${describeValue(value)}`);
  return value;
}

function checkInteger(value: unknown, param: string, min = 0): number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < min) {
    fail(`'${param}' must be an integer >= ${min}; received ${describeValue(value)}`);
  }
  return value;
}

function checkArray<T>(value: T[] | undefined, param: string): T[] {
  if (!Array.isArray(value)) fail(`'${param}' must be an array; received ${describeValue(value)}`);
  return value;
}

/** Copies `docString` (or any optional string) only when set, as proto2 presence wants. */
function optional<K extends string>(key: K, value: string | undefined, param: string): Partial<Record<K, string>> {
  return value === undefined ? {} : ({ [key]: checkString(value, param) } as Record<K, string>);
}

function dimToProto(dim: unknown, param: string): DimensionObject {
  if (typeof dim === 'string') return dim === '' ? {} : { dim_param: dim };
  return { dim_value: checkInteger(dim, param) };
}

/** An {@link OnnxValueInfo} as a `ValueInfoProto` holding a tensor type. */
export function valueInfoToProto(info: OnnxValueInfo, param: string): ValueInfoProtoObject {
  const name = checkString(info.name, `${param}.name`);
  if (!isTensorDataType(info.elemType)) {
    fail(`'${param}.elemType' must be a TensorDataType; received ${describeValue(info.elemType)}`);
  }
  const docString = optional('doc_string', info.docString, `${param}.docString`);
  if (info.unknownRank === true) {
    // Nothing known at all: leave the type out, as files that declare none do.
    if (info.elemType === 0) return { name, ...docString };
    return { name, type: { tensor_type: { elem_type: info.elemType } }, ...docString };
  }
  const dim = checkArray(info.shape, `${param}.shape`).map((d, i) => dimToProto(d, `${param}.shape[${i}]`));
  return { name, type: { tensor_type: { elem_type: info.elemType, shape: { dim } } }, ...docString };
}

function nodeToProto(node: OnnxNode, param: string): NodeProtoObject {
  return {
    input: checkArray(node.input, `${param}.input`).map((s, i) => checkString(s, `${param}.input[${i}]`)),
    output: checkArray(node.output, `${param}.output`).map((s, i) => checkString(s, `${param}.output[${i}]`)),
    name: checkString(node.name, `${param}.name`),
    op_type: checkString(node.opType, `${param}.opType`),
    ...optional('domain', node.domain, `${param}.domain`),
    attribute: checkArray(node.attribute, `${param}.attribute`).map(attributeToProto),
    ...optional('doc_string', node.docString, `${param}.docString`),
  };
}

/** An {@link OnnxGraph} as a `GraphProto` object. Checks types and values, not topology. */
export function graphToProto(graph: OnnxGraph, param = 'graph'): GraphProtoObject {
  if (typeof graph !== 'object' || graph === null) {
    fail(`'${param}' must be an OnnxGraph object; received ${describeValue(graph)}`);
  }
  const valueInfo = (list: OnnxValueInfo[] | undefined, key: string) =>
    checkArray(list, `${param}.${key}`).map((info, i) => valueInfoToProto(info, `${param}.${key}[${i}]`));
  return {
    node: checkArray(graph.node, `${param}.node`).map((node, i) => nodeToProto(node, `${param}.node[${i}]`)),
    name: checkString(graph.name, `${param}.name`),
    initializer: checkArray(graph.initializer, `${param}.initializer`).map(tensorToProto),
    ...optional('doc_string', graph.docString, `${param}.docString`),
    input: valueInfo(graph.input, 'input'),
    output: valueInfo(graph.output, 'output'),
    ...(graph.valueInfo === undefined ? {} : { value_info: valueInfo(graph.valueInfo, 'valueInfo') }),
  };
}

/** An {@link OnnxModel} as a `ModelProto` object. */
export function modelToProto(model: OnnxModel): ModelProtoObject {
  if (typeof model !== 'object' || model === null) {
    fail(`'model' must be an OnnxModel object; received ${describeValue(model)}`);
  }
  return {
    ir_version: checkInteger(model.irVersion, 'model.irVersion', 1),
    opset_import: checkArray(model.opsetImport, 'model.opsetImport').map((opset, i) => ({
      domain: checkString(opset.domain, `model.opsetImport[${i}].domain`),
      version: checkInteger(opset.version, `model.opsetImport[${i}].version`, 1),
    })),
    producer_name: checkString(model.producerName, 'model.producerName'),
    producer_version: checkString(model.producerVersion, 'model.producerVersion'),
    ...optional('domain', model.domain, 'model.domain'),
    ...(model.modelVersion === undefined
      ? {}
      : { model_version: checkInteger(model.modelVersion, 'model.modelVersion') }),
    ...optional('doc_string', model.docString, 'model.docString'),
    graph: graphToProto(model.graph),
    metadata_props: checkArray(model.metadataProps, 'model.metadataProps').map((entry, i) => ({
      key: checkString(entry.key, `model.metadataProps[${i}].key`),
      value: checkString(entry.value, `model.metadataProps[${i}].value`),
    })),
  };
}

/**
 * Serializes a model to ONNX protobuf bytes (initializers as little-endian `raw_data`).
 * Checks field types and tensor sizes but not graph topology; build graphs with
 * `GraphBuilder` to get that checked.
 *
 * @throws ONNXPIPE_ONNX_INVALID_ARGUMENT, ONNXPIPE_ONNX_BAD_TENSOR on malformed input
 *
 * @example
 * ```ts
 * const bytes = encodeModel(createModel({ graph, opset: 17, producerName: 'onnxpipe', producerVersion: '0.1.0' }));
 * ```
 */
export function encodeModel(model: OnnxModel): Uint8Array {
  const encoded = ModelProtoType.encode(modelToProto(model)).finish();
  // Node's writer may hand back a slice of a shared pool; give callers a buffer of their own.
  if (encoded.byteOffset === 0 && encoded.byteLength === encoded.buffer.byteLength) {
    return new Uint8Array(encoded.buffer, 0, encoded.byteLength);
  }
  // Not `.slice()`: on a Node Buffer that is a view, not a copy.
  return new Uint8Array(encoded);
}
