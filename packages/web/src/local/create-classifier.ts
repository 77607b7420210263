import { resolveClassifierOptions } from '../options.js';
import type { ClassifierOptions, DigitClassifier } from '../types.js';
import { LocalClassifier } from './local-classifier.js';
import { loadModelSource, modelIdentity, readModelMetadata } from './load-model.js';
import { openSession } from './open-session.js';
import { configureRuntime } from './ort-runtime.js';

/**
 * Loads an onnxpipe ONNX model into onnxruntime-web and returns a classifier that runs it in the
 * page: WebGPU when the browser has an adapter, else wasm (`device: 'auto'`). Labels,
 * normalisation and input size come from the model's own metadata; preprocessing is the
 * server's (core's `preprocessDigit`), so the page and the server give the same answers.
 *
 * @param model - the model's URL (absolute or relative to the page), or its bytes
 * @param options - see {@link ClassifierOptions}; `device` defaults to `'auto'`, `wasmPaths`
 *   to `/ort/<onnxruntime-web version>/`, `maxBatch` to 64
 * @throws `ONNXPIPE_WEB_INVALID_ARGUMENT`, `ONNXPIPE_WEB_MODEL_LOAD_FAILED` (naming the URL),
 *   `ONNXPIPE_WEB_DEVICE_UNAVAILABLE` (`device: 'webgpu'` without WebGPU),
 *   `ONNXPIPE_WEB_RUNTIME_LOAD_FAILED` (the ort files are not at `wasmPaths`)
 *
 * @example
 * ```ts
 * const classifier = await createClassifier('/models/mnist/1/model.onnx');
 * const { predictions } = await classifier.predict(canvas, { topk: 3 });
 * console.log(predictions[0].label, classifier.executionProvider, classifier.fallback?.reason);
 * ```
 */
export async function createClassifier(model: string | URL | ArrayBuffer | Uint8Array, options?: ClassifierOptions): Promise<DigitClassifier> {
  const resolved = resolveClassifierOptions(options);
  const source = await loadModelSource(model);
  const metadata = readModelMetadata(source);
  const ort = configureRuntime(resolved.wasmPaths, resolved.numThreads);
  const { session, executionProvider, fallback } = await openSession(ort, source, resolved.device);
  const identity = modelIdentity(source.url);
  return new LocalClassifier({
    ort,
    session,
    metadata,
    model: { name: resolved.modelName ?? identity.name, version: resolved.modelVersion ?? identity.version },
    executionProvider,
    fallback,
    maxBatch: resolved.maxBatch,
  });
}
