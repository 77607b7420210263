import * as tf from '@tensorflow/tfjs';
import { createRng, deriveSeed } from '@onnxpipe/core';
import { epochOrder, loadDataset } from '@onnxpipe/data';
import { selectBackend, type ConcreteBackend } from '../backends/select-backend.js';
import { initializeParameters } from '../model/reference-network.js';
import { allocateParameters, createGradientComputer, createOptimizer } from '../train/create-gradient-computer.js';
import { GradientEngine } from '../train/gradient-engine.js';

export interface TrainerMeasurement {
  readonly backend: ConcreteBackend;
  readonly workers: number;
  readonly steps: number;
  readonly imagesPerSecond: number;
  readonly peakRssMiB: number;
}

export interface MeasureOptions {
  readonly backend: ConcreteBackend;
  readonly workers: number;
  readonly steps: number;
  readonly warmupSteps: number;
  readonly batchSize: number;
  readonly dataDir: string;
}

/**
 * Times `steps` full training steps (gradients on every worker, averaging, Adadelta) after a
 * warm-up, on real MNIST batches in the trainer's shuffled order. Meant to run alone in a
 * process, so that the backend and the peak RSS belong to this configuration only.
 */
export async function measureTrainer(options: MeasureOptions): Promise<TrainerMeasurement> {
  const selection = await selectBackend(options.backend);
  const train = await loadDataset({ name: 'mnist', split: 'train', dataDir: options.dataDir, download: false });
  const data = {
    trainImages: train.images,
    trainLabels: train.labels,
    testImages: new Uint8Array(0),
    testLabels: new Uint8Array(0),
    normalization: train.normalization,
  };
  const params = allocateParameters(options.workers);
  initializeParameters(params, createRng(1).next);
  const optimizer = createOptimizer(params);
  const computer = await createGradientComputer({ workers: options.workers, backend: selection.backend, data, params, optimizer });
  const order = epochOrder(train.count, { shuffle: true, seed: 1, epoch: 1 });
  const step = (i: number) =>
    computer.trainStep(order.subarray(i * options.batchSize, (i + 1) * options.batchSize), deriveSeed(1, 1, i), 1.0);
  try {
    for (let i = 0; i < options.warmupSteps; i++) await step(i);
    const started = performance.now();
    for (let i = 0; i < options.steps; i++) await step(options.warmupSteps + i);
    const seconds = (performance.now() - started) / 1000;
    return {
      backend: selection.backend,
      workers: computer.workers,
      steps: options.steps,
      imagesPerSecond: (options.steps * options.batchSize) / seconds,
      peakRssMiB: process.resourceUsage().maxRSS / 1024,
    };
  } finally {
    await computer.dispose();
  }
}

/** Milliseconds per kernel for one training step on this thread (tf.profile), largest first. */
export async function profileTrainingStep(options: MeasureOptions): Promise<{ kernel: string; ms: number }[]> {
  await selectBackend(options.backend);
  const train = await loadDataset({ name: 'mnist', split: 'train', dataDir: options.dataDir, download: false });
  const data = { trainImages: train.images, trainLabels: train.labels, testImages: new Uint8Array(0), testLabels: new Uint8Array(0), normalization: train.normalization };
  const params = allocateParameters(1);
  initializeParameters(params, createRng(1).next);
  const engine = new GradientEngine(data, params);
  const grads = new Float32Array(params.length);
  const indices = Int32Array.from({ length: options.batchSize }, (_, i) => i);
  for (let i = 0; i < options.warmupSteps; i++) engine.gradients(indices, i, grads);
  const profile = await tf.profile(() => {
    engine.gradients(indices, 99, grads);
    return [];
  });
  const byKernel = new Map<string, number>();
  for (const k of profile.kernels) byKernel.set(k.name, (byKernel.get(k.name) ?? 0) + Number(k.kernelTimeMs));
  return [...byKernel].map(([kernel, ms]) => ({ kernel, ms })).sort((a, b) => b.ms - a.ms);
}
