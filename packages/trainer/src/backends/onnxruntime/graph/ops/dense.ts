import { attr } from '@onnxpipe/onnx';
import type { Tape } from '../tape.js';
import type { Value } from '../shaped-graph.js';

/**
 * x [B, F] · kernel [F, U] + bias [U] (the kernel in tfjs's layout, as the trainer stores it).
 * Gradient rule: dx = dy · kernelᵀ, dkernel = xᵀ · dy, dbias = Σ_batch dy — each one `Gemm`.
 */
export function dense(tape: Tape, x: Value, kernel: Value, bias: Value | undefined): Value {
  const g = tape.graph;
  const [b] = x.shape;
  const units = kernel.shape[1];
  const y = g.op('Gemm', bias === undefined ? [x, kernel] : [x, kernel, bias], [b, units]);
  tape.record([x, kernel, bias], [y], ([dy], needed) => [
    needed[0] ? g.op('Gemm', [dy!, kernel], x.shape, { attributes: [attr.int('transB', 1)] }) : undefined,
    needed[1] ? g.op('Gemm', [x, dy!], kernel.shape, { attributes: [attr.int('transA', 1)] }) : undefined,
    needed[2] ? g.reduceSum(dy!, [0], false) : undefined,
  ]);
  return y;
}
