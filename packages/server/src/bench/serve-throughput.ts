import { availableParallelism, cpus, loadavg } from 'node:os';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import type { FastifyBaseLogger } from 'fastify';
import * as ort from 'onnxruntime-node';
import type { ExecutionProvider } from '../models/execution-provider.js';
import { loadModel } from '../models/load-model.js';
import { scanModelRepository } from '../models/model-repository.js';
import { buildTinyMnistModel, writeTestRepository, type TestRepository } from '../testing/tiny-model.js';
import { benchDigit, preprocessLikeServer } from './bench-input.js';
import { evaluateTarget, formatTarget, renderMarkdown, type BatchingMode, type ServeRow } from './bench-report.js';
import { runLoad } from './http-load.js';
import { measureSessionThroughput, type SessionThroughput } from './in-process-throughput.js';
import { startServerProcess, type ServerProcess } from './server-process.js';

/**
 * `npm run bench:serve`: POST /predict throughput and latency of the real server (a child
 * process, as `npm start` runs it) with a small PNG digit, at several connection counts, with
 * dynamic batching off and on — next to the in-process `session.run` images/s of the same
 * model measured in the same run. Loopback only; every loop is bounded by time and count.
 */
const USAGE = `Usage: npm run bench:serve -- [flags]

  --model-repository <dir>   repository to serve (default: models)
  --model <name>             model to load and call (default: mnist)
  --tiny-model               serve the server tests' tiny random model instead (smoke run)
  --device <cpu|cuda|webgpu> execution provider, in-process and in the server (default: cpu)
  --connections <list>       concurrent connections, comma-separated (default: 1,8,64)
  --batching <list>          off (max batch 1, no queue delay) and/or on (defaults) (default: off,on)
  --duration <s>             seconds per load level (default: 10)
  --warmup <s>               untimed load before each server's levels (default: 2)
  --inprocess-seconds <s>    seconds per in-process batch size (default: 5)
  --digit <i>                MNIST test image index (default: 0)
  --scale <k>                PNG side 28·k px (default: 2, 56×56)
  --data-dir <dir>           folder of t10k-images-idx3-ubyte.gz (default: $ONNXPIPE_DATA_DIR, ../shared/datasets/mnist)
  --inference-worker <bool>  the server's inferenceWorker setting, true or false (default: the server default)
  --server-log-level <lvl>   the server's log level; its logs go to /dev/null (default: info, the server default)
  --json                     also print the results as one JSON line
`;

const IN_PROCESS_BATCHES = [1, 64];
const MAX_IN_PROCESS_RUNS = 100_000;
const BATCHING_FLAGS: Record<BatchingMode, readonly string[]> = {
  off: ['--max-batch-size', '1', '--max-queue-delay-ms', '0'],
  on: [],
};

const { values } = parseArgs({
  options: {
    'model-repository': { type: 'string', default: 'models' },
    model: { type: 'string', default: 'mnist' },
    'tiny-model': { type: 'boolean', default: false },
    device: { type: 'string', default: 'cpu' },
    connections: { type: 'string', default: '1,8,64' },
    batching: { type: 'string', default: 'off,on' },
    duration: { type: 'string', default: '10' },
    warmup: { type: 'string', default: '2' },
    'inprocess-seconds': { type: 'string', default: '5' },
    'inference-worker': { type: 'string' },
    digit: { type: 'string', default: '0' },
    scale: { type: 'string', default: '2' },
    'data-dir': { type: 'string' },
    'server-log-level': { type: 'string', default: 'info' },
    json: { type: 'boolean', default: false },
    help: { type: 'boolean', short: 'h', default: false },
  },
});
if (values.help) {
  process.stdout.write(USAGE);
  process.exit(0);
}

function usageError(message: string): never {
  process.stderr.write(`bench:serve: ${message}\n\n${USAGE}`);
  process.exit(2);
}

function integer(name: string, raw: string, min: number, max: number): number {
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min || value > max)
    usageError(`'--${name}' must be an integer from ${min} to ${max}; received "${raw}"`);
  return value;
}

