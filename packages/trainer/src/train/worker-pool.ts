import { Worker } from 'node:worker_threads';
import type { SessionSettings } from '../backends/onnxruntime/training-session.js';
import type { BackendChoice } from '../backends/select-backend.js';
import type { Recipe } from '../recipes/recipe.js';
import { Barrier } from './barrier.js';
import { mergeEvaluations, splitRange, type GradientComputer, type StepRequest } from './gradient-computer.js';
import {
  statisticsFromMoments,
  type EvaluationSet,
  type EvaluationShard,
  type MomentSums,
  type TrainingData,
} from './engine-data.js';
import { stateArrays, type TrainingState } from './training-state.js';
import type { GradientWorkerData, GradientWorkerRequest, GradientWorkerResponse } from './gradient-worker.js';

interface Pending {
  resolve(value: unknown): void;
  reject(error: Error): void;
}

/**
 * Synchronous data parallelism over worker_threads, one wasm backend (one core) per worker.
 * Every worker reads the parameters from one shared buffer and computes the summed gradient of its
 * contiguous share of the global batch into a shared buffer of its own; after a barrier, each adds
 * up every worker's gradient over its own slice of the parameters and applies the optimizer there. The
 * main thread only hands out batches: summing and updating 1.16M parameters serially on it cost
 * ~10 ms a step, during which both workers idled.
 */
export class WorkerPool implements GradientComputer {
  #nextId = 0;
  readonly #pending = new Map<number, Pending>();

  readonly #threads: Worker[];
  readonly #grads: Float32Array[];
  readonly #recipe: Recipe;
  readonly #data: TrainingData;
  readonly #state: TrainingState;
  readonly #barrier: Barrier;

  private constructor(
    threads: Worker[],
    grads: Float32Array[],
    recipe: Recipe,
    data: TrainingData,
    state: TrainingState,
    barrier: Barrier,
  ) {
    this.#threads = threads;
    this.#grads = grads;
    this.#recipe = recipe;
    this.#data = data;
    this.#state = state;
    this.#barrier = barrier;
  }

  get workers(): number {
    return this.#threads.length;
  }

  /**
   * `data` and every array of `state` must sit on SharedArrayBuffers (see `shareTrainingData`
   * in shared-arrays.ts and `createTrainingState`).
   */
  static async start(options: {
    workers: number;
    backend: BackendChoice;
    recipe: Recipe;
    without: readonly string[];
    data: TrainingData;
    state: TrainingState;
    /** onnxruntime: how each worker's sessions run. */
    session?: SessionSettings;
  }): Promise<WorkerPool> {
    const { state } = options;
    for (const [name, array] of Object.entries(stateArrays(state))) {
      if (!(array.buffer instanceof SharedArrayBuffer)) {
        throw new TypeError(`WorkerPool: '${name}' must be backed by a SharedArrayBuffer; received an ArrayBuffer`);
      }
    }
    const grads = Array.from(
      { length: options.workers },
      () => new Float32Array(new SharedArrayBuffer(state.params.byteLength)),
    );
    const slices = splitRange(state.params.length, options.workers);
    const barrier = Barrier.create(options.workers);
    const threads: Worker[] = [];
    const ready: Promise<void>[] = [];
    for (let i = 0; i < options.workers; i++) {
      const init: GradientWorkerData = {
        backend: options.backend,
        recipe: { name: options.recipe.name, without: options.without },
        data: options.data,
        buffers: { params: state.params, statistics: state.statistics, averaged: state.averaged },
        grads,
        index: i,
        optimizerState: state.optimizer.state,
        slice: slices[i],
        barrier: barrier.buffer,
        ...(options.session === undefined ? {} : { session: options.session }),
      };
      const worker = spawnGradientWorker(init);
      threads.push(worker);
      ready.push(
        new Promise((resolve, reject) => {
          worker.once('error', reject);
          worker.once('message', (message: GradientWorkerResponse) => {
            worker.off('error', reject);
            if (message.type === 'ready') resolve();
            else reject(new Error(`gradient worker ${i} failed to start: ${JSON.stringify(message)}`));
          });
        }),
      );
    }
    try {
      await Promise.all(ready);
    } catch (error) {
      await Promise.all(threads.map((t) => t.terminate()));
      throw error;
    }
    const pool = new WorkerPool(threads, grads, options.recipe, options.data, state, barrier);
    threads.forEach((worker) => pool.#listen(worker));
    return pool;
  }

  async trainStep({ indices, seed, lr, step }: StepRequest): Promise<number> {
    this.#barrier.reset();
    const shares = splitRange(indices.length, this.#threads.length);
    // Every worker takes part, even with an empty share: each one owns a slice of the update.
    const losses = await Promise.all(
      shares.map(({ start, end }, i) =>
        this.#request(i, {
          type: 'step',
          id: 0,
          share: { indices: indices.slice(start, end), seed, offset: start, worker: i },
          scale: 1 / indices.length,
          lr,
          step,
        }),
      ),
    );
    return (losses as number[]).reduce((a, b) => a + b, 0) / indices.length;
  }

