import type { BackendChoice } from '../backends/select-backend.js';

export const DATASET_CHOICES = ['mnist', 'fashion-mnist'] as const;
export type DatasetName = (typeof DATASET_CHOICES)[number];

/** Everything a training run depends on; the CLI flags map one to one (see `--help`). */
export interface TrainOptions {
  readonly dataset: DatasetName;
  readonly dataDir?: string;
  readonly batchSize: number;
  readonly testBatchSize: number;
  readonly epochs: number;
  readonly lr: number;
  readonly gamma: number;
  /** Skip GPU backends (the reference's `--no-accel`). */
  readonly noAccel: boolean;
  /** One training step and one test batch, to check the pipeline end to end. */
  readonly dryRun: boolean;
  readonly seed: number;
  readonly logInterval: number;
  /** Output directory: artifacts, metrics, manifest, report, checkpoints. */
  readonly out: string;
  readonly backend: BackendChoice;
  /** Train on the first N training images only. */
  readonly limit?: number;
  readonly resume: boolean;
  /** Data-parallel workers; default: one per core on wasm/cpu, one on the native backends. */
  readonly workers?: number;
  /** Allow downloading missing dataset files. */
  readonly download: boolean;
}

export const DEFAULT_TRAIN_OPTIONS = {
  dataset: 'mnist',
  batchSize: 64,
  testBatchSize: 1000,
  epochs: 14,
  lr: 1.0,
  gamma: 0.7,
  noAccel: false,
  dryRun: false,
  seed: 1,
  logInterval: 10,
  backend: 'auto',
  resume: false,
  download: true,
} as const satisfies Partial<TrainOptions>;

/** The options that change the trajectory of training: a resumed run must match them. */
export function trajectoryDigest(options: TrainOptions): string {
  const { dataset, batchSize, lr, gamma, seed, limit, dryRun } = options;
  return JSON.stringify({ dataset, batchSize, lr, gamma, seed, limit: limit ?? null, dryRun });
}
