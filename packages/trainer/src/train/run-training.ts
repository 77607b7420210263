import { availableParallelism } from 'node:os';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { deriveSeed } from '@onnxpipe/core';
import { batchRanges, epochOrder, loadDataset } from '@onnxpipe/data';
import { selectBackend, type BackendSelection } from '../backends/select-backend.js';
import { ONNXPIPE_TRAINER_BAD_CHECKPOINT } from '../errors.js';
import { resolveRecipe } from '../recipes/resolve-recipe.js';
import { readLatestCheckpoint, writeCheckpoint } from './checkpoint.js';
import { createGradientComputer } from './create-gradient-computer.js';
import { loadDevSet } from './dev-set.js';
import type { EpochRecord } from './epoch-record.js';
import type { EvaluationShard, TrainingData } from './engine-data.js';
import { writeOutputs } from './write-outputs.js';
import { gitCommit } from './provenance.js';
import { trajectoryDigest, type TrainOptions } from './train-options.js';
import { createTrainingState, stateArrays } from './training-state.js';
import type { TrainingEvents, TrainingResult } from './training-events.js';

/**
 * Training images whose batch moments give the batch normalisations' population statistics
 * before each evaluation: 10,000 estimate every channel's mean and variance to well under 1 %.
 */
export const CALIBRATION_IMAGES = 10_000;

