import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import * as ort from 'onnxruntime-node';
import { decodeModel } from '@onnxpipe/onnx';
import { ONNXPIPE_SERVER_MODEL_LOAD_FAILED } from '../errors.js';
import type { ExecutionProvider } from './execution-provider.js';
import { parseModelMetadata, type ModelMetadata, errorMessage } from '@onnxpipe/core';
import type { ModelVariantFile, ModelVersionEntry } from './model-repository.js';

/** A model version, checked and ready to run. */
export interface LoadedModel {
  readonly name: string;
  /** Version directory name, e.g. `"1"`. */
  readonly version: string;
  /** Absolute path of `model.onnx`. */
  readonly path: string;
  readonly sha256: string;
  readonly metadata: ModelMetadata;
  readonly inputName: string;
  readonly outputName: string;
  readonly session: ort.InferenceSession;
  /** The reduced-precision copies for browsers its manifest lists (served as files, not loaded). */
  readonly variants: readonly ModelVariantFile[];
  /** The file browsers should fetch: `model.onnx` or a variant's. */
  readonly webFile: string;
}

function failure(
  path: string,
  problem: string,
  cause?: unknown,
): InstanceType<typeof ONNXPIPE_SERVER_MODEL_LOAD_FAILED> {
  // No second argument at all without a cause: @fastify/error formats every argument after the
  // message into it, and an explicit `undefined` would end the message in "undefined".
  const message = `${path}: ${problem}`;
  return cause === undefined
    ? new ONNXPIPE_SERVER_MODEL_LOAD_FAILED(message)
    : new ONNXPIPE_SERVER_MODEL_LOAD_FAILED(message, { cause });
}

/** `[N, 1, 28, 28]` as onnxruntime reports it: symbolic dims are strings, unknown ones -1 or 0. */
function dimsMatch(actual: readonly (number | string)[], expected: readonly (number | string)[]): boolean {
  return (
    actual.length === expected.length &&
    actual.every((d, i) => typeof d === 'string' || typeof expected[i] === 'string' || d <= 0 || d === expected[i])
  );
}

function checkSignature(session: ort.InferenceSession, metadata: ModelMetadata, path: string): void {
  if (session.inputNames.length !== 1 || session.outputNames.length !== 1) {
    throw failure(
      path,
      `the model must have one input and one output; it has inputs [${session.inputNames.join(', ')}] and outputs [${session.outputNames.join(', ')}]`,
    );
  }
  const [input] = session.inputMetadata;
  const [output] = session.outputMetadata;
  const { height, width } = metadata;
  const inputShape = metadata.inputLayout === 'NCHW' ? ['N', 1, height, width] : ['N', height, width, 1];
  if (!input.isTensor || input.type !== 'float32' || !dimsMatch(input.shape, inputShape)) {
    const got = input.isTensor ? `${input.type}[${input.shape.join(', ')}]` : 'a non-tensor';
    throw failure(
      path,
      `input ${input.name} must be float32[${inputShape.join(', ')}] as its metadata says; the graph has ${got}`,
    );
  }
  const classes = metadata.labels.length;
  if (!output.isTensor || output.type !== 'float32' || !dimsMatch(output.shape, ['N', classes])) {
    const got = output.isTensor ? `${output.type}[${output.shape.join(', ')}]` : 'a non-tensor';
    throw failure(
      path,
      `output ${output.name} must be float32[N, ${classes}] (one value per label); the graph has ${got}`,
    );
  }
}

/** Session options of {@link loadModel}. */
export interface LoadModelOptions {
  /** onnxruntime intra-op threads; 0 or absent: onnxruntime's default (one per core). */
  readonly intraOpThreads?: number;
}

/**
 * Loads one model version and checks it end to end, so that every problem shows at start-up
 * with the file's name: the bytes against the manifest's sha256, the protobuf, the onnxpipe
 * metadata, the input/output signature against the metadata, and one warm-up run on zeros.
 *
 * @throws `ONNXPIPE_SERVER_MODEL_LOAD_FAILED` naming the file and the problem
 */
export async function loadModel(
  entry: ModelVersionEntry,
  provider: ExecutionProvider,
  options: LoadModelOptions = {},
): Promise<LoadedModel> {
  const { path } = entry;
  let bytes: Uint8Array;
  try {
    bytes = await readFile(path);
  } catch (error) {
    throw failure(path, `cannot read the file: ${errorMessage(error)}`, error);
  }
  const sha256 = createHash('sha256').update(bytes).digest('hex');
  if (entry.expectedSha256 !== undefined && entry.expectedSha256 !== sha256) {
    throw failure(
      path,
      `sha256 ${sha256} differs from ${entry.expectedSha256} recorded in ${entry.manifestPath}: the file is corrupt or was replaced without re-exporting`,
    );
  }
  let metadata: ModelMetadata;
  try {
    metadata = parseModelMetadata(decodeModel(bytes).metadataProps);
  } catch (error) {
    throw failure(path, `not a usable onnxpipe model: ${errorMessage(error)}`, error);
  }
  let session: ort.InferenceSession;
  try {
    const threads = options.intraOpThreads ? { intraOpNumThreads: options.intraOpThreads } : {};
    session = await ort.InferenceSession.create(bytes, {
      executionProviders: [provider],
      graphOptimizationLevel: 'all',
      ...threads,
    });
  } catch (error) {
    throw failure(path, `onnxruntime cannot load it on ${provider}: ${errorMessage(error)}`, error);
  }
  try {
    checkSignature(session, metadata, path);
    const [inputName] = session.inputNames;
    const [outputName] = session.outputNames;
    const dims =
      metadata.inputLayout === 'NCHW'
        ? [1, 1, metadata.height, metadata.width]
        : [1, metadata.height, metadata.width, 1];
    const zeros = new ort.Tensor('float32', new Float32Array(metadata.height * metadata.width), dims);
    let out: ort.Tensor;
    try {
      out = (await session.run({ [inputName]: zeros }))[outputName];
    } catch (error) {
      throw failure(path, `the warm-up run failed: ${errorMessage(error)}`, error);
    }
    if (out.data.length !== metadata.labels.length) {
      throw failure(path, `the warm-up run returned ${out.data.length} values for ${metadata.labels.length} labels`);
    }
    const variants = entry.variants ?? [];
    const webFile = entry.webFile ?? 'model.onnx';
    return Object.freeze({
      name: entry.name,
      version: entry.version,
      path,
      sha256,
      metadata,
      inputName,
      outputName,
      session,
      variants,
      webFile,
    });
  } catch (error) {
    await session.release();
    throw error;
  }
}
