import * as tf from '@tensorflow/tfjs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { errorMessage } from '@onnxpipe/core';
import { ONNXPIPE_EXPORT_MODEL_LOAD_FAILED } from '../errors.js';

interface ModelJson {
  modelTopology?: unknown;
  weightsManifest?: { paths: string[]; weights: tf.io.WeightsManifestEntry[] }[];
}

/**
 * Loads a tfjs layers model saved as `model.json` + weight files in `dir`, with `node:fs`
 * (tfjs-node's `file://` handler is not installed everywhere).
 *
 * @throws `ONNXPIPE_EXPORT_MODEL_LOAD_FAILED` (with the underlying error as `cause`) when a file
 *   is missing, the JSON is not a layers model, or tfjs rejects the topology or weights.
 *
 * @example
 * ```ts
 * const model = await loadLayersModelFromDir('models/latest');
 * ```
 */
export async function loadLayersModelFromDir(dir: string): Promise<tf.LayersModel> {
  const modelPath = join(dir, 'model.json');
  let json: ModelJson;
  try {
    json = JSON.parse(await readFile(modelPath, 'utf8')) as ModelJson;
  } catch (cause) {
    throw new ONNXPIPE_EXPORT_MODEL_LOAD_FAILED(modelPath, describe(cause), { cause });
  }
  if (
    typeof json !== 'object' ||
    json === null ||
    typeof json.modelTopology !== 'object' ||
    json.modelTopology === null
  ) {
    throw new ONNXPIPE_EXPORT_MODEL_LOAD_FAILED(modelPath, "no 'modelTopology': not a tfjs layers model");
  }
  const manifest = json.weightsManifest ?? [];
  const weightSpecs: tf.io.WeightsManifestEntry[] = [];
  const buffers: Uint8Array[] = [];
  for (const group of manifest) {
    weightSpecs.push(...group.weights);
    for (const path of group.paths) {
      const file = join(dir, path);
      try {
        buffers.push(await readFile(file));
      } catch (cause) {
        throw new ONNXPIPE_EXPORT_MODEL_LOAD_FAILED(file, `weight file listed in model.json: ${describe(cause)}`, {
          cause,
        });
      }
    }
  }
  const weightData = concat(buffers);
  try {
    return await tf.loadLayersModel(
      tf.io.fromMemory({
        modelTopology: json.modelTopology as tf.io.ModelArtifacts['modelTopology'],
        weightSpecs,
        weightData,
      }),
    );
  } catch (cause) {
    throw new ONNXPIPE_EXPORT_MODEL_LOAD_FAILED(modelPath, describe(cause), { cause });
  }
}

function concat(parts: readonly Uint8Array[]): ArrayBuffer {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.byteLength, 0));
  let offset = 0;
  for (const part of parts) {
    out.set(part, offset);
    offset += part.byteLength;
  }
  return out.buffer;
}

function describe(error: unknown): string {
  return errorMessage(error);
}
