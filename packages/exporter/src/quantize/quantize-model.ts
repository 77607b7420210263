import { attr, TensorDataType, validateGraph, type OnnxModel, type OnnxNode, type OnnxTensor } from '@onnxpipe/onnx';
import { ONNXPIPE_EXPORT_INVALID_OPTION } from '../errors.js';
import { toFloat16Array } from './float16.js';

// Reduced-precision variants of an exported model, for the wire: the large weight tensors are
// stored as float16 or int8, and a Cast (and for int8 a Mul by per-channel scales) in front of
// their consumers turns them back into the float32 tensors of the same name. Everything after
// that is the original graph, computed in float32. onnxruntime folds those constant subgraphs
// when it creates the session, so a variant runs the same kernels at the same speed as the
// original: it costs accuracy only through the rounding of its weights, which the exporter
// measures on the test set (evaluate-variants.ts) before a variant is offered to browsers.
//
// Not integer compute (QLinearConv / ConvInteger): onnxruntime-web's wasm kernels for those are
// not faster for a net this small, and they round every activation as well.

/** The variants the exporter writes. */
export const PRECISIONS = ['fp16', 'int8'] as const;
export type Precision = (typeof PRECISIONS)[number];

/**
 * Initializers with fewer elements stay float32: batch-norm scales and biases hold a few hundred
 * bytes, and their Cast would cost more file than it saves.
 */
export const MIN_QUANTIZED_ELEMENTS = 256;

/** metadata_props a variant carries; the original model has none of them (it is `fp32`). */
export const VARIANT_METADATA_KEYS = Object.freeze({
  /** `fp16` or `int8`. */
  variant: 'onnxpipe.variant',
  /** How the weights are stored. */
  weights: 'onnxpipe.variant.weights',
  /** sha256 of the model.onnx this variant was made from. */
  sourceSha256: 'onnxpipe.variant.source_sha256',
  /** Accuracy on the test set, and argmax agreement with the source model (fractions of 1). */
  testAccuracy: 'onnxpipe.variant.test_accuracy',
  agreement: 'onnxpipe.variant.argmax_agreement',
});

const WEIGHTS: Record<Precision, string> = {
  fp16: 'float16, computed in float32',
  int8: 'int8, symmetric, one scale per output channel, computed in float32',
};

/** What happened to one initializer. */
export interface QuantizedTensor {
  readonly name: string;
  readonly elements: number;
  /** The axis of the per-channel scales (int8); `undefined`: one scale for the tensor. */
  readonly axis?: number;
}

export interface QuantizeResult {
  readonly model: OnnxModel;
  readonly quantized: readonly QuantizedTensor[];
}

export interface QuantizeOptions {
  /** @defaultValue {@link MIN_QUANTIZED_ELEMENTS} */
  readonly minElements?: number;
  /** Recorded as `onnxpipe.variant.source_sha256`. */
  readonly sourceSha256?: string;
}

/** Checks a `--quantize` list: `fp16,int8` → `['fp16', 'int8']`. @throws `ONNXPIPE_EXPORT_INVALID_OPTION` */
export function parsePrecisions(value: string, param = 'quantize'): Precision[] {
  const names = value
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  const bad = names.find((n) => !(PRECISIONS as readonly string[]).includes(n));
  if (names.length === 0 || bad !== undefined) {
    throw new ONNXPIPE_EXPORT_INVALID_OPTION(
      `'${param}' must be a comma-separated list of ${PRECISIONS.join(', ')}; received ${JSON.stringify(value)}`,
    );
  }
  return [...new Set(names)] as Precision[];
}

/**
 * The axis along which a weight's output channels run, from the node that consumes it: Conv's
 * kernel is [out, in, kh, kw] (axis 0), ConvTranspose's [in, out, ...] (1), Gemm's B is [K, N]
 * (1) or [N, K] with transB (0), MatMul's B has them last. Anything else, or a tensor read by
 * nodes that disagree, gets one scale.
 */
function channelAxis(name: string, rank: number, consumers: readonly OnnxNode[]): number | undefined {
  const axes = consumers.map((node) => {
    const position = node.input.indexOf(name);
    if (position !== 1) return undefined;
    switch (node.opType) {
      case 'Conv':
        return 0;
      case 'ConvTranspose':
        return 1;
      case 'Gemm': {
        const transB = node.attribute.find((a) => a.name === 'transB');
        return transB?.type === 'INT' && transB.i === 1 ? 0 : 1;
      }
      case 'MatMul':
        return rank - 1;
      default:
        return undefined;
    }
  });
  const [first] = axes;
  return first !== undefined && rank >= 2 && axes.every((a) => a === first) ? first : undefined;
}

/** Symmetric int8 with one scale per slice along `axis` (or one for all): q = round(w / s), s = max|w| / 127. */
export function quantizeInt8(
  data: Float32Array,
  dims: readonly number[],
  axis: number | undefined,
): { values: Int8Array; scales: Float32Array } {
  const channels = axis === undefined ? 1 : dims[axis];
  const inner = axis === undefined ? data.length : dims.slice(axis + 1).reduce((a, b) => a * b, 1);
  const channelOf = (i: number) => (axis === undefined ? 0 : Math.floor(i / inner) % channels);
  const max = new Float32Array(channels);
  for (let i = 0; i < data.length; i++) max[channelOf(i)] = Math.max(max[channelOf(i)], Math.abs(data[i]));
  // An all-zero channel gets scale 1: its values are 0 either way.
  const scales = max.map((m) => (m === 0 ? 1 : m / 127));
  const values = new Int8Array(data.length);
  for (let i = 0; i < data.length; i++)
    values[i] = Math.max(-127, Math.min(127, Math.round(data[i] / scales[channelOf(i)])));
  return { values, scales };
}

