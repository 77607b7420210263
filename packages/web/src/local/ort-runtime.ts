import * as wasmRuntime from 'onnxruntime-web/wasm';
import type { RuntimeKind } from './runtime-files.js';

// onnxruntime-web ships one build per set of execution providers, each with its own .mjs/.wasm
// pair. The SDK loads only what runs:
//   wasm    onnxruntime-web/wasm: CPU kernels only, ort-wasm-simd-threaded.{mjs,wasm}
//           (13.6 MiB, 2.2 MiB brotli). Imported statically: every page that classifies needs it.
//   webgpu  onnxruntime-web (its JSEP build): the same CPU kernels plus WebGPU,
//           ort-wasm-simd-threaded.jsep.{mjs,wasm} (27 MiB, 4.4 MiB brotli). Imported on
//           demand, a chunk of its own, only when a classifier asks for WebGPU and the browser
//           has an adapter.
// Each build keeps its settings in its own `env` and reads the wasm ones once, when its first
// session starts it: this module sets them before that, and only then.

/** An onnxruntime-web build (both have the same API). */
export type OrtModule = typeof wasmRuntime;

export { RUNTIME_FILES, type RuntimeKind } from './runtime-files.js';

/** The onnxruntime-web version the SDK was built with (the builds are one release). */
export const ORT_VERSION: string = wasmRuntime.env.versions.web ?? 'unknown';

const configured = new Map<RuntimeKind, Promise<OrtModule>>();

/** Threads onnxruntime-web can use here: several only in a cross-origin isolated page. */
export function defaultNumThreads(): number {
  if (globalThis.crossOriginIsolated !== true) return 1;
  const cores = globalThis.navigator?.hardwareConcurrency ?? 1;
  return Math.min(4, Math.ceil(cores / 2));
}

/**
 * `wasmPaths` made absolute against the page (a worker's `location` too); as given when there
 * is no page to resolve against.
 */
export function resolveWasmPaths(wasmPaths: string): string {
  const base = globalThis.location?.href;
  try {
    return base === undefined ? new URL(wasmPaths).href : new URL(wasmPaths, base).href;
  } catch {
    return wasmPaths;
  }
}

function configure(ort: OrtModule, wasmPaths: string, numThreads: number | undefined): OrtModule {
  ort.env.wasm.wasmPaths = resolveWasmPaths(wasmPaths);
  // Without cross-origin isolation onnxruntime-web would ask for several threads, find no
  // SharedArrayBuffer and warn on the console: 1, said explicitly.
  ort.env.wasm.numThreads = globalThis.crossOriginIsolated === true ? (numThreads ?? defaultNumThreads()) : 1;
  ort.env.wasm.proxy = false;
  return ort;
}

/**
 * The build for `kind`, configured by the first call for that kind; later calls get the same
 * module and change nothing (its runtime is already loaded from the first `wasmPaths`).
 *
 * @example
 * ```ts
 * const ort = await loadRuntime('wasm', '/ort/1.30.0/', undefined);
 * const session = await ort.InferenceSession.create(bytes, { executionProviders: ['wasm'] });
 * ```
 */
export function loadRuntime(kind: RuntimeKind, wasmPaths: string, numThreads: number | undefined): Promise<OrtModule> {
  let runtime = configured.get(kind);
  if (runtime === undefined) {
    const module: Promise<OrtModule> = kind === 'wasm' ? Promise.resolve(wasmRuntime) : import('onnxruntime-web');
    runtime = module.then((ort) => configure(ort, wasmPaths, numThreads));
    configured.set(kind, runtime);
    // A failed import (the chunk could not be fetched) is not remembered: the next call retries.
    runtime.catch(() => configured.delete(kind));
  }
  return runtime;
}

/** The `wasmPaths` prefix a build was configured with (for error messages). */
export function configuredWasmPaths(ort: OrtModule): string {
  return String(ort.env.wasm.wasmPaths ?? '');
}
