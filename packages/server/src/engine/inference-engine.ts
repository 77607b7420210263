import * as ort from 'onnxruntime-node';
import { ONNXPIPE_SERVER_INFERENCE_FAILED } from '../errors.js';
import type { LoadedModel } from '../models/load-model.js';
import { DynamicBatcher, type BatchedResult, type BatcherOptions, type BatcherStats, type SubmitOptions } from './dynamic-batcher.js';

/**
 * Runs one loaded model through a {@link DynamicBatcher}: each input is one preprocessed image
 * (`height × width` float32 values); concurrent calls share `session.run`s, and each gets back
 * its own rows of network output.
 */
export class InferenceEngine {
  readonly model: LoadedModel;
  readonly #batcher: DynamicBatcher<Float32Array, Float32Array>;

  constructor(model: LoadedModel, options: BatcherOptions) {
    this.model = model;
    this.#batcher = new DynamicBatcher((inputs) => this.#runBatch(inputs), options);
  }

  /** Batches run so far and what waits now. */
  get stats(): BatcherStats {
    return this.#batcher.stats;
  }

  /**
   * Network output rows (one per input, `labels.length` values each).
   *
   * @throws `ONNXPIPE_SERVER_QUEUE_FULL`, `ONNXPIPE_SERVER_REQUEST_TIMEOUT`,
   * `ONNXPIPE_SERVER_MODEL_NOT_READY` (see {@link DynamicBatcher.submit}),
   * `ONNXPIPE_SERVER_INFERENCE_FAILED` when onnxruntime fails
   */
  infer(inputs: readonly Float32Array[], options?: SubmitOptions): Promise<BatchedResult<Float32Array>[]> {
    return this.#batcher.submit(inputs, options);
  }

  /** Finishes queued work, then releases the session. */
  async close(): Promise<void> {
    await this.#batcher.close();
    await this.model.session.release();
  }

  async #runBatch(inputs: readonly Float32Array[]): Promise<Float32Array[]> {
    const { session, metadata, inputName, outputName } = this.model;
    const size = metadata.height * metadata.width;
    const data = new Float32Array(inputs.length * size);
    inputs.forEach((input, i) => data.set(input, i * size));
    const dims = metadata.inputLayout === 'NCHW'
      ? [inputs.length, 1, metadata.height, metadata.width]
      : [inputs.length, metadata.height, metadata.width, 1];
    let output: ort.Tensor;
    try {
      const results = await session.run({ [inputName]: new ort.Tensor('float32', data, dims) });
      output = results[outputName];
    } catch (error) {
      throw new ONNXPIPE_SERVER_INFERENCE_FAILED(
        `onnxruntime failed on a batch of ${inputs.length} for model ${this.model.name} version ${this.model.version}: ${(error as Error).message}`,
        { cause: error },
      );
    }
    const classes = metadata.labels.length;
    const values = output.data as Float32Array;
    if (values.length !== inputs.length * classes) {
      throw new ONNXPIPE_SERVER_INFERENCE_FAILED(
        `model ${this.model.name} returned ${values.length} values for a batch of ${inputs.length} × ${classes} classes`,
      );
    }
    // Copies, not views: a client's rows must not keep the whole batch's buffer alive.
    return inputs.map((_, i) => values.slice(i * classes, (i + 1) * classes));
  }
}
