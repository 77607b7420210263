import * as tf from '@tensorflow/tfjs';
import { gatherBatch } from '@onnxpipe/data';
import { forward, summedCrossEntropy } from '../model/network-forward.js';
import { parameterSpecs, statisticSpecs, tensorLayout, type ParameterSpec } from '../model/network-spec.js';
import type { Recipe } from '../recipes/recipe.js';
import type {
  EvaluationSet,
  EvaluationShard,
  MomentSums,
  NetworkBuffers,
  ShareRequest,
  TrainingData,
} from './engine-data.js';
import { dropoutSeed, TrainingBatchBuilder } from './training-batch.js';

/**
 * Forward and backward passes of a recipe's network on the active tfjs backend, reading the
 * current parameters from flat buffers. It holds no optimizer state: the caller sums gradients
 * (from one engine or several workers) and applies the update once.
 */
export class TfjsEngine {
  readonly #specs: readonly ParameterSpec[];
  readonly #statisticSpecs: readonly ParameterSpec[];
  readonly #layout;
  readonly #batches: TrainingBatchBuilder;

  readonly #recipe: Recipe;
  readonly #data: TrainingData;
  readonly #buffers: NetworkBuffers;

  constructor(recipe: Recipe, data: TrainingData, buffers: NetworkBuffers) {
    this.#recipe = recipe;
    this.#data = data;
    this.#buffers = buffers;
    this.#specs = parameterSpecs(recipe.network);
    this.#statisticSpecs = statisticSpecs(recipe.network);
    this.#layout = tensorLayout(this.#specs);
    this.#batches = new TrainingBatchBuilder(data, recipe.augmentation, recipe.network.inputShape);
  }

  /**
   * Writes ∂(Σ loss)/∂θ over the share's training images into `into` and returns Σ loss. Summed,
   * not averaged, so that shares from several workers add up to the global batch.
   */
  gradients(share: ShareRequest, into: Float32Array): number {
    const count = share.indices.length;
    const { x: pixels, y: labels } = this.#batches.build(share.indices, share.seed, share.offset);
    const params = this.#tensors(this.#specs, this.#buffers.params);
    const x = tf.tensor4d(pixels, [count, ...this.#recipe.network.inputShape]);
    const y = tf.tensor1d(labels, 'int32');
    const seed = dropoutSeed(share.seed, share.worker);
    const { value, grads } = tf.valueAndGrads((...p: tf.Tensor[]) =>
      summedCrossEntropy(forward(this.#recipe.network, p, x, { dropoutSeed: seed }), y, this.#recipe.labelSmoothing),
    )(params);
    const lossSum = value.dataSync()[0];
    grads.forEach((grad, i) => into.set(grad.dataSync() as Float32Array, this.#layout.offsets[i]));
    tf.dispose([value, ...grads, ...params, x, y]);
    return lossSum;
  }

  /** Loss (plain NLL), accuracy and predictions for images [start, end) of `set`, in batches of `batchSize`. */
  evaluate(set: EvaluationSet, start: number, end: number, batchSize: number): EvaluationShard {
    const { images, labels } = this.#evaluationSet(set);
    const count = end - start;
    const predictions = new Uint8Array(count);
    const confidences = new Float32Array(count);
    let lossSum = 0;
    let correct = 0;
    const params = this.#tensors(this.#specs, this.#buffers.averaged ?? this.#buffers.params);
    const statistics = this.#tensors(this.#statisticSpecs, this.#buffers.statistics);
    for (let from = start; from < end; from += batchSize) {
      const to = Math.min(from + batchSize, end);
      const n = to - from;
      const order = Int32Array.from({ length: n }, (_, i) => from + i);
      const batch = gatherBatch(images, labels, order, 0, n, this.#data.normalization);
      const [loss, best, bestLogProbability] = tf.tidy(() => {
        const logProbabilities = forward(
          this.#recipe.network,
          params,
          tf.tensor4d(batch.x, [n, ...this.#recipe.network.inputShape]),
          { statistics },
        );
        const nll = summedCrossEntropy(logProbabilities, tf.tensor1d(batch.y, 'int32'));
        return [nll, tf.argMax(logProbabilities, 1), tf.max(logProbabilities, 1)];
      });
      lossSum += loss.dataSync()[0];
      const predicted = best.dataSync();
      const logConfidence = bestLogProbability.dataSync();
      for (let i = 0; i < n; i++) {
        predictions[from - start + i] = predicted[i];
        confidences[from - start + i] = Math.exp(logConfidence[i]);
        if (predicted[i] === batch.y[i]) correct++;
      }
      tf.dispose([loss, best, bestLogProbability]);
    }
    tf.dispose([...params, ...statistics]);
    return { lossSum, correct, predictions, confidences };
  }

  /**
   * Batch moments of every batch normalisation over training images [start, end) as they are
   * (no augmentation, no dropout), with the weights evaluation uses: summed over all workers'
   * shares they give the population statistics ("precise BN", Wu & Johnson 2021), which suit the
   * final (or averaged) weights better than a running average collected while they moved.
   */
  batchMoments(start: number, end: number, batchSize: number): MomentSums {
    const sums = new Float64Array(this.#buffers.statistics.length);
    const params = this.#tensors(this.#specs, this.#buffers.averaged ?? this.#buffers.params);
    for (let from = start; from < end; from += batchSize) {
      const n = Math.min(from + batchSize, end) - from;
      const order = Int32Array.from({ length: n }, (_, i) => from + i);
      const batch = gatherBatch(this.#data.trainImages, this.#data.trainLabels, order, 0, n, this.#data.normalization);
      const moments: tf.Tensor[] = [];
      tf.tidy(() => {
        forward(this.#recipe.network, params, tf.tensor4d(batch.x, [n, ...this.#recipe.network.inputShape]), {
          batchMoments: moments,
        });
        for (const moment of moments) tf.keep(moment);
      });
      let offset = 0;
      for (let k = 0; k < moments.length; k += 2) {
        const mean = moments[k].dataSync();
        const variance = moments[k + 1].dataSync();
        for (let c = 0; c < mean.length; c++) {
          sums[offset + c] += n * mean[c];
          sums[offset + mean.length + c] += n * (variance[c] + mean[c] * mean[c]);
        }
        offset += 2 * mean.length;
      }
      tf.dispose(moments);
    }
    tf.dispose(params);
    return { images: end - start, sums };
  }

  #evaluationSet(set: EvaluationSet): { images: Uint8Array; labels: Uint8Array } {
    return set === 'test'
      ? { images: this.#data.testImages, labels: this.#data.testLabels }
      : { images: this.#data.devImages, labels: this.#data.devLabels };
  }

  /** Views of a flat buffer as tensors (copied into the backend), in `specs` order. */
  #tensors(specs: readonly ParameterSpec[], flat: Float32Array): tf.Tensor[] {
    const layout = specs === this.#specs ? this.#layout : tensorLayout(specs);
    return specs.map((spec, i) =>
      tf.tensor(flat.subarray(layout.offsets[i], layout.offsets[i] + layout.sizes[i]), spec.shape as number[]),
    );
  }
}
