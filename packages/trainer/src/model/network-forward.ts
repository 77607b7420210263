import * as tf from '@tensorflow/tfjs';
import { fillDropoutMask } from './dropout-mask.js';
import type { NetworkSpec } from './network-spec.js';

export interface ForwardOptions {
  /** Dropout is applied only when a seed is given (training); the k-th dropout layer draws from seed + k. */
  readonly dropoutSeed?: number;
  /**
   * Population statistics of the batch normalisations (mean, variance per layer, the order of
   * `statisticSpecs`): inference. Without them every batch normalisation uses its batch's moments,
   * as in training.
   */
  readonly statistics?: readonly tf.Tensor[];
  /** When given (and `statistics` is not), receives each batch normalisation's batch mean and variance. */
  readonly batchMoments?: tf.Tensor[];
}

/**
 * Log-probabilities [n, classes] of NHWC images [n, ...inputShape]. `params` are the tensors of
 * `parameterSpecs(spec)`, in order.
 */
export function forward(
  spec: NetworkSpec,
  params: readonly tf.Tensor[],
  x: tf.Tensor4D,
  options: ForwardOptions = {},
): tf.Tensor2D {
  let next = 0;
  const take = () => params[next++];
  let statistic = 0;
  let dropouts = 0;
  let h: tf.Tensor = x;
  for (const layer of spec.layers) {
    switch (layer.kind) {
      case 'conv2d':
        h = tf.fused.conv2d({
          x: h as tf.Tensor4D,
          filter: take() as tf.Tensor4D,
          strides: 1,
          pad: layer.padding,
          bias: layer.useBias ? take() : undefined,
          activation: layer.relu ? 'relu' : 'linear',
        });
        break;
      case 'dense':
        h = tf.fused.matMul({
          a: h as tf.Tensor2D,
          b: take() as tf.Tensor2D,
          bias: layer.useBias ? take() : undefined,
          activation: layer.relu ? 'relu' : 'linear',
        });
        break;
      case 'batchNorm': {
        const gamma = take();
        const beta = take();
        let mean: tf.Tensor;
        let variance: tf.Tensor;
        if (options.statistics !== undefined) {
          mean = options.statistics[statistic++];
          variance = options.statistics[statistic++];
          h = tf.batchNorm(h, mean, variance, beta, gamma, layer.epsilon);
        } else if (options.batchMoments !== undefined) {
          ({ mean, variance } = tf.moments(h, leadingAxes(h)));
          options.batchMoments.push(mean, variance);
          h = tf.batchNorm(h, mean, variance, beta, gamma, layer.epsilon);
        } else {
          h = batchNormWithBatchStatistics(layer.epsilon)(h, gamma, beta);
        }
        break;
      }
      case 'relu':
        h = tf.relu(h);
        break;
      case 'maxPool':
        h = tf.maxPool(h as tf.Tensor4D, layer.size, layer.size, 'valid');
        break;
      case 'dropout':
        if (options.dropoutSeed !== undefined) h = dropout(h, layer.rate, options.dropoutSeed + dropouts);
        dropouts++;
        break;
      case 'flatten':
        h = tf.reshape(h, [h.shape[0], -1]);
        break;
    }
  }
  return tf.logSoftmax(h) as tf.Tensor2D;
}

function leadingAxes(x: tf.Tensor): number[] {
  return [...Array(x.rank - 1).keys()];
}

/**
 * Batch normalisation over a batch's own moments (channels last), with its gradient written out:
 *   x̂ = (x − μ)/σ;  y = γx̂ + β;  ∂β = Σ dy;  ∂γ = Σ dy·x̂;  ∂x = γ/σ · (dy − ∂β/m − x̂·∂γ/m)
 * with sums over the m positions of a channel. tfjs's own gradient of `batchNorm` broadcasts with
 * `Tile` and took ~60 % of a robust-network step on wasm; this one uses broadcasting binary ops
 * and leading-axes sums only.
 */
function batchNormWithBatchStatistics(epsilon: number) {
  return tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
    const [x, gamma, beta] = args as tf.Tensor[];
    const save = args[3] as tf.GradSaveFunc;
    const axes = leadingAxes(x);
    const { mean, variance } = tf.moments(x, axes);
    const inverseStd = tf.rsqrt(tf.add(variance, epsilon));
    const normalized = tf.mul(tf.sub(x, mean), inverseStd);
    save([normalized, inverseStd, gamma]);
    return {
      value: tf.add(tf.mul(normalized, gamma), beta),
      gradFunc: (dy: tf.Tensor | tf.Tensor[], saved: tf.Tensor[]) => {
        const upstream = dy as tf.Tensor;
        const [normalizedX, inverse, scale] = saved;
        const positions = upstream.size / upstream.shape[upstream.rank - 1];
        const dBeta = tf.sum(upstream, axes);
        const dGamma = tf.sum(tf.mul(upstream, normalizedX), axes);
        const centred = tf.sub(
          tf.sub(upstream, tf.div(dBeta, positions)),
          tf.mul(normalizedX, tf.div(dGamma, positions)),
        );
        return [tf.mul(centred, tf.mul(inverse, scale)), dGamma, dBeta];
      },
    };
  });
}

/**
 * Inverted dropout, as PyTorch: zero with probability `rate`, scale the rest by 1/(1−rate). The
 * mask is drawn in one pass with our seeded RNG: tf.randomUniform plus a comparison, a cast and a
 * scaling cost four passes and ~5 % of a training step on wasm.
 */
function dropout(x: tf.Tensor, rate: number, seed: number): tf.Tensor {
  const mask = new Float32Array(x.size);
  fillDropoutMask(mask, rate, seed);
  return tf.mul(x, tf.tensor(mask, x.shape));
}

/**
 * Summed cross-entropy of the true classes (callers divide by the global batch). With label
 * smoothing ε the target is (1 − ε) on the true class plus ε spread evenly over all classes.
 */
export function summedCrossEntropy(logProbabilities: tf.Tensor2D, labels: tf.Tensor1D, labelSmoothing = 0): tf.Scalar {
  const classes = logProbabilities.shape[1];
  const oneHot = tf.oneHot(labels, classes);
  const target = labelSmoothing === 0 ? oneHot : tf.add(tf.mul(oneHot, 1 - labelSmoothing), labelSmoothing / classes);
  return tf.neg(tf.sum(tf.mul(logProbabilities, target))) as tf.Scalar;
}
