import { createHash } from 'node:crypto';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { dirname, join, relative, sep } from 'node:path';
import { MODEL_METADATA_KEYS } from '@onnxpipe/core';
import type { OnnxModel } from '@onnxpipe/onnx';
import { renderTritonConfig } from './triton-config.js';

export interface ModelRepositoryEntry {
  /** The model repository root, e.g. `models`. */
  readonly repository: string;
  readonly name: string;
  /** Triton version directory. @defaultValue 1 */
  readonly version?: number;
  readonly model: OnnxModel;
  readonly bytes: Uint8Array;
  readonly layout: 'nchw' | 'nhwc';
  /** Extra facts recorded in the manifest's `onnx` section (e.g. verification figures). */
  readonly facts?: Record<string, unknown>;
  /**
   * The trainer's manifest to record the export in: `<name>/<version>/manifest.json` when the
   * trainer wrote into the version folder. @defaultValue `<repository>/<name>/manifest.json`
   */
  readonly manifestPath?: string;
}

/**
 * metadata_props that hold for every version of a model: what `config.pbtxt` repeats for Triton.
 * Facts of one training run (accuracy, commit, dates) stay in each version's ONNX file.
 */
const MODEL_LEVEL_KEYS: ReadonlySet<string> = new Set(
  (
    [
      'labels',
      'normalizationMean',
      'normalizationStd',
      'inputLayout',
      'inputShape',
      'preprocessing',
      'output',
      'dataset',
    ] as const
  ).map((key) => MODEL_METADATA_KEYS[key]),
);

export interface WrittenEntry {
  readonly modelPath: string;
  readonly configPath: string;
  readonly manifestPath: string;
  readonly sha256: string;
}

/**
 * Writes a Triton-style model repository entry — `<repository>/<name>/config.pbtxt` and
 * `<repository>/<name>/<version>/model.onnx` — and records the export in the trainer's
 * manifest (created when the trainer left none), with paths relative to it. Files are written
 * atomically: a reader never sees half a model. The config serves every version (Triton's
 * `version_policy: all`), the newest by default.
 */
export async function writeModelRepositoryEntry(entry: ModelRepositoryEntry): Promise<WrittenEntry> {
  const version = entry.version ?? 1;
  const directory = join(entry.repository, entry.name);
  const modelPath = join(directory, String(version), 'model.onnx');
  const configPath = join(directory, 'config.pbtxt');
  const manifestPath = entry.manifestPath ?? join(directory, 'manifest.json');
  const [input] = entry.model.graph.input;
  const [output] = entry.model.graph.output;
  const withoutBatch = (shape: readonly (number | string)[]) => shape.slice(1).map(Number);
  const metadata = Object.fromEntries(
    entry.model.metadataProps.filter(({ key }) => MODEL_LEVEL_KEYS.has(key)).map(({ key, value }) => [key, value]),
  );

  await writeAtomically(modelPath, entry.bytes);
  await writeAtomically(
    configPath,
    renderTritonConfig({
      name: entry.name,
      input: { name: input.name, dims: withoutBatch(input.shape) },
      output: { name: output.name, dims: withoutBatch(output.shape) },
      parameters: metadata,
    }),
  );

  const sha256 = createHash('sha256').update(entry.bytes).digest('hex');
  let manifest: Record<string, unknown> = { name: entry.name };
  try {
    manifest = JSON.parse(await readFile(manifestPath, 'utf8'));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  manifest.onnx = {
    file: relative(dirname(manifestPath), modelPath).split(sep).join('/'),
    config: relative(dirname(manifestPath), configPath).split(sep).join('/'),
    bytes: entry.bytes.byteLength,
    sha256,
    opset: entry.model.opsetImport.find((o) => o.domain === '' || o.domain === 'ai.onnx')?.version,
    irVersion: entry.model.irVersion,
    layout: entry.layout.toUpperCase(),
    input: { name: input.name, shape: input.shape },
    output: { name: output.name, shape: output.shape },
    producer: `${entry.model.producerName} ${entry.model.producerVersion}`,
    exportedAt: new Date().toISOString(),
    ...entry.facts,
  };
  await writeAtomically(manifestPath, JSON.stringify(manifest, null, 2) + '\n');
  return { modelPath, configPath, manifestPath, sha256 };
}

async function writeAtomically(path: string, contents: string | Uint8Array): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  const temporary = `${path}.${process.pid}.tmp`;
  await writeFile(temporary, contents);
  await rename(temporary, path);
}
