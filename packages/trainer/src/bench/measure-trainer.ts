import { availableParallelism } from 'node:os';
import * as tf from '@tensorflow/tfjs';
import { deriveSeed } from '@onnxpipe/core';
import { epochOrder, loadDataset } from '@onnxpipe/data';
import { selectBackend, type ConcreteBackend } from '../backends/select-backend.js';
import type { RecipeName } from '../recipes/recipe.js';
import { resolveRecipe } from '../recipes/resolve-recipe.js';
import { createGradientComputer } from '../train/create-gradient-computer.js';
import type { TrainingData } from '../train/engine-data.js';
import { TfjsEngine } from '../train/tfjs-engine.js';
import { createTrainingState } from '../train/training-state.js';

export interface TrainerMeasurement {
  readonly recipe: RecipeName;
  readonly backend: ConcreteBackend;
  readonly workers: number;
  /** onnxruntime: intra-op threads. */
  readonly threads?: number;
  readonly steps: number;
  readonly images: number;
  readonly seconds: number;
  readonly imagesPerSecond: number;
  readonly peakRssMiB: number;
  /** Process RSS after every tenth of the timed steps: flat when nothing grows step by step. */
  readonly rssMiB: readonly number[];
}

export interface MeasureOptions {
  /** @defaultValue `'reference'` */
  readonly recipe?: RecipeName;
  readonly backend: ConcreteBackend;
  readonly workers: number;
  /** onnxruntime: intra-op threads. @defaultValue one per core */
  readonly threads?: number;
  readonly steps: number;
  readonly warmupSteps: number;
  readonly batchSize: number;
  readonly dataDir: string;
}

/**
 * Times `steps` full training steps (augmentation, gradients on every worker, the update) after a
 * warm-up, on real MNIST batches in the trainer's shuffled order. Meant to run alone in a
 * process, so that the backend and the peak RSS belong to this configuration only.
 */
export async function measureTrainer(options: MeasureOptions): Promise<TrainerMeasurement> {
  const selection = await selectBackend(options.backend);
  const recipe = resolveRecipe(options.recipe ?? 'reference');
  const data = await trainingData(options.dataDir);
  const state = createTrainingState(recipe, options.workers, 1);
  const computer = await createGradientComputer({
    workers: options.workers,
    backend: selection.backend,
    executionProvider: selection.executionProvider,
    threads: options.threads,
    recipe,
    data,
    state,
  });
  const order = epochOrder(data.trainLabels.length, { shuffle: true, seed: 1, epoch: 1 });
  const stepsPerEpoch = Math.ceil(order.length / options.batchSize);
  // Steps wrap around the epoch's batches, so a measurement may be longer than an epoch.
  const step = (i: number) => {
    const k = i % stepsPerEpoch;
    const indices = order.subarray(k * options.batchSize, (k + 1) * options.batchSize);
    const loss = computer.trainStep({
      indices,
      seed: deriveSeed(1, 1, i),
      lr: recipe.learningRate({ ...recipe.defaults }, 1, k, stepsPerEpoch),
      step: i + 1,
    });
    return loss.then(() => indices.length);
  };
  const rssMiB: number[] = [];
  const sampleEvery = Math.max(1, Math.floor(options.steps / 10));
  try {
    for (let i = 0; i < options.warmupSteps; i++) await step(i);
    let images = 0;
    const started = performance.now();
    for (let i = 0; i < options.steps; i++) {
      images += await step(options.warmupSteps + i);
      if ((i + 1) % sampleEvery === 0) rssMiB.push(Math.round(process.memoryUsage().rss / 2 ** 20));
    }
    const seconds = (performance.now() - started) / 1000;
    return {
      recipe: recipe.name,
      backend: selection.backend,
      workers: computer.workers,
      ...(selection.backend === 'onnxruntime' ? { threads: options.threads ?? availableParallelism() } : {}),
      steps: options.steps,
      images,
      seconds,
      imagesPerSecond: images / seconds,
      peakRssMiB: process.resourceUsage().maxRSS / 1024,
      rssMiB,
    };
  } finally {
    await computer.dispose();
  }
}

/** Milliseconds per kernel for one training step on this thread (tf.profile), largest first. */
export async function profileTrainingStep(options: MeasureOptions): Promise<{ kernel: string; ms: number }[]> {
  await selectBackend(options.backend);
  const recipe = resolveRecipe(options.recipe ?? 'reference');
  const state = createTrainingState(recipe, 1, 1);
  const engine = new TfjsEngine(recipe, await trainingData(options.dataDir), state);
  const grads = new Float32Array(state.params.length);
  const indices = Int32Array.from({ length: options.batchSize }, (_, i) => i);
  for (let i = 0; i < options.warmupSteps; i++) engine.gradients({ indices, seed: i, offset: 0, worker: 0 }, grads);
  const profile = await tf.profile(() => {
    engine.gradients({ indices, seed: 99, offset: 0, worker: 0 }, grads);
    return [];
  });
  const byKernel = new Map<string, number>();
  for (const k of profile.kernels) byKernel.set(k.name, (byKernel.get(k.name) ?? 0) + Number(k.kernelTimeMs));
  return [...byKernel].map(([kernel, ms]) => ({ kernel, ms })).sort((a, b) => b.ms - a.ms);
}

async function trainingData(dataDir: string): Promise<TrainingData> {
  const train = await loadDataset({ name: 'mnist', split: 'train', dataDir, download: false });
  const none = new Uint8Array(0);
  return {
    trainImages: train.images,
    trainLabels: train.labels,
    testImages: none,
    testLabels: none,
    devImages: none,
    devLabels: none,
    normalization: train.normalization,
  };
}
