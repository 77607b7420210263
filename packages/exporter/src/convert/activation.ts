import { attr } from '@onnxpipe/onnx';
import type { OnnxAttribute } from '@onnxpipe/onnx';
import { formatChoices } from '@onnxpipe/core';
import type { ConversionContext, Layer } from './context.js';
import { ONNXPIPE_EXPORT_UNSUPPORTED_ACTIVATION } from '../errors.js';
import type { GraphValue } from './layout.js';

/** tfjs activation names (as in layer configs) that the converter translates exactly. */
export const SUPPORTED_ACTIVATIONS = [
  'linear',
  'relu',
  'relu6',
  'elu',
  'selu',
  'sigmoid',
  'hardSigmoid',
  'tanh',
  'softplus',
  'softsign',
  'swish',
  'mish',
  'softmax',
  'logSoftmax',
] as const;
export type SupportedActivation = (typeof SUPPORTED_ACTIVATIONS)[number];

// tfjs's selu constants (tf.selu); ONNX Selu's defaults are these rounded to float32, but
// spelling them out keeps the graph independent of that coincidence.
const SELU_ALPHA = 1.6732632423543772;
const SELU_SCALE = 1.0507009873554805;

export function isSupportedActivation(name: unknown): name is SupportedActivation {
  return typeof name === 'string' && (SUPPORTED_ACTIVATIONS as readonly string[]).includes(name);
}

/** The activation name in a layer's config; tfjs writes `linear` when none was given. */
export function activationOf(layer: Layer): string {
  const activation = layer.getConfig().activation;
  return typeof activation === 'string' ? activation : 'linear';
}

/** Throws the coded error unless `name` is supported; converters call it before emitting nodes. */
export function assertSupportedActivation(layer: Layer, name: string): SupportedActivation {
  if (!isSupportedActivation(name)) {
    throw new ONNXPIPE_EXPORT_UNSUPPORTED_ACTIVATION(
      layer.name,
      JSON.stringify(name),
      formatChoices(SUPPORTED_ACTIVATIONS),
    );
  }
  return name;
}

/**
 * Applies a tfjs activation to `value`. tfjs's softmax and logSoftmax work on the last tfjs
 * axis, which is the channel axis: 1 in an `nchw` tensor, -1 otherwise (a `flat-chw` tensor's
 * features are only permuted, and softmax commutes with permutations).
 */
export function applyActivation(
  ctx: ConversionContext,
  value: GraphValue,
  name: SupportedActivation,
  nodeName: string,
): GraphValue {
  const unary = (opType: string, attributes: OnnxAttribute[] = []): GraphValue => ({
    ...value,
    name: ctx.node(opType, [value.name], `${nodeName}/${opType}`, attributes),
  });
  switch (name) {
    case 'linear':
      return value;
    case 'relu':
      return unary('Relu');
    case 'relu6': {
      const min = ctx.floatInitializer(`${nodeName}/clip_min`, [], Float32Array.of(0));
      const max = ctx.floatInitializer(`${nodeName}/clip_max`, [], Float32Array.of(6));
      return { ...value, name: ctx.node('Clip', [value.name, min, max], `${nodeName}/Clip`) };
    }
    case 'elu':
      return unary('Elu', [attr.float('alpha', 1)]);
    case 'selu':
      return unary('Selu', [attr.float('alpha', SELU_ALPHA), attr.float('gamma', SELU_SCALE)]);
    case 'sigmoid':
      return unary('Sigmoid');
    case 'hardSigmoid':
      return unary('HardSigmoid', [attr.float('alpha', 0.2), attr.float('beta', 0.5)]);
    case 'tanh':
      return unary('Tanh');
    case 'softplus':
      return unary('Softplus');
    case 'softsign':
      return unary('Softsign');
    case 'swish': {
      const gate = ctx.node('Sigmoid', [value.name], `${nodeName}/Sigmoid`);
      return { ...value, name: ctx.node('Mul', [value.name, gate], `${nodeName}/Mul`) };
    }
    case 'mish': {
      // ONNX Mish arrives only in opset 18; x * tanh(softplus(x)) is tfjs's own definition.
      const softplus = ctx.node('Softplus', [value.name], `${nodeName}/Softplus`);
      const tanh = ctx.node('Tanh', [softplus], `${nodeName}/Tanh`);
      return { ...value, name: ctx.node('Mul', [value.name, tanh], `${nodeName}/Mul`) };
    }
    case 'softmax':
    case 'logSoftmax': {
      const axis = value.layout === 'nchw' ? 1 : -1;
      return unary(name === 'softmax' ? 'Softmax' : 'LogSoftmax', [attr.int('axis', axis)]);
    }
  }
}

/** The `Activation` layer. */
export function convertActivationLayer(ctx: ConversionContext, layer: Layer, input: GraphValue): GraphValue {
  return applyActivation(ctx, input, assertSupportedActivation(layer, activationOf(layer)), layer.name);
}
