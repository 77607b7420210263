import type { LayerSpec, NetworkSpec } from '../../../model/network-spec.js';
import type { Tape } from './tape.js';
import type { Value } from './shaped-graph.js';
import { batchNormInference, batchNormTraining, type BatchMoments } from './ops/batch-norm.js';
import { conv2d } from './ops/conv2d.js';
import { logSoftmax } from './ops/cross-entropy.js';
import { dense } from './ops/dense.js';
import { dropout } from './ops/dropout.js';
import { flattenChannelsLast } from './ops/flatten.js';
import { maxPool, reluMaxPool } from './ops/max-pool.js';
import { relu } from './ops/relu.js';

/** How the forward pass treats batch normalisation and dropout. */
export type ForwardMode =
  /** Training: batch moments, and each dropout layer multiplies by the mask `mask(layer, shape)` returns. */
  | {
      readonly kind: 'train';
      readonly mask: (layer: Extract<LayerSpec, { kind: 'dropout' }>, shape: readonly number[]) => Value;
    }
  /** Batch moments without dropout; each batch normalisation's moments are pushed to `moments`. */
  | { readonly kind: 'moments'; readonly moments: BatchMoments[] }
  /** Inference: population statistics (mean, variance per batch norm, order of `statisticSpecs`), no dropout. */
  | { readonly kind: 'inference'; readonly statistics: readonly Value[] };

/**
 * The forward graph of `spec` on NCHW images `x` [B, C, H, W], reading the parameters `params`
 * (order and tfjs layouts of `parameterSpecs`), recorded on `tape`. Returns log-probabilities
 * [B, classes]. The same layer list drives the tfjs forward pass and the exported model, so the
 * three cannot drift apart.
 */
export function networkForward(
  tape: Tape,
  spec: NetworkSpec,
  params: readonly Value[],
  x: Value,
  mode: ForwardMode,
): Value {
  let next = 0;
  const take = () => params[next++];
  let statistic = 0;
  let h = x;
  // A ReLU directly before a max-pool is applied after it instead (see reluMaxPool).
  let pendingRelu = false;
  const layers = spec.layers;
  const poolFollows = (i: number) => layers[i + 1]?.kind === 'maxPool';
  layers.forEach((layer, i) => {
    switch (layer.kind) {
      case 'conv2d': {
        const kernel = take();
        h = conv2d(tape, h, kernel, layer.useBias ? take() : undefined, {
          kernelSize: layer.kernelSize,
          padding: layer.padding,
        });
        if (layer.relu) {
          if (poolFollows(i)) pendingRelu = true;
          else h = relu(tape, h);
        }
        break;
      }
      case 'dense': {
        const kernel = take();
        h = dense(tape, h, kernel, layer.useBias ? take() : undefined);
        if (layer.relu) h = relu(tape, h);
        break;
      }
      case 'batchNorm': {
        const gamma = take();
        const beta = take();
        if (mode.kind === 'inference') {
          h = batchNormInference(
            tape,
            h,
            gamma,
            beta,
            mode.statistics[statistic],
            mode.statistics[statistic + 1],
            layer.epsilon,
          );
          statistic += 2;
        } else {
          h = batchNormTraining(
            tape,
            h,
            gamma,
            beta,
            layer.epsilon,
            mode.kind === 'moments' ? mode.moments : undefined,
          );
        }
        break;
      }
      case 'relu':
        if (poolFollows(i)) pendingRelu = true;
        else h = relu(tape, h);
        break;
      case 'maxPool':
        h = pendingRelu ? reluMaxPool(tape, h, layer.size) : maxPool(tape, h, layer.size);
        pendingRelu = false;
        break;
      case 'dropout':
        if (mode.kind === 'train') h = dropout(tape, h, mode.mask(layer, h.shape));
        break;
      case 'flatten':
        h = flattenChannelsLast(tape, h);
        break;
    }
  });
  return logSoftmax(tape, h);
}

/** Images as the trainer holds them, NHWC [B, H, W, C], as the NCHW value the graph computes on. */
export function imagesChannelsFirst(tape: Tape, images: Value): Value {
  const [b, h, w, c] = images.shape;
  // One channel: the bytes of NHWC and NCHW are the same, and a reshape costs nothing.
  return c === 1 ? tape.graph.reshape(images, [b, c, h, w]) : tape.graph.transpose(images, [0, 3, 1, 2]);
}
