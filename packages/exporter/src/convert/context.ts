import type * as tf from '@tensorflow/tfjs';
import { attr, TensorDataType } from '@onnxpipe/onnx';
import type { GraphBuilder, OnnxAttribute } from '@onnxpipe/onnx';
import { NCHW_TO_NHWC, NHWC_TO_NCHW } from './layout.js';
import type { GraphValue } from './layout.js';

/** A tfjs layer. */
export type Layer = tf.layers.Layer;

/** A layer weight copied out of tfjs. */
export interface WeightValue {
  readonly data: Float32Array;
  readonly shape: readonly number[];
}

interface PendingNode {
  readonly opType: string;
  readonly inputs: string[];
  readonly outputs: string[];
  readonly name: string;
  readonly attributes: OnnxAttribute[];
}

/**
 * State shared by the layer converters while one model is converted: value and node names,
 * initializers, and the nodes emitted so far. Nodes are held back until {@link flush} so that
 * the last one can write straight into the graph output's name, with no trailing Identity.
 */
export class ConversionContext {
  readonly #used = new Set<string>();
  readonly #nodes: PendingNode[] = [];

  constructor(
    readonly graph: GraphBuilder,
    readonly opset: number,
    reservedNames: readonly string[],
  ) {
    for (const name of reservedNames) this.#used.add(name);
  }

  /** `base`, or `base_1`, `base_2`, ... whichever is still free; reserves it. */
  uniqueName(base: string): string {
    let name = base;
    for (let i = 1; this.#used.has(name); i++) name = `${base}_${i}`;
    this.#used.add(name);
    return name;
  }

  /** Emits one node with a single output and returns that output's name. */
  node(opType: string, inputs: string[], nodeName: string, attributes: OnnxAttribute[] = []): string {
    const name = this.uniqueName(nodeName);
    const output = this.uniqueName(`${name}_output_0`);
    this.#nodes.push({ opType, inputs, outputs: [output], name, attributes });
    return output;
  }

  /** Adds a float32 initializer named after `base`. */
  floatInitializer(base: string, dims: readonly number[], data: Float32Array): string {
    return this.graph.initializer(this.uniqueName(base), TensorDataType.FLOAT, [...dims], data);
  }

  /** Adds an int64 initializer (e.g. Reshape's shape input) named after `base`. */
  int64Initializer(base: string, values: readonly number[]): string {
    const data = BigInt64Array.from(values, (v) => BigInt(v));
    return this.graph.initializer(this.uniqueName(base), TensorDataType.INT64, [values.length], data);
  }

  /** Returns `value` as an `nchw` tensor, transposing a 4-D tfjs tensor if needed. */
  toNchw(value: GraphValue, nodeName: string): GraphValue {
    if (value.layout === 'nchw') return value;
    if (value.layout !== 'tf' || value.shape.length !== 3) {
      throw new Error(`internal: cannot view a ${value.layout} tensor of shape [${value.shape}] as NCHW`);
    }
    const name = this.node('Transpose', [value.name], `${nodeName}/to_nchw`, [attr.ints('perm', [...NHWC_TO_NCHW])]);
    return { name, layout: 'nchw', shape: value.shape };
  }

  /** Returns `value` in tfjs element order, transposing an `nchw` tensor back to NHWC. */
  toTf(value: GraphValue, nodeName: string): GraphValue {
    if (value.layout === 'tf') return value;
    if (value.layout !== 'nchw') {
      // `flat-chw` is only produced when a Dense is known to follow (see shape.ts).
      throw new Error(`internal: cannot turn a ${value.layout} tensor back into tfjs order`);
    }
    const name = this.node('Transpose', [value.name], `${nodeName}/to_nhwc`, [attr.ints('perm', [...NCHW_TO_NHWC])]);
    return { name, layout: 'tf', shape: value.shape };
  }

  /**
   * Writes the held-back nodes into the graph, renaming `finalValue` to `outputName`. Returns
   * false when no node produces `finalValue` (the graph input itself), so the caller must
   * bridge input and output with an Identity.
   */
  flush(finalValue: string, outputName: string): boolean {
    const produced = this.#nodes.some((n) => n.outputs.includes(finalValue));
    const rename = (name: string): string => (produced && name === finalValue ? outputName : name);
    for (const n of this.#nodes) {
      this.graph.node(n.opType, n.inputs.map(rename), {
        name: n.name,
        outputs: n.outputs.map(rename),
        attributes: n.attributes,
      });
    }
    return produced;
  }
}

/** The layer's weights by their short name (`kernel`, `bias`, `gamma`, `moving_mean`, ...). */
export function layerWeights(layer: Layer): Map<string, WeightValue> {
  const weights = new Map<string, WeightValue>();
  for (const variable of layer.weights) {
    const shortName = variable.originalName.slice(variable.originalName.lastIndexOf('/') + 1);
    const tensor = variable.read();
    if (tensor.dtype !== 'float32') {
      throw new Error(`internal: weight ${variable.originalName} is ${tensor.dtype}, expected float32`);
    }
    weights.set(shortName, { data: Float32Array.from(tensor.dataSync() as Float32Array), shape: tensor.shape });
  }
  return weights;
}

/** A weight the layer must have; its absence is a tfjs invariant broken, hence a plain Error. */
export function requireWeight(weights: Map<string, WeightValue>, layer: Layer, name: string): WeightValue {
  const weight = weights.get(name);
  if (weight === undefined) throw new Error(`internal: layer '${layer.name}' has no weight '${name}'`);
  return weight;
}

/**
 * Translates one layer. `input` is the layer's input as it exists in the graph; `following`
 * are the layers after it in the chain, for the few translations that look ahead (Flatten).
 */
export type LayerConverter = (
  ctx: ConversionContext,
  layer: Layer,
  input: GraphValue,
  following: readonly Layer[],
) => GraphValue;

/** `n` or `[a, b]` from a tfjs layer config → `[a, b]`. */
export function pair(value: unknown): [number, number] {
  if (typeof value === 'number') return [value, value];
  const [a, b] = value as number[];
  return [a, b ?? a];
}
