import * as ort from 'onnxruntime-node';
import { gatherBatch } from '@onnxpipe/data';
import { parameterSpecs, statisticSpecs, tensorLayout, type TensorLayout } from '../../model/network-spec.js';
import type { Recipe } from '../../recipes/recipe.js';
import type { GradientComputer, StepRequest } from '../../train/gradient-computer.js';
import {
  statisticsFromMoments,
  type EvaluationSet,
  type EvaluationShard,
  type MomentSums,
  type TrainingData,
} from '../../train/gradient-engine.js';
import { dropoutSeed, TrainingBatchBuilder } from '../../train/training-batch.js';
import type { TrainingState } from '../../train/training-state.js';
import { buildInferenceGraph, buildMomentsGraph, type ForwardGraph } from './graph/evaluation-graph.js';
import { buildTrainingGraph, type TrainingGraph } from './graph/training-graph.js';
import { StateBuffers } from './state-buffers.js';
import { fillMasks, fillTargets, StepRunner } from './step-runner.js';
import { createTrainingSession, type SessionSettings } from './training-session.js';

/**
 * Trains on onnxruntime-node: each step is one run of one ONNX graph — forward, loss, backward
 * and the optimizer's update (`buildTrainingGraph`) — over the same batches, masks and state as
 * the tfjs backends. Evaluation and the batch-norm calibration run inference graphs of the same
 * network description. Graphs have static shapes, so one is built (and cached) per batch size.
 *
 * Between steps the state alternates between the `TrainingState`'s arrays and a shadow set (see
 * {@link StateBuffers}); `calibrate`, `evaluate`, `gradients` and `dispose` first make the
 * `TrainingState` current, which covers every reader of it in a run (checkpoints and outputs are
 * written after an evaluation, or after dispose).
 */
export class OnnxRuntimeComputer implements GradientComputer {
  readonly workers = 1;
  private readonly buffers: StateBuffers;
  private readonly batches: TrainingBatchBuilder;
  private readonly layout: TensorLayout;
  private readonly statisticsLayout: TensorLayout;
  private readonly steps = new Map<number, Promise<StepRunner>>();
  private readonly forwardSessions = new Map<string, Promise<{ graph: ForwardGraph | TrainingGraph; session: ort.InferenceSession }>>();

  constructor(
    private readonly recipe: Recipe,
    private readonly data: TrainingData,
    private readonly state: TrainingState,
    readonly settings: SessionSettings,
  ) {
    this.buffers = new StateBuffers(recipe.network, state);
    this.batches = new TrainingBatchBuilder(data, recipe.augmentation, recipe.network.inputShape);
    this.layout = tensorLayout(parameterSpecs(recipe.network));
    this.statisticsLayout = tensorLayout(statisticSpecs(recipe.network));
  }

  async trainStep({ indices, seed, lr, step }: StepRequest): Promise<number> {
    const runner = await this.stepRunner(indices.length);
    const { x, y } = this.batches.build(indices, seed, 0);
    const lossSum = await runner.run({ x, y, dropoutSeed: dropoutSeed(seed, 0) }, lr, step);
    return lossSum / indices.length;
  }

  async gradients(indices: Int32Array, seed: number | undefined, into: Float32Array): Promise<number> {
    this.buffers.sync();
    const { graph, session } = await this.forwardSession('gradients', indices.length);
    const training = graph as TrainingGraph;
    const { x, y } = this.batches.build(indices, seed, 0);
    const network = this.recipe.network;
    const target = new Float32Array(indices.length * network.classes);
    fillTargets(target, y, network.classes, this.recipe.labelSmoothing);
    const feeds: Record<string, ort.Tensor> = {
      ...this.buffers.tensors(0, 'param', training.params, 'input'),
      [training.images]: new ort.Tensor('float32', x, [indices.length, ...network.inputShape]),
      [training.target]: new ort.Tensor('float32', target, [indices.length, network.classes]),
    };
    const masks = training.masks.map((mask) => new Float32Array(mask.shape.reduce((a, b) => a * b, 1)));
    fillMasks(training.masks, masks, dropoutSeed(seed, 0));
    training.masks.forEach((mask, k) => {
      feeds[mask.name] = new ort.Tensor('float32', masks[k], [...mask.shape]);
    });
    const fetches: Record<string, ort.Tensor | null> = { [training.loss]: null };
    training.params.forEach((binding, i) => {
      const view = into.subarray(this.layout.offsets[i], this.layout.offsets[i] + this.layout.sizes[i]);
      fetches[binding.output] = new ort.Tensor('float32', view, [...binding.spec.shape]);
    });
    const results = await session.run(feeds, fetches);
    return (results[training.loss].data as Float32Array)[0];
  }

