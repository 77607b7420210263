import { createError } from '@onnxpipe/core';

// The trainer's error registry: every error class and code of the package. Codes are stable:
// tests and callers match on them, never on message text. Messages name the flag or parameter,
// what was expected and what was received.

/** A command-line flag or option with a value the trainer does not accept. */
export const ONNXPIPE_TRAINER_USAGE = createError<[message: string]>('ONNXPIPE_TRAINER_USAGE', '%s', 400);

/** A checkpoint that `--resume` cannot continue from (another configuration, a damaged file). */
export const ONNXPIPE_TRAINER_BAD_CHECKPOINT = createError<[message: string]>(
  'ONNXPIPE_TRAINER_BAD_CHECKPOINT',
  '%s',
  409,
);

// ---- backends --------------------------------------------------------------------------------

/** A backend asked for by name that cannot run here; the message says why. */
export class BackendUnavailableError extends Error {
  readonly code = 'ONNXPIPE_TRAINER_BACKEND_UNAVAILABLE';
  constructor(backend: string, reason: string, options?: { cause?: unknown }) {
    super(`backend '${backend}' is not available: ${reason}`, options);
    this.name = 'BackendUnavailableError';
  }
}

/** Thrown for a configuration a kernel of ours does not implement; never computes a wrong answer. */
export class UnsupportedKernelConfigError extends Error {
  readonly code = 'ONNXPIPE_TRAINER_UNSUPPORTED_KERNEL_CONFIG';
  constructor(kernelName: string, parameter: string, expected: string, received: unknown) {
    super(`wasm kernel ${kernelName}: '${parameter}' must be ${expected}; received ${JSON.stringify(received)}`);
    this.name = 'UnsupportedKernelConfigError';
  }
}

// ---- report ----------------------------------------------------------------------------------

/** Codes of the report renderer's errors (caller mistakes in report input). */
export const ReportErrorCode = {
  /** Two arrays that must be parallel have different lengths. */
  LENGTH_MISMATCH: 'ERR_REPORT_LENGTH_MISMATCH',
  /** A class label is not an integer in `0..classes-1`. */
  LABEL_OUT_OF_RANGE: 'ERR_REPORT_LABEL_OUT_OF_RANGE',
  /** The class count is not a positive integer. */
  INVALID_CLASS_COUNT: 'ERR_REPORT_INVALID_CLASS_COUNT',
  /** The confusion matrix is not square with one row per class name. */
  CONFUSION_SHAPE: 'ERR_REPORT_CONFUSION_SHAPE',
  /** Image dimensions are not positive integers, or pixels do not match them. */
  IMAGE_SHAPE: 'ERR_REPORT_IMAGE_SHAPE',
} as const;

export type ReportErrorCode = (typeof ReportErrorCode)[keyof typeof ReportErrorCode];

/** Thrown for caller mistakes in report input; `code` is one of {@link ReportErrorCode}. */
export class ReportError extends RangeError {
  readonly code: ReportErrorCode;

  constructor(code: ReportErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'ReportError';
    this.code = code;
  }
}
