import type { Recipe } from '../../recipes/recipe.js';
import type { GradientComputer, StepRequest } from '../../train/gradient-computer.js';
import {
  statisticsFromMoments,
  type EvaluationSet,
  type EvaluationShard,
  type TrainingData,
} from '../../train/engine-data.js';
import { dropoutSeed, TrainingBatchBuilder } from '../../train/training-batch.js';
import type { TrainingState } from '../../train/training-state.js';
import { buildTrainingGraph } from './graph/training-graph.js';
import { OnnxRuntimeEngine } from './onnxruntime-engine.js';
import { StateBuffers } from './state-buffers.js';
import { StepRunner } from './step-runner.js';
import { createTrainingSession, type SessionSettings } from './training-session.js';

/**
 * Trains on onnxruntime-node in this thread: each step is one run of one ONNX graph — forward,
 * loss, backward and the optimizer's update (`buildTrainingGraph`) — over the same batches, masks
 * and state as the tfjs backends. Evaluation, the batch-norm calibration and `gradients` run
 * graphs of the same network through an {@link OnnxRuntimeEngine}. One step graph is built per
 * batch size (the last batch of an epoch is shorter).
 *
 * Between steps the state alternates between the `TrainingState`'s arrays and a shadow set (see
 * {@link StateBuffers}); `calibrate`, `evaluate`, `gradients` and `dispose` first make the
 * `TrainingState` current, which covers every reader of it in a run (checkpoints and outputs are
 * written after an evaluation, or after dispose).
 */
export class OnnxRuntimeComputer implements GradientComputer {
  readonly workers = 1;
  readonly #buffers: StateBuffers;
  readonly #batches: TrainingBatchBuilder;
  readonly #engine: OnnxRuntimeEngine;
  readonly #steps = new Map<number, Promise<StepRunner>>();

  readonly #recipe: Recipe;
  readonly #data: TrainingData;
  readonly #state: TrainingState;

  constructor(
    recipe: Recipe,
    data: TrainingData,
    state: TrainingState,
    readonly settings: SessionSettings,
  ) {
    this.#recipe = recipe;
    this.#data = data;
    this.#state = state;
    this.#buffers = new StateBuffers(recipe.network, state);
    this.#batches = new TrainingBatchBuilder(data, recipe.augmentation, recipe.network.inputShape);
    this.#engine = new OnnxRuntimeEngine(recipe, data, state, settings);
  }

  async trainStep({ indices, seed, lr, step }: StepRequest): Promise<number> {
    const runner = await this.#stepRunner(indices.length);
    const { x, y } = this.#batches.build(indices, seed, 0);
    const lossSum = await runner.run({ x, y, dropoutSeed: dropoutSeed(seed, 0) }, lr, step);
    return lossSum / indices.length;
  }

  async gradients(indices: Int32Array, seed: number | undefined, into: Float32Array): Promise<number> {
    this.#buffers.sync();
    return this.#engine.gradients({ indices, seed, offset: 0, worker: 0 }, into);
  }

  async calibrate(images: number, batchSize: number): Promise<void> {
    if (this.#state.statistics.length === 0) return;
    this.#buffers.sync();
    const count = Math.min(images, this.#data.trainLabels.length);
    statisticsFromMoments(
      this.#recipe.network,
      [await this.#engine.batchMoments(0, count, batchSize)],
      this.#state.statistics,
    );
  }

  async evaluate(set: EvaluationSet, batchSize: number): Promise<EvaluationShard> {
    this.#buffers.sync();
    const count = set === 'test' ? this.#data.testLabels.length : this.#data.devLabels.length;
    return this.#engine.evaluate(set, 0, count, batchSize);
  }

  async dispose(): Promise<void> {
    this.#buffers.sync();
    const runners = await Promise.all(this.#steps.values());
    this.#steps.clear();
    await Promise.all([...runners.map((runner) => runner.session.release()), this.#engine.dispose()]);
  }

  #stepRunner(batch: number): Promise<StepRunner> {
    let runner = this.#steps.get(batch);
    if (runner === undefined) {
      const graph = buildTrainingGraph(this.#recipe, batch);
      runner = createTrainingSession(graph.model, this.settings).then(
        (session) => new StepRunner(this.#recipe, graph, session, this.#buffers),
      );
      this.#steps.set(batch, runner);
    }
    return runner;
  }
}
