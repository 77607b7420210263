import * as tf from '@tensorflow/tfjs';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { UnsupportedKernelConfigError } from '../../errors.js';
import { type KernelArgs, KernelContext, pair } from './kernel-context.js';

type Pad = tf.Conv2DBackpropFilterAttrs['pad'];

/**
 * Conv2DBackpropFilter for wasm, which ships none:
 *   dW[kh,kw,ci,co] = Σ_{b,oh,ow} x[b, oh·s+kh−padTop, ow·s+kw−padLeft, ci] · dy[b,oh,ow,co]
 * Stride 1 (every layer of the reference network): XNNPACK matmuls of shifted copies of x by a
 * zero-padded dy yield dW directly in HWIO order (see {@link viaPatches}). Other strides: dW is
 * itself a `valid` convolution in which the input channels play the batch and the batch plays
 * the channels (x as [Ci,H,W,B], dy as a filter [OH,OW,B,Co] dilated by the stride), also run
 * by XNNPACK.
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

/**
 * Images per matmul in {@link viaPatches}. XNNPACK's GEMM does not block the reduction axis, so one
 * product over the whole batch (43,264 grid positions for conv2 at batch 64) streams its operands
 * from memory; chunks of a few images kept them in cache and ran that product ~25 % faster.
 */
const IMAGES_PER_PRODUCT = 4;

/**
 * Stride 1. x is laid out channel-major on a zero-padded grid, xT[ci][b][hp][wp] with
 * Hp = OH + KH − 1 and Wp = OW + KW − 1; then for a tap (kh, kw) the plane xT[ci] shifted by
 * kh·Wp + kw holds, at every grid position (b, oh, ow), the input value that tap multiplies. With
 * dy placed on the same grid (zero where no output exists, which also cancels what a shift drags
 * in from the next image), dW in HWIO order is the matmul of the shifted planes
 * [KH·KW·Ci, B·Hp·Wp] by dy [B·Hp·Wp, Co]. Every row of the left operand is one memcpy, where a
 * classic im2col gathers value by value; the padding costs ~17 % more matmul work for the
 * reference network, less than the copy saves. The product runs per chunk of images (see
 * {@link IMAGES_PER_PRODUCT}) and the partial dW are added up.
 */
function viaPatches(
  ctx: KernelContext,
  x: tf.TensorInfo,
  dy: tf.TensorInfo,
  info: tf.backend_util.Conv2DInfo,
): tf.TensorInfo {
  const { batchSize, inHeight, inWidth, inChannels, outHeight, outWidth, outChannels, filterHeight, filterWidth } =
    info;
  const { top, left } = info.padInfo;
  const paddedHeight = outHeight + filterHeight - 1;
  const paddedWidth = outWidth + filterWidth - 1;
  const cell = paddedHeight * paddedWidth;
  const plane = batchSize * cell;
  const rows = filterHeight * filterWidth * inChannels;
  // Slack after the last plane keeps the largest shift inside the buffer.
  const xT = new Float32Array(inChannels * plane + (filterHeight - 1) * paddedWidth + filterWidth - 1);
  writeChannelMajorPadded(ctx.view(x), xT);
  const total = new Float64Array(rows * outChannels);
  for (let first = 0; first < batchSize; first += IMAGES_PER_PRODUCT) {
    const images = Math.min(IMAGES_PER_PRODUCT, batchSize - first);
    const columns = images * cell;
    const shifted = ctx.allocateTemporary([1, rows, columns]);
    const dyPadded = ctx.allocateTemporary([1, columns, outChannels]);
    const target = ctx.view(shifted);
    let row = 0;
    for (let kh = 0; kh < filterHeight; kh++) {
      for (let kw = 0; kw < filterWidth; kw++) {
        for (let ci = 0; ci < inChannels; ci++, row++) {
          const from = ci * plane + first * cell + kh * paddedWidth + kw;
          target.set(xT.subarray(from, from + columns), row * columns);
        }
      }
    }
    writePaddedDy(ctx.view(dy), ctx.view(dyPadded), first, images);
    const product = ctx.run('BatchMatMul', { a: shifted, b: dyPadded }, { transposeA: false, transposeB: false });
    const partial = ctx.view(product);
    for (let i = 0; i < total.length; i++) total[i] += partial[i];
    ctx.release();
  }
  const result = ctx.allocate([filterHeight, filterWidth, inChannels, outChannels]);
  ctx.view(result).set(total);
  return result;

  /** xT[ci][b][top + h][left + w] = x[b][h][w][ci]; reads x in order, writes Ci streams. */
  function writeChannelMajorPadded(source: Float32Array, out: Float32Array): void {
    let from = 0;
    for (let b = 0; b < batchSize; b++) {
      for (let h = 0; h < inHeight; h++) {
        let to = b * cell + (h + top) * paddedWidth + left;
        for (let w = 0; w < inWidth; w++, to++) {
          for (let ci = 0, at = to; ci < inChannels; ci++, at += plane) out[at] = source[from++];
        }
      }
    }
  }

  /** Images [first, first + images) of dy on the padded grid: OW·Co values per row, then zeros. */
  function writePaddedDy(source: Float32Array, out: Float32Array, first: number, images: number): void {
    out.fill(0);
    const run = outWidth * outChannels;
    for (let b = 0; b < images; b++) {
      for (let oh = 0; oh < outHeight; oh++) {
        const from = ((first + b) * outHeight + oh) * run;
        out.set(source.subarray(from, from + run), (b * cell + oh * paddedWidth) * outChannels);
      }
    }
  }
}

function viaConvolution(
  ctx: KernelContext,
  x: tf.TensorInfo,
  dy: tf.TensorInfo,
  info: tf.backend_util.Conv2DInfo,
): tf.TensorInfo {
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
      pad: [
        [0, 0],
        [top, bottom],
        [left, right],
        [0, 0],
      ],
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