/**
 * A copy of `model` whose float32 initializers of at least `minElements` elements are stored in
 * `precision` and turned back into float32 by nodes in front of the graph. Inputs, outputs,
 * node names and values keep their names; metadata gains `onnxpipe.variant` and
 * `onnxpipe.variant.weights`.
 *
 * @example
 * ```ts
 * const { model: int8 } = quantizeModel(decodeModel(bytes), 'int8');
 * await writeFile('model.int8.onnx', encodeModel(int8));
 * ```
 */
export function quantizeModel(model: OnnxModel, precision: Precision, options: QuantizeOptions = {}): QuantizeResult {
  if (!(PRECISIONS as readonly string[]).includes(precision)) {
    throw new ONNXPIPE_EXPORT_INVALID_OPTION(
      `'precision' must be one of ${PRECISIONS.join(', ')}; received ${JSON.stringify(precision)}`,
    );
  }
  const minElements = options.minElements ?? MIN_QUANTIZED_ELEMENTS;
  const taken = new Set([
    ...model.graph.node.flatMap((n) => [n.name, ...n.output]),
    ...model.graph.initializer.map((t) => t.name),
    ...model.graph.input.map((v) => v.name),
  ]);
  const unique = (wanted: string) => {
    let name = wanted;
    for (let i = 1; taken.has(name); i++) name = `${wanted}_${i}`;
    taken.add(name);
    return name;
  };
  const initializers: OnnxTensor[] = [];
  const prologue: OnnxNode[] = [];
  const quantized: QuantizedTensor[] = [];
  for (const tensor of model.graph.initializer) {
    if (tensor.dataType !== TensorDataType.FLOAT || tensor.data.length < minElements) {
      initializers.push(tensor);
      continue;
    }
    const data = tensor.data as Float32Array;
    if (precision === 'fp16') {
      const stored = unique(`${tensor.name}/fp16`);
      initializers.push({
        name: stored,
        dataType: TensorDataType.FLOAT16,
        dims: tensor.dims.slice(),
        data: toFloat16Array(data),
      });
      prologue.push({
        name: unique(`${tensor.name}/from_fp16`),
        opType: 'Cast',
        input: [stored],
        output: [tensor.name],
        attribute: [attr.int('to', TensorDataType.FLOAT)],
      });
      quantized.push({ name: tensor.name, elements: data.length });
      continue;
    }
    const consumers = model.graph.node.filter((n) => n.input.includes(tensor.name));
    const axis = channelAxis(tensor.name, tensor.dims.length, consumers);
    const { values, scales } = quantizeInt8(data, tensor.dims, axis);
    const stored = unique(`${tensor.name}/int8`);
    const scale = unique(`${tensor.name}/int8_scale`);
    const widened = unique(`${tensor.name}/int8_as_float`);
    const scaleDims = axis === undefined ? [] : tensor.dims.map((d, i) => (i === axis ? d : 1));
    initializers.push({ name: stored, dataType: TensorDataType.INT8, dims: tensor.dims.slice(), data: values });
    initializers.push({ name: scale, dataType: TensorDataType.FLOAT, dims: scaleDims, data: scales });
    prologue.push({
      name: unique(`${tensor.name}/from_int8`),
      opType: 'Cast',
      input: [stored],
      output: [widened],
      attribute: [attr.int('to', TensorDataType.FLOAT)],
    });
    prologue.push({
      name: unique(`${tensor.name}/dequantize`),
      opType: 'Mul',
      input: [widened, scale],
      output: [tensor.name],
      attribute: [],
    });
    quantized.push({ name: tensor.name, elements: data.length, axis });
  }
  const graph = { ...model.graph, initializer: initializers, node: [...prologue, ...model.graph.node] };
  validateGraph(graph);
  const variantKeys = new Set<string>(Object.values(VARIANT_METADATA_KEYS));
  const metadataProps = [
    ...model.metadataProps.filter(({ key }) => !variantKeys.has(key)),
    { key: VARIANT_METADATA_KEYS.variant, value: precision },
    { key: VARIANT_METADATA_KEYS.weights, value: WEIGHTS[precision] },
    ...(options.sourceSha256 === undefined
      ? []
      : [{ key: VARIANT_METADATA_KEYS.sourceSha256, value: options.sourceSha256 }]),
  ];
  return { model: { ...model, graph, metadataProps }, quantized };
}

/** `model` with `facts` set in its metadata_props (replacing keys it has). */
export function withMetadata(model: OnnxModel, facts: Readonly<Record<string, string>>): OnnxModel {
  const kept = model.metadataProps.filter(({ key }) => !(key in facts));
  return { ...model, metadataProps: [...kept, ...Object.entries(facts).map(([key, value]) => ({ key, value }))] };
}
