import * as tf from '@tensorflow/tfjs';
import type { Normalization } from '@onnxpipe/core';
import { gatherBatch } from '@onnxpipe/data';
import { IMAGE_SHAPE, forward, parameterLayout, parameterTensors, summedNll } from '../model/reference-network.js';

/** The images a gradient engine reads; in workers these arrays sit on SharedArrayBuffers. */
export interface TrainingData {
  readonly trainImages: Uint8Array;
  readonly trainLabels: Uint8Array;
  readonly testImages: Uint8Array;
  readonly testLabels: Uint8Array;
  readonly normalization: Normalization;
}

export interface EvaluationShard {
  readonly lossSum: number;
  readonly correct: number;
  /** Predicted class per test image of the shard. */
  readonly predictions: Uint8Array;
  /** Probability of the predicted class. */
  readonly confidences: Float32Array;
}

const PIXELS = IMAGE_SHAPE[0] * IMAGE_SHAPE[1];

/**
 * Forward and backward passes of the reference network on the active tfjs backend, reading the
 * current parameters from a flat buffer. It holds no optimizer state: the caller sums gradients
 * (from one engine or several workers) and applies the update once.
 */
export class GradientEngine {
  private readonly layout = parameterLayout();

  constructor(
    private readonly data: TrainingData,
    private readonly params: Float32Array,
  ) {}

  /**
   * Writes ∂(Σ NLL)/∂θ over the training images `indices` into `into` and returns Σ NLL.
   * Summed, not averaged, so that shards from several workers add up to the global batch.
   * Without `dropoutSeed` dropout is off (used by the equivalence tests).
   */
  gradients(indices: Int32Array, dropoutSeed: number | undefined, into: Float32Array): number {
    const count = indices.length;
    const { x: pixels, y: labels } = gatherBatch(
      this.data.trainImages,
      this.data.trainLabels,
      indices,
      0,
      count,
      this.data.normalization,
    );
    const params = parameterTensors(this.params);
    const x = tf.tensor4d(pixels, [count, ...IMAGE_SHAPE]);
    const y = tf.tensor1d(labels, 'int32');
    const { value, grads } = tf.valueAndGrads((...p: tf.Tensor[]) =>
      summedNll(forward(p, x, { dropoutSeed }), y),
    )(params);
    const lossSum = value.dataSync()[0];
    grads.forEach((grad, i) => into.set(grad.dataSync() as Float32Array, this.layout.offsets[i]));
    tf.dispose([value, ...grads, ...params, x, y]);
    return lossSum;
  }

  /** Test-set loss, accuracy and predictions for images [start, end), in batches of `batchSize`. */
  evaluate(start: number, end: number, batchSize: number): EvaluationShard {
    const count = end - start;
    const predictions = new Uint8Array(count);
    const confidences = new Float32Array(count);
    let lossSum = 0;
    let correct = 0;
    const params = parameterTensors(this.params);
    for (let from = start; from < end; from += batchSize) {
      const to = Math.min(from + batchSize, end);
      const n = to - from;
      const pixels = new Float32Array(n * PIXELS);
      const order = Int32Array.from({ length: n }, (_, i) => from + i);
      const batch = gatherBatch(this.data.testImages, this.data.testLabels, order, 0, n, this.data.normalization, pixels);
      const [loss, best, bestLogProbability] = tf.tidy(() => {
        const logProbabilities = forward(params, tf.tensor4d(batch.x, [n, ...IMAGE_SHAPE]));
        const nll = summedNll(logProbabilities, tf.tensor1d(batch.y, 'int32'));
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
    tf.dispose(params);
    return { lossSum, correct, predictions, confidences };
  }
}
