import { parseArgs } from 'node:util';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BACKEND_CHOICES, isBackendChoice } from '../backends/select-backend.js';
import { ONNXPIPE_TRAINER_USAGE } from '../errors.js';
import { ABLATION_CHOICES, RECIPE_CHOICES, type RecipeName } from '../recipes/recipe.js';
import { resolveRecipe } from '../recipes/resolve-recipe.js';
import { DATASET_CHOICES, DEFAULT_TRAIN_OPTIONS, type DatasetName, type TrainOptions } from '../train/train-options.js';

const d = DEFAULT_TRAIN_OPTIONS;
const robust = resolveRecipe('robust');

export const TRAIN_HELP = `Usage: npm run train -- [options]

Trains a handwritten-digit CNN with onnxruntime or TensorFlow.js, by one of two recipes:
  reference   ${resolveRecipe('reference').summary} (default)
  robust      ${resolveRecipe('robust').summary}

Reference options (same names and defaults as the PyTorch example; robust defaults in brackets):
  --batch-size N        input batch size for training (default ${d.batchSize} [${robust.defaults.batchSize}])
  --test-batch-size N   input batch size for testing (default ${d.testBatchSize})
  --epochs N            number of epochs to train (default ${d.epochs} [${robust.defaults.epochs}])
  --lr LR               learning rate (default ${d.lr} [${robust.defaults.lr}, the one-cycle peak])
  --gamma G             learning-rate step gamma, applied every epoch (default ${d.gamma}; reference only)
  --no-accel            disable GPU backends (auto runs onnxruntime on the CPU)
  --dry-run             one training step and one test batch, to check the pipeline
  --seed S              random seed (default ${d.seed})
  --log-interval N      batches between log lines (default ${d.logInterval})
  --save-model          accepted for compatibility: the model is always saved to --out

onnxpipe options:
  --recipe NAME         ${RECIPE_CHOICES.join(' | ')} (default ${d.recipe})
  --without PARTS       turn parts of the recipe off, for ablations (comma-separated):
                        ${ABLATION_CHOICES.join(', ')}
  --dev-set DIR|none    real handwriting (PNGs + labels.csv) measured after each epoch, never
                        trained on (default: $ONNXPIPE_DEV_SET_DIR, then ../shared/datasets/uji-pen-digits)
  --dataset NAME        ${DATASET_CHOICES.join(' | ')} (default ${d.dataset})
  --data-dir DIR        directory holding the dataset's IDX files
                        (default: $ONNXPIPE_DATA_DIR, then data/<dataset>/, downloading if missing)
  --no-download         fail instead of downloading missing dataset files
  --out DIR             output directory (default models/<dataset>/1 for the reference recipe,
                        models/<dataset>/2 for the robust one: the model repository's version
                        folders, where the exporter adds model.onnx; with --dry-run, a temp dir)
  --backend NAME        ${BACKEND_CHOICES.join(' | ')} (default ${d.backend}: onnxruntime,
                        on CUDA when its libraries are installed, else on the CPU)
  --workers N           data-parallel worker threads (default: one per core on wasm/cpu)
  --threads N           onnxruntime's intra-op threads (default: one per core)
  --limit N             train on the first N training images only
  --resume              continue from the newest checkpoint in <out>/checkpoints
  --json                print JSON lines (one per log line and epoch) instead of human lines
  -h, --help            show this help
`;

/** Parses `npm run train` arguments into validated options; throws `ONNXPIPE_TRAINER_USAGE`. */
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
        recipe: { type: 'string' },
        without: { type: 'string' },
        'dev-set': { type: 'string' },
        dataset: { type: 'string' },
        'data-dir': { type: 'string' },
        'no-download': { type: 'boolean' },
        out: { type: 'string' },
        backend: { type: 'string' },
        workers: { type: 'string' },
        threads: { type: 'string' },
        limit: { type: 'string' },
        resume: { type: 'boolean' },
        json: { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
      },
    });
  } catch (error) {
    throw new ONNXPIPE_TRAINER_USAGE(`${(error as Error).message}\nRun with --help for the list of options.`);
  }
  const v = parsed.values;
  if (v.help) return 'help';
  const dataset = v.dataset ?? d.dataset;
  if (!(DATASET_CHOICES as readonly string[]).includes(dataset)) {
    throw new ONNXPIPE_TRAINER_USAGE(`'--dataset' must be one of ${DATASET_CHOICES.join(', ')}; received "${dataset}"`);
  }
  const recipeName = v.recipe ?? d.recipe;
  const without =
    v.without === undefined
      ? []
      : v.without
          .split(',')
          .map((part) => part.trim())
          .filter((part) => part !== '');
  const recipe = resolveRecipe(recipeName, without);
  const backend = v.backend ?? d.backend;
  if (!isBackendChoice(backend)) {
    throw new ONNXPIPE_TRAINER_USAGE(`'--backend' must be one of ${BACKEND_CHOICES.join(', ')}; received "${backend}"`);
  }
  return {
    recipe: recipe.name,
    without,
    devSet: v['dev-set'],
    dataset: dataset as DatasetName,
    dataDir: v['data-dir'],
    batchSize: integer('batch-size', v['batch-size'], recipe.defaults.batchSize, 1),
    testBatchSize: integer('test-batch-size', v['test-batch-size'], d.testBatchSize, 1),
    epochs: integer('epochs', v.epochs, recipe.defaults.epochs, 1),
    lr: number('lr', v.lr, recipe.defaults.lr),
    gamma: number('gamma', v.gamma, recipe.defaults.gamma),
    noAccel: v['no-accel'] ?? d.noAccel,
    dryRun: v['dry-run'] ?? d.dryRun,
    seed: integer('seed', v.seed, d.seed, 0),
    logInterval: integer('log-interval', v['log-interval'], d.logInterval, 1),
    // A dry run must not overwrite a trained model: by default it writes to the temp directory.
    out:
      v.out ??
      (v['dry-run']
        ? join(tmpdir(), `onnxpipe-dry-run-${dataset}`)
        : join(cwd, 'models', dataset, String(REPOSITORY_VERSION[recipe.name]))),
    backend,
    workers: v.workers === undefined ? undefined : integer('workers', v.workers, 1, 1),
    threads: v.threads === undefined ? undefined : integer('threads', v.threads, 1, 1),
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
    throw new ONNXPIPE_TRAINER_USAGE(`'--${name}' must be an integer ≥ ${min}; received "${raw}"`);
  }
  return value;
}

function number(name: string, raw: string | undefined, fallback: number): number {
  if (raw === undefined) return fallback;
  const value = Number(raw);
  if (!Number.isFinite(value) || value <= 0) {
    throw new ONNXPIPE_TRAINER_USAGE(`'--${name}' must be a positive number; received "${raw}"`);
  }
  return value;
}

/**
 * The version folder of the model repository each recipe's run goes to by default: version 1 is
 * the seed's model, version 2 the robust one (served by default, as the newest).
 */
const REPOSITORY_VERSION: Readonly<Record<RecipeName, number>> = { reference: 1, robust: 2 };
