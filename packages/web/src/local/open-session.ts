import type { InferenceSession } from 'onnxruntime-web';
import { errorMessage } from '@onnxpipe/core';
import {
  ONNXPIPE_WEB_DEVICE_UNAVAILABLE,
  ONNXPIPE_WEB_MODEL_LOAD_FAILED,
  ONNXPIPE_WEB_RUNTIME_LOAD_FAILED,
} from '../errors.js';
import type { BrowserExecutionProvider, Device, DeviceFallback } from '../types.js';
import type { ModelSource } from './load-model.js';
import { configuredWasmPaths, loadRuntime, RUNTIME_FILES, type OrtModule, type RuntimeKind } from './ort-runtime.js';
import { probeWebGpu } from './webgpu-probe.js';

// The device policy, which is also what gets downloaded:
//   wasm    the wasm-only runtime.
//   webgpu  an adapter first (navigator.gpu, no download), then the WebGPU runtime; without an
//           adapter, or when its session fails, a coded error.
//   auto    the wasm-only runtime, with the reason in `fallback`. Measured for onnxpipe's digit
//           models (docs/benchmarks.md): one digit takes about a millisecond on wasm, less than
//           WebGPU spends dispatching some twenty kernels and reading the answer back, and the
//           WebGPU runtime is twice the download. `auto` will choose WebGPU when a measurement
//           shows a model for which it pays off; until then it is asked for by name.

/** Why `auto` runs on wasm (the `fallback.reason` of an `auto` classifier). */
export const AUTO_DEVICE_REASON =
  "'auto' runs digit models on wasm: one digit takes about a millisecond there, less than WebGPU spends dispatching the model's kernels and reading the answer back, and the wasm-only runtime is half the download; ask for device 'webgpu' to use the GPU";

/** A session, the provider it runs on, and the build that runs it. */
export interface OpenedSession {
  readonly ort: OrtModule;
  readonly session: InferenceSession;
  readonly executionProvider: BrowserExecutionProvider;
  readonly fallback: DeviceFallback | undefined;
}

/** What opening a session needs besides the model. */
export interface RuntimeSettings {
  readonly wasmPaths: string;
  readonly numThreads: number | undefined;
}

// onnxruntime-web's wording when no backend could start: its .mjs/.wasm could not be loaded
// (wrong wasmPaths, a 404, a wrong MIME type).
const RUNTIME_MISSING = /no available backend found.*(fetch|import|\.mjs|\.wasm|MIME|magic)/is;

function runtimeMissing(
  kind: RuntimeKind,
  wasmPaths: string,
  error: unknown,
): InstanceType<typeof ONNXPIPE_WEB_RUNTIME_LOAD_FAILED> {
  const [script, wasm] = RUNTIME_FILES[kind];
  return new ONNXPIPE_WEB_RUNTIME_LOAD_FAILED(
    `onnxruntime-web could not start its ${kind} runtime from 'wasmPaths' ${JSON.stringify(wasmPaths)}: host ${script} (text/javascript) and ${wasm} (application/wasm) there; ${errorMessage(error)}`,
    { cause: error },
  );
}

async function runtime(kind: RuntimeKind, settings: RuntimeSettings): Promise<OrtModule> {
  try {
    return await loadRuntime(kind, settings.wasmPaths, settings.numThreads);
  } catch (error) {
    // The WebGPU build is a chunk of the SDK fetched on demand: a deployment may have lost it.
    throw runtimeMissing(kind, settings.wasmPaths, error);
  }
}

// logSeverityLevel 3: errors only; ort's warning that shape ops stay on the CPU under WebGPU is
// expected for every model and would only clutter the page's console.
async function createSession(
  ort: OrtModule,
  kind: RuntimeKind,
  source: ModelSource,
  ep: BrowserExecutionProvider,
): Promise<InferenceSession> {
  try {
    return await ort.InferenceSession.create(source.bytes, {
      executionProviders: [ep],
      graphOptimizationLevel: 'all',
      logSeverityLevel: 3,
    });
  } catch (error) {
    if (RUNTIME_MISSING.test(errorMessage(error))) throw runtimeMissing(kind, configuredWasmPaths(ort), error);
    throw error;
  }
}

async function wasmSession(
  source: ModelSource,
  settings: RuntimeSettings,
): Promise<{ ort: OrtModule; session: InferenceSession }> {
  const ort = await runtime('wasm', settings);
  try {
    return { ort, session: await createSession(ort, 'wasm', source, 'wasm') };
  } catch (error) {
    if (error instanceof ONNXPIPE_WEB_RUNTIME_LOAD_FAILED) throw error;
    throw new ONNXPIPE_WEB_MODEL_LOAD_FAILED(
      `onnxruntime-web (wasm) rejected ${source.where}: ${errorMessage(error)}`,
      {
        cause: error,
      },
    );
  }
}

/**
 * Opens an inference session on the device asked for, loading only the runtime that runs it.
 *
 * @throws `ONNXPIPE_WEB_DEVICE_UNAVAILABLE` for `webgpu` without an adapter or when the WebGPU
 * session fails, `ONNXPIPE_WEB_RUNTIME_LOAD_FAILED` when the runtime files cannot be loaded,
 * `ONNXPIPE_WEB_MODEL_LOAD_FAILED` when onnxruntime rejects the model
 */
export async function openSession(
  source: ModelSource,
  device: Device,
  settings: RuntimeSettings,
): Promise<OpenedSession> {
  if (device === 'wasm')
    return { ...(await wasmSession(source, settings)), executionProvider: 'wasm', fallback: undefined };
  if (device === 'auto')
    return {
      ...(await wasmSession(source, settings)),
      executionProvider: 'wasm',
      fallback: { requested: 'auto', used: 'wasm', reason: AUTO_DEVICE_REASON },
    };
  const probe = await probeWebGpu();
  if (probe.adapter === undefined) {
    throw new ONNXPIPE_WEB_DEVICE_UNAVAILABLE(
      `'device' is "webgpu" but ${probe.reason}; use device 'wasm' (or 'auto')`,
    );
  }
  const ort = await runtime('webgpu', settings);
  // Hand onnxruntime the adapter we found, so it does not pick another one.
  ort.env.webgpu.adapter ??= probe.adapter as never;
  try {
    return {
      ort,
      session: await createSession(ort, 'webgpu', source, 'webgpu'),
      executionProvider: 'webgpu',
      fallback: undefined,
    };
  } catch (error) {
    if (error instanceof ONNXPIPE_WEB_RUNTIME_LOAD_FAILED) throw error;
    throw new ONNXPIPE_WEB_DEVICE_UNAVAILABLE(
      `'device' is "webgpu" but the WebGPU session for ${source.where} failed: ${errorMessage(error)}; use device 'wasm' (or 'auto')`,
      { cause: error },
    );
  }
}
