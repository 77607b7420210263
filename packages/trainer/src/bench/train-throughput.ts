import { spawnSync } from 'node:child_process';
import { availableParallelism, cpus } from 'node:os';
import { parseArgs } from 'node:util';
import { fileURLToPath } from 'node:url';
import { mnistTestDataDir } from '@onnxpipe/data/testing';
import { isRecipeName } from '../recipes/resolve-recipe.js';
import { RECIPE_CHOICES, type RecipeName } from '../recipes/recipe.js';
import type { ConcreteBackend } from '../backends/select-backend.js';
import {
  measureTrainer,
  profileTrainingStep,
  type MeasureOptions,
  type TrainerMeasurement,
} from './measure-trainer.js';
import { profileOnnxRuntimeStep, type OpProfile } from './profile-onnxruntime.js';
import { pytorchUnavailableReason, runPytorchPeer } from './pytorch-peer.js';

/**
 * `npm run bench:train`: training images/s of our trainer for each backend present and each
 * worker count, and of the PyTorch reference recipe on the same data in the same run, with the
 * ratio. Each configuration runs in a child process of its own (clean peak RSS, one backend).
 */
const { values } = parseArgs({
  options: {
    steps: { type: 'string', default: '100' },
    warmup: { type: 'string', default: '5' },
    'batch-size': { type: 'string', default: '64' },
    workers: { type: 'string' },
    backends: { type: 'string', default: 'onnxruntime,tensorflow-gpu,tensorflow,wasm' },
    threads: { type: 'string' },
    recipe: { type: 'string', default: 'reference' },
    'no-epoch': { type: 'boolean', default: false },
    'data-dir': { type: 'string' },
    'no-pytorch': { type: 'boolean', default: false },
    profile: { type: 'boolean', default: false },
    rounds: { type: 'string', default: '2' },
    child: { type: 'string' },
  },
});

const cores = availableParallelism();
const foundDataDir = values['data-dir'] ?? mnistTestDataDir();
if (foundDataDir === undefined)
  throw new Error('bench:train needs the MNIST files: pass --data-dir or set ONNXPIPE_DATA_DIR');
const dataDir: string = foundDataDir;
const recipe = values.recipe as RecipeName;
if (!isRecipeName(recipe))
  throw new Error(`'--recipe' must be one of ${RECIPE_CHOICES.join(', ')}; received "${values.recipe}"`);
const base = {
  recipe,
  steps: Number(values.steps),
  warmupSteps: Number(values.warmup),
  batchSize: Number(values['batch-size']),
  dataDir,
};

if (values.child !== undefined) {
  // Child mode: measure one configuration (backend:workers[:threads]) and print it as JSON.
  const [backend, workers, threads] = values.child.split(':');
  const options: MeasureOptions = {
    ...base,
    backend: backend as ConcreteBackend,
    workers: Number(workers),
    ...(threads === undefined ? {} : { threads: Number(threads) }),
  };
  try {
    const result = !values.profile
      ? await measureTrainer(options)
      : options.backend === 'onnxruntime'
        ? await profileOnnxRuntimeStep({
            recipe,
            batchSize: base.batchSize,
            steps: base.steps,
            warmupSteps: base.warmupSteps,
          })
        : await profileTrainingStep(options);
    process.stdout.write(`${JSON.stringify({ ok: true, result })}\n`);
  } catch (error) {
    process.stdout.write(`${JSON.stringify({ ok: false, reason: (error as Error).message.split('\n')[0] })}\n`);
  }
  process.exit(0);
}

function child(
  config: string,
  extra: string[] = [],
  steps = values.steps!,
  warmup = values.warmup!,
): { ok: true; result: unknown } | { ok: false; reason: string } {
  const run = spawnSync(
    process.execPath,
    [
      ...process.execArgv,
      fileURLToPath(import.meta.url),
      '--child',
      config,
      '--steps',
      steps,
      '--warmup',
      warmup,
      '--batch-size',
      values['batch-size']!,
      '--data-dir',
      dataDir,
      '--recipe',
      recipe,
      ...extra,
    ],
    { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 },
  );
  const line = run.stdout.trim().split('\n').at(-1) ?? '';
  try {
    return JSON.parse(line);
  } catch {
    return { ok: false, reason: `exit ${run.status}: ${run.stderr.trim().split('\n').at(-1)?.slice(0, 200)}` };
  }
}

