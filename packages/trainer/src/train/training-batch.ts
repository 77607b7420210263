import { createRng, deriveSeed, normalizationTable, type Normalization } from '@onnxpipe/core';
import { gatherBatch } from '@onnxpipe/data';
import { AugmentationScratch, augmentDigit, type AugmentationSettings } from '../augment/augment-digit.js';

/** Between the dropout seeds of consecutive workers' shares of one step. */
export const WORKER_DROPOUT_STRIDE = 7919;

/**
 * The dropout seed of a share of a step: the step's seed + 7919·worker (the k-th dropout layer
 * then draws from this + k). Undefined turns dropout off.
 */
export function dropoutSeed(seed: number | undefined, worker: number): number | undefined {
  return seed === undefined ? undefined : seed + WORKER_DROPOUT_STRIDE * worker;
}

/**
 * Builds the normalised training images of a share of a batch, augmented as the recipe says:
 * image i of a share starting at `offset` of its batch is augmented with
 * `createRng(deriveSeed(seed, offset + i))`, so a batch draws the same images however it is split
 * and whichever backend trains on it. Every backend builds its batches here.
 */
export class TrainingBatchBuilder {
  readonly #pixels: number;
  readonly #scratch = new AugmentationScratch();

  readonly #source: {
    readonly trainImages: Uint8Array;
    readonly trainLabels: Uint8Array;
    readonly normalization: Normalization;
  };
  readonly #augmentation: AugmentationSettings | undefined;

  constructor(
    source: {
      readonly trainImages: Uint8Array;
      readonly trainLabels: Uint8Array;
      readonly normalization: Normalization;
    },
    augmentation: AugmentationSettings | undefined,
    inputShape: readonly number[],
  ) {
    this.#source = source;
    this.#augmentation = augmentation;
    this.#pixels = inputShape.reduce((a, b) => a * b, 1);
  }

  /** NHWC pixels and labels of training images `indices`; no augmentation when `seed` is undefined. */
  build(indices: Int32Array, seed: number | undefined, offset: number): { x: Float32Array; y: Int32Array } {
    const { trainImages, trainLabels, normalization } = this.#source;
    const count = indices.length;
    if (this.#augmentation === undefined || seed === undefined) {
      return gatherBatch(trainImages, trainLabels, indices, 0, count, normalization);
    }
    const pixels = this.#pixels;
    const table = normalizationTable(normalization);
    const x = new Float32Array(count * pixels);
    const y = new Int32Array(count);
    for (let i = 0; i < count; i++) {
      const index = indices[i];
      const label = trainLabels[index];
      const image = trainImages.subarray(index * pixels, (index + 1) * pixels);
      const random = createRng(deriveSeed(seed, offset + i));
      const augmented = augmentDigit(image, label, this.#augmentation, random, this.#scratch);
      for (let p = 0; p < pixels; p++) x[i * pixels + p] = table[augmented[p]];
      y[i] = label;
    }
    return { x, y };
  }
}
