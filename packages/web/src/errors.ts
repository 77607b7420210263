import { createError, OnnxpipeError, type CauseOptions } from '@onnxpipe/core';

// The registry of @onnxpipe/web's error codes. Codes are stable; callers and tests branch on
// `error.code`, never on message text. Every error is an `OnnxpipeError` (from core).

/** An option or argument has the wrong type or value (the message names it and lists valid values). */
export const ONNXPIPE_WEB_INVALID_ARGUMENT = createError<[message: string]>('ONNXPIPE_WEB_INVALID_ARGUMENT', '%s', 400);

/** `device: 'webgpu'` was asked for, but this browser gives no WebGPU adapter (or the WebGPU session failed). */
export const ONNXPIPE_WEB_DEVICE_UNAVAILABLE = createError<[message: string]>(
  'ONNXPIPE_WEB_DEVICE_UNAVAILABLE',
  '%s',
  503,
);

/**
 * The model could not be fetched, is not ONNX, lacks onnxpipe metadata, or onnxruntime rejected it.
 * The message names the URL.
 */
export const ONNXPIPE_WEB_MODEL_LOAD_FAILED = createError<[message: string]>(
  'ONNXPIPE_WEB_MODEL_LOAD_FAILED',
  '%s',
  422,
);

/** onnxruntime-web's `.mjs`/`.wasm` files could not be loaded from `wasmPaths`. */
export const ONNXPIPE_WEB_RUNTIME_LOAD_FAILED = createError<[message: string]>(
  'ONNXPIPE_WEB_RUNTIME_LOAD_FAILED',
  '%s',
  424,
);

/** An input to `predict()` is of an unsupported type or cannot be read (the message gives its index). */
export const ONNXPIPE_WEB_BAD_INPUT = createError<[message: string]>('ONNXPIPE_WEB_BAD_INPUT', '%s', 400);

/** The classifier was disposed. */
export const ONNXPIPE_WEB_DISPOSED = createError<[message: string]>('ONNXPIPE_WEB_DISPOSED', '%s', 410);

/** onnxruntime failed while running the model: not the caller's fault. */
export const ONNXPIPE_WEB_INFERENCE_FAILED = createError<[message: string]>('ONNXPIPE_WEB_INFERENCE_FAILED', '%s', 500);

const RemoteFailedBase = createError<[message: string]>('ONNXPIPE_WEB_REMOTE_FAILED', '%s', 502);

/** What a remote failure carries beside its message. */
export interface RemoteFailureDetails {
  /** The request, e.g. `POST https://host/predict`. */
  readonly request: string;
  /** The server's HTTP status; 502 when it could not be reached or answered nonsense. */
  readonly statusCode?: number;
  /** The server's own code, e.g. `ONNXPIPE_SERVER_BAD_INPUT_TENSOR`, when it sent one. */
  readonly serverCode?: string;
}

/**
 * A remote classifier's request failed: the server was unreachable, answered an error, or
 * answered something that is not an onnxpipe response. `statusCode` is the server's HTTP status
 * (502 when there was none) and `serverCode` the server's own error code.
 */
export class ONNXPIPE_WEB_REMOTE_FAILED extends RemoteFailedBase {
  readonly request: string;
  readonly serverCode: string | undefined;

  constructor(message: string, details: RemoteFailureDetails, options?: CauseOptions) {
    if (options === undefined) super(message);
    else super(message, options);
    this.request = details.request;
    this.serverCode = details.serverCode;
    // The class default (502) stands for "no usable answer"; a server's error keeps its status.
    if (details.statusCode !== undefined) (this as { statusCode: number }).statusCode = details.statusCode;
  }
}

/** Every code this package throws, for documentation and exhaustive tests. */
export const WEB_ERROR_CODES = Object.freeze([
  'ONNXPIPE_WEB_INVALID_ARGUMENT',
  'ONNXPIPE_WEB_DEVICE_UNAVAILABLE',
  'ONNXPIPE_WEB_MODEL_LOAD_FAILED',
  'ONNXPIPE_WEB_RUNTIME_LOAD_FAILED',
  'ONNXPIPE_WEB_BAD_INPUT',
  'ONNXPIPE_WEB_DISPOSED',
  'ONNXPIPE_WEB_INFERENCE_FAILED',
  'ONNXPIPE_WEB_REMOTE_FAILED',
] as const);

export { OnnxpipeError };
