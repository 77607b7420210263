import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join, relative, sep } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { createProgressReporter, runCli } from '@onnxpipe/core';
import { loadDataset } from '@onnxpipe/data';
import { encodeModel } from '@onnxpipe/onnx';
import { convertLayersModel, loadLayersModelFromDir } from '../convert/index.js';
import { averageClassifiers } from '../ensemble/average-classifiers.js';
import { ONNXPIPE_EXPORT_INVALID_OPTION } from '../errors.js';
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

/** A trained network the export reads: its tfjs artifacts and the trainer's manifest beside them. */
interface TrainedNetwork {
  readonly dir: string;
  readonly layersModel: tf.LayersModel;
  readonly manifest: TrainerManifest;
}

async function loadTrainedNetwork(dir: string): Promise<TrainedNetwork> {
  const layersModel = await loadLayersModelFromDir(dir);
  const manifest = JSON.parse(await readFile(join(dir, 'manifest.json'), 'utf8')) as TrainerManifest;
  return { dir, layersModel, manifest };
}

/** `npm run export`: tfjs artifacts → ONNX → Triton-style model repository entry. */
async function run(options: ExportCliOptions): Promise<number> {
  await tf.setBackend('wasm');
  const main = await loadTrainedNetwork(options.model);
  const { layersModel, manifest } = main;
  const others = await Promise.all(options.averageWith.map(loadTrainedNetwork));
  const datasetOf = (m: TrainerManifest) => JSON.stringify([m.dataset.classNames, m.dataset.normalization]);
  for (const other of others) {
    if (datasetOf(other.manifest) !== datasetOf(manifest)) {
      throw new ONNXPIPE_EXPORT_INVALID_OPTION(
        `${other.dir} was trained with other classes or normalization than ${options.model}; only networks of one dataset average`,
      );
    }
  }
  const convert = (network: TrainedNetwork) =>
    convertLayersModel(network.layersModel, {
      layout: options.layout,
      opset: options.opset,
      producerVersion,
      metadata: modelMetadata(manifest, options.layout),
      graphName: options.name,
    });
  const model = others.length === 0 ? convert(main) : averageClassifiers([main, ...others].map(convert));
  const bytes = encodeModel(model);
  const averaged = others.length === 0 ? '' : ` averaging ${others.length + 1} networks' probabilities`;
  process.stdout.write(
    `converted ${options.model} → ONNX opset ${options.opset}, IR ${model.irVersion}, ${options.layout.toUpperCase()}, ` +
      `${(bytes.byteLength / 1024 / 1024).toFixed(2)} MiB${averaged}\n`,
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
      averageWith: others.map((other) => other.layersModel),
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
    facts: {
      ...(verification === undefined ? {} : { verification }),
      ...(others.length === 0 ? {} : { ensemble: ensembleFacts([main, ...others], options.model) }),
    },
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

/** Each averaged network: where its artifacts are (relative to the version's manifest) and how it trained. */
function ensembleFacts(networks: readonly TrainedNetwork[], versionDir: string) {
  return {
    combine: "mean of the members' probabilities",
    members: networks.map(({ dir, manifest }) => ({
      model: relative(versionDir, dir).split(sep).join('/') || '.',
      seed: manifest.config?.seed ?? null,
      finalTestAccuracy: manifest.finalTestAccuracy,
      devAccuracy: manifest.devSet?.accuracy ?? null,
    })),
  };
}

await runCli(process, {
  parse: () => parseExportArgs(process.argv.slice(2), process.env.INIT_CWD ?? process.cwd()),
  help: EXPORT_HELP,
  usageError: ExportUsageError,
  run,
});
