import { describeValue } from '@onnxpipe/core';
import { validateAttribute } from './attributes.js';
import { isTensorDataType, TensorDataType } from './data-type.js';
import type { TensorData } from './data-type.js';
import { ONNXPIPE_ONNX_DUPLICATE_NAME, ONNXPIPE_ONNX_INVALID_ARGUMENT } from './errors.js';
import type { OnnxAttribute, OnnxDim, OnnxGraph, OnnxNode, OnnxTensor, OnnxValueInfo } from './model-types.js';
import { validateTensor } from './tensor-codec.js';
import { validateGraph } from './validate-graph.js';

/** Options of {@link GraphBuilder.node}. */
export interface NodeOptions {
  /** Node name. @defaultValue `uniqueName(opType)`, e.g. `Conv`, `Conv_1` */
  name?: string;
  /** Output names, or how many to generate (`<node name>_output_<i>`). @defaultValue `1` */
  outputs?: string[] | number;
  /** Attributes, made with `attr.*`. @defaultValue `[]` */
  attributes?: OnnxAttribute[];
  /** Operator domain. @defaultValue the default ONNX domain (left out of the file) */
  domain?: string;
  docString?: string;
}

function fail(message: string): never {
  throw new ONNXPIPE_ONNX_INVALID_ARGUMENT(message);
}

function checkName(value: unknown, param: string): string {
  if (typeof value !== 'string' || value === '') {
    fail(`'${param}' must be a non-empty string; received ${describeValue(value)}`);
  }
  return value;
}

function checkValueType(elemType: unknown, shape: unknown, param: string): OnnxDim[] {
  if (!isTensorDataType(elemType) || elemType === TensorDataType.UNDEFINED) {
    fail(`'${param}.elemType' must be a TensorDataType other than UNDEFINED; received ${describeValue(elemType)}`);
  }
  const ok = (d: unknown) => typeof d === 'string' || (Number.isSafeInteger(d) && (d as number) >= 0);
  if (!Array.isArray(shape) || !shape.every(ok)) {
    fail(
      `'${param}.shape' must be an array of non-negative integers and symbolic names (strings); received ${describeValue(shape)}`,
    );
  }
  return shape.slice() as OnnxDim[];
}

/**
 * Builds an ONNX graph step by step with unique names, and checks it on {@link build}.
 *
 * @example
 * ```ts
 * const g = new GraphBuilder('mlp');
 * const x = g.input('x', TensorDataType.FLOAT, ['N', 3]);
 * const w = g.initializer('w', TensorDataType.FLOAT, [3, 2], new Float32Array(6));
 * const [y] = g.node('MatMul', [x, w]);
 * g.node('Softmax', [y], { outputs: ['probs'], attributes: [attr.int('axis', 1)] });
 * g.output('probs', TensorDataType.FLOAT, ['N', 2]);
 * const graph = g.build();
 * ```
 */
export class GraphBuilder {
  readonly name: string;
  readonly #inputs: OnnxValueInfo[] = [];
  readonly #outputs: OnnxValueInfo[] = [];
  readonly #initializers: OnnxTensor[] = [];
  readonly #nodes: OnnxNode[] = [];
  /** Values defined so far (inputs, initializers, node outputs). */
  readonly #values = new Set<string>();
  readonly #nodeNames = new Set<string>();
  readonly #outputNames = new Set<string>();
  /** Handed out by uniqueName but not defined yet; never handed out again. */
  readonly #reserved = new Set<string>();

  constructor(name: string) {
    this.name = checkName(name, 'name');
  }

