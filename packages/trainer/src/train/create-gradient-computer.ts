import { availableParallelism } from 'node:os';
import type { TrainingExecutionProvider } from '../backends/onnxruntime/execution-provider.js';
import { OnnxRuntimeComputer } from '../backends/onnxruntime/onnxruntime-computer.js';
import type { ConcreteBackend } from '../backends/select-backend.js';
import type { Recipe } from '../recipes/recipe.js';
import type { GradientComputer } from './gradient-computer.js';
import type { TrainingData } from './engine-data.js';
import { TfjsComputer } from './tfjs-computer.js';
import type { TrainingState } from './training-state.js';
import { shareTrainingData } from './shared-arrays.js';
import { WorkerPool } from './worker-pool.js';

/**
 * One engine in this thread, or a pool of `workers` data-parallel worker threads; on onnxruntime,
 * one session per graph in this thread. Training steps update `state` in place (onnxruntime: by the
 * next evaluation, calibration or dispose, see `OnnxRuntimeComputer`); with several workers it must
 * sit on shared memory (`createTrainingState(recipe, workers, seed)` does that).
 */
export async function createGradientComputer(options: {
  workers: number;
  backend: ConcreteBackend;
  /** onnxruntime: where the graphs run. @defaultValue `'cpu'` */
  executionProvider?: TrainingExecutionProvider;
  /** onnxruntime: intra-op threads per session. @defaultValue the cores divided among the workers */
  threads?: number;
  recipe: Recipe;
  /** The ablated parts the recipe was resolved with (workers resolve it again by name). */
  without?: readonly string[];
  data: TrainingData;
  state: TrainingState;
}): Promise<GradientComputer> {
  const { workers, backend, recipe, data, state } = options;
  // onnxruntime in one process: one step graph, its ops spread over the cores. Several workers:
  // each runs the gradient graph of its share on its part of the cores, then updates its slice in JS.
  const session =
    backend === 'onnxruntime'
      ? {
          provider: options.executionProvider ?? 'cpu',
          threads: options.threads ?? Math.max(1, Math.floor(availableParallelism() / Math.max(1, workers))),
        }
      : undefined;
  if (workers <= 1) {
    return session === undefined
      ? new TfjsComputer(recipe, data, state)
      : new OnnxRuntimeComputer(recipe, data, state, session);
  }
  return WorkerPool.start({
    workers,
    backend,
    recipe,
    without: options.without ?? [],
    data: shareTrainingData(data),
    state,
    session,
  });
}
