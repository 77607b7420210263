// The files each onnxruntime-web build loads from `wasmPaths` at run time, in a module of their
// own (no onnxruntime import) so that build tools (the Vite plugin, build:web) can read them.

/** Which build: the wasm-only one (`onnxruntime-web/wasm`), or the one with WebGPU (`onnxruntime-web`, JSEP). */
export type RuntimeKind = 'wasm' | 'webgpu';

/** The loader script and the WebAssembly module of each build. */
export const RUNTIME_FILES: Readonly<Record<RuntimeKind, readonly [script: string, wasm: string]>> = Object.freeze({
  wasm: ['ort-wasm-simd-threaded.mjs', 'ort-wasm-simd-threaded.wasm'] as const,
  webgpu: ['ort-wasm-simd-threaded.jsep.mjs', 'ort-wasm-simd-threaded.jsep.wasm'] as const,
});

/**
 * The entry file of each build that fetches its .mjs and .wasm from `wasmPaths` instead of
 * inlining the loader and pointing at the .wasm beside the bundle (onnxruntime-web's
 * `onnxruntime-web-use-extern-wasm` export condition).
 */
export const EXTERN_WASM_ENTRIES: Readonly<Record<string, string>> = Object.freeze({
  'onnxruntime-web/wasm': 'ort.wasm.min.mjs',
  'onnxruntime-web': 'ort.min.mjs',
});
