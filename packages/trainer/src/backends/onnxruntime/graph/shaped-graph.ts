import { attr, GraphBuilder, TensorDataType, type OnnxAttribute, type OnnxGraph } from '@onnxpipe/onnx';

/** A value of the graph with its static shape: every graph the trainer builds has fixed sizes. */
export interface Value {
  readonly name: string;
  readonly shape: readonly number[];
  readonly type: TensorDataType;
}

export interface OpOptions {
  readonly attributes?: OnnxAttribute[];
  /** The output's element type. @defaultValue the first input's type, FLOAT without inputs */
  readonly type?: TensorDataType;
  /** Name the output (a graph output is produced by the node itself, never by a copying Identity). */
  readonly output?: string;
}

/**
 * A {@link GraphBuilder} that knows every value's shape, so that ops can compute reshape targets
 * and reduction sizes while the graph is built, and that shares constants (shape vectors, scalars)
 * between nodes instead of adding one initializer per use.
 */
export class ShapedGraph {
  readonly builder: GraphBuilder;
  readonly #constants = new Map<string, Value>();

  constructor(name: string) {
    this.builder = new GraphBuilder(name);
  }

  input(name: string, shape: readonly number[], type: TensorDataType = TensorDataType.FLOAT): Value {
    this.builder.input(name, type, [...shape]);
    return { name, shape, type };
  }

  /** Declares `value` a graph output; it must carry the output's name (see {@link OpOptions.output}). */
  output(value: Value): void {
    this.builder.output(value.name, value.type, [...value.shape]);
  }

  /** One node with one output of `shape`. */
  op(opType: string, inputs: readonly (Value | string)[], shape: readonly number[], options: OpOptions = {}): Value {
    const names = inputs.map((input) => (typeof input === 'string' ? input : input.name));
    const first = inputs.find((input): input is Value => typeof input !== 'string');
    const type = options.type ?? first?.type ?? TensorDataType.FLOAT;
    const [name] = this.builder.node(opType, names, {
      attributes: options.attributes ?? [],
      ...(options.output === undefined ? {} : { outputs: [options.output] }),
    });
    return { name, shape, type };
  }

  /** An INT64 vector constant (shapes, axes, slice bounds), shared by every node that uses it. */
  ints(values: readonly number[]): Value {
    return this.#constant(`i64:${values.join(',')}`, 'ints', TensorDataType.INT64, [values.length], () =>
      BigInt64Array.from(values, (v) => BigInt(v)),
    );
  }

  /** A FLOAT scalar constant, shared. */
  scalar(value: number): Value {
    return this.#constant(`f32:${Math.fround(value)}`, 'scalar', TensorDataType.FLOAT, [], () =>
      Float32Array.of(value),
    );
  }

  /** An INT64 constant tensor whose element k is `value(k)` (not shared). */
  int64s(prefix: string, dims: readonly number[], value: (k: number) => number): Value {
    const name = this.builder.uniqueName(prefix);
    this.builder.initializer(
      name,
      TensorDataType.INT64,
      [...dims],
      BigInt64Array.from({ length: size(dims) }, (_, k) => BigInt(value(k))),
    );
    return { name, shape: dims, type: TensorDataType.INT64 };
  }

  /** A FLOAT constant tensor (not shared). */
  floats(prefix: string, dims: readonly number[], data: Float32Array): Value {
    const name = this.builder.uniqueName(prefix);
    this.builder.initializer(name, TensorDataType.FLOAT, [...dims], data);
    return { name, shape: dims, type: TensorDataType.FLOAT };
  }

  // ---- shorthands for the ops every rule uses --------------------------------------------------

  add(a: Value, b: Value, options?: OpOptions): Value {
    return this.op('Add', [a, b], broadcast(a.shape, b.shape), options);
  }

  sub(a: Value, b: Value, options?: OpOptions): Value {
    return this.op('Sub', [a, b], broadcast(a.shape, b.shape), options);
  }

  mul(a: Value, b: Value, options?: OpOptions): Value {
    return this.op('Mul', [a, b], broadcast(a.shape, b.shape), options);
  }

  div(a: Value, b: Value, options?: OpOptions): Value {
    return this.op('Div', [a, b], broadcast(a.shape, b.shape), options);
  }

  reshape(x: Value, shape: readonly number[], options?: OpOptions): Value {
    if (size(shape) !== size(x.shape)) {
      throw new RangeError(`reshape of ${x.name} [${x.shape}] to [${shape}]: sizes differ`);
    }
    return this.op('Reshape', [x, this.ints(shape)], shape, options);
  }

  transpose(x: Value, perm: readonly number[], options?: OpOptions): Value {
    return this.op(
      'Transpose',
      [x],
      perm.map((p) => x.shape[p]),
      { ...options, attributes: [attr.ints('perm', perm)] },
    );
  }

  /** Sum over `axes`; `keepDims` keeps them as size-1 axes. */
  reduceSum(x: Value, axes: readonly number[], keepDims: boolean, options?: OpOptions): Value {
    return this.#reduce('ReduceSum', x, axes, keepDims, options);
  }

  reduceMean(x: Value, axes: readonly number[], keepDims: boolean, options?: OpOptions): Value {
    return this.#reduce('ReduceMean', x, axes, keepDims, options);
  }

  build(): OnnxGraph {
    return this.builder.build();
  }

  #reduce(opType: string, x: Value, axes: readonly number[], keepDims: boolean, options?: OpOptions): Value {
    const shape = keepDims
      ? x.shape.map((d, i) => (axes.includes(i) ? 1 : d))
      : x.shape.filter((_, i) => !axes.includes(i));
    // ReduceSum takes its axes as an input from opset 13; ReduceMean still as an attribute in 17.
    const inputs = opType === 'ReduceSum' ? [x, this.ints(axes)] : [x];
    const attributes = [
      attr.int('keepdims', keepDims ? 1 : 0),
      ...(opType === 'ReduceSum' ? [] : [attr.ints('axes', axes)]),
    ];
    return this.op(opType, inputs, shape, { ...options, attributes });
  }

  #constant(
    key: string,
    prefix: string,
    type: TensorDataType,
    dims: number[],
    data: () => Float32Array | BigInt64Array,
  ): Value {
    let value = this.#constants.get(key);
    if (value === undefined) {
      const name = this.builder.uniqueName(prefix);
      this.builder.initializer(name, type, dims, data());
      value = { name, shape: dims, type };
      this.#constants.set(key, value);
    }
    return value;
  }
}

/** Elements of a shape. */
export function size(shape: readonly number[]): number {
  return shape.reduce((a, b) => a * b, 1);
}

/** NumPy broadcasting of two static shapes. */
export function broadcast(a: readonly number[], b: readonly number[]): number[] {
  const rank = Math.max(a.length, b.length);
  const out: number[] = [];
  for (let i = 0; i < rank; i++) {
    const da = a[a.length - rank + i] ?? 1;
    const db = b[b.length - rank + i] ?? 1;
    if (da !== db && da !== 1 && db !== 1) throw new RangeError(`shapes [${a}] and [${b}] do not broadcast`);
    out.push(da === 1 ? db : da);
  }
  return out;
}