/** Trains `options.recipe` and writes every output to `options.out`. */
export async function runTraining(options: TrainOptions, events: TrainingEvents): Promise<TrainingResult> {
  const recipe = resolveRecipe(options.recipe, options.without);
  const [train, test] = await Promise.all(
    (['train', 'test'] as const).map((split) =>
      loadDataset({ name: options.dataset, split, dataDir: options.dataDir, download: options.download }),
    ),
  );
  const trainCount = Math.min(options.limit ?? train.count, train.count);
  const testCount = options.dryRun ? Math.min(options.testBatchSize, test.count) : test.count;
  const devSet = loadDevSet(options.devSet, options.dataset, train.normalization);
  if (devSet !== undefined)
    events.log(
      `development set: ${devSet.labels.length} digits of real handwriting in ${devSet.dir} (measured, never trained on)`,
    );
  const data: TrainingData = {
    trainImages: train.images.subarray(0, trainCount * train.rows * train.cols),
    trainLabels: train.labels.subarray(0, trainCount),
    testImages: test.images.subarray(0, testCount * test.rows * test.cols),
    testLabels: test.labels.subarray(0, testCount),
    devImages: devSet?.images ?? new Uint8Array(0),
    devLabels: devSet?.labels ?? new Uint8Array(0),
    normalization: train.normalization,
  };

  // The code that trains is the code at the start: commits made during a long run do not count.
  const commit = gitCommit();
  const backend = await selectBackend(options.backend, { accelerators: !options.noAccel });
  for (const { backend: name, reason } of backend.skipped) events.log(`backend ${name} skipped: ${reason}`);
  const workers = chooseWorkers(options, backend, events);
  events.log(`recipe: ${recipe.name}${options.without.length > 0 ? ` without ${options.without.join(', ')}` : ''}`);
  const threads =
    backend.backend === 'onnxruntime'
      ? (options.threads ?? Math.max(1, Math.floor(availableParallelism() / workers)))
      : undefined;
  if (options.threads !== undefined && threads === undefined)
    events.log(`--threads ${options.threads} ignored: only the onnxruntime backend uses it`);
  const parallelism = `${workers} worker${workers > 1 ? 's' : ''}${threads === undefined ? '' : ` × ${threads} intra-op thread${threads > 1 ? 's' : ''}`}`;
  events.log(
    `backend: ${backend.backend} (${backend.detail}), ${parallelism}${backend.why ? ` — ${backend.why}` : ''}`,
  );

  const state = createTrainingState(recipe, workers, options.seed);
  const digest = trajectoryDigest(options);
  const checkpoints = join(options.out, 'checkpoints');
  const history: EpochRecord[] = [];
  let firstEpoch = 1;
  const resumed = options.resume ? await readLatestCheckpoint(checkpoints) : undefined;
  if (resumed !== undefined) {
    if (resumed.configDigest !== digest) {
      throw new ONNXPIPE_TRAINER_BAD_CHECKPOINT(
        `--resume: the checkpoint in ${checkpoints} was trained with ${resumed.configDigest}, not ${digest}`,
      );
    }
    for (const [name, array] of Object.entries(stateArrays(state))) {
      const saved = resumed.arrays[name];
      if (saved?.length !== array.length) {
        throw new ONNXPIPE_TRAINER_BAD_CHECKPOINT(
          `--resume: the checkpoint in ${checkpoints} has no array '${name}' of ${array.length} values`,
        );
      }
      array.set(saved);
    }
    history.push(...resumed.history);
    firstEpoch = resumed.epoch + 1;
    events.log(`resuming after epoch ${resumed.epoch} from ${checkpoints}`);
  }

  const computer = await createGradientComputer({
    workers,
    backend: backend.backend,
    executionProvider: backend.executionProvider,
    threads,
    recipe,
    without: options.without,
    data,
    state,
  });
  const lastEpoch = options.dryRun ? firstEpoch : options.epochs;
  const stepsPerEpoch = Math.ceil(trainCount / options.batchSize);
  let evaluation: EvaluationShard | undefined;
  let devEvaluation: EvaluationShard | undefined;
  const evaluateAll = async () => {
    await computer.calibrate(CALIBRATION_IMAGES, options.testBatchSize);
    evaluation = await computer.evaluate('test', options.testBatchSize);
    devEvaluation = devSet === undefined ? undefined : await computer.evaluate('dev', options.testBatchSize);
  };
  try {
    for (let epoch = firstEpoch; epoch <= lastEpoch; epoch++) {
      const order = epochOrder(trainCount, { shuffle: true, seed: options.seed, epoch });
      const ranges = [...batchRanges(trainCount, options.batchSize)];
      const steps = options.dryRun ? 1 : ranges.length;
      let lossSum = 0;
      let seen = 0;
      let lr = recipe.learningRate(options, epoch, 0, stepsPerEpoch);
      const firstLr = lr;
      const started = performance.now();
      for (let step = 0; step < steps; step++) {
        const { start, end } = ranges[step];
        const count = end - start;
        lr = recipe.learningRate(options, epoch, step, stepsPerEpoch);
        const batchLoss = await computer.trainStep({
          indices: order.subarray(start, end),
          seed: deriveSeed(options.seed, epoch, step),
          lr,
          step: (epoch - 1) * stepsPerEpoch + step + 1,
        });
        lossSum += batchLoss * count;
        seen += count;
        if (step % options.logInterval === 0) {
          const percent = Math.round((100 * step) / ranges.length);
          events.log(`Train Epoch: ${epoch} [${start}/${trainCount} (${percent}%)]\tLoss: ${batchLoss.toFixed(6)}`);
          events.stepLogged?.({ epoch, images: start, total: trainCount, loss: batchLoss });
        }
        events.progress?.({ epoch, done: seen, total: steps === ranges.length ? trainCount : seen });
      }
      const seconds = (performance.now() - started) / 1000;
      await evaluateAll();
      const tested = evaluation!;
      const record: EpochRecord = {
        epoch,
        trainLoss: lossSum / seen,
        testLoss: tested.lossSum / testCount,
        testAccuracy: tested.correct / testCount,
        testCorrect: tested.correct,
        learningRate: firstLr,
        ...(lr !== firstLr ? { finalLearningRate: lr } : {}),
        seconds,
        imagesPerSecond: seen / seconds,
        trainImages: seen,
        rssMiB: Math.round(process.memoryUsage().rss / 2 ** 20),
        ...(devEvaluation === undefined
          ? {}
          : {
              devAccuracy: devEvaluation.correct / devSet!.labels.length,
              devLoss: devEvaluation.lossSum / devSet!.labels.length,
            }),
      };
      history.push(record);
      events.epochDone?.(record);
      events.log(
        `\nTest set: Average loss: ${record.testLoss.toFixed(4)}, Accuracy: ${tested.correct}/${testCount} ` +
          `(${Math.round(100 * record.testAccuracy)}%)\n`,
      );
      if (devEvaluation !== undefined) {
        const devCount = devSet!.labels.length;
        events.log(
          `Development set (real handwriting): Accuracy: ${devEvaluation.correct}/${devCount} (${(100 * record.devAccuracy!).toFixed(2)}%)\n`,
        );
      }
      await mkdir(checkpoints, { recursive: true });
      await writeCheckpoint(checkpoints, { epoch, configDigest: digest, history, arrays: stateArrays(state) });
    }
    if (evaluation === undefined) await evaluateAll();
  } finally {
    await computer.dispose();
  }
  const result: TrainingResult = {
    recipe,
    history,
    backend,
    workers,
    params: state.averaged ?? state.params,
    statistics: state.statistics,
    evaluation: evaluation!,
    ...(devSet === undefined || devEvaluation === undefined ? {} : { dev: { set: devSet, evaluation: devEvaluation } }),
    gitCommit: commit,
  };
  await writeOutputs(options, result, { train, test, testCount });
  return result;
}

function chooseWorkers(options: TrainOptions, backend: BackendSelection, events: TrainingEvents): number {
  const requested = options.workers ?? (backend.singleThreaded ? availableParallelism() : 1);
  if (!Number.isInteger(requested) || requested < 1) {
    throw new RangeError(`'workers' must be a positive integer; received ${requested}`);
  }
  // onnxruntime may also split a batch over workers (--workers N): each runs the gradient graph of its share.
  if (requested > 1 && !backend.singleThreaded && backend.backend !== 'onnxruntime') {
    events.log(`--workers ${requested} ignored: the ${backend.backend} backend already uses every core`);
    return 1;
  }
  return requested;
}
