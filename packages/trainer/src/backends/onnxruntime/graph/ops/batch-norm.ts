import { attr } from '@onnxpipe/onnx';
import type { Tape } from '../tape.js';
import type { Value } from '../shaped-graph.js';

/** A batch's mean and (biased) variance per channel, each [C]. */
export interface BatchMoments {
  readonly mean: Value;
  readonly variance: Value;
}

/**
 * Batch normalisation of NCHW (or [B, C]) `x` over the batch's own moments per channel, as while
 * training: x̂ = (x − μ)/√(σ² + ε), y = γx̂ + β. The moments are computed as tfjs's `tf.moments`
 * does (mean, then the mean of squared deviations). Gradient rule (the trainer's own, written out
 * in `network-forward.ts`), with sums over the m positions of a channel:
 *   ∂β = Σ dy;  ∂γ = Σ dy·x̂;  ∂x = γ/σ · (dy − ∂β/m − x̂·∂γ/m)
 * `moments`, when given, receives the batch's mean and variance.
 */
export function batchNormTraining(
  tape: Tape,
  x: Value,
  gamma: Value,
  beta: Value,
  epsilon: number,
  moments?: BatchMoments[],
): Value {
  const g = tape.graph;
  const channels = x.shape[1];
  const axes = x.shape.map((_, i) => i).filter((i) => i !== 1);
  const perChannel = x.shape.map((d, i) => (i === 1 ? d : 1));
  const positions = x.shape.reduce((a, b) => a * b, 1) / channels;
  const mean = g.reduceMean(x, axes, true);
  const centred = g.sub(x, mean);
  const variance = g.reduceMean(g.mul(centred, centred), axes, true);
  moments?.push({ mean: g.reshape(mean, [channels]), variance: g.reshape(variance, [channels]) });
  const inverseStd = g.op('Reciprocal', [g.op('Sqrt', [g.add(variance, g.scalar(epsilon))], perChannel)], perChannel);
  const normalized = g.mul(centred, inverseStd);
  const scale = x.shape.length === 2 ? gamma : g.reshape(gamma, perChannel);
  const shift = x.shape.length === 2 ? beta : g.reshape(beta, perChannel);
  const y = g.add(g.mul(normalized, scale), shift);

  tape.record([x, gamma, beta], [y], ([dy], needed) => {
    const count = g.scalar(positions);
    const dBeta = g.reduceSum(dy!, axes, true);
    const dGamma = g.reduceSum(g.mul(dy!, normalized), axes, true);
    const dx = needed[0]
      ? g.mul(g.sub(g.sub(dy!, g.div(dBeta, count)), g.mul(normalized, g.div(dGamma, count))), g.mul(inverseStd, scale))
      : undefined;
    return [
      dx,
      needed[1] ? g.reshape(dGamma, [channels]) : undefined,
      needed[2] ? g.reshape(dBeta, [channels]) : undefined,
    ];
  });
  return y;
}

/** Batch normalisation with population statistics (inference): onnxruntime's fused `BatchNormalization`. */
export function batchNormInference(
  tape: Tape,
  x: Value,
  gamma: Value,
  beta: Value,
  mean: Value,
  variance: Value,
  epsilon: number,
): Value {
  return tape.graph.op('BatchNormalization', [x, gamma, beta, mean, variance], x.shape, {
    attributes: [attr.float('epsilon', epsilon)],
  });
}
