import * as ort from 'onnxruntime-node';
import { gatherBatch } from '@onnxpipe/data';
import { parameterSpecs, statisticSpecs, tensorLayout, type TensorLayout } from '../../model/network-spec.js';
import type { Recipe } from '../../recipes/recipe.js';
import type {
  EvaluationSet,
  EvaluationShard,
  MomentSums,
  NetworkBuffers,
  ShareRequest,
  TrainingData,
} from '../../train/engine-data.js';
import { dropoutSeed, TrainingBatchBuilder } from '../../train/training-batch.js';
import { buildInferenceGraph, buildMomentsGraph, type ForwardGraph } from './graph/evaluation-graph.js';
import { buildTrainingGraph, type TrainingGraph } from './graph/training-graph.js';
import { fillMasks, fillTargets } from './step-runner.js';
import { createTrainingSession, type SessionSettings } from './training-session.js';

type GraphKind = 'gradients' | 'moments' | 'inference';

/**
 * The onnxruntime counterpart of `TfjsEngine`: summed gradients of a share of a batch,
 * evaluation and batch moments, each one run of a graph of the recipe's network, reading the
 * weights from flat buffers (shared memory in a data-parallel worker). Graphs have static shapes:
 * one is built, and its session created, per kind and batch size, then cached.
 */
export class OnnxRuntimeEngine {
  readonly #batches: TrainingBatchBuilder;
  readonly #layout: TensorLayout;
  readonly #statisticsLayout: TensorLayout;
  readonly #sessions = new Map<
    string,
    Promise<{ graph: ForwardGraph | TrainingGraph; session: ort.InferenceSession }>
  >();
  /** Private copies of shared arrays: onnxruntime-node refuses tensors on a SharedArrayBuffer ("Invalid argument"). */
  readonly #staging = new Map<Float32Array, Float32Array>();

  readonly #recipe: Recipe;
  readonly #data: TrainingData;
  readonly #buffers: NetworkBuffers;
  readonly #settings: SessionSettings;

  constructor(recipe: Recipe, data: TrainingData, buffers: NetworkBuffers, settings: SessionSettings) {
    this.#recipe = recipe;
    this.#data = data;
    this.#buffers = buffers;
    this.#settings = settings;
    this.#batches = new TrainingBatchBuilder(data, recipe.augmentation, recipe.network.inputShape);
    this.#layout = tensorLayout(parameterSpecs(recipe.network));
    this.#statisticsLayout = tensorLayout(statisticSpecs(recipe.network));
  }

