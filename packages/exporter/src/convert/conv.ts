import { attr } from '@onnxpipe/onnx';
import { activationOf, applyActivation, assertSupportedActivation } from './activation.js';
import { layerWeights, pair, requireWeight } from './context.js';
import type { ConversionContext, Layer } from './context.js';
import { hwioToOihw } from './layout.js';
import type { GraphValue } from './layout.js';
import { assertChannelsLast, paddingOf, window2d } from './padding.js';

/**
 * `Conv2D` → ONNX `Conv` (+ the fused activation). The kernel goes from tfjs's HWIO to ONNX's
 * OIHW once, at export time; the activations stay NCHW.
 */
export function convertConv2D(ctx: ConversionContext, layer: Layer, input: GraphValue): GraphValue {
  const config = layer.getConfig();
  assertChannelsLast(layer);
  const padding = paddingOf(layer);
  const activation = assertSupportedActivation(layer, activationOf(layer));
  const strides = pair(config.strides ?? 1);
  const dilations = pair(config.dilationRate ?? 1);

  const weights = layerWeights(layer);
  const kernel = requireWeight(weights, layer, 'kernel');
  const [kh, kw, inChannels, outChannels] = kernel.shape;
  const { pads, outSize } = window2d(input.shape, [kh, kw], strides, dilations, padding);

  const x = ctx.toNchw(input, layer.name);
  const inputs = [
    x.name,
    ctx.floatInitializer(
      `${layer.name}/kernel`,
      [outChannels, inChannels, kh, kw],
      hwioToOihw(kernel.data, kernel.shape),
    ),
  ];
  if (config.useBias !== false) {
    const bias = requireWeight(weights, layer, 'bias');
    inputs.push(ctx.floatInitializer(`${layer.name}/bias`, [outChannels], bias.data));
  }
  const y = ctx.node('Conv', inputs, `${layer.name}/Conv`, [
    attr.ints('kernel_shape', [kh, kw]),
    attr.ints('strides', strides),
    attr.ints('dilations', dilations),
    attr.ints('pads', pads),
    attr.int('group', 1),
  ]);
  const out: GraphValue = { name: y, layout: 'nchw', shape: [...outSize, outChannels] };
  return applyActivation(ctx, out, activation, layer.name);
}
