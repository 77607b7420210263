import * as tf from '@tensorflow/tfjs';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { KernelContext } from './kernel-context.js';

type KernelFunc = tf.KernelConfig['kernelFunc'];

/**
 * Sum for wasm, fast path for reducing every axis but the last — the bias gradient of every conv
 * and dense layer. wasm reduces only innermost axes, so it first transposes the whole tensor
 * (2.3M values for conv2); one strided pass with float64 accumulators avoids that copy and is
 * more accurate. Every other reduction goes to wasm's own kernel.
 */
export function createSumLeadingAxes(original: KernelFunc): KernelFunc {
  return (args) => {
    const { x } = args.inputs as unknown as { x: tf.TensorInfo };
    const attrs = args.attrs as unknown as tf.SumAttrs;
    const rank = x.shape.length;
    const axes = tf.util.parseAxisParam(attrs.axis, x.shape).sort((a, b) => a - b);
    const leading = rank >= 2 && axes.length === rank - 1 && axes.every((axis, i) => axis === i);
    if (x.dtype !== 'float32' || !leading) return original(args);

    const channels = x.shape[rank - 1];
    const rows = tf.util.sizeFromShape(x.shape) / channels;
    const ctx = new KernelContext(args.backend as BackendWasm);
    const result = ctx.allocate(attrs.keepDims ? [...new Array<number>(rank - 1).fill(1), channels] : [channels]);
    const values = ctx.view(x);
    const totals = new Float64Array(channels);
    for (let row = 0, offset = 0; row < rows; row++, offset += channels) {
      for (let c = 0; c < channels; c++) totals[c] += values[offset + c];
    }
    ctx.view(result).set(totals);
    return result;
  };
}
