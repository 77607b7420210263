import type { ShapedGraph, Value } from './shaped-graph.js';

/**
 * The gradient rule of one recorded op: given the gradients arriving at its outputs (undefined
 * where none flows), emits the nodes for the gradients of the inputs that `needed` marks and
 * returns them (undefined for the others).
 */
export type GradientRule = (
  upstream: readonly (Value | undefined)[],
  needed: readonly boolean[],
) => readonly (Value | undefined)[];

interface Entry {
  readonly inputs: readonly Value[];
  readonly outputs: readonly Value[];
  readonly rule: GradientRule;
}

/**
 * Reverse-mode differentiation over a graph being built: each op records its inputs, outputs and
 * gradient rule while its forward nodes are emitted; {@link gradients} then walks the record
 * backwards and emits the backward nodes into the same graph. Only values that depend on a
 * watched value (a parameter) take part, so no gradient is built for the images or the masks.
 */
export class Tape {
  readonly #requires = new Set<string>();
  readonly #entries: Entry[] = [];

  constructor(readonly graph: ShapedGraph) {}

  /** Marks `value` as something to differentiate with respect to. */
  watch(value: Value): Value {
    this.#requires.add(value.name);
    return value;
  }

  requiresGradient(value: Value): boolean {
    return this.#requires.has(value.name);
  }

  /** Records an op; without any input that needs a gradient it is left out of the backward pass. */
  record(inputs: readonly (Value | undefined)[], outputs: readonly Value[], rule: GradientRule): void {
    const present = inputs.filter((v): v is Value => v !== undefined);
    if (!present.some((v) => this.#requires.has(v.name))) return;
    for (const output of outputs) this.#requires.add(output.name);
    this.#entries.push({ inputs: inputs as Value[], outputs, rule });
  }

  /**
   * Emits the backward pass from `seeds` (a value and the gradient arriving at it) and returns
   * the gradient of each value in `wrt` (undefined where none reaches it). Gradients of a value
   * used by several ops are added up.
   */
  gradients(seeds: readonly (readonly [Value, Value])[], wrt: readonly Value[]): (Value | undefined)[] {
    const grads = new Map<string, Value>();
    const accumulate = (value: Value, grad: Value) => {
      const previous = grads.get(value.name);
      grads.set(value.name, previous === undefined ? grad : this.graph.add(previous, grad));
    };
    for (const [value, grad] of seeds) accumulate(value, grad);
    for (let i = this.#entries.length - 1; i >= 0; i--) {
      const { inputs, outputs, rule } = this.#entries[i];
      const upstream = outputs.map((o) => grads.get(o.name));
      if (upstream.every((g) => g === undefined)) continue;
      const needed = inputs.map((v) => v !== undefined && this.#requires.has(v.name));
      const results = rule(upstream, needed);
      inputs.forEach((input, k) => {
        if (input !== undefined && needed[k] && results[k] !== undefined) accumulate(input, results[k]!);
      });
    }
    return wrt.map((v) => grads.get(v.name));
  }
}
