import { readdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { FastifyBaseLogger } from 'fastify';
import type { ModelVersionPolicy } from '../config.js';
import { ONNXPIPE_SERVER_MODEL_LOAD_FAILED } from '../errors.js';

// The repository layout is Triton's, as our exporter writes it (packages/exporter/src/repository):
//   <repository>/<name>/config.pbtxt
//   <repository>/<name>/<version>/model.onnx     (version: a positive integer)
//   <repository>/<name>/<version>/manifest.json   (the trainer's and exporter's record of that version:
//                                                  its `onnx` section holds the file's sha256), or
//   <repository>/<name>/manifest.json             (the same for one version, in older repositories)
//   <repository>/<name>/<version>/model.<variant>.onnx
//                                                 (the exporter's reduced-precision copies for
//                                                  browsers, listed in the version's manifest as
//                                                  `onnx.variants`; served as files, never loaded)
// Other entries (the trainer's model.json, checkpoints/, reports) are ignored.

/** One model version found in the repository. */
export interface ModelVersionEntry {
  readonly name: string;
  readonly version: string;
  /** Absolute path of `model.onnx`. */
  readonly path: string;
  /** sha256 recorded by the exporter for this file, when the manifest has one. */
  readonly expectedSha256?: string;
  readonly manifestPath?: string;
  /** The reduced-precision variants the version's manifest lists (`npm run quantize`). */
  readonly variants?: readonly ModelVariantFile[];
  /** The file browsers should fetch (`onnx.web.file` of the manifest): model.onnx or a variant. */
  readonly webFile?: string;
}

/** A variant of a model version: a file beside its model.onnx, as the manifest records it. */
export interface ModelVariantFile {
  /** `model.int8.onnx`, ... */
  readonly file: string;
  readonly sha256: string;
  /** `fp16`, `int8`, ... */
  readonly precision: string;
  /** Absolute path. */
  readonly path: string;
}

/** Variant file names: `model.<precision>.onnx`. */
export const VARIANT_FILE = /^model\.[a-z0-9]+\.onnx$/;
const SHA256 = /^[0-9a-f]{64}$/;

const MODEL_NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]*$/;
const VERSION = /^[1-9][0-9]{0,8}$/;

async function isDirectory(path: string): Promise<boolean> {
  return (await stat(path).catch(() => undefined))?.isDirectory() ?? false;
}

async function isFile(path: string): Promise<boolean> {
  return (await stat(path).catch(() => undefined))?.isFile() ?? false;
}

/** The `onnx` section of `manifest.json`, as the exporter writes it. */
interface OnnxSection {
  file?: unknown;
  sha256?: unknown;
  variants?: unknown;
  web?: { file?: unknown };
}

/** The variants a version's manifest lists, and the browsers' file; malformed entries are left out. */
function variantsOf(section: OnnxSection, directory: string): Pick<ModelVersionEntry, 'variants' | 'webFile'> {
  const variants = (Array.isArray(section.variants) ? section.variants : [])
    .filter(
      (v): v is { file: string; sha256: string; precision: string } =>
        typeof v?.file === 'string' &&
        VARIANT_FILE.test(v.file) &&
        typeof v.sha256 === 'string' &&
        SHA256.test(v.sha256) &&
        typeof v.precision === 'string',
    )
    .map((v) => ({ file: v.file, sha256: v.sha256, precision: v.precision, path: join(directory, v.file) }));
  const web = section.web?.file;
  const webFile = web === 'model.onnx' || variants.some((v) => v.file === web) ? (web as string) : undefined;
  return variants.length === 0 && webFile === undefined
    ? {}
    : { variants, ...(webFile === undefined ? {} : { webFile }) };
}

/** The `onnx` section of `manifest.json`, if the exporter wrote one. */
async function readManifest(path: string): Promise<OnnxSection | undefined> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new ONNXPIPE_SERVER_MODEL_LOAD_FAILED(`${path}: cannot read the manifest: ${(error as Error).message}`, {
      cause: error,
    });
  }
  try {
    const manifest = JSON.parse(text) as { onnx?: OnnxSection };
    return typeof manifest.onnx === 'object' && manifest.onnx !== null ? manifest.onnx : undefined;
  } catch (error) {
    throw new ONNXPIPE_SERVER_MODEL_LOAD_FAILED(
      `${path}: the manifest is not valid JSON: ${(error as Error).message}`,
      { cause: error },
    );
  }
}

/**
 * Lists the model versions to load: for each model directory, its highest version (`latest`)
 * or every version (`all`), in name then version order. Directories without a version that
 * holds `model.onnx` are skipped with a warning.
 *
 * @throws `ONNXPIPE_SERVER_MODEL_LOAD_FAILED` when the repository is not a directory or a
 * manifest is unreadable
 */
export async function scanModelRepository(
  repository: string,
  policy: ModelVersionPolicy,
  log: FastifyBaseLogger,
  /** Only this model's directory (a load of one model must not fail on another's manifest). */
  only?: string,
): Promise<ModelVersionEntry[]> {
  if (!(await isDirectory(repository))) {
    throw new ONNXPIPE_SERVER_MODEL_LOAD_FAILED(
      `model repository ${repository} is not a directory; set --model-repository or ONNXPIPE_MODEL_REPOSITORY`,
    );
  }
  const found: ModelVersionEntry[] = [];
  const names = (await readdir(repository))
    .filter((n) => !n.startsWith('.') && (only === undefined || n === only))
    .sort();
  for (const name of names) {
    const directory = join(repository, name);
    if (!(await isDirectory(directory))) continue;
    if (!MODEL_NAME.test(name)) {
      log.warn({ directory }, `skipping ${directory}: model names use letters, digits, '_', '.' and '-'`);
      continue;
    }
    const versions: string[] = [];
    for (const entry of await readdir(directory)) {
      if (VERSION.test(entry) && (await isFile(join(directory, entry, 'model.onnx')))) versions.push(entry);
    }
    if (versions.length === 0) {
      log.warn({ directory }, `skipping ${directory}: no <version>/model.onnx in it (not exported yet?)`);
      continue;
    }
    versions.sort((a, b) => Number(a) - Number(b));
    const modelManifestPath = join(directory, 'manifest.json');
    const modelManifest = await readManifest(modelManifestPath);
    for (const version of policy === 'latest' ? versions.slice(-1) : versions) {
      const versionManifestPath = join(directory, version, 'manifest.json');
      const versionManifest = await readManifest(versionManifestPath);
      const recorded =
        versionManifest?.file === 'model.onnx' && typeof versionManifest.sha256 === 'string'
          ? {
              expectedSha256: versionManifest.sha256,
              manifestPath: versionManifestPath,
              ...variantsOf(versionManifest, join(directory, version)),
            }
          : modelManifest?.file === `${version}/model.onnx` && typeof modelManifest.sha256 === 'string'
            ? { expectedSha256: modelManifest.sha256, manifestPath: modelManifestPath }
            : {};
      found.push({ name, version, path: join(directory, version, 'model.onnx'), ...recorded });
    }
  }
  return found;
}