  async calibrate(images: number, batchSize: number): Promise<void> {
    if (this.state.statistics.length === 0) return;
    this.buffers.sync();
    const count = Math.min(images, this.data.trainLabels.length);
    const sums = new Float64Array(this.state.statistics.length);
    for (let from = 0; from < count; from += batchSize) {
      const n = Math.min(from + batchSize, count) - from;
      const { graph, session } = await this.forwardSession('moments', n);
      const forward = graph as ForwardGraph;
      const batch = gatherBatch(this.data.trainImages, this.data.trainLabels, range(from, n), 0, n, this.data.normalization);
      const results = await session.run(this.forwardFeeds(forward, batch.x));
      // The layout of MomentSums: per batch norm, Σ n·mean over its channels, then Σ n·E[x²].
      let offset = 0;
      for (let k = 0; k < forward.outputs.length; k += 2) {
        const mean = results[forward.outputs[k]].data as Float32Array;
        const variance = results[forward.outputs[k + 1]].data as Float32Array;
        for (let c = 0; c < mean.length; c++) {
          sums[offset + c] += n * mean[c];
          sums[offset + mean.length + c] += n * (variance[c] + mean[c] * mean[c]);
        }
        offset += 2 * mean.length;
      }
    }
    const moments: MomentSums = { images: count, sums };
    statisticsFromMoments(this.recipe.network, [moments], this.state.statistics);
  }

  async evaluate(set: EvaluationSet, batchSize: number): Promise<EvaluationShard> {
    this.buffers.sync();
    const { images, labels } = set === 'test'
      ? { images: this.data.testImages, labels: this.data.testLabels }
      : { images: this.data.devImages, labels: this.data.devLabels };
    const count = labels.length;
    const classes = this.recipe.network.classes;
    const predictions = new Uint8Array(count);
    const confidences = new Float32Array(count);
    let lossSum = 0;
    let correct = 0;
    for (let from = 0; from < count; from += batchSize) {
      const n = Math.min(from + batchSize, count) - from;
      const { graph, session } = await this.forwardSession('inference', n);
      const batch = gatherBatch(images, labels, range(from, n), 0, n, this.data.normalization);
      const results = await session.run(this.forwardFeeds(graph as ForwardGraph, batch.x));
      const logProbabilities = results.logProbabilities.data as Float32Array;
      for (let i = 0; i < n; i++) {
        const row = logProbabilities.subarray(i * classes, (i + 1) * classes);
        let best = 0;
        for (let c = 1; c < classes; c++) if (row[c] > row[best]) best = c;
        lossSum -= row[batch.y[i]];
        predictions[from + i] = best;
        confidences[from + i] = Math.exp(row[best]);
        if (best === batch.y[i]) correct++;
      }
    }
    return { lossSum, correct, predictions, confidences };
  }

  async dispose(): Promise<void> {
    this.buffers.sync();
    const sessions = [
      ...(await Promise.all(this.steps.values())).map((runner) => runner.session),
      ...(await Promise.all(this.forwardSessions.values())).map((entry) => entry.session),
    ];
    this.steps.clear();
    this.forwardSessions.clear();
    await Promise.all(sessions.map((session) => session.release()));
  }

  private stepRunner(batch: number): Promise<StepRunner> {
    let runner = this.steps.get(batch);
    if (runner === undefined) {
      const graph = buildTrainingGraph(this.recipe, batch);
      runner = createTrainingSession(graph.model, this.settings).then((session) => new StepRunner(this.recipe, graph, session, this.buffers));
      this.steps.set(batch, runner);
    }
    return runner;
  }

  private forwardSession(kind: 'gradients' | 'moments' | 'inference', batch: number) {
    const key = `${kind}:${batch}`;
    let entry = this.forwardSessions.get(key);
    if (entry === undefined) {
      const network = this.recipe.network;
      const graph =
        kind === 'gradients'
          ? buildTrainingGraph(this.recipe, batch, 'gradients')
          : kind === 'moments'
            ? buildMomentsGraph(network, batch)
            : buildInferenceGraph(network, batch);
      entry = createTrainingSession(graph.model, this.settings).then((session) => ({ graph, session }));
      this.forwardSessions.set(key, entry);
    }
    return entry;
  }

  /** Feeds of an inference or moments graph: the weights evaluation uses (the average, if kept), statistics, images. */
  private forwardFeeds(graph: ForwardGraph, x: Float32Array): Record<string, ort.Tensor> {
    const weights = this.state.averaged ?? this.state.params;
    const feeds: Record<string, ort.Tensor> = {
      [graph.images]: new ort.Tensor('float32', x, [graph.batch, ...this.recipe.network.inputShape]),
    };
    graph.params.forEach(({ spec, input }, i) => {
      feeds[input] = new ort.Tensor('float32', weights.subarray(this.layout.offsets[i], this.layout.offsets[i] + this.layout.sizes[i]), [...spec.shape]);
    });
    graph.statistics.forEach(({ spec, input }, i) => {
      const start = this.statisticsLayout.offsets[i];
      feeds[input] = new ort.Tensor('float32', this.state.statistics.subarray(start, start + this.statisticsLayout.sizes[i]), [...spec.shape]);
    });
    return feeds;
  }
}

function range(from: number, count: number): Int32Array {
  return Int32Array.from({ length: count }, (_, i) => from + i);
}
