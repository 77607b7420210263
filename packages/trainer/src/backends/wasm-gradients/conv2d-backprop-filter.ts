import * as tf from '@tensorflow/tfjs';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { type KernelArgs, KernelContext, UnsupportedKernelConfigError, pair } from './kernel-context.js';

type Pad = tf.Conv2DBackpropFilterAttrs['pad'];

/**
 * Conv2DBackpropFilter for wasm, which ships none. The filter gradient
 *   dW[kh,kw,ci,co] = Σ_{b,oh,ow} x[b, oh·s+kh, ow·s+kw, ci] · dy[b,oh,ow,co]
 * is itself a `valid` convolution in which the input channels play the batch and the batch plays
 * the channels: convolve x as [Ci,H,W,B] with dy as a [OH,OW,B,Co] filter dilated by the stride.
 * That runs on XNNPACK's convolution instead of a scalar loop.
 * Supported: NHWC, any stride, any padding (valid, same, explicit), dilation 1 (tfjs itself
 * refuses gradients of dilated convolutions).
 */
export function conv2dBackpropFilter(args: KernelArgs): tf.TensorInfo {
  const { x, dy } = args.inputs as unknown as { x: tf.TensorInfo; dy: tf.TensorInfo };
  const attrs = args.attrs as unknown as tf.Conv2DBackpropFilterAttrs & { dilations?: number | [number, number] };
  const name = 'Conv2DBackpropFilter';
  if (attrs.dataFormat !== undefined && attrs.dataFormat !== 'NHWC') {
    throw new UnsupportedKernelConfigError(name, 'dataFormat', '"NHWC"', attrs.dataFormat);
  }
  if (attrs.dilations !== undefined && pair(attrs.dilations).some((d) => d !== 1)) {
    throw new UnsupportedKernelConfigError(name, 'dilations', '1', attrs.dilations);
  }
  const [strideH, strideW] = pair(attrs.strides);
  const [kh, kw, ci, co] = attrs.filterShape;
  const info = tf.backend_util.computeConv2DInfo(
    x.shape as [number, number, number, number],
    attrs.filterShape,
    [strideH, strideW],
    1,
    attrs.pad as Pad,
    attrs.dimRoundingMode,
  );
  const { top, bottom, left, right } = info.padInfo;
  const ctx = new KernelContext(args.backend as BackendWasm);
  try {
    const xT = ctx.run('Transpose', { x }, { perm: [3, 1, 2, 0] });
    const dyT = ctx.run('Transpose', { x: dy }, { perm: [1, 2, 0, 3] });
    const grad = ctx.run(
      'Conv2D',
      { x: xT, filter: dyT },
      {
        strides: [1, 1],
        dilations: [strideH, strideW],
        pad: [[0, 0], [top, bottom], [left, right], [0, 0]],
        dataFormat: 'NHWC',
      },
    );
    // With a stride that does not divide the padded size, the convolution yields extra rows and
    // columns past the kernel window: they correspond to no filter tap, so drop them.
    const cropped =
      grad.shape[1] === kh && grad.shape[2] === kw
        ? grad
        : ctx.run('Slice', { x: grad }, { begin: [0, 0, 0, 0], size: [ci, kh, kw, co] });
    const result = ctx.run('Transpose', { x: cropped }, { perm: [1, 2, 0, 3] });
    ctx.release(result);
    return result;
  } catch (error) {
    ctx.release();
    throw error;
  }
}
