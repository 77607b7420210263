import * as ort from 'onnxruntime-node';
import type { LoadedModel } from '../models/load-model.js';

// The ceiling the HTTP figures are compared with: the same model, loaded by the server's own
// loadModel (same execution provider and graph optimisation), run back to back in this process
// on an already-preprocessed input — no HTTP, no PNG decoding, no queue. It keeps onnxruntime's
// default intra-op threads (one per core), not the server's `intraOpThreads`: alone on the
// machine the model runs fastest that way, so the reference is the stricter one.

/** Bounds of one timed loop: whichever is reached first ends it. */
export interface LoopBounds {
  readonly seconds: number;
  readonly maxRuns: number;
  /** Untimed runs first (allocations, thread pool start-up). @defaultValue 5 */
  readonly warmupRuns?: number;
}

/** `session.run` throughput at one batch size. */
export interface SessionThroughput {
  readonly batchSize: number;
  readonly runs: number;
  readonly seconds: number;
  readonly imagesPerSecond: number;
  readonly msPerRun: number;
}

/** The model's input tensor for `batch` copies of one preprocessed image. */
function batchTensor(model: LoadedModel, input: Float32Array, batch: number): ort.Tensor {
  const { height, width, inputLayout } = model.metadata;
  const data = new Float32Array(batch * input.length);
  for (let i = 0; i < batch; i++) data.set(input, i * input.length);
  const dims = inputLayout === 'NCHW' ? [batch, 1, height, width] : [batch, height, width, 1];
  return new ort.Tensor('float32', data, dims);
}

/**
 * Runs `session.run` in a loop at each batch size (awaiting each run, as the server's single
 * batch in flight does) and reports images per second.
 */
export async function measureSessionThroughput(
  model: LoadedModel,
  input: Float32Array,
  batchSizes: readonly number[],
  bounds: LoopBounds,
): Promise<SessionThroughput[]> {
  const results: SessionThroughput[] = [];
  for (const batchSize of batchSizes) {
    const feeds = { [model.inputName]: batchTensor(model, input, batchSize) };
    for (let i = 0; i < (bounds.warmupRuns ?? 5); i++) await model.session.run(feeds);
    let runs = 0;
    const started = performance.now();
    let elapsed = 0;
    while (runs < bounds.maxRuns && elapsed < bounds.seconds * 1000) {
      await model.session.run(feeds);
      runs++;
      elapsed = performance.now() - started;
    }
    results.push({
      batchSize,
      runs,
      seconds: elapsed / 1000,
      imagesPerSecond: (runs * batchSize) / (elapsed / 1000),
      msPerRun: elapsed / runs,
    });
  }
  return results;
}
