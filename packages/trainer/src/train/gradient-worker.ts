import { parentPort, workerData } from 'node:worker_threads';
import { selectBackend, type BackendChoice } from '../backends/select-backend.js';
import { GradientEngine, type TrainingData } from './gradient-engine.js';

/** What the pool hands each worker: every array lives on a SharedArrayBuffer, nothing is copied. */
export interface GradientWorkerData {
  readonly backend: BackendChoice;
  readonly data: TrainingData;
  readonly params: Float32Array;
  readonly grads: Float32Array;
}

export type GradientWorkerRequest =
  | { readonly type: 'gradients'; readonly id: number; readonly indices: Int32Array; readonly dropoutSeed?: number }
  | { readonly type: 'evaluate'; readonly id: number; readonly start: number; readonly end: number; readonly batchSize: number };

export type GradientWorkerResponse =
  | { readonly type: 'ready'; readonly backend: string }
  | { readonly type: 'result'; readonly id: number; readonly value: unknown }
  | { readonly type: 'error'; readonly id: number; readonly message: string; readonly stack?: string };

const init = workerData as GradientWorkerData;
const port = parentPort!;

const selection = await selectBackend(init.backend);
const engine = new GradientEngine(init.data, init.params);
port.postMessage({ type: 'ready', backend: selection.backend } satisfies GradientWorkerResponse);

port.on('message', (request: GradientWorkerRequest) => {
  try {
    const value =
      request.type === 'gradients'
        ? engine.gradients(request.indices, request.dropoutSeed, init.grads)
        : engine.evaluate(request.start, request.end, request.batchSize);
    port.postMessage({ type: 'result', id: request.id, value } satisfies GradientWorkerResponse);
  } catch (error) {
    const e = error instanceof Error ? error : new Error(String(error));
    port.postMessage({ type: 'error', id: request.id, message: e.message, stack: e.stack } satisfies GradientWorkerResponse);
  }
});
