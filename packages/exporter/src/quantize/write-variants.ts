import { createHash } from 'node:crypto';
import { readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parseModelMetadata } from '@onnxpipe/core';
import { decodeModel, encodeModel } from '@onnxpipe/onnx';
import { ONNXPIPE_EXPORT_MODEL_LOAD_FAILED } from '../errors.js';
import { chooseWebVariant, MAX_ACCURACY_DROP_POINTS } from './choose-variant.js';
import { evaluateVariants, type ModelEvaluation } from './evaluate-variants.js';
import {
  quantizeModel,
  VARIANT_METADATA_KEYS,
  withMetadata,
  type Precision,
  type QuantizedTensor,
} from './quantize-model.js';

// One command per model version: read <version>/model.onnx, write model.<precision>.onnx beside
// it, measure each on the test set against model.onnx, and record files, figures and the
// browsers' choice in the version's manifest.json (`onnx.variants`, `onnx.web`). model.onnx,
// which Triton and the server load, is read and never written.

/** The test split the variants are measured on. */
export interface TestImages {
  readonly images: Uint8Array;
  readonly labels: Uint8Array;
}

export interface WriteVariantsOptions {
  /** `<repository>/<name>/<version>`: holds model.onnx and the manifest.json that records it. */
  readonly versionDir: string;
  readonly precisions: readonly Precision[];
  readonly test: TestImages;
  /** @defaultValue {@link MAX_ACCURACY_DROP_POINTS} */
  readonly maxDropPoints?: number;
  readonly onProgress?: (done: number, total: number) => void;
}

/** One variant as manifest.json records it. */
export interface VariantRecord {
  readonly precision: Precision;
  readonly file: string;
  readonly bytes: number;
  readonly sha256: string;
  readonly weights: string;
  readonly quantizedTensors: number;
  readonly quantizedElements: number;
  readonly testImages: number;
  readonly testAccuracy: number;
  readonly argmaxAgreement: number;
  readonly disagreements: number;
  readonly maxProbabilityDiff: number;
}

export interface VariantsReport {
  readonly source: {
    readonly file: 'model.onnx';
    readonly bytes: number;
    readonly sha256: string;
    readonly testAccuracy: number;
  };
  readonly variants: readonly VariantRecord[];
  /** The file browsers fetch: the smallest within `maxDropPoints` of model.onnx. */
  readonly web: {
    readonly file: string;
    readonly precision: Precision | 'fp32';
    readonly maxAccuracyDropPoints: number;
  };
  readonly manifestPath: string;
}

const sha256 = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');

async function writeAtomically(path: string, contents: string | Uint8Array): Promise<void> {
  const temporary = `${path}.${process.pid}.tmp`;
  await writeFile(temporary, contents);
  await rename(temporary, path);
}

/** File name of a variant: `model.int8.onnx`. */
export function variantFile(precision: Precision): string {
  return `model.${precision}.onnx`;
}

/**
 * Writes the variants of one model version and records them.
 *
 * @throws `ONNXPIPE_EXPORT_MODEL_LOAD_FAILED` when model.onnx or its manifest is missing, or the
 * manifest records another file (re-export first)
 */
