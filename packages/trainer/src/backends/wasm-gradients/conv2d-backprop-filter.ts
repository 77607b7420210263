import * as tf from '@tensorflow/tfjs';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { type KernelArgs, KernelContext, UnsupportedKernelConfigError, pair } from './kernel-context.js';

type Pad = tf.Conv2DBackpropFilterAttrs['pad'];

/**
 * Conv2DBackpropFilter for wasm, which ships none:
 *   dW[kh,kw,ci,co] = Σ_{b,oh,ow} x[b, oh·s+kh−padTop, ow·s+kw−padLeft, ci] · dy[b,oh,ow,co]
 * Stride 1 (every layer of the reference network): one pass lays x out as transposed patches
 * [KH·KW·Ci, B·OH·OW] and a single XNNPACK matmul with dy viewed as [B·OH·OW, Co] yields dW
 * directly in HWIO order. Other strides: dW is itself a `valid` convolution in which the input
 * channels play the batch and the batch plays the channels (x as [Ci,H,W,B], dy as a filter
 * [OH,OW,B,Co] dilated by the stride), also run by XNNPACK.
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
  const info = tf.backend_util.computeConv2DInfo(
    x.shape as [number, number, number, number],
    attrs.filterShape,
    [strideH, strideW],
    1,
    attrs.pad as Pad,
    attrs.dimRoundingMode,
  );
  const ctx = new KernelContext(args.backend as BackendWasm);
  try {
    const result = strideH === 1 && strideW === 1 ? viaPatches(ctx, x, dy, info) : viaConvolution(ctx, x, dy, info);
    ctx.release(result);
    return result;
  } catch (error) {
    ctx.release();
    throw error;
  }
}

function viaPatches(ctx: KernelContext, x: tf.TensorInfo, dy: tf.TensorInfo, info: tf.backend_util.Conv2DInfo): tf.TensorInfo {
  const { batchSize, inHeight, inWidth, inChannels, outHeight, outWidth, outChannels, filterHeight, filterWidth } = info;
  const rows = filterHeight * filterWidth * inChannels;
  const columns = batchSize * outHeight * outWidth;
  const patches = ctx.allocateTemporary([1, rows, columns]);
  writeTransposedPatches(ctx.view(x), ctx.view(patches), info);
  const dy3d = ctx.run('Reshape', { x: dy }, { shape: [1, columns, outChannels] });
  const product = ctx.run('BatchMatMul', { a: patches, b: dy3d }, { transposeA: false, transposeB: false });
  return ctx.run('Reshape', { x: product }, { shape: [filterHeight, filterWidth, inChannels, outChannels] });

  function writeTransposedPatches(source: Float32Array, target: Float32Array, conv: typeof info): void {
    const top = conv.padInfo.top;
    const left = conv.padInfo.left;
    let at = 0;
    for (let kh = 0; kh < filterHeight; kh++) {
      for (let kw = 0; kw < filterWidth; kw++) {
        // Output columns whose input column ow+kw−left falls inside the image; the rest is padding.
        const owFirst = Math.max(0, left - kw);
        const owEnd = Math.min(outWidth, inWidth + left - kw);
        for (let ci = 0; ci < inChannels; ci++) {
          for (let b = 0; b < batchSize; b++) {
            for (let oh = 0; oh < outHeight; oh++) {
              const ih = oh + kh - top;
              if (ih < 0 || ih >= inHeight || owFirst >= owEnd) {
                target.fill(0, at, at + outWidth);
                at += outWidth;
                continue;
              }
              for (let ow = 0; ow < owFirst; ow++) target[at++] = 0;
              let from = ((b * inHeight + ih) * inWidth + owFirst + kw - left) * inChannels + ci;
              for (let ow = owFirst; ow < owEnd; ow++, from += inChannels) target[at++] = source[from];
              for (let ow = owEnd; ow < outWidth; ow++) target[at++] = 0;
            }
          }
        }
      }
    }
  }
}

function viaConvolution(ctx: KernelContext, x: tf.TensorInfo, dy: tf.TensorInfo, info: tf.backend_util.Conv2DInfo): tf.TensorInfo {
  const { top, bottom, left, right } = info.padInfo;
  const { filterHeight: kh, filterWidth: kw, inChannels: ci, outChannels: co, strideHeight, strideWidth } = info;
  const xT = ctx.run('Transpose', { x }, { perm: [3, 1, 2, 0] });
  const dyT = ctx.run('Transpose', { x: dy }, { perm: [1, 2, 0, 3] });
  const grad = ctx.run(
    'Conv2D',
    { x: xT, filter: dyT },
    {
      strides: [1, 1],
      dilations: [strideHeight, strideWidth],
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
  return ctx.run('Transpose', { x: cropped }, { perm: [1, 2, 0, 3] });
}
