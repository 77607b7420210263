import { invalidChoiceMessage } from '@onnxpipe/core';
import { ONNXPIPE_ONNX_INVALID_ARGUMENT, ONNXPIPE_ONNX_UNSUPPORTED_FEATURE } from './errors.js';

/**
 * `TensorProto.DataType` of the ONNX schema (onnx 1.12, the newest whose checker runs here).
 * Values are the wire values, so they double as `elem_type` in `TypeProto.Tensor`.
 */
export enum TensorDataType {
  UNDEFINED = 0,
  FLOAT = 1,
  UINT8 = 2,
  INT8 = 3,
  UINT16 = 4,
  INT16 = 5,
  INT32 = 6,
  INT64 = 7,
  STRING = 8,
  BOOL = 9,
  FLOAT16 = 10,
  DOUBLE = 11,
  UINT32 = 12,
  UINT64 = 13,
  COMPLEX64 = 14,
  COMPLEX128 = 15,
  BFLOAT16 = 16,
}

/**
 * Element storage of a tensor. FLOAT16 and BFLOAT16 hold their bit patterns in a Uint16Array
 * and BOOL holds 0/1 in a Uint8Array, the same layout as ONNX's `raw_data`.
 */
export type TensorData =
  | Float32Array
  | Float64Array
  | Int8Array
  | Uint8Array
  | Int16Array
  | Uint16Array
  | Int32Array
  | Uint32Array
  | BigInt64Array
  | BigUint64Array;

type TensorDataConstructor = {
  new (length: number): TensorData;
  new (buffer: ArrayBuffer, byteOffset?: number, length?: number): TensorData;
  readonly BYTES_PER_ELEMENT: number;
  readonly name: string;
};

// Types whose elements have a fixed-size little-endian layout in raw_data. STRING and the
// complex types are left out: nothing in this project produces them.
const STORAGE: Partial<Record<TensorDataType, TensorDataConstructor>> = {
  [TensorDataType.FLOAT]: Float32Array,
  [TensorDataType.UINT8]: Uint8Array,
  [TensorDataType.INT8]: Int8Array,
  [TensorDataType.UINT16]: Uint16Array,
  [TensorDataType.INT16]: Int16Array,
  [TensorDataType.INT32]: Int32Array,
  [TensorDataType.INT64]: BigInt64Array,
  [TensorDataType.BOOL]: Uint8Array,
  [TensorDataType.FLOAT16]: Uint16Array,
  [TensorDataType.DOUBLE]: Float64Array,
  [TensorDataType.UINT32]: Uint32Array,
  [TensorDataType.UINT64]: BigUint64Array,
  [TensorDataType.BFLOAT16]: Uint16Array,
};

// onnxruntime's tensor type names, so summaries read like `float32[N,1,28,28]`.
const TYPE_NAMES: Record<TensorDataType, string> = {
  [TensorDataType.UNDEFINED]: 'undefined',
  [TensorDataType.FLOAT]: 'float32',
  [TensorDataType.UINT8]: 'uint8',
  [TensorDataType.INT8]: 'int8',
  [TensorDataType.UINT16]: 'uint16',
  [TensorDataType.INT16]: 'int16',
  [TensorDataType.INT32]: 'int32',
  [TensorDataType.INT64]: 'int64',
  [TensorDataType.STRING]: 'string',
  [TensorDataType.BOOL]: 'bool',
  [TensorDataType.FLOAT16]: 'float16',
  [TensorDataType.DOUBLE]: 'float64',
  [TensorDataType.UINT32]: 'uint32',
  [TensorDataType.UINT64]: 'uint64',
  [TensorDataType.COMPLEX64]: 'complex64',
  [TensorDataType.COMPLEX128]: 'complex128',
  [TensorDataType.BFLOAT16]: 'bfloat16',
};

/** Whether `value` is one of the {@link TensorDataType} wire values. */
export function isTensorDataType(value: unknown): value is TensorDataType {
  return typeof value === 'number' && Object.hasOwn(TYPE_NAMES, value);
}

/** `TensorDataType.FLOAT` → `float32` (onnxruntime's names); unknown values → `type(<n>)`. */
export function tensorDataTypeName(dataType: TensorDataType): string {
  return isTensorDataType(dataType) ? TYPE_NAMES[dataType] : `type(${String(dataType)})`;
}

/** The data types whose tensors this package can store, encode and decode. */
export const STORABLE_DATA_TYPES: readonly TensorDataType[] = Object.keys(STORAGE)
  .map(Number)
  .sort((a, b) => a - b);

/**
 * The typed array class that holds elements of `dataType`.
 *
 * @throws ONNXPIPE_ONNX_UNSUPPORTED_FEATURE for STRING, COMPLEX64, COMPLEX128, UNDEFINED
 * @throws ONNXPIPE_ONNX_INVALID_ARGUMENT for a number that is no data type at all
 */
export function storageFor(dataType: TensorDataType, param = 'dataType'): TensorDataConstructor {
  if (!isTensorDataType(dataType)) {
    const valid = STORABLE_DATA_TYPES.map((t) => `${TensorDataType[t]} (${t})`);
    throw new ONNXPIPE_ONNX_INVALID_ARGUMENT(invalidChoiceMessage(param, valid, dataType));
  }
  const storage = STORAGE[dataType];
  if (storage === undefined) {
    const valid = STORABLE_DATA_TYPES.map((t) => TensorDataType[t]).join(', ');
    throw new ONNXPIPE_ONNX_UNSUPPORTED_FEATURE(
      `tensor data type ${TensorDataType[dataType]}`,
      `supported data types are ${valid}`,
    );
  }
  return storage;
}
