// The public interface of @onnxpipe/web. A classifier answers with the same shape as the
// server's POST /predict, whether it runs the model in the page or calls a server.
import type { Prediction, PreprocessMode } from '@onnxpipe/core';

/**
 * Where a local classifier runs the model: `wasm`; `webgpu` (loads onnxruntime-web's WebGPU
 * runtime, only when the browser has an adapter); `auto`, which runs digit models on wasm (see
 * {@link DeviceFallback}).
 */
export const DEVICES = ['auto', 'webgpu', 'wasm'] as const;
export type Device = (typeof DEVICES)[number];

/** Execution provider a local classifier actually uses. */
export type BrowserExecutionProvider = 'webgpu' | 'wasm';
/** Execution provider reported in a result: the browser's, or the remote server's (`cpu`, `cuda`, `webgpu`). */
export type ExecutionProvider = BrowserExecutionProvider | 'cpu' | 'cuda';

/**
 * How inputs become model input: `mnist` (default) centres and scales the digit as MNIST was made;
 * `none` takes 28×28 MNIST-format images as they are. Core's, the same values as the server's
 * `preprocess`.
 */
export { PREPROCESS_MODES, type PreprocessMode } from '@onnxpipe/core';

/**
 * One digit image: a canvas (also `OffscreenCanvas`), `ImageData`, `ImageBitmap`, an `<img>`
 * (loaded), a `Blob`/`File` (PNG, JPEG, WebP, ...), or raw pixels (784 values, or side² for the
 * model's side, in 0–255 or 0–1, 0 = black, as the server's JSON `pixels`).
 */
export type DigitInput =
  | HTMLCanvasElement
  | OffscreenCanvas
  | ImageData
  | ImageBitmap
  | HTMLImageElement
  | Blob
  | Float32Array
  | readonly number[];

export interface PredictOptions {
  /** Add the k most probable labels to each prediction. */
  readonly topk?: number;
  /** @defaultValue `'mnist'` */
  readonly preprocess?: PreprocessMode;
  /**
   * Add to each prediction what preprocessing saw (`prediction.debug`): the crop box found,
   * how (`clean` or `photo`), and the 28×28 image the model was given as a PNG data URL — the
   * server's `?debug=1` object.
   * @defaultValue `false`
   */
  readonly debug?: boolean;
  /**
   * Files, `<img>` elements and bitmaps with a longer side than this are scaled down to it in
   * the page before preprocessing (a phone photo of 4032×3024 becomes 1024×768).
   * @defaultValue `1024`
   */
  readonly maxImageSide?: number;
}

/**
 * The answer for one input (`Prediction`) and a top-k entry (`RankedLabel`): core's, the same
 * objects the server builds.
 */
export type { Prediction, PredictionDebug, RankedLabel } from '@onnxpipe/core';

/** The server's POST /predict response shape. */
export interface PredictResult {
  readonly model: { readonly name: string; readonly version: string };
  readonly executionProvider: ExecutionProvider;
  readonly predictions: readonly Prediction[];
  /** Milliseconds in the page: preprocessing, the session run, and the whole call. */
  readonly timings?: { readonly preprocessMs: number; readonly inferenceMs: number; readonly totalMs: number };
}

/** Why a classifier runs on wasm although it was not asked for by name (`device: 'auto'`): reported, never silent. */
export interface DeviceFallback {
  readonly requested: Device;
  readonly used: BrowserExecutionProvider;
  readonly reason: string;
}

export interface DigitClassifier {
  /** `'local'`: onnxruntime-web in this page; `'remote'`: a server's POST /predict. */
  readonly mode: 'local' | 'remote';
  readonly model: { readonly name: string; readonly version: string };
  /** Class names, from the model's metadata (local) or the server's answer (remote). */
  readonly labels: readonly string[];
  /** The provider in use (remote: what the server reported last, `undefined` before the first call). */
  readonly executionProvider: ExecutionProvider | undefined;
  /** Set when `auto` chose wasm, with the reason. */
  readonly fallback?: DeviceFallback;
  /**
   * Which of the exporter's files runs (local): `fp32` (model.onnx) or the reduced-precision
   * variant the model's metadata names (`int8`, `fp16`). `undefined` in remote mode.
   */
  readonly variant?: string;
  /** One input or many; always one prediction per input, in order. */
  predict(input: DigitInput | readonly DigitInput[], options?: PredictOptions): Promise<PredictResult>;
  /** Releases the onnxruntime session (local); later calls reject with `ONNXPIPE_WEB_DISPOSED`. */
  dispose(): Promise<void>;
}

export interface ClassifierOptions {
  /**
   * `'wasm'`; `'webgpu'` (or `ONNXPIPE_WEB_DEVICE_UNAVAILABLE` without an adapter); `'auto'`:
   * wasm for digit models, with the reason in `fallback`. Only the runtime that runs is
   * downloaded.
   * @defaultValue `'auto'`
   */
  readonly device?: Device;
  /**
   * URL prefix (ending in `/`) where onnxruntime-web's `.wasm`/`.mjs` files are hosted; an
   * onnxpipe server hosts them at `/ort/<onnxruntime-web version>/` ({@link ORT_FILES_DIR}).
   * @defaultValue `'/ort/1.30.0/'` (the bundled version) resolved against the page
   */
  readonly wasmPaths?: string;
  /** Name and version reported in results. @defaultValue from the URL, else `'model'`, `'1'` */
  readonly modelName?: string;
  readonly modelVersion?: string;
  /** Largest batch per session run (WebGPU on a software adapter wants small ones). @defaultValue 64 */
  readonly maxBatch?: number;
  /**
   * Wasm threads. onnxruntime-web can only use more than one when the page is
   * `crossOriginIsolated` (served with COOP/COEP headers); it reads the setting once, when the
   * page's first classifier starts the runtime.
   * @defaultValue `min(4, ceil(navigator.hardwareConcurrency / 2))` when cross-origin isolated, else 1
   */
  readonly numThreads?: number;
  /**
   * Run one synthetic digit before `createClassifier` resolves, so that the first real
   * prediction is as fast as the next ones.
   * @defaultValue `true`
   */
  readonly warmUp?: boolean;
}

export interface RemoteClassifierOptions {
  /** Model name and version on the server. @defaultValue the server's default model */
  readonly model?: string;
  readonly version?: string;
  /** @defaultValue `globalThis.fetch` */
  readonly fetch?: typeof fetch;
  /** Extra request headers (an API key, ...). */
  readonly headers?: Readonly<Record<string, string>>;
}
