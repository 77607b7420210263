import type { InferenceSession } from 'onnxruntime-web';
import { ONNXPIPE_WEB_DEVICE_UNAVAILABLE, ONNXPIPE_WEB_MODEL_LOAD_FAILED, ONNXPIPE_WEB_RUNTIME_LOAD_FAILED } from '../errors.js';
import type { BrowserExecutionProvider, Device, DeviceFallback } from '../types.js';
import { configuredWasmPaths, type OrtModule } from './ort-runtime.js';
import type { ModelSource } from './load-model.js';
import { probeWebGpu } from './webgpu-probe.js';

// The device policy: `wasm` as asked; `webgpu` or a coded error; `auto` tries WebGPU and falls
// back to wasm with the reason recorded (no adapter, or a WebGPU session that failed).

/** A session and the provider it runs on. */
export interface OpenedSession {
  readonly session: InferenceSession;
  readonly executionProvider: BrowserExecutionProvider;
  readonly fallback: DeviceFallback | undefined;
}

const message = (error: unknown) => (error instanceof Error ? error.message : String(error));

// onnxruntime-web's wording when no backend could start: its .mjs/.wasm could not be loaded
// (wrong wasmPaths, a 404, a wrong MIME type).
const RUNTIME_MISSING = /no available backend found.*(fetch|import|\.mjs|\.wasm|MIME|magic)/is;

// logSeverityLevel 3: errors only; ort's warning that shape ops stay on the CPU under WebGPU is
// expected for every model and would only clutter the page's console.
async function createSession(ort: OrtModule, source: ModelSource, ep: BrowserExecutionProvider): Promise<InferenceSession> {
  try {
    return await ort.InferenceSession.create(source.bytes, { executionProviders: [ep], graphOptimizationLevel: 'all', logSeverityLevel: 3 });
  } catch (error) {
    if (RUNTIME_MISSING.test(message(error))) {
      throw new ONNXPIPE_WEB_RUNTIME_LOAD_FAILED(
        `onnxruntime-web could not start its ${ep} runtime from 'wasmPaths' ${JSON.stringify(configuredWasmPaths())}: host ort-wasm-simd-threaded.jsep.mjs (text/javascript) and ort-wasm-simd-threaded.jsep.wasm (application/wasm) there; ${message(error)}`,
        { cause: error },
      );
    }
    throw error;
  }
}

function wasmSession(ort: OrtModule, source: ModelSource): Promise<InferenceSession> {
  return createSession(ort, source, 'wasm').catch((error: unknown) => {
    if (error instanceof ONNXPIPE_WEB_RUNTIME_LOAD_FAILED) throw error;
    throw new ONNXPIPE_WEB_MODEL_LOAD_FAILED(`onnxruntime-web (wasm) rejected ${source.where}: ${message(error)}`, { cause: error });
  });
}

/**
 * Opens an inference session on the device asked for.
 *
 * @throws `ONNXPIPE_WEB_DEVICE_UNAVAILABLE` for `webgpu` without an adapter or when the WebGPU
 * session fails, `ONNXPIPE_WEB_RUNTIME_LOAD_FAILED` when the runtime files cannot be loaded,
 * `ONNXPIPE_WEB_MODEL_LOAD_FAILED` when onnxruntime rejects the model
 */
export async function openSession(ort: OrtModule, source: ModelSource, device: Device): Promise<OpenedSession> {
  if (device === 'wasm') return { session: await wasmSession(ort, source), executionProvider: 'wasm', fallback: undefined };

  const probe = await probeWebGpu();
  let reason = probe.reason;
  if (probe.adapter !== undefined) {
    // Hand onnxruntime the adapter we found, so it does not pick another one.
    ort.env.webgpu.adapter ??= probe.adapter as never;
    try {
      return { session: await createSession(ort, source, 'webgpu'), executionProvider: 'webgpu', fallback: undefined };
    } catch (error) {
      if (error instanceof ONNXPIPE_WEB_RUNTIME_LOAD_FAILED) throw error;
      if (device === 'webgpu') {
        throw new ONNXPIPE_WEB_DEVICE_UNAVAILABLE(`'device' is "webgpu" but the WebGPU session for ${source.where} failed: ${message(error)}; use device 'auto' to fall back to wasm`, {
          cause: error,
        });
      }
      reason = `the WebGPU session failed: ${message(error)}`;
    }
  } else if (device === 'webgpu') {
    throw new ONNXPIPE_WEB_DEVICE_UNAVAILABLE(`'device' is "webgpu" but ${reason}; use device 'auto' to fall back to wasm, or 'wasm'`);
  }
  const session = await wasmSession(ort, source);
  return { session, executionProvider: 'wasm', fallback: { requested: device, used: 'wasm', reason: reason ?? 'WebGPU is unavailable' } };
}
