import type { Normalization } from '@onnxpipe/core';
import { statisticSpecs, tensorLayout, type NetworkSpec } from '../model/network-spec.js';

// What every engine reads and returns, whichever backend runs it (tfjs-engine.ts in this thread or
// a worker, backends/onnxruntime/onnxruntime-engine.ts): the training data, the flat buffers a
// network lives in, a share of a batch, and the results of evaluating it.

/** The images an engine reads; in workers these arrays sit on SharedArrayBuffers. */
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
