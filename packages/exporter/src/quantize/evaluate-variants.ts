import * as ort from 'onnxruntime-node';
import { normalizePixels, type Normalization } from '@onnxpipe/core';

// Each variant against the model it was made from, on the same test images in onnxruntime-node:
// accuracy, how often the argmax agrees with the source model, and the largest difference of a
// probability. These are the figures the browser choice is made on (choose-variant.ts).

export interface EvaluationInput {
  /** The source model first, then the variants, each with its bytes. */
  readonly models: readonly { readonly name: string; readonly bytes: Uint8Array }[];
  /** `count × height × width` raw pixels (one channel), as the IDX files hold them. */
  readonly images: Uint8Array;
  readonly labels: Uint8Array;
  readonly height: number;
  readonly width: number;
  readonly layout: 'NCHW' | 'NHWC';
  readonly normalization: Normalization;
  /** Whether the model ends in log-softmax (probabilities are exp of the output). */
  readonly logSoftmax: boolean;
  /** @defaultValue 1000 */
  readonly batchSize?: number;
  readonly onProgress?: (done: number, total: number) => void;
}

export interface ModelEvaluation {
  readonly name: string;
  readonly bytes: number;
  readonly images: number;
  /** Fraction of the test images classified correctly. */
  readonly accuracy: number;
  /** Fraction whose argmax equals the source model's (1 for the source itself). */
  readonly agreement: number;
  /** Images whose argmax differs from the source model's. */
  readonly disagreements: number;
  /** Largest |p − p_source| over every probability. */
  readonly maxProbabilityDiff: number;
}

async function run(
  bytes: Uint8Array,
  input: EvaluationInput,
  feed: (start: number, n: number) => ort.Tensor,
): Promise<Float32Array> {
  const session = await ort.InferenceSession.create(bytes, {
    executionProviders: ['cpu'],
    graphOptimizationLevel: 'all',
    intraOpNumThreads: 1,
  });
  const pixels = input.height * input.width;
  const count = input.images.length / pixels;
  const batch = input.batchSize ?? 1000;
  const outputs: Float32Array[] = [];
  try {
    for (let start = 0; start < count; start += batch) {
      const n = Math.min(batch, count - start);
      const result = await session.run({ [session.inputNames[0]]: feed(start, n) });
      const data = result[session.outputNames[0]].data as Float32Array;
      outputs.push(input.logSoftmax ? data.map(Math.exp) : data.slice());
    }
  } finally {
    await session.release();
  }
  const all = new Float32Array(outputs.reduce((sum, o) => sum + o.length, 0));
  let at = 0;
  for (const o of outputs) {
    all.set(o, at);
    at += o.length;
  }
  return all;
}

function argmax(row: Float32Array): number {
  let best = 0;
  for (let i = 1; i < row.length; i++) if (row[i] > row[best]) best = i;
  return best;
}

/** Runs every model on every image and compares each with the first. */
export async function evaluateVariants(input: EvaluationInput): Promise<ModelEvaluation[]> {
  const pixels = input.height * input.width;
  const count = input.images.length / pixels;
  const shape = (n: number) =>
    input.layout === 'NCHW' ? [n, 1, input.height, input.width] : [n, input.height, input.width, 1];
  // One channel: NCHW and NHWC hold the same bytes.
  const feed = (start: number, n: number) =>
    new ort.Tensor(
      'float32',
      normalizePixels(input.images.subarray(start * pixels, (start + n) * pixels), input.normalization),
      shape(n),
    );
  const results: ModelEvaluation[] = [];
  let source: Float32Array | undefined;
  for (const [index, model] of input.models.entries()) {
    const probabilities = await run(model.bytes, input, feed);
    const classes = probabilities.length / count;
    source ??= probabilities;
    let correct = 0;
    let disagreements = 0;
    let maxProbabilityDiff = 0;
    for (let i = 0; i < count; i++) {
      const row = probabilities.subarray(i * classes, (i + 1) * classes);
      const reference = source.subarray(i * classes, (i + 1) * classes);
      const best = argmax(row);
      if (best === input.labels[i]) correct++;
      if (best !== argmax(reference)) disagreements++;
      for (let c = 0; c < classes; c++)
        maxProbabilityDiff = Math.max(maxProbabilityDiff, Math.abs(row[c] - reference[c]));
    }
    results.push({
      name: model.name,
      bytes: model.bytes.byteLength,
      images: count,
      accuracy: correct / count,
      agreement: 1 - disagreements / count,
      disagreements,
      maxProbabilityDiff,
    });
    input.onProgress?.(index + 1, input.models.length);
  }
  return results;
}
