import type { BackendChoice } from '../backends/select-backend.js';
import type { RecipeName } from '../recipes/recipe.js';

export const DATASET_CHOICES = ['mnist', 'fashion-mnist'] as const;
export type DatasetName = (typeof DATASET_CHOICES)[number];

/** Everything a training run depends on; the CLI flags map one to one (see `--help`). */
export interface TrainOptions {
  /** Which recipe: the seed's `reference`, or `robust` (see `--help`). */
  readonly recipe: RecipeName;
  /** Parts of the recipe turned off (ablations). */
  readonly without: readonly string[];
  /**
   * Folder of real handwriting (PNGs + labels.csv) measured after each epoch and in the report;
   * `none` skips it. Default: `devSetDir()` of @onnxpipe/data, when present.
   */
  readonly devSet?: string;
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
  /** onnxruntime's intra-op threads per session; default: one per core. */
  readonly threads?: number;
  /** Allow downloading missing dataset files. */
  readonly download: boolean;
}

export const DEFAULT_TRAIN_OPTIONS = {
  recipe: 'reference',
  without: [],
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
  const { recipe, without, dataset, batchSize, lr, gamma, seed, limit, dryRun } = options;
  const common = { dataset, batchSize, lr, gamma, seed, limit: limit ?? null, dryRun };
  // The reference recipe's schedule does not depend on the run's length, so a run may be
  // extended by resuming with more epochs; a one-cycle schedule does.
  if (recipe === 'reference' && without.length === 0) return JSON.stringify(common);
  return JSON.stringify({ recipe, without, epochs: options.epochs, ...common });
}
