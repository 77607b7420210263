import { describeValue, formatChoices } from '@onnxpipe/core';
import { ONNXPIPE_SERVER_BAD_REQUEST, ONNXPIPE_SERVER_TOO_MANY_ITEMS } from '../errors.js';
import type { ModelMetadata } from '@onnxpipe/core';

// The tensors of an Open Inference Protocol infer request, checked against the model and cut
// into one float32 image per batch item for the dynamic batcher. The tensor is the model's raw
// input: normalised values in the model's layout, no preprocessing (GET /v2/models/{name}
// publishes the normalisation and the shape).

/** A parameter value: the protocol allows strings, numbers and booleans. */
export type ParameterValue = string | number | boolean;
export type Parameters = Readonly<Record<string, ParameterValue>>;

/** Tensor data as JSON: flat, or nested in the tensor's shape (row-major either way). */
export type TensorData = readonly (number | string | boolean | TensorData)[];

/** One input tensor of a request. */
export interface InferInputTensor {
  readonly name: string;
  readonly shape: readonly number[];
  readonly datatype: string;
  readonly parameters?: Parameters;
  /** Absent when the tensor travels as binary data (`parameters.binary_data_size`). */
  readonly data?: TensorData;
}

/** An output the client asks for. */
export interface InferRequestedOutput {
  readonly name: string;
  readonly parameters?: Parameters;
}

/** The JSON of `POST /v2/models/{name}[/versions/{version}]/infer`. */
export interface InferRequestBody {
  readonly id?: string;
  readonly parameters?: Parameters;
  readonly inputs: readonly InferInputTensor[];
  readonly outputs?: readonly InferRequestedOutput[];
}

/** The protocol's tensor datatypes. */
export const TENSOR_DATATYPES = [
  'BOOL',
  'UINT8',
  'UINT16',
  'UINT32',
  'UINT64',
  'INT8',
  'INT16',
  'INT32',
  'INT64',
  'FP16',
  'FP32',
  'FP64',
  'BYTES',
] as const;

const FP32_MAX = 3.4028234663852886e38;

/** Numeric datatypes an FP32 input accepts as JSON (converted to float32): [min, max, integers only]. */
const NUMERIC_DATATYPES: Readonly<Record<string, readonly [number, number, boolean]>> = {
  FP32: [-FP32_MAX, FP32_MAX, false],
  FP64: [-FP32_MAX, FP32_MAX, false],
  FP16: [-65_504, 65_504, false],
  UINT8: [0, 255, true],
  UINT16: [0, 65_535, true],
  UINT32: [0, 4_294_967_295, true],
  UINT64: [0, Number.MAX_SAFE_INTEGER, true],
  INT8: [-128, 127, true],
  INT16: [-32_768, 32_767, true],
  INT32: [-2_147_483_648, 2_147_483_647, true],
  INT64: [Number.MIN_SAFE_INTEGER, Number.MAX_SAFE_INTEGER, true],
};

/** Datatypes the (FP32) input takes: FP32 itself, and in JSON every numeric type, converted. */
export const ACCEPTED_INPUT_DATATYPES: readonly string[] = Object.keys(NUMERIC_DATATYPES);

/** What the route needs to know of the model to check a request. */
export interface TensorModel {
  readonly inputName: string;
  readonly outputName: string;
  readonly metadata: ModelMetadata;
}

/** The model's input shape, batch dimension `batch` (-1: variable). */
export function modelInputShape(metadata: ModelMetadata, batch: number): number[] {
  return metadata.inputLayout === 'NCHW'
    ? [batch, 1, metadata.height, metadata.width]
    : [batch, metadata.height, metadata.width, 1];
}

const bad = (message: string) => new ONNXPIPE_SERVER_BAD_REQUEST(message);
const shapeText = (shape: readonly (number | string)[]) => `[${shape.join(', ')}]`;

/** Nested JSON data, flattened in row-major order (depth bounded: JSON can nest deeper than the stack). */
function flatten(data: TensorData, depth: number, out: unknown[], where: string): void {
  for (const value of data) {
    if (!Array.isArray(value)) out.push(value);
    else if (depth >= 8)
      throw bad(`'${where}' nests arrays deeper than the tensor's rank; send it flat or in its shape`);
    else flatten(value as TensorData, depth + 1, out, where);
  }
}

function fromJson(data: TensorData, datatype: string, count: number, where: string): Float32Array {
  const values: unknown[] = [];
  flatten(data, 1, values, where);
  if (values.length !== count)
    throw bad(`'${where}' must hold ${count} values for the tensor's shape; received ${values.length}`);
  const [min, max, integers] = NUMERIC_DATATYPES[datatype];
  const out = new Float32Array(count);
  for (let i = 0; i < count; i++) {
    const v = values[i];
    if (typeof v !== 'number' || !Number.isFinite(v) || v < min || v > max || (integers && !Number.isInteger(v))) {
      const expected = integers ? `an integer from ${min} to ${max}` : 'a finite number';
      throw bad(
        `'${where}[${i}]' (flattened) must be ${expected} for datatype ${datatype}; received ${describeValue(v)}`,
      );
    }
    out[i] = v;
  }
  return out;
}

