import { mkdir } from 'node:fs/promises';
import { basename, join } from 'node:path';
import type { loadDataset } from '@onnxpipe/data';
import { buildLayersModel, saveLayersModel, setModelParameters, writeAtomically } from '../model/layers-model.js';
import { multiplyAccumulates, parameterSpecs, statisticSpecs, tensorLayout } from '../model/network-spec.js';
import { computeConfusionMatrix, renderTrainingReport, type MisclassifiedDigit } from '../report/index.js';
import { packageVersions } from './provenance.js';
import type { EvaluationShard } from './engine-data.js';
import type { TrainingResult } from './training-events.js';
import type { TrainOptions } from './train-options.js';

type Dataset = Awaited<ReturnType<typeof loadDataset>>;

/** How many misclassified test digits the report draws. */
const REPORT_MISCLASSIFIED = 100;

/**
 * Everything a finished run leaves in `options.out`: the tfjs artifacts (model.json, weights.bin),
 * metrics.jsonl, manifest.json and report.html.
 */
export async function writeOutputs(
  options: TrainOptions,
  result: TrainingResult,
  datasets: { train: Dataset; test: Dataset; testCount: number },
): Promise<void> {
  const { out } = options;
  await mkdir(out, { recursive: true });
  const network = result.recipe.network;
  const model = buildLayersModel(network);
  setModelParameters(model, network, result.params, result.statistics);
  await saveLayersModel(model, out);
  model.dispose();

  await writeAtomically(join(out, 'metrics.jsonl'), result.history.map((r) => JSON.stringify(r)).join('\n') + '\n');

  const final = result.history.at(-1);
  const { test, train, testCount } = datasets;
  const manifest = {
    name: options.dataset,
    format: 'tfjs-layers',
    files: { model: 'model.json', weights: 'weights.bin', metrics: 'metrics.jsonl', report: 'report.html' },
    dataset: {
      name: options.dataset,
      classNames: train.classNames,
      normalization: train.normalization,
      train: {
        images: fileFacts(train.files.images),
        labels: fileFacts(train.files.labels),
        used: result.history.at(-1)?.trainImages ?? 0,
      },
      test: { images: fileFacts(test.files.images), labels: fileFacts(test.files.labels), used: testCount },
    },
    recipe: { name: result.recipe.name, without: options.without, summary: result.recipe.summary },
    network: {
      name: network.name,
      inputShape: network.inputShape,
      layout: 'NHWC',
      parameters: tensorLayout(parameterSpecs(network)).total,
      multiplyAccumulates: multiplyAccumulates(network),
      weights: parameterSpecs(network).map((s) => ({ name: s.name, shape: s.shape })),
      statistics: statisticSpecs(network).map((s) => ({ name: s.name, shape: s.shape })),
      weightAverageDecay: result.recipe.weightAverageDecay ?? null,
    },
    config: { ...options, out: undefined, dataDir: undefined },
    backend: result.backend.backend,
    workers: result.workers,
    packages: packageVersions(),
    gitCommit: result.gitCommit,
    epochs: result.history.length,
    trainingSeconds: result.history.reduce((s, r) => s + r.seconds, 0),
    finalTestAccuracy: final?.testAccuracy ?? null,
    finalTestLoss: final?.testLoss ?? null,
    devSet:
      result.dev === undefined
        ? null
        : {
            folder: basename(result.dev.set.dir),
            images: result.dev.set.labels.length,
            accuracy: result.dev.evaluation.correct / result.dev.set.labels.length,
          },
    createdAt: new Date().toISOString(),
  };
  await writeAtomically(join(out, 'manifest.json'), JSON.stringify(manifest, null, 2) + '\n');

  const pixels = test.rows * test.cols;
  const misclassified = misclassifiedDigits(test.labels.subarray(0, testCount), result.evaluation, test.images, pixels);
  const classes = train.classNames.length;
  const dev = result.dev;
  const devSet =
    dev === undefined
      ? undefined
      : {
          description: `${basename(dev.set.dir)} (${dev.set.labels.length.toLocaleString('en-US')} digits of real handwriting, not MNIST)`,
          confusion: computeConfusionMatrix(dev.set.labels, dev.evaluation.predictions, classes),
          misclassified: misclassifiedDigits(dev.set.labels, dev.evaluation, dev.set.images, pixels),
        };
  const html = renderTrainingReport({
    title: `onnxpipe — ${options.dataset}`,
    classNames: train.classNames,
    epochs: [...result.history],
    confusion: computeConfusionMatrix(test.labels.subarray(0, testCount), result.evaluation.predictions, classes),
    misclassified,
    devSet,
    imageSize: { rows: test.rows, cols: test.cols },
    summary: {
      dataset: options.dataset,
      recipe:
        options.without.length > 0 ? `${result.recipe.name} without ${options.without.join(', ')}` : result.recipe.name,
      'test accuracy': final === undefined ? 'n/a' : `${(100 * final.testAccuracy).toFixed(2)} %`,
      ...(dev === undefined
        ? {}
        : { 'real handwriting (dev set)': `${((100 * dev.evaluation.correct) / dev.set.labels.length).toFixed(2)} %` }),
      backend: `${result.backend.backend} × ${result.workers} worker(s)`,
      epochs: result.history.length,
      'batch size': options.batchSize,
      'learning rate':
        result.recipe.name === 'reference'
          ? `${options.lr} (×${options.gamma} per epoch)`
          : `${options.lr} (one-cycle peak)`,
      seed: options.seed,
      parameters: tensorLayout(parameterSpecs(network)).total.toLocaleString('en-US'),
      'training time': `${Math.round(manifest.trainingSeconds)} s`,
      'train images sha256': train.files.images.sha256,
      'git commit': manifest.gitCommit ?? 'n/a',
    },
    generatedAt: manifest.createdAt,
  });
  await writeAtomically(join(out, 'report.html'), html);
}

/** File name and checksum: where the data sat on the training machine is nobody else's business. */
function fileFacts(file: { path: string; sha256: string }): { file: string; sha256: string } {
  return { file: basename(file.path), sha256: file.sha256 };
}

/** The first {@link REPORT_MISCLASSIFIED} images an evaluation got wrong, for a report gallery. */
function misclassifiedDigits(
  labels: Uint8Array,
  evaluation: EvaluationShard,
  images: Uint8Array,
  pixels: number,
): MisclassifiedDigit[] {
  const wrong: MisclassifiedDigit[] = [];
  for (let i = 0; i < labels.length && wrong.length < REPORT_MISCLASSIFIED; i++) {
    const predicted = evaluation.predictions[i];
    if (predicted === labels[i]) continue;
    wrong.push({
      index: i,
      trueLabel: labels[i],
      predictedLabel: predicted,
      confidence: evaluation.confidences[i],
      pixels: images.subarray(i * pixels, (i + 1) * pixels),
    });
  }
  return wrong;
}