  async gradients(indices: Int32Array, seed: number | undefined, into: Float32Array): Promise<number> {
    const shares = splitRange(indices.length, this.#threads.length);
    const losses = await Promise.all(
      shares.map(({ start, end }, i) =>
        end > start
          ? this.#request(i, {
              type: 'gradients',
              id: 0,
              share: { indices: indices.slice(start, end), seed, offset: start, worker: i },
            })
          : (this.#grads[i].fill(0), Promise.resolve(0)),
      ),
    );
    into.set(this.#grads[0]);
    for (let w = 1; w < this.#grads.length; w++) {
      const g = this.#grads[w];
      for (let i = 0; i < into.length; i++) into[i] += g[i];
    }
    return (losses as number[]).reduce((a, b) => a + b, 0);
  }

  async calibrate(images: number, batchSize: number): Promise<void> {
    if (this.#state.statistics.length === 0) return;
    const shares = splitRange(Math.min(images, this.#data.trainLabels.length), this.#threads.length);
    const moments = await Promise.all(
      shares.map(({ start, end }, i) => this.#request(i, { type: 'moments', id: 0, start, end, batchSize })),
    );
    statisticsFromMoments(this.#recipe.network, moments as MomentSums[], this.#state.statistics);
  }

  async evaluate(set: EvaluationSet, batchSize: number): Promise<EvaluationShard> {
    const count = set === 'test' ? this.#data.testLabels.length : this.#data.devLabels.length;
    const shares = splitRange(count, this.#threads.length);
    const shards = await Promise.all(
      shares.map(({ start, end }, i) => this.#request(i, { type: 'evaluate', id: 0, set, start, end, batchSize })),
    );
    return mergeEvaluations(shards as EvaluationShard[]);
  }

  async dispose(): Promise<void> {
    await Promise.all(this.#threads.map((t) => t.terminate()));
    for (const { reject } of this.#pending.values()) reject(new Error('worker pool disposed'));
    this.#pending.clear();
  }

  #request(worker: number, request: GradientWorkerRequest): Promise<unknown> {
    const id = this.#nextId++;
    return new Promise((resolve, reject) => {
      this.#pending.set(id, { resolve, reject });
      this.#threads[worker].postMessage({ ...request, id });
    });
  }

  #listen(worker: Worker): void {
    worker.on('message', (message: GradientWorkerResponse) => {
      if (message.type === 'ready') return;
      const pending = this.#pending.get(message.id);
      if (pending === undefined) return;
      this.#pending.delete(message.id);
      if (message.type === 'result') pending.resolve(message.value);
      else pending.reject(Object.assign(new Error(message.message), { stack: message.stack }));
    });
    worker.on('error', (error) => {
      for (const { reject } of this.#pending.values()) reject(error);
      this.#pending.clear();
    });
  }
}

/**
 * Starts `gradient-worker`. Run from source (tests, `npm run train`), the worker is TypeScript and
 * worker threads do not inherit tsx's loader hooks, so it registers tsx before importing the file.
 */
function spawnGradientWorker(workerData: GradientWorkerData): Worker {
  if (!import.meta.url.endsWith('.ts'))
    return new Worker(new URL('./gradient-worker.js', import.meta.url), { workerData });
  const tsx = JSON.stringify(import.meta.resolve('tsx/esm/api'));
  const script = JSON.stringify(new URL('./gradient-worker.ts', import.meta.url).href);
  return new Worker(`import(${tsx}).then((api) => { api.register(); return import(${script}); });`, {
    eval: true,
    workerData,
  });
}
