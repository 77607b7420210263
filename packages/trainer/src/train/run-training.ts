import { availableParallelism } from 'node:os';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { createRng, deriveSeed } from '@onnxpipe/core';
import { batchRanges, epochOrder, loadDataset } from '@onnxpipe/data';
import { selectBackend, type BackendSelection } from '../backends/select-backend.js';
import { initializeParameters } from '../model/reference-network.js';
import { stepLearningRate } from '../optim/adadelta.js';
import { readLatestCheckpoint, writeCheckpoint } from './checkpoint.js';
import type { EpochRecord } from './epoch-record.js';
import type { EvaluationShard, TrainingData } from './gradient-engine.js';
import { allocateParameters, createGradientComputer, createOptimizer } from './create-gradient-computer.js';
import { writeOutputs } from './outputs.js';
import { gitCommit } from './provenance.js';
import { trajectoryDigest, type TrainOptions } from './train-options.js';
import type { TrainingEvents, TrainingResult } from './training-result.js';

/** Trains the reference network as the PyTorch example does and writes every output to `options.out`. */
export async function runTraining(options: TrainOptions, events: TrainingEvents): Promise<TrainingResult> {
  const [train, test] = await Promise.all(
    (['train', 'test'] as const).map((split) =>
      loadDataset({ name: options.dataset, split, dataDir: options.dataDir, download: options.download }),
    ),
  );
  const trainCount = Math.min(options.limit ?? train.count, train.count);
  const testCount = options.dryRun ? Math.min(options.testBatchSize, test.count) : test.count;
  const data: TrainingData = {
    trainImages: train.images.subarray(0, trainCount * train.rows * train.cols),
    trainLabels: train.labels.subarray(0, trainCount),
    testImages: test.images.subarray(0, testCount * test.rows * test.cols),
    testLabels: test.labels.subarray(0, testCount),
    normalization: train.normalization,
  };

  // The code that trains is the code at the start: commits made during a long run do not count.
  const commit = gitCommit();
  const backend = await selectBackend(options.backend, { accelerators: !options.noAccel });
  for (const { backend: name, reason } of backend.skipped) events.log(`backend ${name} skipped: ${reason}`);
  const workers = chooseWorkers(options, backend, events);
  events.log(`backend: ${backend.backend} (tfjs '${backend.tfjsBackend}'), ${workers} worker${workers > 1 ? 's' : ''}`);

  const params = allocateParameters(workers);
  const optimizer = createOptimizer(params);
  const digest = trajectoryDigest(options);
  const checkpoints = join(options.out, 'checkpoints');
  const history: EpochRecord[] = [];
  let firstEpoch = 1;
  const resumed = options.resume ? await readLatestCheckpoint(checkpoints) : undefined;
  if (resumed !== undefined) {
    if (resumed.configDigest !== digest) {
      throw new Error(`--resume: the checkpoint in ${checkpoints} was trained with ${resumed.configDigest}, not ${digest}`);
    }
    params.set(resumed.params);
    optimizer.restore(resumed);
    history.push(...resumed.history);
    firstEpoch = resumed.epoch + 1;
    events.log(`resuming after epoch ${resumed.epoch} from ${checkpoints}`);
  } else {
    initializeParameters(params, createRng(options.seed).next);
  }

  const computer = await createGradientComputer({ workers, backend: backend.backend, data, params, optimizer });
  const lastEpoch = options.dryRun ? firstEpoch : options.epochs;
  let evaluation: EvaluationShard | undefined;
  try {
    for (let epoch = firstEpoch; epoch <= lastEpoch; epoch++) {
      const lr = stepLearningRate(options.lr, options.gamma, epoch);
      const order = epochOrder(trainCount, { shuffle: true, seed: options.seed, epoch });
      const ranges = [...batchRanges(trainCount, options.batchSize)];
      const steps = options.dryRun ? 1 : ranges.length;
      let lossSum = 0;
      let seen = 0;
      const started = performance.now();
      for (let step = 0; step < steps; step++) {
        const { start, end } = ranges[step];
        const count = end - start;
        const batchLoss = await computer.trainStep(order.subarray(start, end), deriveSeed(options.seed, epoch, step), lr);
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
      evaluation = await computer.evaluate(options.testBatchSize);
      const record: EpochRecord = {
        epoch,
        trainLoss: lossSum / seen,
        testLoss: evaluation.lossSum / testCount,
        testAccuracy: evaluation.correct / testCount,
        testCorrect: evaluation.correct,
        learningRate: lr,
        seconds,
        imagesPerSecond: seen / seconds,
        trainImages: seen,
        rssMiB: Math.round(process.memoryUsage().rss / 2 ** 20),
      };
      history.push(record);
      events.epochDone?.(record);
      events.log(
        `\nTest set: Average loss: ${record.testLoss.toFixed(4)}, Accuracy: ${evaluation.correct}/${testCount} ` +
          `(${Math.round(100 * record.testAccuracy)}%)\n`,
      );
      await mkdir(checkpoints, { recursive: true });
      await writeCheckpoint(checkpoints, { epoch, configDigest: digest, history, params, ...optimizer.state });
    }
    evaluation ??= await computer.evaluate(options.testBatchSize);
  } finally {
    await computer.dispose();
  }
  const result: TrainingResult = { history, backend, workers, params, evaluation, gitCommit: commit };
  await writeOutputs(options, result, { train, test, testCount });
  return result;
}

function chooseWorkers(options: TrainOptions, backend: BackendSelection, events: TrainingEvents): number {
  const requested = options.workers ?? (backend.singleThreaded ? availableParallelism() : 1);
  if (!Number.isInteger(requested) || requested < 1) {
    throw new RangeError(`'workers' must be a positive integer; received ${requested}`);
  }
  if (requested > 1 && !backend.singleThreaded) {
    events.log(`--workers ${requested} ignored: the ${backend.backend} backend already uses every core`);
    return 1;
  }
  return requested;
}
