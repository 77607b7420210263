import * as tf from '@tensorflow/tfjs';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';

/**
 * Lets a kernel of ours compose the wasm backend's own kernels (XNNPACK convolutions, transposes)
 * without going through the engine: calling tf ops inside a kernel would record them on the
 * gradient tape and leak engine-tracked tensors. Intermediates are released with {@link release}.
 */
export class KernelContext {
  readonly #temporaries: tf.TensorInfo[] = [];

  constructor(readonly backend: BackendWasm) {}

  /** Runs a registered wasm kernel by name; its output is freed by {@link release}. */
  run(kernelName: string, inputs: Record<string, tf.TensorInfo>, attrs: object = {}): tf.TensorInfo {
    const kernel = tf.getKernel(kernelName, 'wasm');
    if (kernel === undefined) throw new Error(`wasm kernel '${kernelName}' is not registered`);
    const output = kernel.kernelFunc({
      inputs: inputs as tf.NamedTensorInfoMap,
      backend: this.backend,
      attrs: attrs as tf.NamedAttrMap,
    }) as tf.TensorInfo;
    this.#temporaries.push(output);
    return output;
  }

  /** Hands a buffer made elsewhere (e.g. by a wrapped kernel) to {@link release}. */
  track(info: tf.TensorInfo): void {
    this.#temporaries.push(info);
  }

  /** Allocates an output on the wasm heap; the caller returns it (it is not released). */
  allocate(shape: number[]): tf.TensorInfo {
    return this.backend.makeOutput(shape, 'float32');
  }

  /** Allocates a temporary buffer freed by {@link release}. */
  allocateTemporary(shape: number[]): tf.TensorInfo {
    const info = this.backend.makeOutput(shape, 'float32');
    this.#temporaries.push(info);
    return info;
  }

  /**
   * A Float32Array view of a tensor on the wasm heap. Views go stale when the heap grows, so take
   * them after every allocation a kernel makes.
   */
  view(info: tf.TensorInfo): Float32Array {
    return this.backend.typedArrayFromHeap(info) as Float32Array;
  }

  /** Frees every temporary except `keep` (the kernel's result). */
  release(keep?: tf.TensorInfo): void {
    for (const info of this.#temporaries) {
      if (info !== keep) this.backend.disposeData(info.dataId);
    }
    this.#temporaries.length = 0;
  }
}

/** What tfjs passes a kernel function. */
export type KernelArgs = Parameters<tf.KernelConfig['kernelFunc']>[0];

/** Normalises a stride/dilation attribute (number or pair) to a pair. */
export function pair(value: number | [number, number]): [number, number] {
  return typeof value === 'number' ? [value, value] : value;
}
