import * as tf from '@tensorflow/tfjs';
import { OnnxpipeError } from '@onnxpipe/core';
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { randomInput, randomSequential } from '../testing/random-weights.js';
import { ONNXPIPE_EXPORT_MODEL_LOAD_FAILED } from '../errors.js';
import { loadLayersModelFromDir } from './load-layers-model.js';

/**
 * Saves `model` as tfjs does (model.json + weights), splitting the weights over two files so
 * that reading several manifest paths in order is exercised too.
 */
async function saveSplit(model: tf.LayersModel, dir: string): Promise<void> {
  await model.save(
    tf.io.withSaveHandler(async (artifacts) => {
      const data = new Uint8Array(artifacts.weightData as ArrayBuffer);
      const cut = Math.floor(data.byteLength / 2);
      await writeFile(join(dir, 'group1-shard1of2.bin'), data.subarray(0, cut));
      await writeFile(join(dir, 'group1-shard2of2.bin'), data.subarray(cut));
      const json = {
        format: 'layers-model',
        modelTopology: artifacts.modelTopology,
        weightsManifest: [{ paths: ['group1-shard1of2.bin', 'group1-shard2of2.bin'], weights: artifacts.weightSpecs }],
      };
      await writeFile(join(dir, 'model.json'), JSON.stringify(json));
      return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
    }),
  );
}

function assertLoadError(error: unknown): true {
  assert.ok(error instanceof OnnxpipeError);
  assert.equal(error.code, ONNXPIPE_EXPORT_MODEL_LOAD_FAILED.code);
  return true;
}

describe('loadLayersModelFromDir', () => {
  let dir: string;
  before(async () => {
    await tf.setBackend('cpu');
    dir = await mkdtemp(join(tmpdir(), 'onnxpipe-load-'));
  });
  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('reads model.json and every weight file and predicts as the saved model did', async () => {
    const model = randomSequential(
      [6, 5, 2],
      [
        tf.layers.conv2d({ filters: 3, kernelSize: 3, activation: 'relu' }),
        tf.layers.flatten({}),
        tf.layers.dense({ units: 4 }),
      ],
      81,
    );
    await saveSplit(model, dir);
    const loaded = await loadLayersModelFromDir(dir);
    const x = tf.tensor(randomInput([2, 6, 5, 2], 3), [2, 6, 5, 2]);
    const expected = (model.predict(x) as tf.Tensor).dataSync();
    const actual = (loaded.predict(x) as tf.Tensor).dataSync();
    assert.deepEqual(actual, expected);
  });

  it('a missing directory, model.json or weight file → MODEL_LOAD_FAILED', async () => {
    await assert.rejects(loadLayersModelFromDir(join(dir, 'nope')), assertLoadError);
    await rm(join(dir, 'group1-shard2of2.bin'));
    await assert.rejects(loadLayersModelFromDir(dir), (error) => {
      assertLoadError(error);
      assert.match((error as Error).message, /group1-shard2of2\.bin/);
      return true;
    });
  });

  it('a JSON file that is not a layers model → MODEL_LOAD_FAILED', async () => {
    await writeFile(join(dir, 'model.json'), '{"format":"graph-model"}');
    await assert.rejects(loadLayersModelFromDir(dir), assertLoadError);
    await writeFile(join(dir, 'model.json'), 'not json');
    await assert.rejects(loadLayersModelFromDir(dir), assertLoadError);
  });
});
