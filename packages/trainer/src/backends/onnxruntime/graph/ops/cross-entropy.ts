import { attr } from '@onnxpipe/onnx';
import type { Tape } from '../tape.js';
import type { Value } from '../shaped-graph.js';

/**
 * Log-probabilities over the last axis of logits [B, C]. Gradient rule (tfjs's):
 * dx = dy − exp(y) · Σ_classes dy.
 */
export function logSoftmax(tape: Tape, x: Value): Value {
  const g = tape.graph;
  const y = g.op('LogSoftmax', [x], x.shape, { attributes: [attr.int('axis', -1)] });
  tape.record([x], [y], ([dy]) => [g.sub(dy!, g.mul(g.op('Exp', [y], y.shape), g.reduceSum(dy!, [1], true)))]);
  return y;
}

/**
 * Summed cross-entropy −Σ log p · target of log-probabilities [B, C] and targets [B, C] (one-hot,
 * or label-smoothed: (1 − ε) on the true class plus ε/C everywhere), as `summedCrossEntropy`.
 * Returns the loss (a scalar) and the gradient that seeds the backward pass, ∂(scale·loss)/∂logp
 * = −scale · target: a step passes scale = 1/B, so that the parameter gradients come out averaged
 * over the batch without a pass over them.
 */
export function crossEntropy(
  tape: Tape,
  logProbabilities: Value,
  target: Value,
  scale: number,
): { loss: Value; seed: Value } {
  const g = tape.graph;
  const loss = g.op('Neg', [g.reduceSum(g.mul(logProbabilities, target), [0, 1], false)], []);
  const seed = g.mul(target, g.scalar(-scale));
  return { loss, seed };
}
