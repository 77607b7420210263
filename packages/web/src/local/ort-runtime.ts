import * as ort from 'onnxruntime-web';

// onnxruntime-web keeps its settings in one global `env` and reads the wasm ones once, when the
// first session starts the runtime: this module sets them before that, and only then.

/** The onnxruntime-web module the SDK bundles. */
export type OrtModule = typeof ort;

let started = false;

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

/**
 * Configures onnxruntime-web for the first classifier of the page and returns it. Later calls
 * change nothing: the runtime is already loaded from the first `wasmPaths`.
 *
 * Without cross-origin isolation, threads are set to 1 explicitly: onnxruntime-web would
 * otherwise ask for several, find no SharedArrayBuffer and warn on the console.
 */
export function configureRuntime(wasmPaths: string, numThreads: number | undefined): OrtModule {
  if (!started) {
    started = true;
    ort.env.wasm.wasmPaths = resolveWasmPaths(wasmPaths);
    ort.env.wasm.numThreads = globalThis.crossOriginIsolated === true ? (numThreads ?? defaultNumThreads()) : 1;
    ort.env.wasm.proxy = false;
  }
  return ort;
}

/** The `wasmPaths` prefix the runtime was configured with (for error messages). */
export function configuredWasmPaths(): string {
  return String(ort.env.wasm.wasmPaths ?? '');
}
