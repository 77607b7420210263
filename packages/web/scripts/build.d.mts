// Types of build.mjs, for the TypeScript tests and benchmark that import it.

/** One file of the build output. */
export interface BuiltFile {
  readonly path: string;
  readonly bytes: number;
  /** For text files (.js, .mjs, .css, .html, .json, .map). */
  readonly gzipBytes?: number;
}

export interface BuildResult {
  readonly outdir: string;
  readonly files: readonly BuiltFile[];
  /** The SDK bundle: sizes, and the source files esbuild put in it (relative to the working directory). */
  readonly sdk: { readonly bytes: number; readonly gzipBytes: number; readonly inputs: readonly string[] };
  readonly ms: number;
}

export const ORT_RUNTIME_FILES: readonly string[];
export const SDK_BUNDLE: string;

/** Builds packages/web/dist/browser (or `outdir`): the SDK bundle, ort/, the demo, manifest.json. */
export function buildWebBundle(options?: { outdir?: string; quiet?: boolean }): Promise<BuildResult>;
