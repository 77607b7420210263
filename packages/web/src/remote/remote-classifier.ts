import { ONNXPIPE_WEB_DISPOSED } from '../errors.js';
import { inputList } from '../input/input-kinds.js';
import { prepareDigits, withDebug, type PreparedDigit } from '../input/prepare-digits.js';
import { resolvePredictOptions } from '../options.js';
import { roundMs } from '../timings.js';
import type {
  DigitClassifier,
  DigitInput,
  ExecutionProvider,
  PredictOptions,
  PredictResult,
  Prediction,
} from '../types.js';
import { callServer, unexpectedAnswer, type RemoteClientOptions } from './remote-client.js';
import type { RemoteModel } from './remote-model.js';

// A classifier that calls a server's POST /predict. Inputs are read and preprocessed in the
// page with the same core code as local mode and sent as the resulting side × side pixels with
// preprocess=none: the server then feeds its model exactly what local mode would (and a
// request carries 784 small numbers instead of a PNG).

interface PredictAnswer {
  readonly model?: { readonly name: string; readonly version: string };
  readonly executionProvider?: ExecutionProvider;
  readonly predictions?: readonly Prediction[];
}

/**
 * One preprocessed image as JSON pixels the server reads back bit-exactly: bytes, unless every
 * value is 0 or 1, which the server would take for the 0–1 scale; then the same bytes / 255.
 */
export function pixelsForServer(pixels: Uint8Array): number[] {
  let max = 0;
  for (const p of pixels) if (p > max) max = p;
  return max === 1 ? Array.from(pixels, (p) => p / 255) : Array.from(pixels);
}

export class RemoteClassifier implements DigitClassifier {
  readonly mode = 'remote' as const;
  readonly labels: readonly string[];
  readonly fallback = undefined;
  readonly #client: RemoteClientOptions;
  readonly #remote: RemoteModel;
  readonly #pinVersion: boolean;
  #model: { readonly name: string; readonly version: string };
  #executionProvider: ExecutionProvider | undefined;
  #disposed = false;

  constructor(client: RemoteClientOptions, remote: RemoteModel, pinVersion: boolean) {
    this.#client = client;
    this.#remote = remote;
    this.#pinVersion = pinVersion;
    this.labels = Object.freeze([...remote.labels]);
    this.#model = Object.freeze({ name: remote.name, version: remote.version });
  }

  /** The model the server last answered with (a reload may have moved it to a new version). */
  get model(): { readonly name: string; readonly version: string } {
    return this.#model;
  }

  get executionProvider(): ExecutionProvider | undefined {
    return this.#executionProvider;
  }

  async predict(input: DigitInput | readonly DigitInput[], options?: PredictOptions): Promise<PredictResult> {
    const started = performance.now();
    this.#checkOpen();
    const { topk, preprocess, debug, maxImageSide } = resolvePredictOptions(options);
    const inputs = inputList(input);
    const { side, normalization, maxItemsPerRequest } = this.#remote;
    const prepared = await prepareDigits(inputs, { side, normalization, preprocess, debug, maxImageSide });
    const preprocessed = performance.now();
    const predictions: Prediction[] = [];
    for (let start = 0; start < prepared.length; start += maxItemsPerRequest) {
      this.#checkOpen();
      const batch = prepared.slice(start, start + maxItemsPerRequest);
      // The server sees pixels already preprocessed here; what preprocessing saw is the page's.
      predictions.push(...(await this.#call(batch, topk)).map((prediction, i) => withDebug(prediction, batch[i])));
    }
    const answered = performance.now();
    return {
      model: this.#model,
      executionProvider: this.#executionProvider!,
      predictions,
      timings: {
        preprocessMs: roundMs(preprocessed - started),
        inferenceMs: roundMs(answered - preprocessed),
        totalMs: roundMs(performance.now() - started),
      },
    };
  }

  async dispose(): Promise<void> {
    this.#disposed = true;
  }

  #checkOpen(): void {
    if (this.#disposed)
      throw new ONNXPIPE_WEB_DISPOSED(
        `the remote classifier for model ${this.#model.name} was disposed; create a new one`,
      );
  }

  async #call(batch: readonly PreparedDigit[], topk: number | undefined): Promise<readonly Prediction[]> {
    const query = { model: this.#remote.name, version: this.#pinVersion ? this.#remote.version : undefined, topk };
    const answer = await callServer<PredictAnswer>(this.#client, {
      method: 'POST',
      path: 'predict',
      query,
      body: { pixels: batch.map((item) => pixelsForServer(item.pixels)), preprocess: 'none' },
    });
    const request = `POST ${new URL('predict', this.#client.base).href}`;
    if (!Array.isArray(answer.predictions) || answer.predictions.length !== batch.length) {
      unexpectedAnswer(request, `${batch.length} predictions`, answer.predictions);
    }
    if (answer.model !== undefined)
      this.#model = Object.freeze({ name: answer.model.name, version: answer.model.version });
    this.#executionProvider = answer.executionProvider;
    return answer.predictions;
  }
}
