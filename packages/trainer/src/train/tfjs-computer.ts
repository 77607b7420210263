import { updateWeightAverage } from '../optim/weight-average.js';
import type { Recipe } from '../recipes/recipe.js';
import type { GradientComputer, StepRequest } from './gradient-computer.js';
import { statisticsFromMoments, type EvaluationSet, type EvaluationShard, type TrainingData } from './engine-data.js';
import { TfjsEngine } from './tfjs-engine.js';
import type { TrainingState } from './training-state.js';

/**
 * One {@link TfjsEngine} in this thread, on the active tfjs backend: the native tfjs backends, or
 * `--workers 1`. `OnnxRuntimeComputer` is its onnxruntime counterpart, `WorkerPool` the
 * data-parallel one.
 */
export class TfjsComputer implements GradientComputer {
  readonly workers = 1;
  readonly #engine: TfjsEngine;
  readonly #grads: Float32Array;

  readonly #recipe: Recipe;
  readonly #data: TrainingData;
  readonly #state: TrainingState;

  constructor(recipe: Recipe, data: TrainingData, state: TrainingState) {
    this.#recipe = recipe;
    this.#data = data;
    this.#state = state;
    this.#engine = new TfjsEngine(recipe, data, state);
    this.#grads = new Float32Array(state.params.length);
  }

  async trainStep({ indices, seed, lr, step }: StepRequest): Promise<number> {
    const { params, averaged, optimizer } = this.#state;
    const lossSum = this.#engine.gradients({ indices, seed, offset: 0, worker: 0 }, this.#grads);
    optimizer.update(params, [this.#grads], 1 / indices.length, lr, step, 0, params.length);
    if (averaged !== undefined)
      updateWeightAverage(averaged, params, this.#recipe.weightAverageDecay!, step, 0, params.length);
    return lossSum / indices.length;
  }

  async gradients(indices: Int32Array, seed: number | undefined, into: Float32Array): Promise<number> {
    return this.#engine.gradients({ indices, seed, offset: 0, worker: 0 }, into);
  }

  async calibrate(images: number, batchSize: number): Promise<void> {
    if (this.#state.statistics.length === 0) return;
    const count = Math.min(images, this.#data.trainLabels.length);
    statisticsFromMoments(
      this.#recipe.network,
      [this.#engine.batchMoments(0, count, batchSize)],
      this.#state.statistics,
    );
  }

  async evaluate(set: EvaluationSet, batchSize: number): Promise<EvaluationShard> {
    const count = set === 'test' ? this.#data.testLabels.length : this.#data.devLabels.length;
    return this.#engine.evaluate(set, 0, count, batchSize);
  }

  async dispose(): Promise<void> {}
}
