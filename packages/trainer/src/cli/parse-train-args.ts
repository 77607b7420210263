import { parseArgs } from 'node:util';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BACKEND_CHOICES, isBackendChoice } from '../backends/select-backend.js';
import { DATASET_CHOICES, DEFAULT_TRAIN_OPTIONS, type DatasetName, type TrainOptions } from '../train/train-options.js';

export class UsageError extends Error {
  readonly code = 'ONNXPIPE_TRAINER_USAGE';
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

const d = DEFAULT_TRAIN_OPTIONS;

export const TRAIN_HELP = `Usage: npm run train -- [options]

Trains the reference MNIST CNN (PyTorch example recipe) with TensorFlow.js.

Reference options (same names and defaults as the PyTorch example):
  --batch-size N        input batch size for training (default ${d.batchSize})
  --test-batch-size N   input batch size for testing (default ${d.testBatchSize})
  --epochs N            number of epochs to train (default ${d.epochs})
  --lr LR               learning rate (default ${d.lr})
  --gamma G             learning-rate step gamma, applied every epoch (default ${d.gamma})
  --no-accel            disable GPU backends (auto picks tensorflow or wasm)
  --dry-run             one training step and one test batch, to check the pipeline
  --seed S              random seed (default ${d.seed})
  --log-interval N      batches between log lines (default ${d.logInterval})
  --save-model          accepted for compatibility: the model is always saved to --out

onnxpipe options:
  --dataset NAME        ${DATASET_CHOICES.join(' | ')} (default ${d.dataset})
  --data-dir DIR        directory holding the dataset's IDX files
                        (default: $ONNXPIPE_DATA_DIR, then data/<dataset>/, downloading if missing)
  --no-download         fail instead of downloading missing dataset files
  --out DIR             output directory (default models/<dataset>; with --dry-run, a temp dir)
  --backend NAME        ${BACKEND_CHOICES.join(' | ')} (default ${d.backend})
  --workers N           data-parallel worker threads (default: one per core on wasm/cpu)
  --limit N             train on the first N training images only
  --resume              continue from the newest checkpoint in <out>/checkpoints
  --json                print JSON lines (one per log line and epoch) instead of human lines
  -h, --help            show this help
`;

/** Parses `npm run train` arguments into validated options; throws {@link UsageError}. */
export interface TrainCliOptions extends TrainOptions {
  /** JSON lines on stdout instead of human lines and a progress bar. */
  readonly json: boolean;
}

export function parseTrainArgs(argv: string[], cwd: string): TrainCliOptions | 'help' {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      strict: true,
      allowPositionals: false,
      options: {
        'batch-size': { type: 'string' },
        'test-batch-size': { type: 'string' },
        epochs: { type: 'string' },
        lr: { type: 'string' },
        gamma: { type: 'string' },
        'no-accel': { type: 'boolean' },
        'dry-run': { type: 'boolean' },
        seed: { type: 'string' },
        'log-interval': { type: 'string' },
        'save-model': { type: 'boolean' },
        dataset: { type: 'string' },
        'data-dir': { type: 'string' },
        'no-download': { type: 'boolean' },
        out: { type: 'string' },
        backend: { type: 'string' },
        workers: { type: 'string' },
        limit: { type: 'string' },
        resume: { type: 'boolean' },
        json: { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
      },
    });
  } catch (error) {
    throw new UsageError(`${(error as Error).message}\nRun with --help for the list of options.`);
  }
  const v = parsed.values;
  if (v.help) return 'help';
  const dataset = v.dataset ?? d.dataset;
  if (!(DATASET_CHOICES as readonly string[]).includes(dataset)) {
    throw new UsageError(`'--dataset' must be one of ${DATASET_CHOICES.join(', ')}; received "${dataset}"`);
  }
  const backend = v.backend ?? d.backend;
  if (!isBackendChoice(backend)) {
    throw new UsageError(`'--backend' must be one of ${BACKEND_CHOICES.join(', ')}; received "${backend}"`);
  }
  return {
    dataset: dataset as DatasetName,
    dataDir: v['data-dir'],
    batchSize: integer('batch-size', v['batch-size'], d.batchSize, 1),
    testBatchSize: integer('test-batch-size', v['test-batch-size'], d.testBatchSize, 1),
    epochs: integer('epochs', v.epochs, d.epochs, 1),
    lr: number('lr', v.lr, d.lr),
    gamma: number('gamma', v.gamma, d.gamma),
    noAccel: v['no-accel'] ?? d.noAccel,
    dryRun: v['dry-run'] ?? d.dryRun,
    seed: integer('seed', v.seed, d.seed, 0),
    logInterval: integer('log-interval', v['log-interval'], d.logInterval, 1),
    // A dry run must not overwrite a trained model: by default it writes to the temp directory.
    out: v.out ?? (v['dry-run'] ? join(tmpdir(), `onnxpipe-dry-run-${dataset}`) : join(cwd, 'models', dataset)),
    backend,
    workers: v.workers === undefined ? undefined : integer('workers', v.workers, 1, 1),
    limit: v.limit === undefined ? undefined : integer('limit', v.limit, 0, 1),
    resume: v.resume ?? d.resume,
    download: !(v['no-download'] ?? false),
    json: v.json ?? false,
  };
}

function integer(name: string, raw: string | undefined, fallback: number, min: number): number {
  if (raw === undefined) return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min) {
    throw new UsageError(`'--${name}' must be an integer ≥ ${min}; received "${raw}"`);
  }
  return value;
}

function number(name: string, raw: string | undefined, fallback: number): number {
  if (raw === undefined) return fallback;
  const value = Number(raw);
  if (!Number.isFinite(value) || value <= 0) {
    throw new UsageError(`'--${name}' must be a positive number; received "${raw}"`);
  }
  return value;
}
