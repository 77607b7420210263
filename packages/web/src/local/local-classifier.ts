import { toPrediction, type ModelMetadata, errorMessage } from '@onnxpipe/core';
import type { InferenceSession, Tensor } from 'onnxruntime-web';
import { ONNXPIPE_WEB_DISPOSED, ONNXPIPE_WEB_INFERENCE_FAILED } from '../errors.js';
import { inputList } from '../input/input-kinds.js';
import { prepareDigits, withDebug, type PreparedDigit } from '../input/prepare-digits.js';
import { resolvePredictOptions } from '../options.js';
import { roundMs } from '../timings.js';
import type {
  BrowserExecutionProvider,
  DeviceFallback,
  DigitClassifier,
  DigitInput,
  PredictOptions,
  PredictResult,
  Prediction,
} from '../types.js';
import type { OrtModule } from './ort-runtime.js';

// A classifier running the model in the page. Session runs are serialised (onnxruntime-web
// runs one at a time per session) and cut into batches of at most maxBatch.

/** Everything a local classifier is made of. */
export interface LocalClassifierParts {
  readonly ort: OrtModule;
  readonly session: InferenceSession;
  readonly metadata: ModelMetadata;
  /** `fp32`, or the exporter's variant the model's metadata names. */
  readonly variant: string;
  readonly model: { readonly name: string; readonly version: string };
  readonly executionProvider: BrowserExecutionProvider;
  readonly fallback: DeviceFallback | undefined;
  readonly maxBatch: number;
}

export class LocalClassifier implements DigitClassifier {
  readonly mode = 'local' as const;
  readonly model: { readonly name: string; readonly version: string };
  readonly labels: readonly string[];
  readonly executionProvider: BrowserExecutionProvider;
  readonly fallback?: DeviceFallback;
  readonly variant: string;
  readonly #parts: LocalClassifierParts;
  #queue: Promise<unknown> = Promise.resolve();
  #disposed = false;

  constructor(parts: LocalClassifierParts) {
    this.#parts = parts;
    this.model = Object.freeze({ ...parts.model });
    this.labels = parts.metadata.labels;
    this.executionProvider = parts.executionProvider;
    this.variant = parts.variant;
    if (parts.fallback !== undefined) this.fallback = Object.freeze({ ...parts.fallback });
  }

  async predict(input: DigitInput | readonly DigitInput[], options?: PredictOptions): Promise<PredictResult> {
    const started = performance.now();
    this.#checkOpen();
    const { topk, preprocess, debug, maxImageSide } = resolvePredictOptions(options);
    const inputs = inputList(input);
    const { metadata } = this.#parts;
    const prepared = await prepareDigits(inputs, {
      side: metadata.height,
      normalization: metadata.normalization,
      preprocess,
      debug,
      maxImageSide,
    });
    const preprocessed = performance.now();
    const rows = await this.#exclusive(() => this.#infer(prepared));
    const inferred = performance.now();
    const predictions: Prediction[] = rows.map((row, i) =>
      withDebug(toPrediction(row, metadata, { topk, empty: prepared[i].empty }), prepared[i]),
    );
    return {
      model: this.model,
      executionProvider: this.executionProvider,
      predictions,
      timings: {
        preprocessMs: roundMs(preprocessed - started),
        inferenceMs: roundMs(inferred - preprocessed),
        totalMs: roundMs(performance.now() - started),
      },
    };
  }

  /**
   * One prediction of a synthetic digit (a stroke, preprocessed as any input), answer dropped:
   * onnxruntime allocates its buffers and the preprocessing is compiled before the first
   * prediction a user waits for.
   */
  async warmUp(): Promise<void> {
    const { height, width } = this.#parts.metadata;
    const pixels = new Float32Array(height * width);
    for (let y = Math.floor(height / 5); y < height - Math.floor(height / 5); y++)
      pixels[y * width + Math.floor(width / 2)] = 1;
    await this.predict(pixels);
  }

  async dispose(): Promise<void> {
    if (this.#disposed) return;
    this.#disposed = true;
    // Runs already queued finish first; later calls are refused by #checkOpen.
    const release = this.#queue.then(() => this.#parts.session.release());
    this.#queue = release.catch(() => undefined);
    await release;
  }

  #checkOpen(): void {
    if (this.#disposed)
      throw new ONNXPIPE_WEB_DISPOSED(
        `the classifier for model ${this.model.name} version ${this.model.version} was disposed; create a new one`,
      );
  }

  #exclusive<T>(task: () => Promise<T>): Promise<T> {
    // Checked when the task's turn comes, not at the call: a dispose() may have been queued first.
    const run = this.#queue.then(() => {
      this.#checkOpen();
      return task();
    });
    const settled = run.catch(() => undefined);
    this.#queue = settled;
    return run;
  }

  async #infer(prepared: readonly PreparedDigit[]): Promise<Float32Array[]> {
    const rows: Float32Array[] = [];
    for (let start = 0; start < prepared.length; start += this.#parts.maxBatch) {
      rows.push(...(await this.#runBatch(prepared.slice(start, start + this.#parts.maxBatch))));
    }
    return rows;
  }

  async #runBatch(batch: readonly PreparedDigit[]): Promise<Float32Array[]> {
    const { ort, session, metadata } = this.#parts;
    const { height, width } = metadata;
    const size = height * width;
    const data = new Float32Array(batch.length * size);
    batch.forEach((item, i) => data.set(item.input, i * size));
    const dims = metadata.inputLayout === 'NCHW' ? [batch.length, 1, height, width] : [batch.length, height, width, 1];
    const tensor = new ort.Tensor('float32', data, dims);
    let output: Tensor | undefined;
    try {
      const results = await session.run({ [session.inputNames[0]]: tensor });
      output = results[session.outputNames[0]];
      const classes = metadata.labels.length;
      const values = output?.data;
      if (!(values instanceof Float32Array) || values.length !== batch.length * classes) {
        throw new Error(
          `output ${session.outputNames[0]} has dims [${output?.dims.join(', ')}] and type ${output?.type}; expected float32 [${batch.length}, ${classes}]`,
        );
      }
      return batch.map((_, i) => values.slice(i * classes, (i + 1) * classes));
    } catch (error) {
      throw new ONNXPIPE_WEB_INFERENCE_FAILED(
        `onnxruntime-web (${this.executionProvider}) failed on a batch of ${batch.length}: ${errorMessage(error)}`,
        { cause: error },
      );
    } finally {
      tensor.dispose();
      output?.dispose();
    }
  }
}
