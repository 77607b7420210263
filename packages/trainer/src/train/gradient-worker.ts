import { parentPort, workerData } from 'node:worker_threads';
import { selectBackend, type BackendChoice } from '../backends/select-backend.js';
import { Adadelta, type AdadeltaState } from '../optim/adadelta.js';
import { Barrier } from './barrier.js';
import { GradientEngine, type TrainingData } from './gradient-engine.js';

/** What the pool hands each worker: every array lives on a SharedArrayBuffer, nothing is copied. */
export interface GradientWorkerData {
  readonly backend: BackendChoice;
  readonly data: TrainingData;
  readonly params: Float32Array;
  /** Every worker's gradient buffer, this worker's at `index`. */
  readonly grads: readonly Float32Array[];
  readonly index: number;
  readonly optimizer: { readonly state: AdadeltaState; readonly rho: number; readonly epsilon: number };
  /** The parameters [start, end) this worker updates. */
  readonly slice: { readonly start: number; readonly end: number };
  readonly barrier: SharedArrayBuffer;
}

export type GradientWorkerRequest =
  | { readonly type: 'step'; readonly id: number; readonly indices: Int32Array; readonly dropoutSeed?: number; readonly scale: number; readonly lr: number }
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
const optimizer = new Adadelta(init.optimizer.state, init.optimizer);
const barrier = Barrier.attach(init.barrier, init.grads.length);
const own = init.grads[init.index];
port.postMessage({ type: 'ready', backend: selection.backend } satisfies GradientWorkerResponse);

/**
 * Gradient of this worker's share, then — once every worker's gradient is in — the update of this
 * worker's slice from all of them. Parameters are only read while building the forward pass, which
 * every worker has finished when the barrier opens. A failed gradient still arrives at the barrier
 * so that the others do not wait forever; then nobody updates.
 */
function step(request: Extract<GradientWorkerRequest, { type: 'step' }>): number {
  let lossSum = 0;
  let failure: unknown;
  try {
    if (request.indices.length > 0) lossSum = engine.gradients(request.indices, request.dropoutSeed, own);
    else own.fill(0);
  } catch (error) {
    failure = error;
  }
  const anyFailed = barrier.arriveAndWait(failure !== undefined);
  if (failure !== undefined) throw failure;
  if (anyFailed) throw new Error('another gradient worker failed in this step; parameters left unchanged');
  optimizer.update(init.params, init.grads, request.scale, request.lr, init.slice.start, init.slice.end);
  return lossSum;
}

port.on('message', (request: GradientWorkerRequest) => {
  try {
    const value =
      request.type === 'step'
        ? step(request)
        : request.type === 'gradients'
          ? engine.gradients(request.indices, request.dropoutSeed, own)
          : engine.evaluate(request.start, request.end, request.batchSize);
    port.postMessage({ type: 'result', id: request.id, value } satisfies GradientWorkerResponse);
  } catch (error) {
    const e = error instanceof Error ? error : new Error(String(error));
    port.postMessage({ type: 'error', id: request.id, message: e.message, stack: e.stack } satisfies GradientWorkerResponse);
  }
});