const device = values.device!;
if (!['cpu', 'cuda', 'webgpu'].includes(device))
  usageError(`'--device' must be one of cpu, cuda, webgpu; received "${device}"`);
const connections = values.connections!.split(',').map((c) => integer('connections', c.trim(), 1, 1024));
const modes = values.batching!.split(',').map((m) => m.trim());
for (const mode of modes)
  if (mode !== 'off' && mode !== 'on') usageError(`'--batching' takes off and/or on; received "${mode}"`);
const duration = integer('duration', values.duration!, 1, 600);
const warmup = integer('warmup', values.warmup!, 0, 60);
const inProcessSeconds = integer('inprocess-seconds', values['inprocess-seconds']!, 1, 120);
const digitIndex = integer('digit', values.digit!, 0, 9999);
const scale = integer('scale', values.scale!, 1, 16);
const inferenceWorker = values['inference-worker'];
if (inferenceWorker !== undefined && inferenceWorker !== 'true' && inferenceWorker !== 'false') {
  usageError(`'--inference-worker' takes true or false; received "${inferenceWorker}"`);
}
const workerFlags = inferenceWorker === undefined ? [] : ['--inference-worker', inferenceWorker];

const root = fileURLToPath(new URL('../../../../', import.meta.url));
const fmt = (n: number, digits = 0) =>
  n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });
const load = () =>
  loadavg()
    .map((l) => l.toFixed(2))
    .join(' ');

// scanModelRepository reports skipped folders through a logger; here they go to stderr.
const warnOnly = {
  level: 'warn',
  warn: (object: unknown, message?: string) => process.stderr.write(`warning: ${message ?? JSON.stringify(object)}\n`),
  error: (object: unknown, message?: string) => process.stderr.write(`error: ${message ?? JSON.stringify(object)}\n`),
  fatal: () => {},
  info: () => {},
  debug: () => {},
  trace: () => {},
  silent: () => {},
  child: () => warnOnly,
} as unknown as FastifyBaseLogger;

let tiny: TestRepository | undefined;
let server: ServerProcess | undefined;
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    void Promise.all([server?.stop(2_000), tiny?.remove()]).finally(() => process.exit(130));
  });
}

