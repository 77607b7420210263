import { createError } from '@onnxpipe/core';

// The exporter's error registry: every error class and code of the package. Codes are stable:
// tests and callers match on them, never on message text. A model the converter cannot express
// is the caller's input, not our bug (422); a bad option value is a plain bad request (400); a
// model directory that cannot be read or parsed is 422 as well.

/** A layer class the converter has no translation for. */
export const ONNXPIPE_EXPORT_UNSUPPORTED_LAYER = createError<[layer: string, className: string, supported: string]>(
  'ONNXPIPE_EXPORT_UNSUPPORTED_LAYER',
  "layer '%s' has class %s, which the ONNX exporter does not support; supported classes: %s",
  422,
);

/** A supported layer class used with a setting the converter cannot translate exactly. */
export const ONNXPIPE_EXPORT_UNSUPPORTED_LAYER_CONFIG = createError<
  [layer: string, className: string, setting: string, expected: string, received: string]
>('ONNXPIPE_EXPORT_UNSUPPORTED_LAYER_CONFIG', "layer '%s' (%s): '%s' must be %s; received %s", 422);

/** An activation (fused into a layer or as an Activation layer) without a translation. */
export const ONNXPIPE_EXPORT_UNSUPPORTED_ACTIVATION = createError<
  [layer: string, activation: string, supported: string]
>(
  'ONNXPIPE_EXPORT_UNSUPPORTED_ACTIVATION',
  "layer '%s': activation %s is not supported by the ONNX exporter; supported activations: %s",
  422,
);

/** The requested opset is outside the range whose operator semantics the converter uses. */
export const ONNXPIPE_EXPORT_UNSUPPORTED_OPSET = createError<[expected: string, received: string]>(
  'ONNXPIPE_EXPORT_UNSUPPORTED_OPSET',
  "'opset' must be an integer from %s; received %s",
  400,
);

/** The model is not a single chain from one input to one output. */
export const ONNXPIPE_EXPORT_UNSUPPORTED_TOPOLOGY = createError<[model: string, reason: string]>(
  'ONNXPIPE_EXPORT_UNSUPPORTED_TOPOLOGY',
  "model '%s' is not a single chain of layers from one input to one output: %s",
  422,
);

/** A converter option other than `opset` has an invalid value. */
export const ONNXPIPE_EXPORT_INVALID_OPTION = createError<[message: string]>(
  'ONNXPIPE_EXPORT_INVALID_OPTION',
  '%s',
  400,
);

/** A tfjs layers-model directory is missing files or holds something else. */
export const ONNXPIPE_EXPORT_MODEL_LOAD_FAILED = createError<[path: string, reason: string]>(
  'ONNXPIPE_EXPORT_MODEL_LOAD_FAILED',
  '%s: cannot load the tfjs layers model: %s',
  422,
);

/** A bad command line: the CLIs print the message and exit 2. */
export class ExportUsageError extends Error {
  readonly code = 'ONNXPIPE_EXPORT_USAGE';
  constructor(message: string) {
    super(message);
    this.name = 'ExportUsageError';
  }
}
