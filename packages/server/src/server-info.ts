import { readFileSync } from 'node:fs';

// What GET /v2 and /docs say about the server. The version is the package's own, read once;
// the path holds from src/ (tests) and dist/ (built) alike.

const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string };

/** The server's name in the Open Inference Protocol's server metadata. */
export const SERVER_NAME = 'onnxpipe';
/** `version` of @onnxpipe/server's package.json. */
export const SERVER_VERSION: string = pkg.version;
/**
 * Protocol extensions implemented, named as Triton names them: `classification` (top-k labels
 * as an output parameter), `binary_tensor_data`, `model_repository` (index, load, unload).
 */
export const SERVER_EXTENSIONS: readonly string[] = Object.freeze([
  'classification',
  'binary_tensor_data',
  'model_repository',
]);
/** The platform of every model, as Triton's config.pbtxt (which our exporter writes) names it. */
export const MODEL_PLATFORM = 'onnxruntime_onnx';
