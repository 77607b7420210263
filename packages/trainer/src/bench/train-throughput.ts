import { spawnSync } from 'node:child_process';
import { availableParallelism, cpus } from 'node:os';
import { parseArgs } from 'node:util';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import { DATA_DIR_ENV } from '@onnxpipe/data';
import type { ConcreteBackend } from '../backends/select-backend.js';
import { measureTrainer, profileTrainingStep, type MeasureOptions, type TrainerMeasurement } from './measure-trainer.js';
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
    backends: { type: 'string', default: 'tensorflow-gpu,tensorflow,wasm' },
    'data-dir': { type: 'string' },
    'no-pytorch': { type: 'boolean', default: false },
    profile: { type: 'boolean', default: false },
    child: { type: 'string' },
  },
});

const cores = availableParallelism();
const root = fileURLToPath(new URL('../../../../', import.meta.url));
const dataDir = values['data-dir'] ?? process.env[DATA_DIR_ENV] ?? join(root, '..', 'shared', 'datasets', 'mnist');
const base = { steps: Number(values.steps), warmupSteps: Number(values.warmup), batchSize: Number(values['batch-size']), dataDir };

if (values.child !== undefined) {
  // Child mode: measure one configuration and print it as JSON.
  const [backend, workers] = values.child.split(':');
  const options: MeasureOptions = { ...base, backend: backend as ConcreteBackend, workers: Number(workers) };
  try {
    const result = values.profile ? await profileTrainingStep(options) : await measureTrainer(options);
    process.stdout.write(`${JSON.stringify({ ok: true, result })}\n`);
  } catch (error) {
    process.stdout.write(`${JSON.stringify({ ok: false, reason: (error as Error).message.split('\n')[0] })}\n`);
  }
  process.exit(0);
}

function child(config: string, extra: string[] = []): { ok: true; result: unknown } | { ok: false; reason: string } {
  const run = spawnSync(
    process.execPath,
    [...process.execArgv, fileURLToPath(import.meta.url), '--child', config, '--steps', values.steps!, '--warmup', values.warmup!,
      '--batch-size', values['batch-size']!, '--data-dir', dataDir, ...extra],
    { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 },
  );
  const line = run.stdout.trim().split('\n').at(-1) ?? '';
  try {
    return JSON.parse(line);
  } catch {
    return { ok: false, reason: `exit ${run.status}: ${run.stderr.trim().split('\n').at(-1)?.slice(0, 200)}` };
  }
}

const fmt = (n: number, digits = 0) => n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });
const row = (cells: string[]) => `| ${cells.join(' | ')} |`;
console.log(`machine: ${cores} cores, ${cpus()[0]?.model ?? 'unknown CPU'}, Node ${process.versions.node}`);
console.log(`batch ${base.batchSize}, ${base.steps} timed steps after ${base.warmupSteps} warm-up steps, real MNIST\n`);
console.log(row(['trainer', 'backend', 'workers / threads', 'images/s', 'epoch (60k)', 'peak RSS MiB']));
console.log(row(['---', '---', '---', '---', '---', '---']));

const workerCounts = values.workers ? values.workers.split(',').map(Number) : [...new Set([1, cores])];
const ours: TrainerMeasurement[] = [];
for (const backend of values.backends!.split(',')) {
  for (const workers of backend === 'wasm' || backend === 'cpu' ? workerCounts : [1]) {
    const outcome = child(`${backend}:${workers}`);
    if (!outcome.ok) {
      console.log(row(['onnxpipe', backend, String(workers), `skipped: ${outcome.reason}`, '', '']));
      break;
    }
    const m = outcome.result as TrainerMeasurement;
    ours.push(m);
    console.log(row(['onnxpipe', m.backend, String(m.workers), fmt(m.imagesPerSecond), `${fmt(60000 / m.imagesPerSecond)} s`, fmt(m.peakRssMiB)]));
  }
}

let peer: ReturnType<typeof runPytorchPeer> | undefined;
const unavailable = values['no-pytorch'] ? 'disabled by --no-pytorch' : pytorchUnavailableReason();
if (unavailable === undefined) {
  peer = runPytorchPeer({ steps: base.steps + base.warmupSteps, threads: cores, batchSize: base.batchSize, dataDir });
  console.log(row([`PyTorch ${peer.torchVersion}`, 'cpu', String(peer.threads), fmt(peer.imagesPerSecond), `${fmt(60000 / peer.imagesPerSecond)} s`, fmt(peer.peakRssMiB)]));
} else {
  console.log(row(['PyTorch', 'cpu', '', `skipped: ${unavailable}`, '', '']));
}

if (ours.length > 0 && peer !== undefined) {
  const best = ours.reduce((a, b) => (b.imagesPerSecond > a.imagesPerSecond ? b : a));
  console.log(`\nratio (best onnxpipe: ${best.backend} × ${best.workers} / PyTorch × ${peer.threads} threads): ${fmt(best.imagesPerSecond / peer.imagesPerSecond, 2)}×`);
}

if (values.profile) {
  const outcome = child('wasm:1', ['--profile']);
  if (outcome.ok) {
    const kernels = outcome.result as { kernel: string; ms: number }[];
    const total = kernels.reduce((s, k) => s + k.ms, 0);
    console.log(`\nper-op profile, one step on wasm (batch ${base.batchSize}, one thread): ${fmt(total, 1)} ms in kernels`);
    console.log(row(['kernel', 'ms', 'share']));
    console.log(row(['---', '---', '---']));
    for (const k of kernels.slice(0, 15)) console.log(row([k.kernel, fmt(k.ms, 1), `${fmt((100 * k.ms) / total, 1)} %`]));
  } else {
    console.log(`profile skipped: ${outcome.reason}`);
  }
}
