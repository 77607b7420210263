import { parentPort, workerData } from 'node:worker_threads';
import { OnnxRuntimeEngine } from '../backends/onnxruntime/onnxruntime-engine.js';
import type { SessionSettings } from '../backends/onnxruntime/training-session.js';
import { selectBackend, type BackendChoice } from '../backends/select-backend.js';
import { createOptimizer } from '../optim/create-optimizer.js';
import type { OptimizerState } from '../optim/optimizer.js';
import { updateWeightAverage } from '../optim/weight-average.js';
import { resolveRecipe } from '../recipes/resolve-recipe.js';
import { Barrier } from './barrier.js';
import type { EvaluationSet, NetworkBuffers, ShareRequest, TrainingData } from './engine-data.js';
import { TfjsEngine } from './tfjs-engine.js';

/** What the pool hands each worker: every array lives on a SharedArrayBuffer, nothing is copied. */
export interface GradientWorkerData {
  readonly backend: BackendChoice;
  /** The recipe travels by name (and ablated parts): each worker resolves the same one. */
  readonly recipe: { readonly name: string; readonly without: readonly string[] };
  readonly data: TrainingData;
  readonly buffers: NetworkBuffers;
  /** Every worker's gradient buffer, this worker's at `index`. */
  readonly grads: readonly Float32Array[];
  readonly index: number;
  readonly optimizerState: OptimizerState;
  /** The parameters [start, end) this worker updates. */
  readonly slice: { readonly start: number; readonly end: number };
  readonly barrier: SharedArrayBuffer;
  /** onnxruntime: how this worker's sessions run. */
  readonly session?: SessionSettings;
}

export type GradientWorkerRequest =
  | {
      readonly type: 'step';
      readonly id: number;
      readonly share: ShareRequest;
      readonly scale: number;
      readonly lr: number;
      readonly step: number;
    }
  | { readonly type: 'gradients'; readonly id: number; readonly share: ShareRequest }
  | {
      readonly type: 'moments';
      readonly id: number;
      readonly start: number;
      readonly end: number;
      readonly batchSize: number;
    }
  | {
      readonly type: 'evaluate';
      readonly id: number;
      readonly set: EvaluationSet;
      readonly start: number;
      readonly end: number;
      readonly batchSize: number;
    };

export type GradientWorkerResponse =
  | { readonly type: 'ready'; readonly backend: string }
  | { readonly type: 'result'; readonly id: number; readonly value: unknown }
  | { readonly type: 'error'; readonly id: number; readonly message: string; readonly stack?: string };

const init = workerData as GradientWorkerData;
const port = parentPort!;

// onnxruntime needs no tfjs backend here, and the main thread has already picked its provider.
const selection = init.backend === 'onnxruntime' ? { backend: 'onnxruntime' } : await selectBackend(init.backend);
const recipe = resolveRecipe(init.recipe.name, init.recipe.without);
// Both engines answer the same three questions; onnxruntime's answers are promises.
const engine =
  init.backend === 'onnxruntime'
    ? new OnnxRuntimeEngine(recipe, init.data, init.buffers, init.session ?? { provider: 'cpu', threads: 1 })
    : new TfjsEngine(recipe, init.data, init.buffers);
const optimizer = createOptimizer(recipe.optimizer, init.optimizerState);
const barrier = Barrier.attach(init.barrier, init.grads.length);
const own = init.grads[init.index];
port.postMessage({ type: 'ready', backend: selection.backend } satisfies GradientWorkerResponse);

/**
 * Gradient of this worker's share, then — once every worker's gradient is in — the update of this
 * worker's slice from all of them. Parameters are only read while building the forward pass, which
 * every worker has finished when the barrier opens. A failed gradient still arrives at the barrier
 * so that the others do not wait forever; then nobody updates.
 */
async function step(request: Extract<GradientWorkerRequest, { type: 'step' }>): Promise<number> {
  let lossSum = 0;
  let failure: unknown;
  try {
    if (request.share.indices.length > 0) lossSum = await engine.gradients(request.share, own);
    else own.fill(0);
  } catch (error) {
    failure = error;
  }
  const anyFailed = barrier.arriveAndWait(failure !== undefined);
  if (failure !== undefined) throw failure;
  if (anyFailed) throw new Error('another gradient worker failed in this step; parameters left unchanged');
  const { params, averaged } = init.buffers;
  const { start, end } = init.slice;
  optimizer.update(params, init.grads, request.scale, request.lr, request.step, start, end);
  if (averaged !== undefined)
    updateWeightAverage(averaged, params, recipe.weightAverageDecay!, request.step, start, end);
  return lossSum;
}

function handle(request: GradientWorkerRequest): unknown | Promise<unknown> {
  switch (request.type) {
    case 'step':
      return step(request);
    case 'gradients':
      return engine.gradients(request.share, own);
    case 'moments':
      return engine.batchMoments(request.start, request.end, request.batchSize);
    case 'evaluate':
      return engine.evaluate(request.set, request.start, request.end, request.batchSize);
  }
}

// eslint-disable-next-line @typescript-eslint/no-misused-promises -- every path inside answers, errors included
port.on('message', async (request: GradientWorkerRequest) => {
  try {
    port.postMessage({ type: 'result', id: request.id, value: await handle(request) } satisfies GradientWorkerResponse);
  } catch (error) {
    const e = error instanceof Error ? error : new Error(String(error));
    port.postMessage({
      type: 'error',
      id: request.id,
      message: e.message,
      stack: e.stack,
    } satisfies GradientWorkerResponse);
  }
});
