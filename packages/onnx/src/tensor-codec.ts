import { describeValue } from '@onnxpipe/core';
import { isTensorDataType, storageFor, TensorDataType } from './data-type.js';
import type { TensorData } from './data-type.js';
import { ONNXPIPE_ONNX_BAD_TENSOR, ONNXPIPE_ONNX_UNSUPPORTED_FEATURE } from './errors.js';
import type { OnnxTensor } from './model-types.js';
import { toBigInt, toSafeNumber } from './proto-messages.js';
import type { Int64, TensorProtoObject } from './proto-messages.js';

// raw_data is little-endian by the ONNX spec; typed arrays use the host's byte order, so a
// big-endian host swaps. Every mainstream host is little-endian and takes the zero-copy path.
const HOST_IS_LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

const DATA_LOCATION_EXTERNAL = 1;

function swapInPlace(bytes: Uint8Array, elementSize: number): void {
  if (elementSize === 1) return;
  for (let at = 0; at < bytes.length; at += elementSize) {
    bytes.subarray(at, at + elementSize).reverse();
  }
}

/** Number of elements of a tensor with these dims (1 for a scalar, `[]`). */
export function elementCount(dims: readonly number[]): number {
  return dims.reduce((product, dim) => product * dim, 1);
}

/**
 * Checks that a tensor is storable: known data type, the typed array that goes with it, dims
 * that are non-negative integers, and exactly `product(dims)` elements.
 *
 * @throws ONNXPIPE_ONNX_BAD_TENSOR, or ONNXPIPE_ONNX_UNSUPPORTED_FEATURE for STRING/complex types
 */
export function validateTensor(tensor: OnnxTensor): void {
  const label = describeValue(tensor.name);
  const storage = storageFor(tensor.dataType, `${tensor.name}.dataType`);
  if (!Array.isArray(tensor.dims) || !tensor.dims.every((d) => Number.isSafeInteger(d) && d >= 0)) {
    throw new ONNXPIPE_ONNX_BAD_TENSOR(
      label,
      `'dims' must be non-negative integers; received ${describeValue(tensor.dims)}`,
    );
  }
  if (!(tensor.data instanceof storage)) {
    const received = (tensor.data as object | undefined)?.constructor?.name ?? typeof tensor.data;
    throw new ONNXPIPE_ONNX_BAD_TENSOR(
      label,
      `'data' of a ${TensorDataType[tensor.dataType]} tensor must be a ${storage.name}; received ${received}`,
    );
  }
  const expected = elementCount(tensor.dims);
  if (tensor.data.length !== expected) {
    throw new ONNXPIPE_ONNX_BAD_TENSOR(
      label,
      `'data' must hold product(dims [${tensor.dims.join(', ')}]) = ${expected} elements; received ${tensor.data.length}`,
    );
  }
}

/** The little-endian bytes of a typed array (a view, not a copy, on little-endian hosts). */
function littleEndianBytes(data: TensorData): Uint8Array {
  const view = new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
  if (HOST_IS_LITTLE_ENDIAN) return view;
  const copy = view.slice();
  swapInPlace(copy, data.BYTES_PER_ELEMENT);
  return copy;
}

/** An {@link OnnxTensor} as a `TensorProto` object, its elements in little-endian `raw_data`. */
export function tensorToProto(tensor: OnnxTensor): TensorProtoObject {
  validateTensor(tensor);
  return {
    dims: tensor.dims.slice(),
    data_type: tensor.dataType,
    name: tensor.name,
    raw_data: littleEndianBytes(tensor.data),
  };
}

function fromRaw(raw: Uint8Array, dataType: TensorDataType, count: number, label: string): TensorData {
  const storage = storageFor(dataType);
  const expectedBytes = count * storage.BYTES_PER_ELEMENT;
  if (raw.byteLength !== expectedBytes) {
    throw new ONNXPIPE_ONNX_BAD_TENSOR(
      label,
      `'raw_data' must hold ${expectedBytes} bytes (${count} ${TensorDataType[dataType]} elements); received ${raw.byteLength}`,
    );
  }
  // Copy: the decoder's bytes may be unaligned and belong to the caller's buffer. (Not
  // `raw.slice()`: in Node `raw` is a Buffer, whose `slice` is a view.)
  const bytes = new Uint8Array(raw.byteLength);
  bytes.set(raw);
  if (!HOST_IS_LITTLE_ENDIAN) swapInPlace(bytes, storage.BYTES_PER_ELEMENT);
  return new storage(bytes.buffer, 0, count);
}

