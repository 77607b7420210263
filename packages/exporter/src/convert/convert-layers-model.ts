import type * as tf from '@tensorflow/tfjs';
import { createModel, GraphBuilder, irVersionForOpset, TensorDataType } from '@onnxpipe/onnx';
import type { OnnxModel } from '@onnxpipe/onnx';
import { ConversionContext } from './context.js';
import { ONNXPIPE_EXPORT_UNSUPPORTED_TOPOLOGY } from '../errors.js';
import { converterFor } from './layer-registry.js';
import { onnxShape } from './layout.js';
import type { GraphValue } from './layout.js';
import { resolveConvertOptions } from './options.js';
import type { ConvertOptions, ResolvedConvertOptions } from './options.js';
import { FLAT_CHW_CONSUMERS } from './shape.js';
import { layerChain } from './topology.js';

/** Written to every model's `producer_name`. */
export const PRODUCER_NAME = 'onnxpipe-exporter';

/**
 * Converts a tfjs Layers model (a single chain of supported layers, see
 * `SUPPORTED_LAYER_CLASSES`) into an ONNX model whose output equals `model.predict` to float32
 * rounding. 4-D models take `[N, C, H, W]` input by default (`layout: 'nhwc'` keeps tfjs's
 * `[N, H, W, C]`); the batch dimension is symbolic.
 *
 * @throws `ONNXPIPE_EXPORT_UNSUPPORTED_LAYER`, `..._UNSUPPORTED_LAYER_CONFIG`,
 *   `..._UNSUPPORTED_ACTIVATION`, `..._UNSUPPORTED_TOPOLOGY`, `..._UNSUPPORTED_OPSET`,
 *   `..._INVALID_OPTION`
 *
 * @example
 * ```ts
 * const model = await loadLayersModelFromDir('models/latest');
 * const onnx = convertLayersModel(model, { producerVersion: '0.1.0', metadata: { dataset: 'mnist' } });
 * await writeFile('model.onnx', encodeModel(onnx));
 * ```
 */
export function convertLayersModel(model: tf.LayersModel, options: ConvertOptions): OnnxModel {
  const resolved = resolveConvertOptions(options, model.name);
  const { input, layers } = layerChain(model);
  // Look every converter up first, so an unsupported layer fails before any work is done.
  const converters = layers.map(converterFor);

  const inputShape = input.shape.slice(1);
  if (input.dtype !== 'float32' || !inputShape.every((d): d is number => typeof d === 'number' && d > 0)) {
    throw new ONNXPIPE_EXPORT_UNSUPPORTED_TOPOLOGY(
      model.name,
      `the input must be float32 with every dimension but the batch known; received ${input.dtype} [${input.shape.map(String).join(', ')}]`,
    );
  }

  const graph = new GraphBuilder(resolved.graphName);
  const ctx = new ConversionContext(graph, resolved.opset, [resolved.inputName, resolved.outputName]);
  let value = declareInput(graph, resolved, inputShape as number[]);
  layers.forEach((layer, i) => {
    if (value.layout === 'flat-chw' && !FLAT_CHW_CONSUMERS.has(layer.getClassName())) {
      throw new Error(`internal: layer '${layer.name}' (${layer.getClassName()}) received C,H,W-ordered features`);
    }
    value = converters[i](ctx, layer, value, layers.slice(i + 1));
  });

  // A 4-D output comes out in the layout the input went in.
  if (value.shape.length === 3) {
    value = resolved.layout === 'nchw' ? ctx.toNchw(value, 'output') : ctx.toTf(value, 'output');
  }
  if (!ctx.flush(value.name, resolved.outputName)) {
    // Only layers without nodes (Dropout): the output is the input itself.
    graph.node('Identity', [value.name], { name: ctx.uniqueName('identity'), outputs: [resolved.outputName] });
  }
  graph.output(resolved.outputName, TensorDataType.FLOAT, [resolved.batchDim, ...onnxShape(value)]);

  return createModel({
    graph: graph.build(),
    opset: resolved.opset,
    irVersion: irVersionForOpset(resolved.opset),
    producerName: PRODUCER_NAME,
    producerVersion: resolved.producerVersion,
    metadata: { ...resolved.metadata },
    docString: `tfjs layers model '${model.name}' (${layers.map((l) => l.getClassName()).join(' → ')})`,
  });
}

function declareInput(graph: GraphBuilder, options: ResolvedConvertOptions, shape: number[]): GraphValue {
  if (shape.length === 3 && options.layout === 'nchw') {
    const [h, w, c] = shape;
    const name = graph.input(options.inputName, TensorDataType.FLOAT, [options.batchDim, c, h, w]);
    return { name, layout: 'nchw', shape };
  }
  const name = graph.input(options.inputName, TensorDataType.FLOAT, [options.batchDim, ...shape]);
  return { name, layout: 'tf', shape };
}