export async function writeVariants(options: WriteVariantsOptions): Promise<VariantsReport> {
  const { versionDir } = options;
  const modelPath = join(versionDir, 'model.onnx');
  const manifestPath = join(versionDir, 'manifest.json');
  let bytes: Uint8Array;
  let manifest: { onnx?: Record<string, unknown> } & Record<string, unknown>;
  try {
    bytes = new Uint8Array(await readFile(modelPath));
    manifest = JSON.parse(await readFile(manifestPath, 'utf8'));
  } catch (error) {
    throw new ONNXPIPE_EXPORT_MODEL_LOAD_FAILED(
      versionDir,
      `needs model.onnx and the manifest.json that records its export (${(error as Error).message})`,
      { cause: error },
    );
  }
  const sourceSha256 = sha256(bytes);
  if (manifest.onnx?.sha256 !== sourceSha256) {
    throw new ONNXPIPE_EXPORT_MODEL_LOAD_FAILED(
      versionDir,
      `manifest.json records ${manifest.onnx?.file ?? 'no model'} with sha256 ${String(manifest.onnx?.sha256)}, but model.onnx has ${sourceSha256}; run npm run export for this version first`,
    );
  }
  const source = decodeModel(bytes);
  const metadata = parseModelMetadata(source.metadataProps);
  const made = options.precisions.map((precision) => ({
    precision,
    ...quantizeModel(source, precision, { sourceSha256 }),
  }));
  const evaluations = await evaluateVariants({
    models: [
      { name: 'model.onnx', bytes },
      ...made.map(({ precision, model }) => ({ name: variantFile(precision), bytes: encodeModel(model) })),
    ],
    images: options.test.images,
    labels: options.test.labels,
    height: metadata.height,
    width: metadata.width,
    layout: metadata.inputLayout,
    normalization: metadata.normalization,
    logSoftmax: metadata.output === 'log_softmax',
    onProgress: options.onProgress,
  });
  const [sourceEvaluation, ...variantEvaluations] = evaluations as [ModelEvaluation, ...ModelEvaluation[]];
  const variants: VariantRecord[] = [];
  for (const [i, { precision, model, quantized }] of made.entries()) {
    const evaluation = variantEvaluations[i];
    // The measured figures go into the file too: a browser that loads it can say what it is.
    const final = encodeModel(
      withMetadata(model, {
        [VARIANT_METADATA_KEYS.testAccuracy]: String(evaluation.accuracy),
        [VARIANT_METADATA_KEYS.agreement]: String(evaluation.agreement),
      }),
    );
    const file = variantFile(precision);
    await writeAtomically(join(versionDir, file), final);
    variants.push(
      record(
        precision,
        file,
        final,
        model.metadataProps.find((p) => p.key === VARIANT_METADATA_KEYS.weights)?.value ?? '',
        quantized,
        evaluation,
      ),
    );
  }
  const maxDropPoints = options.maxDropPoints ?? MAX_ACCURACY_DROP_POINTS;
  const chosen = chooseWebVariant(
    [
      {
        file: 'model.onnx',
        bytes: bytes.byteLength,
        accuracy: sourceEvaluation.accuracy,
        precision: 'fp32' as Precision | 'fp32',
      },
      ...variants.map((v) => ({ file: v.file, bytes: v.bytes, accuracy: v.testAccuracy, precision: v.precision })),
    ],
    maxDropPoints,
  );
  const report: VariantsReport = {
    source: {
      file: 'model.onnx',
      bytes: bytes.byteLength,
      sha256: sourceSha256,
      testAccuracy: sourceEvaluation.accuracy,
    },
    variants,
    web: { file: chosen.file, precision: chosen.precision, maxAccuracyDropPoints: maxDropPoints },
    manifestPath,
  };
  manifest.onnx = { ...manifest.onnx, testAccuracy: sourceEvaluation.accuracy, variants, web: report.web };
  await writeAtomically(manifestPath, `${JSON.stringify(manifest, null, 2)}\n`);
  return report;
}

function record(
  precision: Precision,
  file: string,
  bytes: Uint8Array,
  weights: string,
  quantized: readonly QuantizedTensor[],
  evaluation: ModelEvaluation,
): VariantRecord {
  return {
    precision,
    file,
    bytes: bytes.byteLength,
    sha256: sha256(bytes),
    weights,
    quantizedTensors: quantized.length,
    quantizedElements: quantized.reduce((sum, q) => sum + q.elements, 0),
    testImages: evaluation.images,
    testAccuracy: evaluation.accuracy,
    argmaxAgreement: evaluation.agreement,
    disagreements: evaluation.disagreements,
    maxProbabilityDiff: evaluation.maxProbabilityDiff,
  };
}
