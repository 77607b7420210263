import { resolveClassifierOptions } from '../options.js';
import type { ClassifierOptions, DigitClassifier } from '../types.js';
import { LocalClassifier } from './local-classifier.js';
import { loadModelSource, modelIdentity, readModelMetadata } from './load-model.js';
import { openSession } from './open-session.js';

/**
 * Loads an onnxpipe ONNX model into onnxruntime-web and returns a classifier that runs it in the
 * page, on wasm unless WebGPU is asked for (`device`), loading only that runtime. Labels,
 * normalisation and input size come from the model's own metadata; preprocessing is the
 * server's (core's `preprocessDigit`), so the page and the server give the same answers. Before
 * it resolves, the classifier has run once on a synthetic digit (`warmUp`), so the first real
 * `predict()` does not pay for onnxruntime's first-run allocations and the preprocessing's
 * first compilation.
 *
 * @param model - the model's URL (absolute or relative to the page), or its bytes: model.onnx or
 *   one of the exporter's smaller variants (model.int8.onnx, model.fp16.onnx)
 * @param options - see {@link ClassifierOptions}; `device` defaults to `'auto'` (wasm),
 *   `wasmPaths` to `/ort/<onnxruntime-web version>/`, `maxBatch` to 64, `warmUp` to true
 * @throws `ONNXPIPE_WEB_INVALID_ARGUMENT`, `ONNXPIPE_WEB_MODEL_LOAD_FAILED` (naming the URL),
 *   `ONNXPIPE_WEB_DEVICE_UNAVAILABLE` (`device: 'webgpu'` without WebGPU),
 *   `ONNXPIPE_WEB_RUNTIME_LOAD_FAILED` (the ort files are not at `wasmPaths`)
 *
 * @example
 * ```ts
 * const classifier = await createClassifier('/models/mnist/versions/2/model.int8.onnx');
 * const { predictions } = await classifier.predict(canvas, { topk: 3 });
 * console.log(predictions[0].label, classifier.executionProvider, classifier.variant);
 * ```
 */
export async function createClassifier(
  model: string | URL | ArrayBuffer | Uint8Array,
  options?: ClassifierOptions,
): Promise<DigitClassifier> {
  const resolved = resolveClassifierOptions(options);
  const source = await loadModelSource(model);
  const { metadata, variant } = readModelMetadata(source);
  const { ort, session, executionProvider, fallback } = await openSession(source, resolved.device, resolved);
  const identity = modelIdentity(source.url);
  const classifier = new LocalClassifier({
    ort,
    session,
    metadata,
    variant,
    model: { name: resolved.modelName ?? identity.name, version: resolved.modelVersion ?? identity.version },
    executionProvider,
    fallback,
    maxBatch: resolved.maxBatch,
  });
  if (resolved.warmUp) {
    try {
      await classifier.warmUp();
    } catch (error) {
      await classifier.dispose();
      throw error;
    }
  }
  return classifier;
}