  /** Writes ∂(Σ loss)/∂θ over the share's images into `into` (as pre-allocated outputs) and returns Σ loss. */
  async gradients(share: ShareRequest, into: Float32Array): Promise<number> {
    const count = share.indices.length;
    const { graph, session } = await this.#session('gradients', count);
    const training = graph as TrainingGraph;
    const network = this.#recipe.network;
    const { x, y } = this.#batches.build(share.indices, share.seed, share.offset);
    const target = new Float32Array(count * network.classes);
    fillTargets(target, y, network.classes, this.#recipe.labelSmoothing);
    const masks = training.masks.map((mask) => new Float32Array(mask.shape.reduce((a, b) => a * b, 1)));
    fillMasks(training.masks, masks, dropoutSeed(share.seed, share.worker));
    const feeds: Record<string, ort.Tensor> = {
      ...this.#weights(training.params, this.#readable(this.#buffers.params)),
      [training.images]: new ort.Tensor('float32', x, [count, ...network.inputShape]),
      [training.target]: new ort.Tensor('float32', target, [count, network.classes]),
    };
    training.masks.forEach((mask, k) => (feeds[mask.name] = new ort.Tensor('float32', masks[k], [...mask.shape])));
    const fetches: Record<string, ort.Tensor | null> = { [training.loss]: null };
    const output = isShared(into) ? this.#stage(into) : into;
    training.params.forEach((binding, i) => {
      fetches[binding.output] = new ort.Tensor('float32', this.#view(output, this.#layout, i), [...binding.spec.shape]);
    });
    const results = await session.run(feeds, fetches);
    if (output !== into) into.set(output);
    return (results[training.loss].data as Float32Array)[0];
  }

  /** Loss (plain NLL), accuracy and predictions for images [start, end) of `set`, with the weights evaluation uses. */
  async evaluate(set: EvaluationSet, start: number, end: number, batchSize: number): Promise<EvaluationShard> {
    const { images, labels } =
      set === 'test'
        ? { images: this.#data.testImages, labels: this.#data.testLabels }
        : { images: this.#data.devImages, labels: this.#data.devLabels };
    const classes = this.#recipe.network.classes;
    const predictions = new Uint8Array(end - start);
    const confidences = new Float32Array(end - start);
    let lossSum = 0;
    let correct = 0;
    for (let from = start; from < end; from += batchSize) {
      const n = Math.min(from + batchSize, end) - from;
      const { graph, session } = await this.#session('inference', n);
      const batch = gatherBatch(images, labels, range(from, n), 0, n, this.#data.normalization);
      const results = await session.run(this.#forwardFeeds(graph as ForwardGraph, batch.x));
      const logProbabilities = results.logProbabilities.data as Float32Array;
      for (let i = 0; i < n; i++) {
        const row = logProbabilities.subarray(i * classes, (i + 1) * classes);
        let best = 0;
        for (let c = 1; c < classes; c++) if (row[c] > row[best]) best = c;
        lossSum -= row[batch.y[i]];
        predictions[from - start + i] = best;
        confidences[from - start + i] = Math.exp(row[best]);
        if (best === batch.y[i]) correct++;
      }
    }
    return { lossSum, correct, predictions, confidences };
  }

  /** Batch moments of every batch normalisation over training images [start, end), as `TfjsEngine.batchMoments`. */
  async batchMoments(start: number, end: number, batchSize: number): Promise<MomentSums> {
    const sums = new Float64Array(this.#buffers.statistics.length);
    for (let from = start; from < end; from += batchSize) {
      const n = Math.min(from + batchSize, end) - from;
      const { graph, session } = await this.#session('moments', n);
      const forward = graph as ForwardGraph;
      const batch = gatherBatch(
        this.#data.trainImages,
        this.#data.trainLabels,
        range(from, n),
        0,
        n,
        this.#data.normalization,
      );
      const results = await session.run(this.#forwardFeeds(forward, batch.x));
      // Per batch norm: Σ n·mean over its channels, then Σ n·E[x²].
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
    return { images: end - start, sums };
  }

  async dispose(): Promise<void> {
    const entries = await Promise.all(this.#sessions.values());
    this.#sessions.clear();
    await Promise.all(entries.map(({ session }) => session.release()));
  }

  #session(kind: GraphKind, batch: number) {
    const key = `${kind}:${batch}`;
    let entry = this.#sessions.get(key);
    if (entry === undefined) {
      const network = this.#recipe.network;
      const graph =
        kind === 'gradients'
          ? buildTrainingGraph(this.#recipe, batch, 'gradients')
          : kind === 'moments'
            ? buildMomentsGraph(network, batch)
            : buildInferenceGraph(network, batch);
      entry = createTrainingSession(graph.model, this.#settings).then((session) => ({ graph, session }));
      this.#sessions.set(key, entry);
    }
    return entry;
  }

  /** Feeds of an inference or moments graph: the weights evaluation uses (the average, if kept), statistics, images. */
  #forwardFeeds(graph: ForwardGraph, x: Float32Array): Record<string, ort.Tensor> {
    const statistics = this.#readable(this.#buffers.statistics);
    const feeds: Record<string, ort.Tensor> = {
      ...this.#weights(graph.params, this.#readable(this.#buffers.averaged ?? this.#buffers.params)),
      [graph.images]: new ort.Tensor('float32', x, [graph.batch, ...this.#recipe.network.inputShape]),
    };
    graph.statistics.forEach(({ spec, input }, i) => {
      feeds[input] = new ort.Tensor('float32', this.#view(statistics, this.#statisticsLayout, i), [...spec.shape]);
    });
    return feeds;
  }

  /** `flat` itself, or on shared memory a private copy of its current values (~1 ms for 1.2 M floats). */
  #readable(flat: Float32Array): Float32Array {
    if (!isShared(flat)) return flat;
    const copy = this.#stage(flat);
    copy.set(flat);
    return copy;
  }

  #stage(flat: Float32Array): Float32Array {
    let copy = this.#staging.get(flat);
    if (copy === undefined) {
      copy = new Float32Array(flat.length);
      this.#staging.set(flat, copy);
    }
    return copy;
  }

  #weights(
    bindings: readonly { readonly spec: { readonly shape: readonly number[] }; readonly input: string }[],
    flat: Float32Array,
  ) {
    return Object.fromEntries(
      bindings.map(({ spec, input }, i) => [
        input,
        new ort.Tensor('float32', this.#view(flat, this.#layout, i), [...spec.shape]),
      ]),
    );
  }

  #view(flat: Float32Array, layout: TensorLayout, i: number): Float32Array {
    return flat.subarray(layout.offsets[i], layout.offsets[i] + layout.sizes[i]);
  }
}

function isShared(array: Float32Array): boolean {
  return typeof SharedArrayBuffer !== 'undefined' && array.buffer instanceof SharedArrayBuffer;
}

function range(from: number, count: number): Int32Array {
  return Int32Array.from({ length: count }, (_, i) => from + i);
}
