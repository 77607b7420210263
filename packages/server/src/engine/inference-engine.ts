import * as ort from 'onnxruntime-node';
import { ONNXPIPE_SERVER_INFERENCE_FAILED } from '../errors.js';
import type { LoadedModel } from '../models/load-model.js';
import {
  DynamicBatcher,
  type BatchedResult,
  type BatcherOptions,
  type BatcherStats,
  type RunObserver,
  type SubmitOptions,
} from './dynamic-batcher.js';
import type { WorkerSession } from './worker-session.js';

/** Where an engine is in its life: serving, retired (waiting for its users), closed. */
export type EngineState = 'serving' | 'retiring' | 'closed';

/**
 * Runs one loaded model through a {@link DynamicBatcher}: each input is one preprocessed image
 * (`height × width` float32 values); concurrent calls share `session.run`s, and each gets back
 * its own rows of network output.
 *
 * Requests hold the engine through {@link use} for their whole handling (preprocessing
 * included), so that a model reload can {@link retire} it: the requests that already hold it
 * finish on it, and only then is its session released.
 *
 * With a {@link WorkerSession}, batches run on that worker's session instead of
 * `model.session`, off the event loop; closing the engine terminates the worker.
 */
export class InferenceEngine {
  readonly model: LoadedModel;
  readonly #batcher: DynamicBatcher<Float32Array, Float32Array>;
  readonly #worker: WorkerSession | undefined;
  #users = 0;
  #idle: (() => void) | undefined;
  #retired: Promise<void> | undefined;
  #closed: Promise<void> | undefined;
  #state: EngineState = 'serving';

  constructor(model: LoadedModel, options: BatcherOptions, observe?: RunObserver, worker?: WorkerSession) {
    this.model = model;
    this.#worker = worker;
    this.#batcher = new DynamicBatcher((inputs) => this.#runBatch(inputs), options, observe);
  }

  get state(): EngineState {
    return this.#state;
  }

  /** Runs `work` with this engine held: {@link retire} waits for it. */
  async use<T>(work: (engine: InferenceEngine) => Promise<T>): Promise<T> {
    this.#users++;
    try {
      return await work(this);
    } finally {
      if (--this.#users === 0) this.#idle?.();
    }
  }

  /**
   * Waits until no request holds the engine (see {@link use}), then {@link close}s it. The
   * caller must have stopped handing the engine out first.
   */
  retire(): Promise<void> {
    this.#retired ??= (async () => {
      if (this.#state === 'serving') this.#state = 'retiring';
      if (this.#users > 0) await new Promise<void>((resolve) => (this.#idle = resolve));
      await this.close();
    })();
    return this.#retired;
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
    // A batch that finished while this request was being prepared frees the worker for the
    // next one, this request's items included (see WorkerSession.poll).
    this.#worker?.poll();
    return this.#batcher.submit(inputs, options);
  }

  /** Whether batches run on a worker thread (`inferenceWorker`). */
  get inWorker(): boolean {
    return this.#worker !== undefined;
  }

  /** Finishes queued work, then releases the session (and ends its worker). */
  close(): Promise<void> {
    this.#closed ??= (async () => {
      await this.#batcher.close();
      this.#state = 'closed';
      await Promise.all([this.#worker?.terminate(), this.model.session.release()]);
    })();
    return this.#closed;
  }

  async #runBatch(inputs: readonly Float32Array[]): Promise<Float32Array[]> {
    const { session, metadata, inputName, outputName } = this.model;
    const size = metadata.height * metadata.width;
    const data = new Float32Array(inputs.length * size);
    inputs.forEach((input, i) => data.set(input, i * size));
    const dims =
      metadata.inputLayout === 'NCHW'
        ? [inputs.length, 1, metadata.height, metadata.width]
        : [inputs.length, metadata.height, metadata.width, 1];
    let values: Float32Array;
    try {
      values = this.#worker
        ? await this.#worker.run(data, dims)
        : ((await session.run({ [inputName]: new ort.Tensor('float32', data, dims) }))[outputName]
            .data as Float32Array);
    } catch (error) {
      throw new ONNXPIPE_SERVER_INFERENCE_FAILED(
        `onnxruntime failed on a batch of ${inputs.length} for model ${this.model.name} version ${this.model.version}: ${(error as Error).message}`,
        { cause: error },
      );
    }
    const classes = metadata.labels.length;
    if (values.length !== inputs.length * classes) {
      throw new ONNXPIPE_SERVER_INFERENCE_FAILED(
        `model ${this.model.name} returned ${values.length} values for a batch of ${inputs.length} × ${classes} classes`,
      );
    }
    // Copies, not views: a client's rows must not keep the whole batch's buffer alive.
    return inputs.map((_, i) => values.slice(i * classes, (i + 1) * classes));
  }
}
