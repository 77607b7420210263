import type * as tf from '@tensorflow/tfjs';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { KernelContext } from './kernel-context.js';

type KernelFunc = tf.KernelConfig['kernelFunc'];

/**
 * BatchMatMul for wasm with transposed operands. wasm sends only the plain product to XNNPACK and
 * computes `transposeA`/`transposeB` with a scalar loop (~5–10x slower), and the dense layer's
 * gradients use exactly those. Transposing the operand first and multiplying without transposes is
 * the same product, computed by XNNPACK.
 */
export function createBatchMatMul(original: KernelFunc): KernelFunc {
  return (args) => {
    const attrs = args.attrs as unknown as tf.BatchMatMulAttrs;
    if (!attrs.transposeA && !attrs.transposeB) return original(args);
    const { a, b } = args.inputs as unknown as { a: tf.TensorInfo; b: tf.TensorInfo };
    const ctx = new KernelContext(args.backend as BackendWasm);
    try {
      const plainA = attrs.transposeA ? ctx.run('Transpose', { x: a }, { perm: swapLastTwo(a.shape.length) }) : a;
      const plainB = attrs.transposeB ? ctx.run('Transpose', { x: b }, { perm: swapLastTwo(b.shape.length) }) : b;
      const result = original({
        inputs: { a: plainA, b: plainB } as unknown as tf.NamedTensorInfoMap,
        backend: args.backend,
        attrs: { ...attrs, transposeA: false, transposeB: false } as unknown as tf.NamedAttrMap,
      }) as tf.TensorInfo;
      ctx.release();
      return result;
    } catch (error) {
      ctx.release();
      throw error;
    }
  };
}

function swapLastTwo(rank: number): number[] {
  const perm = Array.from({ length: rank }, (_, i) => i);
  [perm[rank - 2], perm[rank - 1]] = [perm[rank - 1], perm[rank - 2]];
  return perm;
}
