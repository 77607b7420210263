export { createClassifier } from './local/create-classifier.js';
export { createRemoteClassifier } from './remote/create-remote-classifier.js';
export {
  OnnxpipeError,
  ONNXPIPE_WEB_BAD_INPUT,
  ONNXPIPE_WEB_DEVICE_UNAVAILABLE,
  ONNXPIPE_WEB_DISPOSED,
  ONNXPIPE_WEB_INFERENCE_FAILED,
  ONNXPIPE_WEB_INVALID_ARGUMENT,
  ONNXPIPE_WEB_MODEL_LOAD_FAILED,
  ONNXPIPE_WEB_REMOTE_FAILED,
  ONNXPIPE_WEB_RUNTIME_LOAD_FAILED,
  WEB_ERROR_CODES,
  type RemoteFailureDetails,
} from './errors.js';
export { INPUT_TYPES } from './input/input-kinds.js';
export { CLASSIFIER_DEFAULTS, ORT_FILES_DIR, PREDICT_DEFAULTS } from './options.js';
export {
  DEVICES,
  PREPROCESS_MODES,
  type BrowserExecutionProvider,
  type ClassifierOptions,
  type Device,
  type DeviceFallback,
  type DigitClassifier,
  type DigitInput,
  type ExecutionProvider,
  type Prediction,
  type PredictionDebug,
  type PredictOptions,
  type PredictResult,
  type PreprocessMode,
  type RankedLabel,
  type RemoteClassifierOptions,
} from './types.js';
