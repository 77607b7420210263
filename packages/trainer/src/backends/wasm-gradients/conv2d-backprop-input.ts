import * as tf from '@tensorflow/tfjs';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { UnsupportedKernelConfigError } from '../../errors.js';
import { KernelContext, pair } from './kernel-context.js';

type Pad = tf.Conv2DBackpropInputAttrs['pad'];
type KernelFunc = tf.KernelConfig['kernelFunc'];

/**
 * Conv2DBackpropInput for wasm. With stride 1 the input gradient is a `valid` convolution of dy,
 * zero-padded by (K−1−pad) on each side, with the filter rotated 180° and its channel axes swapped:
 *   dx[b,i,j,ci] = Σ_{kh,kw,co} dy[b, i+padTop−kh, j+padLeft−kw, co] · W[kh,kw,ci,co]
 * which XNNPACK runs ~10x faster than wasm's own scalar kernel. Strides above 1 go to wasm's own
 * kernel (`fallback`), which is correct, only slower. NCHW is refused.
 */
export function createConv2dBackpropInput(fallback: KernelFunc): KernelFunc {
  return (args) => {
    const { dy, filter } = args.inputs as unknown as { dy: tf.TensorInfo; filter: tf.TensorInfo };
    const attrs = args.attrs as unknown as tf.Conv2DBackpropInputAttrs;
    const name = 'Conv2DBackpropInput';
    if (attrs.dataFormat !== undefined && attrs.dataFormat !== 'NHWC') {
      throw new UnsupportedKernelConfigError(name, 'dataFormat', '"NHWC"', attrs.dataFormat);
    }
    const [strideH, strideW] = pair(attrs.strides);
    const [kh, kw, ci, co] = filter.shape as [number, number, number, number];
    const info = tf.backend_util.computeConv2DInfo(
      attrs.inputShape,
      [kh, kw, ci, co],
      [strideH, strideW],
      1,
      attrs.pad as Pad,
      attrs.dimRoundingMode,
    );
    const { top, bottom, left, right } = info.padInfo;
    const padding = [kh - 1 - top, kh - 1 - bottom, kw - 1 - left, kw - 1 - right];
    // A stride above 1, or a padding wider than the kernel, leaves the identity above; wasm's own
    // kernel covers those rare cases exactly.
    if (strideH !== 1 || strideW !== 1 || padding.some((p) => p < 0)) return fallback(args);

    const ctx = new KernelContext(args.backend as BackendWasm);
    try {
      const rotated = ctx.allocateTemporary([kh, kw, co, ci]);
      rotateAndSwapChannels(ctx.view(filter), ctx.view(rotated), kh, kw, ci, co);
      const result = ctx.run(
        'Conv2D',
        { x: dy, filter: rotated },
        {
          strides: [1, 1],
          dilations: [1, 1],
          pad: [
            [0, 0],
            [padding[0], padding[1]],
            [padding[2], padding[3]],
            [0, 0],
          ],
          dataFormat: 'NHWC',
        },
      );
      ctx.release(result);
      return result;
    } catch (error) {
      ctx.release();
      throw error;
    }
  };
}

/** out[kh,kw,co,ci] = w[KH−1−kh, KW−1−kw, ci, co] (a few thousand values: a plain loop is fine). */
function rotateAndSwapChannels(
  w: Float32Array,
  out: Float32Array,
  kh: number,
  kw: number,
  ci: number,
  co: number,
): void {
  for (let h = 0; h < kh; h++) {
    for (let v = 0; v < kw; v++) {
      const src = ((kh - 1 - h) * kw + (kw - 1 - v)) * ci * co;
      const dst = (h * kw + v) * co * ci;
      for (let i = 0; i < ci; i++) {
        for (let o = 0; o < co; o++) out[dst + o * ci + i] = w[src + i * co + o];
      }
    }
  }
}
