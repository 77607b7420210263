import * as tf from '@tensorflow/tfjs';
import { mkdir, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { CLASS_COUNT, DROPOUT_RATES, IMAGE_SHAPE, PARAMETER_SPECS, parameterLayout } from './reference-network.js';

/**
 * The reference network as a tfjs Layers model, for the artifacts users (and the ONNX exporter)
 * load. Layer names match {@link PARAMETER_SPECS}, so the trained flat buffer drops straight in.
 */
export function buildLayersModel(): tf.LayersModel {
  return tf.sequential({
    name: 'reference_cnn',
    layers: [
      tf.layers.conv2d({ name: 'conv1', inputShape: [...IMAGE_SHAPE], filters: 32, kernelSize: 3, activation: 'relu' }),
      tf.layers.conv2d({ name: 'conv2', filters: 62, kernelSize: 3, activation: 'relu' }),
      tf.layers.maxPooling2d({ name: 'pool', poolSize: 2 }),
      tf.layers.dropout({ name: 'dropout1', rate: DROPOUT_RATES.afterPool }),
      tf.layers.flatten({ name: 'flatten' }),
      tf.layers.dense({ name: 'fc1', units: 128, activation: 'relu' }),
      tf.layers.dropout({ name: 'dropout2', rate: DROPOUT_RATES.afterDense }),
      // 'logSoftmax' is a registered tfjs-layers activation that its type union omits.
      tf.layers.dense({ name: 'fc2', units: CLASS_COUNT, activation: 'logSoftmax' as 'softmax' }),
    ],
  });
}

/** Loads the flat parameter buffer into `model` (order of {@link PARAMETER_SPECS}). */
export function setModelParameters(model: tf.LayersModel, flat: Float32Array): void {
  const layout = parameterLayout();
  const byName = new Map(model.weights.map((w) => [w.originalName, w]));
  const tensors = PARAMETER_SPECS.map((spec, i) => {
    const weight = byName.get(spec.name);
    if (weight === undefined) throw new Error(`layers model has no weight named ${spec.name}`);
    return tf.tensor(flat.slice(layout.offsets[i], layout.offsets[i] + layout.sizes[i]), spec.shape as number[]);
  });
  model.setWeights(tensors);
  tf.dispose(tensors);
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
