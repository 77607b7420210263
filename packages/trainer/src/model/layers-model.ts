import * as tf from '@tensorflow/tfjs';
import { mkdir, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { LayerSpec, NetworkSpec } from './network-spec.js';
import { parameterSpecs, statisticSpecs, tensorLayout } from './network-spec.js';

/**
 * `spec` as a tfjs Layers model, for the artifacts users (and the ONNX exporter) load. Layer
 * and weight names match the spec's, so trained flat buffers drop straight in.
 */
export function buildLayersModel(spec: NetworkSpec): tf.LayersModel {
  const last = spec.layers.length - 1;
  return tf.sequential({
    name: spec.name,
    layers: spec.layers.map((layer, i) => toLayer(layer, i === 0 ? [...spec.inputShape] : undefined, i === last)),
  });
}

function toLayer(layer: LayerSpec, inputShape: number[] | undefined, isLast: boolean): tf.layers.Layer {
  const common = { name: layer.name, ...(inputShape ? { inputShape } : {}) };
  switch (layer.kind) {
    case 'conv2d':
      return tf.layers.conv2d({
        ...common,
        filters: layer.filters,
        kernelSize: layer.kernelSize,
        padding: layer.padding,
        useBias: layer.useBias,
        activation: layer.relu ? 'relu' : 'linear',
      });
    case 'dense':
      return tf.layers.dense({
        ...common,
        units: layer.units,
        useBias: layer.useBias,
        // 'logSoftmax' is a registered tfjs-layers activation that its type union omits.
        activation: isLast ? ('logSoftmax' as 'softmax') : layer.relu ? 'relu' : 'linear',
      });
    case 'batchNorm':
      return tf.layers.batchNormalization({ ...common, axis: -1, epsilon: layer.epsilon });
    case 'relu':
      return tf.layers.activation({ ...common, activation: 'relu' });
    case 'maxPool':
      return tf.layers.maxPooling2d({ ...common, poolSize: layer.size });
    case 'dropout':
      return tf.layers.dropout({ ...common, rate: layer.rate });
    case 'flatten':
      return tf.layers.flatten(common);
  }
}

/**
 * Loads trained parameters (order of `parameterSpecs`) and batch-norm statistics (order of
 * `statisticSpecs`) into `model`.
 */
export function setModelParameters(
  model: tf.LayersModel,
  spec: NetworkSpec,
  params: Float32Array,
  statistics: Float32Array = new Float32Array(0),
): void {
  const byName = new Map(model.weights.map((w) => [w.originalName, w]));
  const values = new Map<string, tf.Tensor>();
  for (const [specs, flat] of [
    [parameterSpecs(spec), params],
    [statisticSpecs(spec), statistics],
  ] as const) {
    const layout = tensorLayout(specs);
    specs.forEach((s, i) => {
      const start = layout.offsets[i];
      values.set(s.name, tf.tensor(flat.slice(start, start + layout.sizes[i]), s.shape as number[]));
    });
  }
  const tensors = model.weights.map((w) => {
    const value = values.get(w.originalName);
    if (value === undefined)
      throw new Error(`the network description has no tensor for layer weight ${w.originalName}`);
    return value;
  });
  for (const name of values.keys()) {
    if (!byName.has(name)) throw new Error(`layers model has no weight named ${name}`);
  }
  model.setWeights(tensors);
  tf.dispose([...values.values()]);
}

/**
 * Writes `model.json` + `weights.bin` in the tfjs layers format (what `tf.loadLayersModel` reads),
 * without tfjs-node's `file://` handler, which is not installed everywhere. Atomic per file.
 */
export async function saveLayersModel(model: tf.LayersModel, directory: string): Promise<void> {
  await mkdir(directory, { recursive: true });
  await model.save(
    tf.io.withSaveHandler(async (artifacts) => {
      const weightsFile = 'weights.bin';
      const json = {
        modelTopology: artifacts.modelTopology,
        format: 'layers-model',
        generatedBy: artifacts.generatedBy,
        convertedBy: artifacts.convertedBy ?? null,
        weightsManifest: [{ paths: [weightsFile], weights: artifacts.weightSpecs ?? [] }],
      };
      const weightData = artifacts.weightData;
      const buffers = weightData === undefined ? [] : Array.isArray(weightData) ? weightData : [weightData];
      await writeAtomically(join(directory, weightsFile), Buffer.concat(buffers.map((b) => Buffer.from(b))));
      await writeAtomically(join(directory, 'model.json'), JSON.stringify(json, null, 1));
      return { modelArtifactsInfo: tf.io.getModelArtifactsInfoForJSON(artifacts) };
    }),
  );
}

export async function writeAtomically(path: string, contents: string | Uint8Array): Promise<void> {
  const temporary = `${path}.${process.pid}.tmp`;
  await writeFile(temporary, contents);
  await rename(temporary, path);
}