// Which typed field holds each data type when raw_data is absent (onnx.proto's comments).
function fromTypedField(proto: TensorProtoObject, dataType: TensorDataType): [string, TensorData | undefined] {
  switch (dataType) {
    case TensorDataType.FLOAT:
      return ['float_data', proto.float_data && Float32Array.from(proto.float_data)];
    case TensorDataType.DOUBLE:
      return ['double_data', proto.double_data && Float64Array.from(proto.double_data)];
    case TensorDataType.INT64:
      return ['int64_data', proto.int64_data && BigInt64Array.from(proto.int64_data, (v) => toBigInt(v))];
    case TensorDataType.UINT64:
      return ['uint64_data', proto.uint64_data && BigUint64Array.from(proto.uint64_data, (v) => toBigInt(v, true))];
    case TensorDataType.UINT32:
      return [
        'uint64_data',
        proto.uint64_data && Uint32Array.from(proto.uint64_data, (v: Int64) => Number(toBigInt(v, true))),
      ];
    default: {
      // INT32, INT16, INT8, UINT16, UINT8, BOOL, FLOAT16 and BFLOAT16 (as bit patterns).
      const storage = storageFor(dataType);
      const values = proto.int32_data;
      if (values === undefined) return ['int32_data', undefined];
      const data = new storage(values.length);
      for (let index = 0; index < values.length; index++) data[index] = values[index]!;
      return ['int32_data', data];
    }
  }
}

/**
 * A decoded `TensorProto` as an {@link OnnxTensor}. Accepts `raw_data` and the typed fields
 * (`float_data`, `int32_data`, `int64_data`, `double_data`, `uint64_data`).
 *
 * @throws ONNXPIPE_ONNX_BAD_TENSOR when the data does not match the type and dims
 * @throws ONNXPIPE_ONNX_UNSUPPORTED_FEATURE for external data, STRING and complex tensors
 */
export function tensorFromProto(proto: TensorProtoObject, where: string): OnnxTensor {
  const name = proto.name ?? '';
  const label = `${where} ${describeValue(name)}`;
  if (proto.data_location === DATA_LOCATION_EXTERNAL || (proto.external_data?.length ?? 0) > 0) {
    throw new ONNXPIPE_ONNX_UNSUPPORTED_FEATURE(
      `external tensor data (${label})`,
      'save the model with all tensors inside the file',
    );
  }
  const dataType = proto.data_type ?? TensorDataType.UNDEFINED;
  if (!isTensorDataType(dataType)) {
    throw new ONNXPIPE_ONNX_UNSUPPORTED_FEATURE(`tensor data type ${dataType} (${label})`, 'not in onnx 1.12');
  }
  storageFor(dataType);
  const dims = (proto.dims ?? []).map((dim, index) => toSafeNumber(dim, `${where}.dims[${index}]`));
  if (dims.some((dim) => dim < 0)) {
    throw new ONNXPIPE_ONNX_BAD_TENSOR(label, `'dims' must be non-negative; received [${dims.join(', ')}]`);
  }
  const count = elementCount(dims);

  let data: TensorData;
  if (proto.raw_data !== undefined) {
    data = fromRaw(proto.raw_data, dataType, count, label);
  } else {
    const [field, typed] = fromTypedField(proto, dataType);
    data = typed ?? new (storageFor(dataType))(0);
    if (data.length !== count) {
      throw new ONNXPIPE_ONNX_BAD_TENSOR(
        label,
        `'${field}' must hold product(dims [${dims.join(', ')}]) = ${count} elements; received ${data.length}`,
      );
    }
  }
  return { name, dataType, dims, data };
}
