import { attr } from '@onnxpipe/onnx';
import type { OnnxAttribute } from '@onnxpipe/onnx';
import { pair } from './context.js';
import type { ConversionContext, Layer } from './context.js';
import type { GraphValue } from './layout.js';
import { assertChannelsLast, paddingOf, window2d } from './padding.js';

function convertPool2D(
  ctx: ConversionContext,
  layer: Layer,
  input: GraphValue,
  opType: 'MaxPool' | 'AveragePool',
): GraphValue {
  const config = layer.getConfig();
  assertChannelsLast(layer);
  const padding = paddingOf(layer);
  const poolSize = pair(config.poolSize);
  // tfjs defaults strides to the pool size; its getConfig() already reports that, but a
  // hand-written config may leave them out.
  const strides = pair(config.strides ?? config.poolSize);
  const { pads, outSize } = window2d(input.shape, poolSize, strides, [1, 1], padding);
  const attributes: OnnxAttribute[] = [
    attr.ints('kernel_shape', poolSize),
    attr.ints('strides', strides),
    attr.ints('pads', pads),
  ];
  // TensorFlow averages over the cells inside the image only; ONNX counts the pads unless told.
  if (opType === 'AveragePool') attributes.push(attr.int('count_include_pad', 0));
  const x = ctx.toNchw(input, layer.name);
  const name = ctx.node(opType, [x.name], `${layer.name}/${opType}`, attributes);
  return { name, layout: 'nchw', shape: [...outSize, input.shape[2]] };
}

/** `MaxPooling2D` → `MaxPool` (ONNX pads are ignored by the max, as TensorFlow's are). */
export function convertMaxPooling2D(ctx: ConversionContext, layer: Layer, input: GraphValue): GraphValue {
  return convertPool2D(ctx, layer, input, 'MaxPool');
}

/** `AveragePooling2D` → `AveragePool` with `count_include_pad=0`. */
export function convertAveragePooling2D(ctx: ConversionContext, layer: Layer, input: GraphValue): GraphValue {
  return convertPool2D(ctx, layer, input, 'AveragePool');
}

/**
 * `GlobalAveragePooling2D` / `GlobalMaxPooling2D` → `GlobalAveragePool` / `GlobalMaxPool` +
 * `Flatten`: no axes to pass, so no opset branching (ReduceMean's axes became an input in 18).
 */
function convertGlobalPool2D(ctx: ConversionContext, layer: Layer, input: GraphValue, opType: string): GraphValue {
  assertChannelsLast(layer);
  const x = ctx.toNchw(input, layer.name);
  const pooled = ctx.node(opType, [x.name], `${layer.name}/${opType}`);
  const name = ctx.node('Flatten', [pooled], `${layer.name}/Flatten`, [attr.int('axis', 1)]);
  return { name, layout: 'tf', shape: [input.shape[2]] };
}

export function convertGlobalAveragePooling2D(ctx: ConversionContext, layer: Layer, input: GraphValue): GraphValue {
  return convertGlobalPool2D(ctx, layer, input, 'GlobalAveragePool');
}

export function convertGlobalMaxPooling2D(ctx: ConversionContext, layer: Layer, input: GraphValue): GraphValue {
  return convertGlobalPool2D(ctx, layer, input, 'GlobalMaxPool');
}
