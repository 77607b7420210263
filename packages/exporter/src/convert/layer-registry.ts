import { formatChoices } from '@onnxpipe/core';
import { convertActivationLayer } from './activation.js';
import type { Layer, LayerConverter } from './context.js';
import { convertConv2D } from './conv.js';
import { convertDense } from './dense.js';
import { ONNXPIPE_EXPORT_UNSUPPORTED_LAYER } from '../errors.js';
import { convertBatchNormalization } from './batch-normalization.js';
import {
  convertAveragePooling2D,
  convertGlobalAveragePooling2D,
  convertGlobalMaxPooling2D,
  convertMaxPooling2D,
} from './pooling.js';
import { convertDropout, convertFlatten, convertReshape } from './shape.js';

const CONVERTERS = {
  Conv2D: convertConv2D,
  Dense: convertDense,
  MaxPooling2D: convertMaxPooling2D,
  AveragePooling2D: convertAveragePooling2D,
  GlobalAveragePooling2D: convertGlobalAveragePooling2D,
  GlobalMaxPooling2D: convertGlobalMaxPooling2D,
  BatchNormalization: convertBatchNormalization,
  Flatten: convertFlatten,
  Reshape: convertReshape,
  Dropout: convertDropout,
  Activation: convertActivationLayer,
} satisfies Record<string, LayerConverter>;

export type SupportedLayerClass = keyof typeof CONVERTERS;

/** tfjs layer class names (`layer.getClassName()`) that the converter translates. */
export const SUPPORTED_LAYER_CLASSES = Object.freeze(Object.keys(CONVERTERS)) as readonly SupportedLayerClass[];

/** The converter for `layer`, or the coded error naming the layer and the supported classes. */
export function converterFor(layer: Layer): LayerConverter {
  const className = layer.getClassName();
  if (!Object.hasOwn(CONVERTERS, className)) {
    throw new ONNXPIPE_EXPORT_UNSUPPORTED_LAYER(layer.name, className, formatChoices(SUPPORTED_LAYER_CLASSES));
  }
  return CONVERTERS[className as SupportedLayerClass];
}
