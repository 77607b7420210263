import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { createProgressReporter, runCli } from '@onnxpipe/core';
import { loadDataset } from '@onnxpipe/data';
import { encodeModel } from '@onnxpipe/onnx';
import { convertLayersModel, loadLayersModelFromDir } from '../convert/index.js';
import { modelMetadata, type TrainerManifest } from '../repository/model-metadata.js';
import { writeVariants } from '../quantize/write-variants.js';
import { writeModelRepositoryEntry } from '../repository/write-model-repository.js';
import {
  VERIFY_MAX_ABS_DIFF,
  VERIFY_MAX_DISAGREEMENTS,
  verifyExport,
  type VerificationResult,
} from '../verify/verify-export.js';
import { EXPORT_HELP, ExportUsageError, parseExportArgs, type ExportCliOptions } from './parse-export-args.js';
import { formatVariantsReport } from './write-variants-report.js';

const { version: producerVersion } = createRequire(import.meta.url)('../../package.json') as { version: string };

/** `npm run export`: tfjs artifacts → ONNX → Triton-style model repository entry. */
async function run(options: ExportCliOptions): Promise<number> {
  await tf.setBackend('wasm');
  const layersModel = await loadLayersModelFromDir(options.model);
  const manifest = JSON.parse(await readFile(join(options.model, 'manifest.json'), 'utf8')) as TrainerManifest;
  const model = convertLayersModel(layersModel, {
    layout: options.layout,
    opset: options.opset,
    producerVersion,
    metadata: modelMetadata(manifest, options.layout),
    graphName: options.name,
  });
  const bytes = encodeModel(model);
  process.stdout.write(
    `converted ${options.model} → ONNX opset ${options.opset}, IR ${model.irVersion}, ${options.layout.toUpperCase()}, ` +
      `${(bytes.byteLength / 1024 / 1024).toFixed(2)} MiB\n`,
  );

  let verification: VerificationResult | undefined;
  if (options.verify) {
    const test = await loadDataset({ name: manifest.dataset.name as 'mnist', split: 'test', dataDir: options.dataDir });
    const bar = createProgressReporter({
      write: (s) => process.stderr.write(s),
      isTTY: process.stderr.isTTY === true,
      label: 'verify',
      total: test.count,
      unit: 'img',
    });
    verification = await verifyExport({
      layersModel,
      onnxBytes: bytes,
      layout: options.layout,
      images: test.images,
      labels: test.labels,
      imageShape: [test.rows, test.cols, 1],
      normalization: manifest.dataset.normalization,
      onProgress: (done) => bar.update(done),
    });
    bar.done();
    const percent = (x: number | null) => (x === null ? 'n/a' : `${(100 * x).toFixed(2)} %`);
    process.stdout.write(
      `verify: ${verification.images} test images, max |Δ| ${verification.maxAbsDiff.toExponential(2)} (limit ${VERIFY_MAX_ABS_DIFF}), ` +
        `argmax disagreements ${verification.disagreements}, accuracy tfjs ${percent(verification.tfjsAccuracy)} / onnx ${percent(verification.onnxAccuracy)}\n`,
    );
    if (verification.maxAbsDiff > VERIFY_MAX_ABS_DIFF || verification.disagreements > VERIFY_MAX_DISAGREEMENTS) {
      process.stderr.write(
        'error [ONNXPIPE_EXPORT_VERIFY_FAILED]: the ONNX model disagrees with tfjs; nothing was written\n',
      );
      return 1;
    }
  }

  const written = await writeModelRepositoryEntry({
    repository: options.repository,
    name: options.name,
    version: options.version,
    model,
    bytes,
    layout: options.layout,
    facts: verification === undefined ? {} : { verification },
    manifestPath: join(options.model, 'manifest.json'),
  });
  process.stdout.write(`wrote ${written.modelPath}\n      ${written.configPath}\n      ${written.manifestPath}\n`);
  if (options.quantize.length > 0) {
    const test = await loadDataset({ name: manifest.dataset.name as 'mnist', split: 'test', dataDir: options.dataDir });
    const report = await writeVariants({
      versionDir: dirname(written.modelPath),
      precisions: options.quantize,
      test,
      maxDropPoints: options.maxDropPoints,
    });
    process.stdout.write(`variants on ${test.count} test images:\n${formatVariantsReport(report)}`);
  }
  return 0;
}

await runCli(process, {
  parse: () => parseExportArgs(process.argv.slice(2), process.env.INIT_CWD ?? process.cwd()),
  help: EXPORT_HELP,
  usageError: ExportUsageError,
  run,
});
