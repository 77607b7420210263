import * as tf from '@tensorflow/tfjs';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { type KernelArgs, KernelContext, pair } from './kernel-context.js';

type Pad = tf.MaxPoolGradAttrs['pad'];

/**
 * MaxPoolGrad for wasm: routes each output gradient to the position of its window's maximum
 * (the first one in row-major order on ties, as tfjs's cpu backend does). One pass over the
 * pooled output straight on the wasm heap; wasm's own kernel is ~10x slower.
 * Handles every filter size, stride and padding MaxPool accepts (NHWC only, like MaxPool).
 */
export function maxPoolGrad(args: KernelArgs): tf.TensorInfo {
  const { dy, input } = args.inputs as unknown as { dy: tf.TensorInfo; input: tf.TensorInfo };
  const attrs = args.attrs as unknown as tf.MaxPoolGradAttrs;
  const [batch, height, width, channels] = input.shape as [number, number, number, number];
  const info = tf.backend_util.computePool2DInfo(
    input.shape as [number, number, number, number],
    pair(attrs.filterSize),
    pair(attrs.strides),
    1,
    attrs.pad as Pad,
    attrs.dimRoundingMode,
  );
  const { outHeight, outWidth, filterHeight, filterWidth, strideHeight, strideWidth } = info;
  const padTop = info.padInfo.top;
  const padLeft = info.padInfo.left;

  const ctx = new KernelContext(args.backend as BackendWasm);
  const result = ctx.allocate(input.shape.slice());
  const dx = ctx.view(result);
  const x = ctx.view(input);
  const g = ctx.view(dy);
  const unpadded = padTop === 0 && padLeft === 0 && info.padInfo.bottom === 0 && info.padInfo.right === 0;
  if (unpadded && filterHeight === 2 && filterWidth === 2 && strideHeight === 2 && strideWidth === 2) {
    // The reference network's 2x2/2 pooling: windows do not overlap, so each input gets its
    // gradient (or zero) written once, with no separate clearing pass (~3x faster).
    if (outHeight * 2 !== height || outWidth * 2 !== width) dx.fill(0);
    maxPoolGrad2x2(x, g, dx, batch, height, width, channels, outHeight, outWidth);
    return result;
  }
  dx.fill(0);
  const rowStride = width * channels;
  for (let b = 0; b < batch; b++) {
    const imageBase = b * height * rowStride;
    for (let oh = 0; oh < outHeight; oh++) {
      const h0 = oh * strideHeight - padTop;
      const hStart = Math.max(h0, 0);
      const hEnd = Math.min(h0 + filterHeight, height);
      for (let ow = 0; ow < outWidth; ow++) {
        const w0 = ow * strideWidth - padLeft;
        const wStart = Math.max(w0, 0);
        const wEnd = Math.min(w0 + filterWidth, width);
        const outBase = ((b * outHeight + oh) * outWidth + ow) * channels;
        for (let c = 0; c < channels; c++) {
          let best = -Infinity;
          let bestIndex = -1;
          for (let h = hStart; h < hEnd; h++) {
            let index = imageBase + h * rowStride + wStart * channels + c;
            for (let w = wStart; w < wEnd; w++, index += channels) {
              const value = x[index];
              if (value > best || bestIndex < 0) {
                best = value;
                bestIndex = index;
              }
            }
          }
          if (bestIndex >= 0) dx[bestIndex] += g[outBase + c];
        }
      }
    }
  }
  return result;
}

function maxPoolGrad2x2(
  x: Float32Array,
  g: Float32Array,
  dx: Float32Array,
  batch: number,
  height: number,
  width: number,
  channels: number,
  outHeight: number,
  outWidth: number,
): void {
  const rowStride = width * channels;
  for (let b = 0; b < batch; b++) {
    for (let oh = 0; oh < outHeight; oh++) {
      const top = (b * height + oh * 2) * rowStride;
      const bottom = top + rowStride;
      for (let ow = 0; ow < outWidth; ow++) {
        const out = ((b * outHeight + oh) * outWidth + ow) * channels;
        const i00 = top + ow * 2 * channels;
        const i01 = i00 + channels;
        const i10 = bottom + ow * 2 * channels;
        const i11 = i10 + channels;
        for (let c = 0; c < channels; c++) {
          // Row-major order with strict '>' keeps the first maximum, as the cpu backend does.
          let index = i00 + c;
          let max = x[index];
          if (x[i01 + c] > max) {
            max = x[i01 + c];
            index = i01 + c;
          }
          if (x[i10 + c] > max) {
            max = x[i10 + c];
            index = i10 + c;
          }
          if (x[i11 + c] > max) index = i11 + c;
          dx[i00 + c] = 0;
          dx[i01 + c] = 0;
          dx[i10 + c] = 0;
          dx[i11 + c] = 0;
          dx[index] = g[out + c];
        }
      }
    }
  }
}
