// Types of build.mjs, for the TypeScript tests and benchmark that import it.

/** One file of the build output (its .br/.gz copies are not listed as files of their own). */
export interface BuiltFile {
  readonly path: string;
  readonly bytes: number;
  /** Size of `<path>.gz`, for files it was written for (compressible, ≥ MIN_COMPRESS_BYTES, smaller). */
  readonly gzipBytes?: number;
  /** Size of `<path>.br`, likewise. */
  readonly brotliBytes?: number;
}

export interface BuildResult {
  readonly outdir: string;
  readonly files: readonly BuiltFile[];
  /** The SDK bundle: sizes, and the source files esbuild put in it (relative to the working directory). */
  readonly sdk: {
    readonly bytes: number;
    readonly gzipBytes?: number;
    readonly brotliBytes?: number;
    readonly inputs: readonly string[];
  };
  /** The on-demand chunks (`chunks/<name>-<hash>.js`) and the source files in each. */
  readonly chunks: Readonly<Record<string, readonly string[]>>;
  /** Compressed copies taken from the cache (`hits`) or made anew (`misses`). */
  readonly compression: { readonly hits: number; readonly misses: number };
  readonly ms: number;
}

export const ORT_RUNTIME_FILES: readonly string[];
export const SDK_BUNDLE: string;
export const CHUNKS_DIR: string;
export const COMPRESSION_CACHE: string;
export const MIN_COMPRESS_BYTES: number;

/**
 * Builds packages/web/dist/browser (or `outdir`): the SDK bundle and its chunks, ort/, the demo,
 * compressed copies, manifest.json.
 */
export function buildWebBundle(options?: { outdir?: string; quiet?: boolean }): Promise<BuildResult>;