  #isTaken(name: string): boolean {
    return (
      this.#values.has(name) || this.#nodeNames.has(name) || this.#outputNames.has(name) || this.#reserved.has(name)
    );
  }

  #defineValue(name: string, param: string): string {
    checkName(name, param);
    if (this.#values.has(name)) throw new ONNXPIPE_ONNX_DUPLICATE_NAME('value', describeValue(name));
    this.#values.add(name);
    return name;
  }

  /**
   * A name not used in this graph yet, for a value or a node: `prefix` itself if free, else
   * `prefix_1`, `prefix_2`, ... The name is reserved, so later calls will not return it again.
   */
  uniqueName(prefix: string): string {
    checkName(prefix, 'prefix');
    let name = prefix;
    for (let suffix = 1; this.#isTaken(name); suffix++) name = `${prefix}_${suffix}`;
    this.#reserved.add(name);
    return name;
  }

  /** Declares a graph input; `shape` entries are sizes or symbolic names like `'N'`. Returns `name`. */
  input(name: string, elemType: TensorDataType, shape: OnnxDim[]): string {
    const dims = checkValueType(elemType, shape, `input ${describeValue(name)}`);
    this.#inputs.push({ name: this.#defineValue(name, 'name'), elemType, shape: dims });
    return name;
  }

  /** Declares a graph output; a node must produce `name` before {@link build}. Returns `name`. */
  output(name: string, elemType: TensorDataType, shape: OnnxDim[]): string {
    checkName(name, 'name');
    const dims = checkValueType(elemType, shape, `output ${describeValue(name)}`);
    if (this.#outputNames.has(name)) throw new ONNXPIPE_ONNX_DUPLICATE_NAME('graph output', describeValue(name));
    this.#outputNames.add(name);
    this.#outputs.push({ name, elemType, shape: dims });
    return name;
  }

  /**
   * Adds a constant tensor (weights), stored in the file as little-endian `raw_data`.
   * `data` must be the typed array of `dataType` (e.g. Float32Array for FLOAT, BigInt64Array
   * for INT64) with exactly `product(dims)` elements. Returns `name`.
   *
   * @throws ONNXPIPE_ONNX_BAD_TENSOR on a wrong array type or length
   */
  initializer(name: string, dataType: TensorDataType, dims: number[], data: TensorData): string {
    checkName(name, 'name');
    const tensor: OnnxTensor = { name, dataType, dims: Array.isArray(dims) ? dims.slice() : dims, data };
    validateTensor(tensor);
    this.#defineValue(name, 'name');
    this.#initializers.push(tensor);
    return name;
  }

  /**
   * Appends a node. Inputs must be defined (graph inputs, initializers or outputs of earlier
   * nodes) by the time {@link build} runs; `''` stands for an omitted optional input.
   *
   * @returns the node's output names (generated unless `options.outputs` lists them)
   */
  node(opType: string, inputs: string[], options: NodeOptions = {}): string[] {
    checkName(opType, 'opType');
    if (!Array.isArray(inputs) || !inputs.every((i) => typeof i === 'string')) {
      fail(`'inputs' of ${opType} must be an array of value names; received ${describeValue(inputs)}`);
    }
    const name = options.name ?? this.uniqueName(opType);
    checkName(name, 'options.name');
    if (this.#nodeNames.has(name)) throw new ONNXPIPE_ONNX_DUPLICATE_NAME('node', describeValue(name));

    const attributes = options.attributes ?? [];
    const seen = new Set<string>();
    for (const attribute of attributes) {
      validateAttribute(attribute);
      if (seen.has(attribute.name)) {
        fail(`node ${describeValue(name)}: attribute ${describeValue(attribute.name)} is given twice`);
      }
      seen.add(attribute.name);
    }

    const requested = options.outputs ?? 1;
    let outputs: string[];
    if (typeof requested === 'number') {
      if (!Number.isSafeInteger(requested) || requested < 0) {
        fail(`'options.outputs' must be a count >= 0 or an array of names; received ${describeValue(requested)}`);
      }
      outputs = Array.from({ length: requested }, (_, i) => this.uniqueName(`${name}_output_${i}`));
    } else {
      outputs = requested.slice();
    }
    // Checked before anything is recorded, so a failed call leaves the builder unchanged.
    const fresh = new Set<string>();
    for (const output of outputs) {
      checkName(output, 'options.outputs[]');
      if (this.#values.has(output) || fresh.has(output)) {
        throw new ONNXPIPE_ONNX_DUPLICATE_NAME('value', describeValue(output));
      }
      fresh.add(output);
    }
    for (const output of outputs) this.#defineValue(output, 'options.outputs[]');
    this.#nodeNames.add(name);
    this.#reserved.delete(name);
    this.#nodes.push({
      name,
      opType,
      ...(options.domain === undefined || options.domain === '' ? {} : { domain: options.domain }),
      input: inputs.slice(),
      output: outputs,
      attribute: attributes.slice(),
      ...(options.docString === undefined ? {} : { docString: options.docString }),
    });
    return outputs.slice();
  }

  /**
   * The graph so far, checked: node inputs defined in topological order, names unique, every
   * output produced. The builder stays usable; the result does not change with it.
   *
   * @throws ONNXPIPE_ONNX_INVALID_GRAPH listing the problems
   */
  build(): OnnxGraph {
    const graph: OnnxGraph = {
      name: this.name,
      node: this.#nodes.map((node) => ({ ...node, input: node.input.slice(), output: node.output.slice() })),
      initializer: this.#initializers.slice(),
      input: this.#inputs.map((info) => ({ ...info, shape: info.shape.slice() })),
      output: this.#outputs.map((info) => ({ ...info, shape: info.shape.slice() })),
    };
    validateGraph(graph);
    return graph;
  }
}
