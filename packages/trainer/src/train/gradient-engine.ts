import * as tf from '@tensorflow/tfjs';
import type { Normalization } from '@onnxpipe/core';
import { gatherBatch } from '@onnxpipe/data';
import { forward, summedCrossEntropy } from '../model/network-forward.js';
import {
  parameterSpecs,
  statisticSpecs,
  tensorLayout,
  type NetworkSpec,
  type ParameterSpec,
} from '../model/network-spec.js';
import type { Recipe } from '../recipes/recipe.js';
import { dropoutSeed, TrainingBatchBuilder } from './training-batch.js';

/** The images a gradient engine reads; in workers these arrays sit on SharedArrayBuffers. */
export interface TrainingData {
  readonly trainImages: Uint8Array;
  readonly trainLabels: Uint8Array;
  readonly testImages: Uint8Array;
  readonly testLabels: Uint8Array;
  /**
   * Real handwriting that is not MNIST (the development set), already preprocessed as the server
   * does: measured after each epoch, never trained on. Empty when there is none.
   */
  readonly devImages: Uint8Array;
  readonly devLabels: Uint8Array;
  readonly normalization: Normalization;
}

/** The evaluation sets of {@link TrainingData}. */
export type EvaluationSet = 'test' | 'dev';

/** The flat buffers a network lives in; shared memory when several workers read them. */
export interface NetworkBuffers {
  /** Trainable parameters (order of `parameterSpecs`). */
  readonly params: Float32Array;
  /** Population statistics of the batch normalisations (order of `statisticSpecs`); empty without any. */
  readonly statistics: Float32Array;
  /** The moving average of the parameters, when the recipe keeps one: evaluation reads it instead of `params`. */
  readonly averaged?: Float32Array;
}

/** One share of a training batch. */
export interface ShareRequest {
  readonly indices: Int32Array;
  /**
   * The step's seed: dropout masks derive from seed + 7919·worker, and image i of the share is
   * augmented with `createRng(deriveSeed(seed, offset + i))`, so a batch draws the same images
   * whichever way it is split. Undefined: no dropout and no augmentation (equivalence tests).
   */
  readonly seed: number | undefined;
  /** Position of the share's first image in the whole batch. */
  readonly offset: number;
  readonly worker: number;
}

export interface EvaluationShard {
  readonly lossSum: number;
  readonly correct: number;
  /** Predicted class per image of the shard. */
  readonly predictions: Uint8Array;
  /** Probability of the predicted class. */
  readonly confidences: Float32Array;
}

/** Sums of batch moments per batch-norm channel, weighted by the images of each batch. */
export interface MomentSums {
  readonly images: number;
  /** For each batch norm: Σ n·mean over its channels, then Σ n·(variance + mean²). */
  readonly sums: Float64Array;
}

/**
 * Forward and backward passes of a recipe's network on the active tfjs backend, reading the
 * current parameters from flat buffers. It holds no optimizer state: the caller sums gradients
 * (from one engine or several workers) and applies the update once.
 */
export class GradientEngine {
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

/** Population statistics (mean, variance per batch norm, order of `statisticSpecs`) from summed moments. */
export function statisticsFromMoments(network: NetworkSpec, moments: readonly MomentSums[], into: Float32Array): void {
  const images = moments.reduce((n, m) => n + m.images, 0);
  if (images === 0) return;
  const layout = tensorLayout(statisticSpecs(network));
  // Each batch norm is a (mean, variance) pair of C channels; its sums are [Σ n·mean | Σ n·E[x²]].
  for (let k = 0; k < layout.sizes.length; k += 2) {
    const offset = layout.offsets[k];
    const channels = layout.sizes[k];
    for (let c = 0; c < channels; c++) {
      let sum = 0;
      let sumOfSquares = 0;
      for (const m of moments) {
        sum += m.sums[offset + c];
        sumOfSquares += m.sums[offset + channels + c];
      }
      const mean = sum / images;
      into[offset + c] = mean;
      into[offset + channels + c] = Math.max(0, sumOfSquares / images - mean * mean);
    }
  }
}
