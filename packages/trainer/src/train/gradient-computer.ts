import type { EvaluationSet, EvaluationShard } from './engine-data.js';

/** One optimisation step. */
export interface StepRequest {
  readonly indices: Int32Array;
  /** The step's seed for dropout and augmentation (see `ShareRequest`); undefined turns both off. */
  readonly seed: number | undefined;
  readonly lr: number;
  /** Updates so far including this one, from 1 (Adam's bias correction, the weight average's warm-up). */
  readonly step: number;
}

/**
 * Trains on global batches, either in this thread or spread over data-parallel workers. A step
 * sums the gradients of every share of the batch, averages them over the batch and applies one
 * optimizer update, so the mathematics is the same whatever the worker count; workers update one
 * slice of the parameters each, in parallel.
 */
export interface GradientComputer {
  readonly workers: number;
  /** One optimisation step; returns the batch's mean loss. */
  trainStep(request: StepRequest): Promise<number>;
  /** Sums ∂(Σ loss)/∂θ over `indices` into `into` without updating anything; returns Σ loss. */
  gradients(indices: Int32Array, seed: number | undefined, into: Float32Array): Promise<number>;
  /**
   * Sets the batch normalisations' population statistics from the first `images` training
   * images, with the weights evaluation uses; nothing to do for a network without any.
   */
  calibrate(images: number, batchSize: number): Promise<void>;
  /** Evaluates the weights (the averaged ones when the recipe keeps an average) on a whole evaluation set. */
  evaluate(set: EvaluationSet, batchSize: number): Promise<EvaluationShard>;
  dispose(): Promise<void>;
}

/** Splits [0, count) into `parts` contiguous ranges whose sizes differ by at most one. */
export function splitRange(count: number, parts: number): { start: number; end: number }[] {
  const ranges: { start: number; end: number }[] = [];
  const base = Math.floor(count / parts);
  const extra = count % parts;
  let start = 0;
  for (let i = 0; i < parts; i++) {
    const end = start + base + (i < extra ? 1 : 0);
    ranges.push({ start, end });
    start = end;
  }
  return ranges;
}

/** Concatenates evaluation shards in order. */
export function mergeEvaluations(shards: readonly EvaluationShard[]): EvaluationShard {
  const total = shards.reduce((n, s) => n + s.predictions.length, 0);
  const predictions = new Uint8Array(total);
  const confidences = new Float32Array(total);
  let offset = 0;
  for (const shard of shards) {
    predictions.set(shard.predictions, offset);
    confidences.set(shard.confidences, offset);
    offset += shard.predictions.length;
  }
  return {
    lossSum: shards.reduce((s, x) => s + x.lossSum, 0),
    correct: shards.reduce((s, x) => s + x.correct, 0),
    predictions,
    confidences,
  };
}
