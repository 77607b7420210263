import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { EXTERN_WASM_ENTRIES, RUNTIME_FILES, type RuntimeKind } from '../local/runtime-files.js';

// `@onnxpipe/web/vite`: a Vite plugin that hosts onnxruntime-web's runtime files where the SDK
// looks for them by default (`/ort/<onnxruntime-web version>/`, ORT_FILES_DIR), in the dev
// server and in `vite build`'s output, so that an app needs no copying step and no `wasmPaths`.
// It also resolves onnxruntime-web to its builds that fetch those files (the
// `onnxruntime-web-use-extern-wasm` entries), so that the build does not also carry the copies
// Vite would otherwise emit under assets/ for the default entries' `new URL('….wasm', import.meta.url)`.
//
// Runs in Node, in Vite's process; typed structurally (no dependency on vite's types, which
// change between majors): the hooks used are Rollup's resolveId and generateBundle and Vite's
// configResolved and configureServer, stable since Vite 2.

/** Options of {@link ortFiles}. */
export interface OrtFilesOptions {
  /**
   * Which runtimes to host: `wasm` (every classifier needs it) and `webgpu` (only for
   * `device: 'webgpu'`; 27 MiB in the output, fetched only by pages that use it).
   * @defaultValue `['wasm', 'webgpu']`
   */
  readonly runtimes?: readonly RuntimeKind[];
}

/** The subset of Vite's dev server the plugin uses. */
interface DevServer {
  readonly middlewares: { use(handler: (req: { url?: string }, res: DevResponse, next: () => void) => void): void };
}
interface DevResponse {
  setHeader(name: string, value: string): void;
  end(body: Uint8Array): void;
}
interface EmitContext {
  emitFile(file: { type: 'asset'; fileName: string; source: Uint8Array }): string;
}

/** The plugin object (a Vite `Plugin`). */
export interface OrtFilesPlugin {
  readonly name: string;
  readonly enforce: 'pre';
  configResolved(config: { readonly base: string }): void;
  resolveId(source: string): string | null;
  configureServer(server: DevServer): void;
  generateBundle(this: EmitContext): void;
}

const CONTENT_TYPES: Readonly<Record<string, string>> = {
  '.mjs': 'text/javascript; charset=utf-8',
  '.wasm': 'application/wasm',
};

/**
 * Hosts onnxruntime-web's runtime files at `<base>ort/<version>/` in `vite` and `vite build`.
 *
 * @example
 * ```ts
 * // vite.config.ts
 * import { defineConfig } from 'vite';
 * import { ortFiles } from '@onnxpipe/web/vite';
 * export default defineConfig({ plugins: [ortFiles()] });
 * ```
 */
export function ortFiles(options: OrtFilesOptions = {}): OrtFilesPlugin {
  const require = createRequire(import.meta.url);
  // onnxruntime-web exports its runtime files by name (not its package.json): find dist/ by one.
  const dist = dirname(require.resolve(`onnxruntime-web/${RUNTIME_FILES.wasm[1]}`));
  const version = (JSON.parse(readFileSync(join(dist, '..', 'package.json'), 'utf8')) as { version: string }).version;
  const dir = `ort/${version}/`;
  const runtimes = options.runtimes ?? (['wasm', 'webgpu'] as const);
  const files = runtimes.flatMap((kind) => {
    const names = RUNTIME_FILES[kind];
    if (names === undefined)
      throw new Error(`ortFiles: 'runtimes' must hold wasm and/or webgpu; received ${JSON.stringify(kind)}`);
    return [...names];
  });
  let base = '/';
  return {
    name: 'onnxpipe:ort-files',
    enforce: 'pre',
    configResolved(config) {
      base = config.base.endsWith('/') ? config.base : `${config.base}/`;
    },
    resolveId(source) {
      const entry = EXTERN_WASM_ENTRIES[source];
      return entry !== undefined && existsSync(join(dist, entry)) ? join(dist, entry) : null;
    },
    configureServer(server) {
      server.middlewares.use((req, res, next) => {
        const path = (req.url ?? '').split('?')[0];
        const name = path.startsWith(`${base}${dir}`) ? path.slice(base.length + dir.length) : undefined;
        if (name === undefined || !files.includes(name)) return next();
        res.setHeader('content-type', CONTENT_TYPES[name.slice(name.lastIndexOf('.'))] ?? 'application/octet-stream');
        res.setHeader('cache-control', 'no-cache');
        res.end(readFileSync(join(dist, name)));
      });
    },
    generateBundle() {
      for (const name of files)
        this.emitFile({ type: 'asset', fileName: `${dir}${name}`, source: readFileSync(join(dist, name)) });
    },
  };
}
