import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { ABLATION_CHOICES, type RecipeName } from '../recipes/recipe.js';
import { resolveRecipe } from '../recipes/resolve-recipe.js';
import { runTraining } from '../train/run-training.js';
import { DEFAULT_TRAIN_OPTIONS, type TrainOptions } from '../train/train-options.js';

/**
 * `npm run bench:ablation`: what each part of the robust recipe earns. Trains the robust recipe,
 * then the robust recipe without each part in turn (`--without`), and the reference recipe, all
 * on the same short budget and seed, one after another, and prints a Markdown table of MNIST test
 * accuracy, development-set accuracy (real handwriting) and training time (docs/recipes.md).
 *
 *   npm run bench:ablation -- [--epochs 3] [--limit 20000] [--parts styles,elastic] [--seed 1]
 */
const { values } = parseArgs({
  options: {
    epochs: { type: 'string', default: '3' },
    limit: { type: 'string', default: '20000' },
    parts: { type: 'string', default: ABLATION_CHOICES.join(',') },
    seed: { type: 'string', default: '1' },
    workers: { type: 'string' },
    'data-dir': { type: 'string' },
  },
});

interface Row {
  readonly label: string;
  readonly testAccuracy: number;
  readonly devAccuracy: number | undefined;
  readonly minutes: number;
}

const runs: { label: string; recipe: RecipeName; without: string[] }[] = [
  { label: 'robust (all parts)', recipe: 'robust', without: [] },
  ...values
    .parts!.split(',')
    .filter((p) => p !== '')
    .map((part) => ({ label: `without ${part}`, recipe: 'robust' as const, without: [part] })),
  { label: 'reference recipe', recipe: 'reference', without: [] },
];

const rows: Row[] = [];
for (const run of runs) {
  const out = await mkdtemp(join(tmpdir(), 'onnxpipe-ablation-'));
  try {
    const options: TrainOptions = {
      ...DEFAULT_TRAIN_OPTIONS,
      recipe: run.recipe,
      without: run.without,
      epochs: Number(values.epochs),
      limit: Number(values.limit),
      seed: Number(values.seed),
      lr: resolveRecipe(run.recipe).defaults.lr,
      gamma: resolveRecipe(run.recipe).defaults.gamma,
      batchSize: resolveRecipe(run.recipe).defaults.batchSize,
      workers: values.workers === undefined ? undefined : Number(values.workers),
      dataDir: values['data-dir'],
      download: false,
      out,
    };
    const started = performance.now();
    const result = await runTraining(options, { log: () => {} });
    const final = result.history.at(-1)!;
    const row = {
      label: run.label,
      testAccuracy: final.testAccuracy,
      devAccuracy: final.devAccuracy,
      minutes: (performance.now() - started) / 60000,
    };
    rows.push(row);
    process.stderr.write(`${format(row)}\n`);
  } finally {
    await rm(out, { recursive: true, force: true });
  }
}

const baseline = rows[0];
process.stdout.write(
  `\n${values.epochs} epochs on the first ${values.limit} MNIST training images, seed ${values.seed}\n\n` +
    '| run | MNIST test | Δ | dev set (real handwriting) | Δ | minutes |\n| --- | --- | --- | --- | --- | --- |\n' +
    rows.map((row) => format(row, baseline)).join('\n') +
    '\n',
);

function format(row: Row, base?: Row): string {
  const percent = (x: number | undefined) => (x === undefined ? 'n/a' : `${(100 * x).toFixed(2)} %`);
  const delta = (x: number | undefined, y: number | undefined) =>
    base === undefined || row === base || x === undefined || y === undefined
      ? ''
      : `${x >= y ? '+' : '−'}${Math.abs(100 * (x - y)).toFixed(2)}`;
  return `| ${row.label} | ${percent(row.testAccuracy)} | ${delta(row.testAccuracy, base?.testAccuracy)} | ${percent(row.devAccuracy)} | ${delta(row.devAccuracy, base?.devAccuracy)} | ${row.minutes.toFixed(1)} |`;
}