try {
  tiny = values['tiny-model']
    ? await writeTestRepository([{ name: values.model, bytes: buildTinyMnistModel().bytes }])
    : undefined;
  const repository = tiny?.dir ?? resolve(values['model-repository']!);
  const entry = (await scanModelRepository(repository, 'latest', warnOnly)).find((e) => e.name === values.model);
  if (entry === undefined) {
    throw new Error(
      `no ${repository}/${values.model}/<version>/model.onnx: train and export first (npm run train, npm run export), ` +
        'pass --model-repository, or --tiny-model for a smoke run',
    );
  }

  console.log(
    `machine: ${availableParallelism()} cores, ${cpus()[0]?.model ?? 'unknown CPU'}, Node ${process.versions.node}, ` +
      `onnxruntime-node ${ort.env.versions.node ?? ort.env.versions.common}, load average ${load()}`,
  );
  console.log(
    `model: ${entry.path}${tiny ? ' (tiny random test model: a smoke run, not the shipped model)' : ''}, device ${device}`,
  );
  const digit = await benchDigit({ dataDir: values['data-dir'], index: digitIndex, scale });
  console.log(
    `body: MNIST test digit #${digit.index} (label ${digit.label}), ${digit.side}×${digit.side} PNG dark on white, ${digit.png.length} bytes`,
  );
  if (availableParallelism() <= 4) {
    console.log(
      `note: autocannon (this process) and the server share the ${availableParallelism()} cores; the load generator takes a share of them`,
    );
  }

  // In-process ceiling first, while no server competes for the cores.
  const model = await loadModel(entry, device as ExecutionProvider);
  let inProcess: SessionThroughput[];
  try {
    const input = await preprocessLikeServer(digit.png, model.metadata);
    inProcess = await measureSessionThroughput(model, input, IN_PROCESS_BATCHES, {
      seconds: inProcessSeconds,
      maxRuns: MAX_IN_PROCESS_RUNS,
    });
  } finally {
    await model.session.release();
  }
  for (const r of inProcess)
    console.log(`in-process session.run, batch ${r.batchSize}: ${fmt(r.imagesPerSecond)} images/s (${r.runs} runs)`);

  const rows: ServeRow[] = [];
  for (const mode of modes as BatchingMode[]) {
    const flags = [
      '--model-repository',
      repository,
      '--default-model',
      values.model!,
      '--device',
      device,
      '--log-level',
      values['server-log-level']!,
      '--shutdown-timeout-ms',
      '5000',
      ...workerFlags,
      ...BATCHING_FLAGS[mode],
    ];
    server = await startServerProcess({ root, flags });
    const url = `${server.url}/predict`;
    const check = await fetch(url, { method: 'POST', headers: { 'content-type': 'image/png' }, body: digit.png });
    const answer = (await check.json()) as { predictions?: { label: string }[]; executionProvider?: string };
    if (check.status !== 200) throw new Error(`POST /predict answered ${check.status}: ${JSON.stringify(answer)}`);
    console.log(
      `\nbatching ${mode} (server flags: ${[...workerFlags, ...BATCHING_FLAGS[mode]].join(' ') || 'defaults'}), pid ${server.pid}: ` +
        `answers "${answer.predictions?.[0]?.label}" for a ${digit.label} on ${answer.executionProvider}`,
    );
    if (warmup > 0) {
      await runLoad({
        url,
        body: digit.png,
        contentType: 'image/png',
        connections: Math.max(...connections),
        durationSeconds: warmup,
      });
    }
    for (const c of connections) {
      const cpuBefore = server.cpuSeconds();
      const result = await runLoad({
        url,
        body: digit.png,
        contentType: 'image/png',
        connections: c,
        durationSeconds: duration,
      });
      const cpuAfter = server.cpuSeconds();
      const cpuMs =
        cpuBefore === undefined || cpuAfter === undefined || result.ok === 0
          ? undefined
          : (1000 * (cpuAfter - cpuBefore)) / result.ok;
      rows.push({ batching: mode, load: result, ...(cpuMs === undefined ? {} : { serverCpuMsPerRequest: cpuMs }) });
      console.log(
        `  ${String(c).padStart(4)} connections: ${fmt(result.requestsPerSecond)} req/s, p50 ${result.p50Ms} ms, p99 ${result.p99Ms} ms, ` +
          `errors ${result.errors}, non-2xx ${result.non2xx}${cpuMs === undefined ? '' : `, server CPU ${fmt(cpuMs, 3)} ms/request`}`,
      );
    }
    const rss = server.peakRssMiB();
    if (rss !== undefined) console.log(`  server peak RSS: ${fmt(rss)} MiB`);
    const code = await server.stop();
    server = undefined;
    if (code !== 0) console.log(`  warning: the server exited with code ${code} on SIGTERM`);
  }

  console.log(`\nload average after: ${load()}\n`);
  console.log(renderMarkdown(inProcess, rows));
  const target = evaluateTarget(rows, inProcess);
  console.log(`\n${formatTarget(target)}`);
  console.log('latencies are whole milliseconds (autocannon); req/s counts 2xx responses only');
  if (values.json) {
    const machine = {
      cores: availableParallelism(),
      cpu: cpus()[0]?.model,
      node: process.versions.node,
      loadavg: loadavg(),
    };
    console.log(
      JSON.stringify({
        machine,
        model: entry.path,
        tiny: tiny !== undefined,
        device,
        digit: { index: digit.index, side: digit.side, bytes: digit.png.length },
        inProcess,
        rows,
        target,
      }),
    );
  }
} catch (error) {
  process.stderr.write(`bench:serve: ${(error as Error).message}\n`);
  process.exitCode = 1;
} finally {
  await server?.stop(2_000);
  await tiny?.remove();
}
