import * as tf from '@tensorflow/tfjs';
import { encodeModel } from '@onnxpipe/onnx';
import type { OnnxModel } from '@onnxpipe/onnx';
import { InferenceSession, Tensor } from 'onnxruntime-node';
import { convertLayersModel } from '../convert/index.js';
import type { ConvertOptions, InputLayout } from '../convert/index.js';
import { CHECKER_MAX_OPSET, checkOnnxModels } from '@onnxpipe/onnx/testing';
import { nchwToNhwc, nhwcToNchw, randomInput } from './random-weights.js';

/** Largest |onnxruntime − tfjs| the parity tests accept. */
export const PARITY_TOLERANCE = 1e-5;

/** One export of a model, run in onnxruntime and compared with `model.predict`. */
export interface ParityResult {
  readonly layout: InputLayout;
  readonly opset: number;
  /** max |onnxruntime − tfjs| over every output element. */
  readonly maxAbsDiff: number;
  readonly onnx: OnnxModel;
  readonly bytes: Uint8Array;
}

export interface ParityOptions {
  /** @defaultValue `['nchw', 'nhwc']` */
  readonly layouts?: readonly InputLayout[];
  /** @defaultValue `[13, 17]` */
  readonly opsets?: readonly number[];
  /** @defaultValue `3` */
  readonly batch?: number;
  /** Seed of the random input. @defaultValue `1` */
  readonly seed?: number;
  /** Range of the uniform random input. @defaultValue `[-1, 1]` */
  readonly inputRange?: readonly [number, number];
  /** Extra converter options (layout and opset come from the lists above). */
  readonly convert?: Partial<ConvertOptions>;
}

/**
 * Exports `model` in every requested layout × opset, runs each export in onnxruntime-node on
 * the same seeded random input as `model.predict` (transposed to NCHW for NCHW graphs), and
 * reports the largest absolute difference of each. The reference is tfjs itself: an
 * independent implementation of every op, as the house rule for numeric tests asks.
 */
export async function exportAndCompare(model: tf.LayersModel, options: ParityOptions = {}): Promise<ParityResult[]> {
  const batch = options.batch ?? 3;
  const inputShape = [batch, ...(model.inputs[0].shape.slice(1) as number[])];
  const [low, high] = options.inputRange ?? [-1, 1];
  const input = randomInput(inputShape, options.seed ?? 1, low, high);
  const expected = tf.tidy(() => {
    const y = model.predict(tf.tensor(input, inputShape)) as tf.Tensor;
    return { data: y.dataSync() as Float32Array, shape: y.shape };
  });

  const results: ParityResult[] = [];
  for (const layout of options.layouts ?? (['nchw', 'nhwc'] as const)) {
    for (const opset of options.opsets ?? [13, 17]) {
      const convertOptions: ConvertOptions = { producerVersion: '0.0.0-test', ...options.convert, layout, opset };
      const onnx = convertLayersModel(model, convertOptions);
      const bytes = encodeModel(onnx);
      const nchw = layout === 'nchw' && inputShape.length === 4;
      const feedShape = nchw ? [inputShape[0], inputShape[3], inputShape[1], inputShape[2]] : inputShape;
      const feedData = nchw ? nhwcToNchw(input, inputShape) : input;

      const session = await InferenceSession.create(bytes);
      try {
        const inputName = convertOptions.inputName ?? 'input';
        const outputName = convertOptions.outputName ?? 'output';
        const out = await session.run({ [inputName]: new Tensor('float32', feedData, feedShape) });
        const tensor = out[outputName];
        let actual = tensor.data as Float32Array;
        const dims = [...tensor.dims];
        if (dims.length === 4 && layout === 'nchw') actual = nchwToNhwc(actual, dims);
        const actualShape = dims.length === 4 && layout === 'nchw' ? [dims[0], dims[2], dims[3], dims[1]] : dims;
        if (actualShape.join() !== expected.shape.join()) {
          throw new Error(
            `onnxruntime output shape [${actualShape}] differs from tfjs [${expected.shape}] (${layout}, opset ${opset})`,
          );
        }
        let maxAbsDiff = 0;
        for (let i = 0; i < actual.length; i++) {
          const diff = Math.abs(actual[i] - expected.data[i]);
          // NaN must fail the comparison, not vanish in Math.max.
          maxAbsDiff = Number.isNaN(diff) ? Infinity : Math.max(maxAbsDiff, diff);
        }
        results.push({ layout, opset, maxAbsDiff, onnx, bytes });
      } finally {
        await session.release();
      }
    }
  }
  return results;
}

/**
 * Collects the exports of a test file so that `onnx.checker` runs once for all of them (one
 * Python start-up instead of one per model) and tracks the largest |Δ| seen.
 */
export class ExportLog {
  readonly #models = new Map<string, Uint8Array>();
  #worst = 0;

  /**
   * Exports and compares `model` (see {@link exportAndCompare}), fails if any export is off by
   * more than {@link PARITY_TOLERANCE}, and records the exports under `name` for {@link check}.
   */
  async expectParity(name: string, model: tf.LayersModel, options: ParityOptions = {}): Promise<ParityResult[]> {
    const results = await exportAndCompare(model, options);
    this.add(name, results);
    for (const r of results) {
      if (!(r.maxAbsDiff <= PARITY_TOLERANCE)) {
        throw new Error(`${name} (${r.layout}, opset ${r.opset}): max |Δ| ${r.maxAbsDiff} > ${PARITY_TOLERANCE}`);
      }
    }
    return results;
  }

  /** Records `results` under `name`; returns the largest |Δ| among them. */
  add(name: string, results: readonly ParityResult[]): number {
    let max = 0;
    for (const r of results) {
      max = Math.max(max, r.maxAbsDiff);
      if (r.opset <= CHECKER_MAX_OPSET) this.#models.set(`${name}-${r.layout}-opset${r.opset}`, r.bytes);
    }
    this.#worst = Math.max(this.#worst, max);
    return max;
  }

  get maxAbsDiff(): number {
    return this.#worst;
  }

  get size(): number {
    return this.#models.size;
  }

  /** Runs the checker on everything recorded; returns the failures. */
  check(): ReturnType<typeof checkOnnxModels> {
    return checkOnnxModels(this.#models);
  }
}
