import { attr } from '@onnxpipe/onnx';
import type { Tape } from '../tape.js';
import type { Value } from '../shaped-graph.js';

export interface Conv2dOptions {
  readonly kernelSize: number;
  /** `same` needs an odd kernel: tfjs then pads (k − 1)/2 on every side, as ONNX's symmetric pads do. */
  readonly padding: 'valid' | 'same';
}

/**
 * A stride-1 2-D convolution of NCHW images `x` [B, Ci, H, W] with a kernel in tfjs's HWIO
 * layout [k, k, Ci, Co] (the trainer's parameter layout: no conversion at the graph's edge) and
 * an optional bias [Co]. Returns [B, Co, OH, OW].
 *
 * Gradient rule, with dy the gradient of the output:
 * - bias: Σ dy over batch and positions;
 * - input: the transposed convolution of dy with the same weights (`ConvTranspose`);
 * - kernel: im2col and one batched matrix product: the k² shifted windows of x, stacked as rows
 *   [B, k²·Ci, OH·OW] in HWI order, times dyᵀ [B, OH·OW, Co], summed over the batch, is the kernel
 *   gradient already in HWIO order. onnxruntime has no filter-gradient kernel; written as a
 *   convolution whose "batch" is Ci, it runs as a very skinny matrix product (~3× slower).
 */
export function conv2d(tape: Tape, x: Value, kernel: Value, bias: Value | undefined, options: Conv2dOptions): Value {
  const g = tape.graph;
  const k = options.kernelSize;
  const [b, ci, h, w] = x.shape;
  const co = kernel.shape[3];
  if (kernel.shape.length !== 4 || kernel.shape[0] !== k || kernel.shape[1] !== k || kernel.shape[2] !== ci) {
    throw new RangeError(`conv2d: kernel [${kernel.shape}] does not fit input [${x.shape}] with kernel size ${k}`);
  }
  if (options.padding === 'same' && k % 2 === 0) {
    throw new RangeError(`conv2d: 'same' padding needs an odd kernel size; received ${k}`);
  }
  const pad = options.padding === 'same' ? (k - 1) / 2 : 0;
  const oh = h + 2 * pad - k + 1;
  const ow = w + 2 * pad - k + 1;
  const convAttributes = [attr.ints('kernel_shape', [k, k]), attr.ints('pads', [pad, pad, pad, pad])];
  const weights = g.transpose(kernel, [3, 2, 0, 1]); // HWIO → OIHW
  const y = g.op('Conv', bias === undefined ? [x, weights] : [x, weights, bias], [b, co, oh, ow], {
    attributes: convAttributes,
  });

  tape.record([x, kernel, bias], [y], ([dy], needed) => {
    const dx = needed[0] ? g.op('ConvTranspose', [dy!, weights], x.shape, { attributes: convAttributes }) : undefined;
    let dKernel: Value | undefined;
    if (needed[1]) {
      const padded =
        pad === 0 ? x : g.op('Pad', [x, g.ints([0, 0, pad, pad, 0, 0, pad, pad])], [b, ci, h + 2 * pad, w + 2 * pad]);
      const windows: Value[] = [];
      for (let kh = 0; kh < k; kh++) {
        for (let kw = 0; kw < k; kw++) {
          windows.push(
            g.op('Slice', [padded, g.ints([kh, kw]), g.ints([kh + oh, kw + ow]), g.ints([2, 3])], [b, ci, oh, ow]),
          );
        }
      }
      const stacked =
        windows.length === 1
          ? windows[0]
          : g.op('Concat', windows, [b, k * k * ci, oh, ow], { attributes: [attr.int('axis', 1)] });
      const columns = g.reshape(stacked, [b, k * k * ci, oh * ow]);
      const dyT = g.transpose(g.reshape(dy!, [b, co, oh * ow]), [0, 2, 1]);
      const perImage = g.op('MatMul', [columns, dyT], [b, k * k * ci, co]);
      dKernel = g.reshape(g.reduceSum(perImage, [0], false), [k, k, ci, co]);
    }
    const dBias = needed[2] ? g.reduceSum(dy!, [0, 2, 3], false) : undefined;
    return [dx, dKernel, dBias];
  });
  return y;
}
