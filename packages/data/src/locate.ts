import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { DatasetFile, DatasetSpec } from './registry.js';
import { verifyFile, type VerifiedFile } from './verify.js';

/** Environment variable naming a directory that holds a dataset's files. */
export const DATA_DIR_ENV = 'ONNXPIPE_DATA_DIR';

/** Where a searched directory came from, for messages. */
export type DirSource = '--data-dir' | typeof DATA_DIR_ENV | 'cache' | 'system';

export interface CandidateDir {
  readonly dir: string;
  readonly source: DirSource;
}

export interface LocateOptions {
  /** Directory from the `--data-dir` flag; searched first. */
  readonly dataDir?: string;
  /** Root of the download cache; the dataset lives in `<cacheDir>/<name>/`. @defaultValue {@link defaultCacheDir} */
  readonly cacheDir?: string;
  /** Environment to read {@link DATA_DIR_ENV} from. @defaultValue `process.env` */
  readonly env?: Readonly<Record<string, string | undefined>>;
}

/**
 * The repository's `data/` folder (git-ignored), found from this module's location so that it
 * does not depend on the working directory: `packages/data/{src,dist}/` → `../../../data`.
 */
export function defaultCacheDir(): string {
  return fileURLToPath(new URL('../../../data/', import.meta.url));
}

/** `<cacheDir>/<name>`: where downloads of a dataset go. */
export function datasetCacheDir(spec: DatasetSpec, cacheDir = defaultCacheDir()): string {
  return resolve(cacheDir, spec.name);
}

/**
 * Directories to search, in order: `--data-dir`, `$ONNXPIPE_DATA_DIR`, the cache, then OS
 * package locations. A flag or env directory may hold the files directly or in a `<name>/`
 * subfolder, so one variable can serve several datasets.
 */
export function candidateDirs(spec: DatasetSpec, options: LocateOptions = {}): CandidateDir[] {
  const env = options.env ?? process.env;
  const dirs: CandidateDir[] = [];
  const add = (dir: string, source: DirSource): void => {
    const abs = resolve(dir);
    if (!dirs.some((d) => d.dir === abs)) dirs.push({ dir: abs, source });
  };
  for (const [dir, source] of [
    [options.dataDir, '--data-dir'],
    [env[DATA_DIR_ENV], DATA_DIR_ENV],
  ] as const) {
    if (dir === undefined || dir === '') continue;
    add(dir, source);
    add(join(dir, spec.name), source);
  }
  add(datasetCacheDir(spec, options.cacheDir), 'cache');
  for (const dir of spec.systemDirs) add(dir, 'system');
  return dirs;
}

/** A file found under an accepted name but with the wrong content. */
export interface Rejection {
  readonly file: DatasetFile;
  readonly path: string;
  readonly reason: string;
}

export interface LocateResult {
  /** Verified copies, by registry entry. */
  readonly found: ReadonlyMap<DatasetFile, VerifiedFile>;
  readonly missing: readonly DatasetFile[];
  readonly rejected: readonly Rejection[];
  readonly searched: readonly CandidateDir[];
}

/**
 * Finds a verified copy of each file, trying the directories in order and, in each, the
 * `.gz` name then the raw name. A file with the wrong checksum is skipped, never used.
 */
export async function locateFiles(files: readonly DatasetFile[], dirs: readonly CandidateDir[]): Promise<LocateResult> {
  const found = new Map<DatasetFile, VerifiedFile>();
  const missing: DatasetFile[] = [];
  const rejected: Rejection[] = [];
  for (const file of files) {
    let hit: VerifiedFile | undefined;
    for (const { dir } of dirs) {
      for (const name of [file.fileName, file.rawFileName]) {
        const path = join(dir, name);
        if (!existsSync(path)) continue;
        const result = await verifyFile(path, file);
        if (result.ok) {
          hit = result.file;
          break;
        }
        rejected.push({ file, path, reason: result.reason });
      }
      if (hit !== undefined) break;
    }
    if (hit === undefined) missing.push(file);
    else found.set(file, hit);
  }
  return { found, missing, rejected, searched: dirs };
}

/** Tells a person exactly where to put the files, or which flag or variable to set. */
export function placementHint(files: readonly DatasetFile[], cacheDir: string): string {
  const names = files.map((f) => f.fileName).join(', ');
  return (
    `Put ${names} (gzip-compressed, or decompressed without .gz) into ${cacheDir}/, ` +
    `or pass --data-dir <dir> or set ${DATA_DIR_ENV}=<dir> to a directory that holds them.`
  );
}

/** The body of a not-found error: what is missing, where we looked, what we rejected. */
export function describeMissing(spec: DatasetSpec, result: LocateResult, cacheDir: string): string {
  const lines = [
    `${spec.name}: no verified copy of ${result.missing.map((f) => f.fileName).join(', ')}.`,
    'Searched:',
    ...result.searched.map(({ dir, source }) => `  ${dir} (${source})`),
  ];
  const rejected = result.rejected.filter((r) => result.missing.includes(r.file));
  if (rejected.length > 0) {
    lines.push('Rejected:', ...rejected.map(({ path, reason }) => `  ${path}: ${reason}`));
  }
  lines.push(placementHint(result.missing, cacheDir));
  return lines.join('\n');
}
