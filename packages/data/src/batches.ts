import { createRng, deriveSeed, normalizationTable, shuffleInPlace, type Normalization } from '@onnxpipe/core';
import { ONNXPIPE_DATA_INVALID_ARGUMENT } from './errors.js';

export interface EpochOrderOptions {
  /** Shuffle (training) or keep file order (evaluation). */
  readonly shuffle: boolean;
  /** The run's seed. */
  readonly seed: number;
  /** Zero-based epoch; each epoch gets its own stream, so resuming at epoch N replays it. */
  readonly epoch: number;
}

function assertCount(name: string, value: number, min: number): void {
  if (!Number.isSafeInteger(value) || value < min) {
    throw new ONNXPIPE_DATA_INVALID_ARGUMENT(`'${name}' must be an integer ≥ ${min}; received ${String(value)}`);
  }
}

/**
 * The order in which an epoch visits the samples: a permutation of `0..count-1` drawn from
 * `createRng(deriveSeed(seed, epoch))`, or the identity when `shuffle` is false.
 *
 * @example
 * ```ts
 * const order = epochOrder(train.count, { shuffle: true, seed: 1, epoch });
 * ```
 */
export function epochOrder(count: number, options: EpochOrderOptions): Int32Array {
  assertCount('count', count, 0);
  assertCount('epoch', options.epoch, 0);
  const order = new Int32Array(count);
  for (let i = 0; i < count; i++) order[i] = i;
  if (options.shuffle) shuffleInPlace(order, createRng(deriveSeed(options.seed, options.epoch)));
  return order;
}

/** Half-open range `[start, end)` of positions in an epoch order. */
export interface BatchRange {
  readonly start: number;
  readonly end: number;
}

/**
 * Splits `count` samples into consecutive batches; the last one may be smaller (PyTorch's
 * `DataLoader` with `drop_last=False`), so every sample is seen once per epoch.
 *
 * @example
 * ```ts
 * for (const { start, end } of batchRanges(60_000, 64)) { ... } // 938 batches, the last of 32
 * ```
 */
export function* batchRanges(count: number, batchSize: number): Generator<BatchRange> {
  assertCount('count', count, 0);
  assertCount('batchSize', batchSize, 1);
  for (let start = 0; start < count; start += batchSize) {
    yield { start, end: Math.min(count, start + batchSize) };
  }
}

/** One batch ready for a model: NHWC `[size, rows, cols, 1]` inputs and integer labels. */
export interface Batch {
  /** `size × pixelsPerImage` normalised float32 values. */
  readonly x: Float32Array;
  readonly y: Int32Array;
  readonly size: number;
}

/**
 * Gathers samples `order[start..end)` into normalised float32 pixels and int32 labels.
 * With one channel, NHWC is the IDX row-major layout, so each image is copied through the
 * normalisation table as is. Pass `outX`/`outY` sized for a full batch to avoid allocating;
 * the result then holds views of their first `size` images.
 *
 * @example
 * ```ts
 * const { x, y, size } = gatherBatch(ds.images, ds.labels, order, start, end, ds.normalization);
 * tf.tensor4d(x, [size, 28, 28, 1]);
 * ```
 */
export function gatherBatch(
  images: Uint8Array,
  labels: Uint8Array,
  order: Int32Array,
  start: number,
  end: number,
  normalization: Normalization,
  outX?: Float32Array,
  outY?: Int32Array,
): Batch {
  const count = labels.length;
  const pixels = count === 0 ? 0 : images.length / count;
  if (count === 0 || !Number.isInteger(pixels) || pixels === 0) {
    throw new ONNXPIPE_DATA_INVALID_ARGUMENT(
      `'images' must hold a whole number of images per label; received ${images.length} bytes for ${count} labels`,
    );
  }
  if (!Number.isInteger(start) || !Number.isInteger(end) || start < 0 || end > order.length || start > end) {
    throw new ONNXPIPE_DATA_INVALID_ARGUMENT(
      `batch range must satisfy 0 ≤ start ≤ end ≤ ${order.length}; received [${start}, ${end})`,
    );
  }
  const size = end - start;
  const x = outX ?? new Float32Array(size * pixels);
  const y = outY ?? new Int32Array(size);
  if (x.length < size * pixels || y.length < size) {
    throw new ONNXPIPE_DATA_INVALID_ARGUMENT(
      `'outX'/'outY' must hold ${size} samples (${size * pixels} and ${size} elements); received ${x.length} and ${y.length}`,
    );
  }
  const table = normalizationTable(normalization);
  for (let b = 0; b < size; b++) {
    const index = order[start + b];
    if (index < 0 || index >= count) {
      throw new ONNXPIPE_DATA_INVALID_ARGUMENT(`'order[${start + b}]' must be in [0, ${count}); received ${index}`);
    }
    const src = index * pixels;
    const dst = b * pixels;
    for (let p = 0; p < pixels; p++) x[dst + p] = table[images[src + p]];
    y[b] = labels[index];
  }
  return { x: x.subarray(0, size * pixels), y: y.subarray(0, size), size };
}