function fromBinary(bytes: Uint8Array, datatype: string, count: number, where: string): Float32Array {
  if (datatype !== 'FP32') {
    throw bad(
      `'${where}.datatype' must be FP32 for binary tensor data (other numeric types are taken as JSON); received ${describeValue(datatype)}`,
    );
  }
  if (bytes.byteLength !== count * 4) {
    throw bad(
      `'${where}.parameters.binary_data_size' must be ${count * 4} (${count} FP32 values for the tensor's shape); received ${bytes.byteLength}`,
    );
  }
  // The protocol's binary tensors are little-endian, whatever the host's order.
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const out = new Float32Array(count);
  for (let i = 0; i < count; i++) {
    out[i] = view.getFloat32(i * 4, true);
    if (!Number.isFinite(out[i])) throw bad(`'${where}' value ${i} must be a finite number; received ${out[i]}`);
  }
  return out;
}

/**
 * Checks a request's input tensor against the model (name, datatype, shape, value count) and
 * returns one float32 image per batch item.
 *
 * @param binary - the bytes after the JSON header of a binary tensor data request
 * @throws `ONNXPIPE_SERVER_BAD_REQUEST` (400) naming the field, what was expected and what was received
 * @throws `ONNXPIPE_SERVER_TOO_MANY_ITEMS` (413) for a batch over `maxItems`
 */
export function itemsFromTensors(
  body: InferRequestBody,
  model: TensorModel,
  maxItems: number,
  binary?: Uint8Array,
): Float32Array[] {
  const { metadata, inputName } = model;
  if (body.inputs.length !== 1) {
    throw bad(
      `'inputs' must hold one tensor, ${inputName} (the model's only input); received ${body.inputs.length}: ${formatChoices(body.inputs.map((i) => i.name))}`,
    );
  }
  const [input] = body.inputs;
  const where = 'inputs[0]';
  if (input.name !== inputName)
    throw bad(
      `'${where}.name' must be ${describeValue(inputName)} (the model's input); received ${describeValue(input.name)}`,
    );
  if (!(input.datatype in NUMERIC_DATATYPES)) {
    throw bad(
      `'${where}.datatype' must be one of ${formatChoices(ACCEPTED_INPUT_DATATYPES)} (the model takes FP32; other numeric types are converted); received ${describeValue(input.datatype)}`,
    );
  }
  const expected = modelInputShape(metadata, -1);
  const [batch] = input.shape;
  const fits =
    input.shape.length === expected.length &&
    input.shape.every((d, i) => (i === 0 ? Number.isInteger(d) && d >= 1 : d === expected[i]));
  if (!fits) {
    throw bad(
      `'${where}.shape' must be ${shapeText(['n', ...expected.slice(1)])} (${metadata.inputLayout}) with n ≥ 1; received ${shapeText(input.shape)}`,
    );
  }
  if (batch > maxItems) {
    throw new ONNXPIPE_SERVER_TOO_MANY_ITEMS(
      `'${where}.shape' holds a batch of ${batch}; a request may carry at most ${maxItems} items ('maxItemsPerRequest'); split it into several requests`,
    );
  }
  const size = metadata.height * metadata.width;
  const binarySize = input.parameters?.binary_data_size;
  let values: Float32Array;
  if (binarySize !== undefined) {
    if (input.data !== undefined)
      throw bad(`'${where}' must have either 'data' or 'parameters.binary_data_size', not both`);
    if (binary === undefined || binarySize !== binary.byteLength) {
      throw bad(
        `'${where}.parameters.binary_data_size' must equal the bytes after the JSON header (Inference-Header-Content-Length); received ${describeValue(binarySize)} for ${binary?.byteLength ?? 0} bytes`,
      );
    }
    values = fromBinary(binary, input.datatype, batch * size, where);
  } else {
    if (input.data === undefined)
      throw bad(`'${where}' must have 'data' (or binary data with 'parameters.binary_data_size')`);
    if (binary !== undefined && binary.byteLength > 0)
      throw bad(`binary data follows the JSON header, but no input declares 'parameters.binary_data_size'`);
    values = fromJson(input.data, input.datatype, batch * size, `${where}.data`);
  }
  return Array.from({ length: batch }, (_, i) => values.slice(i * size, (i + 1) * size));
}

/** How the one output is to be returned. */
export interface OutputRequest {
  /** Triton's classification extension: the top k as `"value:index:label"` strings. */
  readonly classification?: number;
  /** Binary tensor data extension: the output's bytes follow the JSON. */
  readonly binary: boolean;
}

/**
 * The outputs a request asks for: the model's one output (every output when none is named).
 *
 * @throws `ONNXPIPE_SERVER_BAD_REQUEST` for an unknown output name or a bad parameter
 */
export function requestedOutput(body: InferRequestBody, model: TensorModel): OutputRequest {
  const binaryDefault = body.parameters?.binary_data_output === true;
  const outputs = body.outputs ?? [];
  if (outputs.length === 0) return { binary: binaryDefault };
  if (outputs.length > 1 || outputs[0].name !== model.outputName) {
    throw bad(
      `'outputs' may only name ${describeValue(model.outputName)} (the model's only output); received ${formatChoices(outputs.map((o) => o.name))}`,
    );
  }
  const parameters = outputs[0].parameters ?? {};
  const binary = parameters.binary_data ?? binaryDefault;
  if (typeof binary !== 'boolean')
    throw bad(`'outputs[0].parameters.binary_data' must be true or false; received ${describeValue(binary)}`);
  const k = parameters.classification;
  if (k === undefined) return { binary };
  const classes = model.metadata.labels.length;
  if (typeof k !== 'number' || !Number.isInteger(k) || k < 1) {
    throw bad(
      `'outputs[0].parameters.classification' must be an integer from 1 to ${classes}; received ${describeValue(k)}`,
    );
  }
  return { binary, classification: Math.min(k, classes) };
}
