import type * as tf from '@tensorflow/tfjs';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { KernelContext } from './kernel-context.js';

type KernelFunc = tf.KernelConfig['kernelFunc'];

/**
 * BatchMatMul for wasm with transposed operands. wasm sends only the plain product to XNNPACK and
 * computes `transposeA`/`transposeB` with a scalar loop (~5–10x slower), and the dense layer's
 * gradients use exactly those. Two plain products give the same result:
 *   op(A)·op(B)            transposing whichever operand is flagged, or
 *   (op(B)ᵀ·op(A)ᵀ)ᵀ       transposing the unflagged operands and the result;
 * the one that moves fewer values is taken. For fc1's input gradient dy·Wᵀ (W [8928,128], dy
 * [B,128]) the second moves B·8928 values instead of W's 1.14M, and XNNPACK packs the small dyᵀ
 * as its weights instead of W.
 */
export function createBatchMatMul(original: KernelFunc): KernelFunc {
  return (args) => {
    const attrs = args.attrs as unknown as tf.BatchMatMulAttrs;
    if (!attrs.transposeA && !attrs.transposeB) return original(args);
    const { a, b } = args.inputs as unknown as { a: tf.TensorInfo; b: tf.TensorInfo };
    const ctx = new KernelContext(args.backend as BackendWasm);
    const product = (left: tf.TensorInfo, right: tf.TensorInfo) =>
      original({
        inputs: { a: left, b: right } as unknown as tf.NamedTensorInfoMap,
        backend: args.backend,
        attrs: { ...attrs, transposeA: false, transposeB: false } as unknown as tf.NamedAttrMap,
      }) as tf.TensorInfo;
    const transpose = (x: tf.TensorInfo) => ctx.run('Transpose', { x }, { perm: swapLastTwo(x.shape.length) });
    try {
      const size = (x: tf.TensorInfo) => x.shape.reduce((p, q) => p * q, 1);
      const rows = a.shape[a.shape.length - (attrs.transposeA ? 1 : 2)];
      const columns = b.shape[b.shape.length - (attrs.transposeB ? 2 : 1)];
      const batch = Math.max(
        size(a) / (a.shape.at(-1)! * a.shape.at(-2)!),
        size(b) / (b.shape.at(-1)! * b.shape.at(-2)!),
      );
      const direct = (attrs.transposeA ? size(a) : 0) + (attrs.transposeB ? size(b) : 0);
      const swapped = (attrs.transposeA ? 0 : size(a)) + (attrs.transposeB ? 0 : size(b)) + batch * rows * columns;
      let result: tf.TensorInfo;
      if (direct <= swapped) {
        result = product(attrs.transposeA ? transpose(a) : a, attrs.transposeB ? transpose(b) : b);
      } else {
        const resultT = product(attrs.transposeB ? b : transpose(b), attrs.transposeA ? a : transpose(a));
        result = transpose(resultT);
        ctx.track(resultT);
      }
      ctx.release(result);
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
