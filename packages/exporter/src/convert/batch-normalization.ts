import { layerWeights, requireWeight } from './context.js';
import type { ConversionContext, Layer } from './context.js';
import { ONNXPIPE_EXPORT_UNSUPPORTED_LAYER_CONFIG } from '../errors.js';
import { onnxAxis, onnxShape } from './layout.js';
import type { GraphValue } from './layout.js';

/**
 * Inference-time `BatchNormalization`: `y = (x − mean) · γ / √(var + ε) + β`, folded (in
 * float64) into one `Mul` and one `Add` whose constants broadcast along the normalized (last
 * tfjs) axis: `[C, 1, 1]` on NCHW images, `[C]` on features. Unlike ONNX BatchNormalization
 * this does not care which ONNX axis the channels are on, and onnxruntime folds the pair into
 * a preceding Conv just the same. Without `scale` γ is 1, without `center` β is 0.
 */
export function convertBatchNormalization(ctx: ConversionContext, layer: Layer, input: GraphValue): GraphValue {
  const config = layer.getConfig();
  const rank = input.shape.length + 1;
  const tfAxis = config.axis ?? -1;
  // tfjs's cpu and wasm BatchNorm kernels broadcast the statistics along the last axis only:
  // for any other axis tfjs computes something else than the Keras formula, and an exact
  // export of "what tfjs does" does not exist. Channels-last BN is what CNNs use anyway.
  if (tfAxis !== -1 && tfAxis !== rank - 1) {
    throw new ONNXPIPE_EXPORT_UNSUPPORTED_LAYER_CONFIG(
      layer.name,
      layer.getClassName(),
      'axis',
      `-1 or ${rank - 1} (the last axis of its rank-${rank} input)`,
      JSON.stringify(tfAxis),
    );
  }
  const epsilon = typeof config.epsilon === 'number' ? config.epsilon : 1e-3;
  const weights = layerWeights(layer);
  const mean = requireWeight(weights, layer, 'moving_mean').data;
  const variance = requireWeight(weights, layer, 'moving_variance').data;
  const gamma = config.scale === false ? undefined : requireWeight(weights, layer, 'gamma').data;
  const beta = config.center === false ? undefined : requireWeight(weights, layer, 'beta').data;

  const channels = mean.length;
  const scale = new Float32Array(channels);
  const shift = new Float32Array(channels);
  for (let c = 0; c < channels; c++) {
    const s = (gamma?.[c] ?? 1) / Math.sqrt(variance[c] + epsilon);
    scale[c] = s;
    shift[c] = (beta?.[c] ?? 0) - mean[c] * s;
  }

  // Broadcast shape: channels on the normalized axis, 1 on every axis after it.
  const axis = onnxAxis(input, tfAxis);
  const dims = [channels, ...new Array<number>(onnxShape(input).length - axis).fill(1)];
  const scaled = ctx.node(
    'Mul',
    [input.name, ctx.floatInitializer(`${layer.name}/scale`, dims, scale)],
    `${layer.name}/Mul`,
  );
  const name = ctx.node('Add', [scaled, ctx.floatInitializer(`${layer.name}/shift`, dims, shift)], `${layer.name}/Add`);
  return { ...input, name };
}