const fmt = (n: number, digits = 0) =>
  n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });
const row = (cells: string[]) => `| ${cells.join(' | ')} |`;
console.log(`machine: ${cores} cores, ${cpus()[0]?.model ?? 'unknown CPU'}, Node ${process.versions.node}`);
console.log(
  `${recipe} recipe, batch ${base.batchSize}, ${base.steps} timed steps after ${base.warmupSteps} warm-up steps, real MNIST\n`,
);
// A shared machine's load comes and goes: every configuration is measured `--rounds` times, the
// order alternating between rounds so that no side always runs last, and the best round counts.
const rounds = Number(values.rounds);
const workerCounts = values.workers ? values.workers.split(',').map(Number) : [...new Set([1, cores])];
// onnxruntime either runs the whole step graph in one process, each op split over intra-op
// threads (1 and all cores), or splits the batch over data-parallel workers of one thread each.
const threadCounts = values.threads ? values.threads.split(',').map(Number) : [...new Set([1, cores])];
const configs = values
  .backends!.split(',')
  .flatMap((backend) =>
    backend === 'onnxruntime'
      ? [
          ...threadCounts.map((threads) => `${backend}:1:${threads}`),
          ...workerCounts.filter((w) => w > 1).map((workers) => `${backend}:${workers}:1`),
        ]
      : (backend === 'wasm' || backend === 'cpu' ? workerCounts : [1]).map((workers) => `${backend}:${workers}`),
  );
// The PyTorch peer is the reference recipe (pytorch/examples' MNIST): no peer for the robust one.
const unavailable = values['no-pytorch']
  ? 'disabled by --no-pytorch'
  : recipe !== 'reference'
    ? `the PyTorch peer runs the reference recipe only`
    : pytorchUnavailableReason();
const best = new Map<string, TrainerMeasurement>();
const skipped = new Map<string, string>();
let peer: ReturnType<typeof runPytorchPeer> | undefined;
const measurePeer = () => {
  const run = runPytorchPeer({
    steps: base.steps + base.warmupSteps,
    threads: cores,
    batchSize: base.batchSize,
    dataDir,
  });
  if (peer === undefined || run.imagesPerSecond > peer.imagesPerSecond) peer = run;
};
for (let round = 0; round < rounds; round++) {
  if (round % 2 === 1 && unavailable === undefined) measurePeer();
  for (const config of configs) {
    if (skipped.has(config)) continue;
    const outcome = child(config);
    if (!outcome.ok) {
      skipped.set(config, outcome.reason);
      continue;
    }
    const m = outcome.result as TrainerMeasurement;
    const previous = best.get(config);
    if (previous === undefined || m.imagesPerSecond > previous.imagesPerSecond) best.set(config, m);
  }
  if (round % 2 === 0 && unavailable === undefined) measurePeer();
}

console.log(`best of ${rounds} round(s), order alternating\n`);
console.log(row(['trainer', 'backend', 'workers / threads', 'images/s', 'epoch (60k)', 'peak RSS MiB']));
console.log(row(['---', '---', '---', '---', '---', '---']));
const parallelism = (m: { workers: number; threads?: number }) =>
  m.threads === undefined ? String(m.workers) : `${m.workers} × ${m.threads} threads`;
for (const config of configs) {
  const [backend, workers, threads] = config.split(':');
  const m = best.get(config);
  if (m === undefined)
    console.log(
      row([
        'onnxpipe',
        backend,
        parallelism({ workers: Number(workers), threads: threads === undefined ? undefined : Number(threads) }),
        `skipped: ${skipped.get(config)}`,
        '',
        '',
      ]),
    );
  else
    console.log(
      row([
        'onnxpipe',
        m.backend,
        parallelism(m),
        fmt(m.imagesPerSecond),
        `${fmt(60000 / m.imagesPerSecond)} s`,
        fmt(m.peakRssMiB),
      ]),
    );
}
if (peer !== undefined) {
  console.log(
    row([
      `PyTorch ${peer.torchVersion}`,
      'cpu',
      String(peer.threads),
      fmt(peer.imagesPerSecond),
      `${fmt(60000 / peer.imagesPerSecond)} s`,
      fmt(peer.peakRssMiB),
    ]),
  );
} else {
  console.log(row(['PyTorch', 'cpu', '', `skipped: ${unavailable}`, '', '']));
}

