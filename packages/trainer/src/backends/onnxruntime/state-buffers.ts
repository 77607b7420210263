import * as ort from 'onnxruntime-node';
import { parameterSpecs, tensorLayout, type NetworkSpec, type TensorLayout } from '../../model/network-spec.js';
import type { TrainingState } from '../../train/training-state.js';
import type { TensorBinding } from './graph/training-graph.js';

/** Flat arrays by binding prefix: `param`, each optimizer state name, `average`. */
export type BufferSet = Readonly<Record<string, Float32Array>>;

/**
 * The training state twice: the `TrainingState`'s own arrays and a shadow set of the same sizes.
 * A step reads one set and onnxruntime writes the next values straight into the other (as
 * pre-allocated outputs: no copy, no allocation); the roles then swap. Reading and writing the
 * same memory in one run is not safe: nothing orders the update of a weight after the last node
 * that reads it. {@link sync} makes the `TrainingState` current again.
 */
export class StateBuffers {
  readonly sets: readonly [BufferSet, BufferSet];
  readonly layout: TensorLayout;
  /** Which set holds the current values. */
  current: 0 | 1 = 0;

  constructor(network: NetworkSpec, state: TrainingState) {
    this.layout = tensorLayout(parameterSpecs(network));
    const own: Record<string, Float32Array> = { param: state.params, ...state.optimizer.state };
    if (state.averaged !== undefined) own.average = state.averaged;
    for (const [name, array] of Object.entries(own)) {
      // onnxruntime-node cannot bind a SharedArrayBuffer ("Invalid argument"); one process needs none.
      if (array.buffer instanceof SharedArrayBuffer) {
        throw new TypeError(
          `StateBuffers: '${name}' must be backed by an ArrayBuffer (createTrainingState(recipe, 1, seed)); received a SharedArrayBuffer`,
        );
      }
    }
    const shadow = Object.fromEntries(
      Object.entries(own).map(([name, array]) => [name, new Float32Array(array.length)]),
    );
    this.sets = [own, shadow];
  }

  /** Copies the current values into the `TrainingState`'s arrays if the shadow set holds them. */
  sync(): void {
    if (this.current === 0) return;
    for (const [name, array] of Object.entries(this.sets[0])) array.set(this.sets[1][name]);
    this.current = 0;
  }

  /** Tensors over the arrays of `set` for `bindings` (their inputs, or their outputs), keyed by name. */
  tensors(
    set: 0 | 1,
    prefix: string,
    bindings: readonly TensorBinding[],
    side: 'input' | 'output',
  ): Record<string, ort.Tensor> {
    const flat = this.sets[set][prefix];
    return Object.fromEntries(
      bindings.map((binding, i) => {
        const start = this.layout.offsets[i];
        const view = flat.subarray(start, start + this.layout.sizes[i]);
        return [binding[side], new ort.Tensor('float32', view, [...binding.spec.shape])];
      }),
    );
  }
}
