import { describeValue, errorMessage } from '@onnxpipe/core';
import { attributeFromProto } from './attribute-codec.js';
import { isTensorDataType, TensorDataType } from './data-type.js';
import {
  ONNXPIPE_ONNX_DECODE_FAILED,
  ONNXPIPE_ONNX_INVALID_ARGUMENT,
  ONNXPIPE_ONNX_UNSUPPORTED_FEATURE,
} from './errors.js';
import type { OnnxDim, OnnxGraph, OnnxModel, OnnxNode, OnnxValueInfo } from './model-types.js';
import { ModelProtoType } from './onnx-schema.js';
import { toSafeNumber } from './proto-messages.js';
import type { GraphProtoObject, ModelProtoObject, NodeProtoObject, ValueInfoProtoObject } from './proto-messages.js';
import { tensorFromProto } from './tensor-codec.js';

/** Adds `key: value` only when the file had the field, so decode(encode(m)) equals m. */
function present<K extends string, V>(key: K, value: V | undefined): Partial<Record<K, V>> {
  return value === undefined ? {} : ({ [key]: value } as Record<K, V>);
}

function valueInfoFromProto(proto: ValueInfoProtoObject, where: string): OnnxValueInfo {
  const name = proto.name ?? '';
  const here = `${where} ${describeValue(name)}`;
  const docString = present('docString', proto.doc_string);
  const type = proto.type;
  if (type === undefined) {
    return { name, elemType: TensorDataType.UNDEFINED, shape: [], unknownRank: true, ...docString };
  }
  if (type.tensor_type === undefined) {
    const kind = Object.keys(type).find((key) => key.endsWith('_type')) ?? 'an empty type';
    throw new ONNXPIPE_ONNX_UNSUPPORTED_FEATURE(
      `${kind} values (${here})`,
      'only tensor inputs, outputs and value_info are supported',
    );
  }
  const elemType = type.tensor_type.elem_type ?? TensorDataType.UNDEFINED;
  if (!isTensorDataType(elemType)) {
    throw new ONNXPIPE_ONNX_UNSUPPORTED_FEATURE(`elem_type ${elemType} (${here})`, 'not in onnx 1.12');
  }
  const shape = type.tensor_type.shape;
  if (shape === undefined) return { name, elemType, shape: [], unknownRank: true, ...docString };
  const dims: OnnxDim[] = (shape.dim ?? []).map((dim, index) => {
    if (dim.dim_value !== undefined) return toSafeNumber(dim.dim_value, `${here}.shape[${index}]`);
    return dim.dim_param ?? '';
  });
  return { name, elemType, shape: dims, ...docString };
}

function nodeFromProto(proto: NodeProtoObject, where: string): OnnxNode {
  const here = `${where} ${describeValue(proto.name ?? '')}`;
  return {
    name: proto.name ?? '',
    opType: proto.op_type ?? '',
    ...present('domain', proto.domain),
    input: proto.input ?? [],
    output: proto.output ?? [],
    attribute: (proto.attribute ?? []).map((attribute) => attributeFromProto(attribute, here)),
    ...present('docString', proto.doc_string),
  };
}

function graphFromProto(proto: GraphProtoObject): OnnxGraph {
  if ((proto.sparse_initializer?.length ?? 0) > 0) {
    throw new ONNXPIPE_ONNX_UNSUPPORTED_FEATURE('sparse initializers', 'store initializers as dense tensors');
  }
  const valueInfos = (list: ValueInfoProtoObject[] | undefined, where: string) =>
    (list ?? []).map((info, index) => valueInfoFromProto(info, `graph ${where}[${index}]`));
  const valueInfo = valueInfos(proto.value_info, 'value_info');
  return {
    name: proto.name ?? '',
    node: (proto.node ?? []).map((node, index) => nodeFromProto(node, `node[${index}]`)),
    initializer: (proto.initializer ?? []).map((tensor, index) => tensorFromProto(tensor, `initializer[${index}]`)),
    input: valueInfos(proto.input, 'input'),
    output: valueInfos(proto.output, 'output'),
    ...(valueInfo.length > 0 ? { valueInfo } : {}),
    ...present('docString', proto.doc_string),
  };
}

function parse(bytes: Uint8Array): ModelProtoObject {
  try {
    const message = ModelProtoType.decode(bytes);
    // BigInt keeps int64 exact; toSafeNumber narrows where the API promises numbers.
    return ModelProtoType.toObject(message, { longs: BigInt, enums: Number }) as ModelProtoObject;
  } catch (error) {
    throw new ONNXPIPE_ONNX_DECODE_FAILED(`not a valid ModelProto message (${errorMessage(error)})`, { cause: error });
  }
}

/**
 * Parses ONNX protobuf bytes into an {@link OnnxModel}. Tensor data may come as `raw_data` or
 * in the typed fields; INT64 tensors decode to `BigInt64Array`, and int64 scalars the API
 * types as numbers (dims, INT attributes, versions) must be safe integers. Fields left out of
 * a file stay absent (no `domain: ''` added), and `valueInfo` is left out when empty.
 *
 * @throws ONNXPIPE_ONNX_DECODE_FAILED for bytes that are not an ONNX model (not protobuf,
 *   truncated, no `ir_version` or no `graph`)
 * @throws ONNXPIPE_ONNX_UNSAFE_INTEGER, ONNXPIPE_ONNX_BAD_TENSOR,
 *   ONNXPIPE_ONNX_UNSUPPORTED_FEATURE for content this package cannot represent
 *
 * @example
 * ```ts
 * const model = decodeModel(new Uint8Array(await readFile('model.onnx')));
 * console.log(formatModelSummary(summarizeModel(model)));
 * ```
 */
export function decodeModel(bytes: Uint8Array): OnnxModel {
  if (!(bytes instanceof Uint8Array)) {
    throw new ONNXPIPE_ONNX_INVALID_ARGUMENT(`'bytes' must be a Uint8Array; received ${describeValue(bytes)}`);
  }
  const proto = parse(bytes);
  // Random bytes often parse as protobuf with unknown fields only; a model has both of these.
  if (proto.ir_version === undefined) {
    throw new ONNXPIPE_ONNX_DECODE_FAILED("no 'ir_version' field; the bytes are not an ONNX model");
  }
  if (proto.graph === undefined) {
    throw new ONNXPIPE_ONNX_DECODE_FAILED("no 'graph' field; the bytes are not an ONNX model");
  }
  if ((proto.functions?.length ?? 0) > 0) {
    throw new ONNXPIPE_ONNX_UNSUPPORTED_FEATURE('model-local functions (ModelProto.functions)', 'inline them');
  }
  if ((proto.training_info?.length ?? 0) > 0) {
    throw new ONNXPIPE_ONNX_UNSUPPORTED_FEATURE('ModelProto.training_info', 'export an inference-only model');
  }
  return {
    irVersion: toSafeNumber(proto.ir_version, 'ir_version'),
    opsetImport: (proto.opset_import ?? []).map((opset, index) => ({
      domain: opset.domain ?? '',
      version: toSafeNumber(opset.version ?? 0, `opset_import[${index}].version`),
    })),
    producerName: proto.producer_name ?? '',
    producerVersion: proto.producer_version ?? '',
    ...present('domain', proto.domain),
    ...(proto.model_version === undefined ? {} : { modelVersion: toSafeNumber(proto.model_version, 'model_version') }),
    ...present('docString', proto.doc_string),
    graph: graphFromProto(proto.graph),
    metadataProps: (proto.metadata_props ?? []).map((entry) => ({
      key: entry.key ?? '',
      value: entry.value ?? '',
    })),
  };
}
