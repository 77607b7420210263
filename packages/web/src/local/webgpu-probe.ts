import { errorMessage } from '@onnxpipe/core';

// Whether this page can have WebGPU, and if not, why: the reason `device: 'auto'` reports when
// it falls back to wasm, and the message of `device: 'webgpu'`'s error.

/** A WebGPU adapter (typed loosely: the DOM lib of TypeScript 5.9 has no WebGPU types). */
export type GpuAdapter = object;

/** An adapter, or the reason there is none. */
export type WebGpuProbe =
  | { readonly adapter: GpuAdapter; readonly reason?: undefined }
  | { readonly adapter?: undefined; readonly reason: string };

interface GpuLike {
  requestAdapter(options?: { powerPreference?: string }): Promise<GpuAdapter | null>;
}

/**
 * Asks `navigator.gpu` for an adapter.
 *
 * @example
 * ```ts
 * const { adapter, reason } = await probeWebGpu();
 * ```
 */
export async function probeWebGpu(): Promise<WebGpuProbe> {
  const gpu = (globalThis.navigator as { gpu?: GpuLike } | undefined)?.gpu;
  if (gpu === undefined) {
    return {
      reason:
        globalThis.isSecureContext === false
          ? 'navigator.gpu is undefined: WebGPU needs a secure context (https, or http on localhost/127.0.0.1)'
          : 'navigator.gpu is undefined: this browser does not expose WebGPU',
    };
  }
  try {
    const adapter = await gpu.requestAdapter({ powerPreference: 'high-performance' });
    if (adapter !== null) return { adapter };
    return {
      reason:
        'navigator.gpu.requestAdapter() returned null: no WebGPU adapter (no usable GPU, or a blocklisted driver; headless Chromium offers one only with --enable-unsafe-webgpu)',
    };
  } catch (error) {
    return {
      reason: `navigator.gpu.requestAdapter() failed: ${errorMessage(error)}`,
    };
  }
}
