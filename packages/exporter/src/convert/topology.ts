import type * as tf from '@tensorflow/tfjs';
import type { Layer } from './context.js';
import { ONNXPIPE_EXPORT_UNSUPPORTED_TOPOLOGY } from '../errors.js';

/** A model's layers from its input to its output, input layer excluded. */
export interface LayerChain {
  readonly input: tf.SymbolicTensor;
  readonly layers: readonly Layer[];
}

/**
 * Walks back from the model's single output to its single input, requiring every layer on the
 * way to take exactly one tensor and give exactly one. That accepts Sequential models and
 * functional models that are a chain, and rejects merges (Add, Concatenate), multi-output
 * layers and multi-input or multi-output models with the coded topology error.
 */
export function layerChain(model: tf.LayersModel): LayerChain {
  const fail = (reason: string): never => {
    throw new ONNXPIPE_EXPORT_UNSUPPORTED_TOPOLOGY(model.name, reason);
  };
  const inputs = model.inputs ?? [];
  const outputs = model.outputs ?? [];
  if (inputs.length !== 1) fail(`expected 1 input; received ${inputs.length}`);
  if (outputs.length !== 1) fail(`expected 1 output; received ${outputs.length}`);
  const input = inputs[0];

  const layers: Layer[] = [];
  // Each step consumes one (layer, call) pair, so more steps than calls means tfjs's
  // bookkeeping loops, which a well-formed model cannot do.
  const calls = model.layers.reduce((n, layer) => n + layer.inboundNodes.length, 0);
  let tensor = outputs[0];
  while (tensor.id !== input.id) {
    const layer = tensor.sourceLayer;
    const node = layer.inboundNodes[tensor.nodeIndex];
    if (node === undefined || node.inputTensors.length === 0) {
      fail(`layer '${layer.name}' (${layer.getClassName()}) is not reached from the model input`);
    }
    if (node.inputTensors.length !== 1) {
      fail(
        `layer '${layer.name}' (${layer.getClassName()}) takes ${node.inputTensors.length} inputs; only single-input layers are supported`,
      );
    }
    if (node.outputTensors.length !== 1) {
      fail(
        `layer '${layer.name}' (${layer.getClassName()}) gives ${node.outputTensors.length} outputs; only single-output layers are supported`,
      );
    }
    layers.push(layer);
    if (layers.length > calls) fail('the layer graph does not lead back to the input');
    tensor = node.inputTensors[0];
  }
  return { input, layers: layers.reverse() };
}
