export { buildApp, type BuildAppOptions } from './app.js';
export * from './config.js';
export * from './errors.js';
export {
  isOpenInferenceUrl,
  toServerError,
  RETRY_AFTER_SECONDS,
  type ErrorBody,
  type OpenInferenceErrorBody,
} from './error-handler.js';
export {
  DynamicBatcher,
  type BatchedResult,
  type BatcherOptions,
  type BatcherStats,
  type RunInfo,
  type RunObserver,
} from './engine/dynamic-batcher.js';
export { InferenceEngine, type EngineState } from './engine/inference-engine.js';
export { selectExecutionProvider, type ExecutionProvider } from './models/execution-provider.js';
export { loadModel, type LoadedModel } from './models/load-model.js';
export {
  loadModelRegistry,
  ModelRegistry,
  type ModelReadiness,
  type RegistryObserver,
  type RepositoryIndexEntry,
} from './models/model-registry.js';
export { scanModelRepository, type ModelVersionEntry } from './models/model-repository.js';
export { drain, handleShutdownSignals, type DrainOutcome, type ShutdownOptions } from './shutdown.js';
export { handleReloadSignal, reloadOnSignal, reloadRepository, type ReloadOutcome } from './reload.js';
export { BearerToken, MIN_TOKEN_LENGTH } from './bearer-token.js';
export {
  RepositoryPoller,
  repositoryFingerprint,
  type PollOutcome,
  type RepositoryPollerOptions,
} from './models/repository-poller.js';
export { MODEL_CONTROL_CHALLENGE } from './plugins/model-control.js';
export {
  API_CONTENT_SECURITY_POLICY,
  SECURITY_HEADERS,
  WEB_APP_CONTENT_SECURITY_POLICY,
} from './plugins/security-headers.js';
export {
  ACCEPTED_INPUT_DATATYPES,
  itemsFromTensors,
  modelInputShape,
  requestedOutput,
  TENSOR_DATATYPES,
  type InferRequestBody,
  type InferInputTensor,
  type InferRequestedOutput,
} from './input/infer-request.js';
export { INFERENCE_HEADER_LENGTH } from './input/binary-tensors.js';
export { METRIC_NAMES } from './plugins/metrics.js';
export { SERVER_EXTENSIONS, SERVER_NAME, SERVER_VERSION } from './server-info.js';
