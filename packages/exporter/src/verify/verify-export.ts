import * as tf from '@tensorflow/tfjs';
import * as ort from 'onnxruntime-node';
import { normalizePixels, type Normalization } from '@onnxpipe/core';

export interface VerificationInput {
  readonly layersModel: tf.LayersModel;
  /**
   * Further trained networks the ONNX file averages with `layersModel` (`--average-with`): the
   * reference is then the mean of all their probabilities, as a log-softmax.
   */
  readonly averageWith?: readonly tf.LayersModel[];
  readonly onnxBytes: Uint8Array;
  readonly layout: 'nchw' | 'nhwc';
  /** `count × height × width` raw pixels (one channel), as the IDX files hold them. */
  readonly images: Uint8Array;
  readonly labels?: Uint8Array;
  readonly imageShape: readonly [height: number, width: number, channels: number];
  readonly normalization: Normalization;
  /** @defaultValue 1000 */
  readonly batchSize?: number;
  readonly onProgress?: (done: number, total: number) => void;
}

export interface VerificationResult {
  readonly images: number;
  /** Largest |tfjs − onnxruntime| over every output value. */
  readonly maxAbsDiff: number;
  /** Images whose argmax differs between the two runtimes. */
  readonly disagreements: number;
  readonly tfjsAccuracy: number | null;
  readonly onnxAccuracy: number | null;
}

/** Thresholds of `--verify`: above either, the export is rejected. */
export const VERIFY_MAX_ABS_DIFF = 1e-4;
export const VERIFY_MAX_DISAGREEMENTS = 0;

/**
 * Runs the same images through tfjs (the trained artifacts) and onnxruntime-node (the exported
 * file) and compares every output value and every argmax.
 */
export async function verifyExport(input: VerificationInput): Promise<VerificationResult> {
  const [height, width, channels] = input.imageShape;
  const pixels = height * width * channels;
  const count = input.images.length / pixels;
  const batchSize = input.batchSize ?? 1000;
  const session = await ort.InferenceSession.create(input.onnxBytes);
  const inputName = session.inputNames[0];
  const outputName = session.outputNames[0];
  let maxAbsDiff = 0;
  let disagreements = 0;
  let tfjsCorrect = 0;
  let onnxCorrect = 0;
  try {
    for (let start = 0; start < count; start += batchSize) {
      const n = Math.min(batchSize, count - start);
      const nhwc = normalizePixels(input.images.subarray(start * pixels, (start + n) * pixels), input.normalization);
      const expected = tf.tidy(() => {
        const x = tf.tensor4d(nhwc, [n, height, width, channels]);
        const first = input.layersModel.predict(x) as tf.Tensor;
        const others = input.averageWith ?? [];
        if (others.length === 0) return first;
        const models = [first, ...others.map((m) => m.predict(x) as tf.Tensor)];
        return tf.log(tf.addN(models.map((logProbabilities) => tf.exp(logProbabilities))).div(models.length));
      });
      const reference = (await expected.data()) as Float32Array;
      expected.dispose();
      const feed = input.layout === 'nchw' ? toNchw(nhwc, n, height, width, channels) : nhwc;
      const shape = input.layout === 'nchw' ? [n, channels, height, width] : [n, height, width, channels];
      const results = await session.run({ [inputName]: new ort.Tensor('float32', feed, shape) });
      const actual = results[outputName].data as Float32Array;
      const classes = reference.length / n;
      for (let i = 0; i < n; i++) {
        let tfjsBest = 0;
        let onnxBest = 0;
        for (let c = 0; c < classes; c++) {
          const k = i * classes + c;
          maxAbsDiff = Math.max(maxAbsDiff, Math.abs(reference[k] - actual[k]));
          if (reference[k] > reference[i * classes + tfjsBest]) tfjsBest = c;
          if (actual[k] > actual[i * classes + onnxBest]) onnxBest = c;
        }
        if (tfjsBest !== onnxBest) disagreements++;
        const label = input.labels?.[start + i];
        if (label === tfjsBest) tfjsCorrect++;
        if (label === onnxBest) onnxCorrect++;
      }
      input.onProgress?.(start + n, count);
    }
  } finally {
    await session.release();
  }
  return {
    images: count,
    maxAbsDiff,
    disagreements,
    tfjsAccuracy: input.labels ? tfjsCorrect / count : null,
    onnxAccuracy: input.labels ? onnxCorrect / count : null,
  };
}

function toNchw(nhwc: Float32Array, n: number, height: number, width: number, channels: number): Float32Array {
  // One channel: NHWC and NCHW are the same bytes.
  if (channels === 1) return nhwc;
  const out = new Float32Array(nhwc.length);
  const plane = height * width;
  for (let b = 0; b < n; b++) {
    for (let p = 0; p < plane; p++) {
      for (let c = 0; c < channels; c++) out[(b * channels + c) * plane + p] = nhwc[(b * plane + p) * channels + c];
    }
  }
  return out;
}