const ours = [...best.values()];
let fastest: TrainerMeasurement | undefined;
if (ours.length > 0) fastest = ours.reduce((a, b) => (b.imagesPerSecond > a.imagesPerSecond ? b : a));
if (fastest !== undefined && peer !== undefined) {
  console.log(
    `\nratio (best onnxpipe: ${fastest.backend} ${parallelism(fastest)} / PyTorch × ${peer.threads} threads): ${fmt(fastest.imagesPerSecond / peer.imagesPerSecond, 2)}×`,
  );
}

// A whole epoch (60,000 images, the last batch short, graph building and warm-up included) of the
// fastest configuration and of the PyTorch recipe, back to back: what a training run sees.
if (!values['no-epoch'] && fastest !== undefined) {
  const stepsPerEpoch = String(Math.ceil(60000 / base.batchSize));
  const config = [...best].find(([, m]) => m === fastest)![0];
  const outcome = child(config, [], stepsPerEpoch, '0');
  const epochPeer =
    unavailable === undefined
      ? runPytorchPeer({ steps: Number(stepsPerEpoch), threads: cores, batchSize: base.batchSize, dataDir })
      : undefined;
  console.log(`\none full epoch (${stepsPerEpoch} steps, 60,000 images):\n`);
  console.log(
    row(['trainer', 'backend', 'workers / threads', 'seconds', 'images/s', 'RSS MiB at each tenth of the epoch']),
  );
  console.log(row(['---', '---', '---', '---', '---', '---']));
  if (outcome.ok) {
    const m = outcome.result as TrainerMeasurement;
    console.log(
      row(['onnxpipe', m.backend, parallelism(m), fmt(m.seconds, 1), fmt(m.imagesPerSecond), m.rssMiB.join(' ')]),
    );
  } else {
    console.log(row(['onnxpipe', config, '', `failed: ${outcome.reason}`, '', '']));
  }
  if (epochPeer !== undefined) {
    const seconds = (epochPeer.steps * base.batchSize) / epochPeer.imagesPerSecond;
    console.log(
      row([
        `PyTorch ${epochPeer.torchVersion}`,
        'cpu',
        String(epochPeer.threads),
        fmt(seconds, 1),
        fmt(epochPeer.imagesPerSecond),
        `peak ${fmt(epochPeer.peakRssMiB)}`,
      ]),
    );
    if (outcome.ok)
      console.log(
        `\nfull-epoch ratio: ${fmt((outcome.result as TrainerMeasurement).imagesPerSecond / epochPeer.imagesPerSecond, 2)}×`,
      );
  }
}

if (values.profile) {
  const outcome = child('onnxruntime:1:1', ['--profile']);
  if (outcome.ok) {
    const { ops, cpuMsPerStep } = outcome.result as { ops: OpProfile[]; cpuMsPerStep: number };
    const total = ops.reduce((s, k) => s + k.ms, 0);
    console.log(
      `\nper-op profile, one step on onnxruntime (batch ${base.batchSize}, one thread): ${fmt(total, 1)} ms in kernels, ${fmt(cpuMsPerStep, 1)} ms CPU per step`,
    );
    console.log(row(['op', 'nodes', 'ms', 'share']));
    console.log(row(['---', '---', '---', '---']));
    for (const k of ops.slice(0, 15))
      console.log(row([k.op, String(k.nodes), fmt(k.ms, 1), `${fmt((100 * k.ms) / total, 1)} %`]));
  } else {
    console.log(`onnxruntime profile skipped: ${outcome.reason}`);
  }
}
if (values.profile) {
  const outcome = child('wasm:1', ['--profile']);
  if (outcome.ok) {
    const kernels = outcome.result as { kernel: string; ms: number }[];
    const total = kernels.reduce((s, k) => s + k.ms, 0);
    console.log(
      `\nper-op profile, one step on wasm (batch ${base.batchSize}, one thread): ${fmt(total, 1)} ms in kernels`,
    );
    console.log(row(['kernel', 'ms', 'share']));
    console.log(row(['---', '---', '---']));
    for (const k of kernels.slice(0, 15))
      console.log(row([k.kernel, fmt(k.ms, 1), `${fmt((100 * k.ms) / total, 1)} %`]));
  } else {
    console.log(`profile skipped: ${outcome.reason}`);
  }
}
