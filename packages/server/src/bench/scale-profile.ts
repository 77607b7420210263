import { cp, mkdtemp, readdir, rm } from 'node:fs/promises';
import { availableParallelism, cpus, loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { METRIC_NAMES } from '../plugins/metrics.js';
import { benchDigit } from './bench-input.js';
import { runLoad, type LoadResult } from './http-load.js';
import { startServerProcess, type ServerProcess } from './server-process.js';

/**
 * `npm run bench:scale`: what a pod of the server does as its load rises, for sizing the
 * autoscaler and the memory limit of deploy/ (docs/benchmarks.md, "Scaling"). One server
 * process, as the images start it; closed-loop load with POST /predict (a small PNG digit) at
 * rising connection counts, then past saturation. For each level: req/s and latency; the
 * server's CPU (cores busy, ms per request); its own metrics scraped while the load runs (the
 * queue length gauge, and the request concurrency the autoscaler reads: Little's law on the
 * request-duration histogram, rate(sum) over the level); how long GET /v2/health/live takes
 * meanwhile (what a livenessProbe sees); and the process's peak RSS. Loopback only; every loop
 * is bounded by time.
 */
const USAGE = `Usage: npm run bench:scale -- [flags]

  --model-repository <dir>  repository to serve (default: models)
  --versions <n>            serve n copies of the model's highest version (as ONNXPIPE_MODEL_VERSIONS=all
                            loads every version; default: 2)
  --model <name>            model to call (default: mnist)
  --connections <list>      connection counts, comma-separated (default: 1,2,4,8,16,32,64,128,256,1024)
  --duration <s>            seconds per level (default: 8)
  --probe-interval-ms <ms>  how often the liveness and metrics probes ask (default: 500)
  --probe-timeout-ms <ms>   a probe slower than this counts as failed, as timeoutSeconds does (default: 5000)
  --scale <k>               PNG side 28·k px (default: 2, 56×56)
  --server-flags <flags>    extra server flags, space-separated (default: none)
  --json                    also print the rows as one JSON line
`;

const { values } = parseArgs({
  options: {
    'model-repository': { type: 'string', default: 'models' },
    versions: { type: 'string', default: '2' },
    model: { type: 'string', default: 'mnist' },
    connections: { type: 'string', default: '1,2,4,8,16,32,64,128,256,1024' },
    duration: { type: 'string', default: '8' },
    'probe-interval-ms': { type: 'string', default: '500' },
    'probe-timeout-ms': { type: 'string', default: '5000' },
    scale: { type: 'string', default: '2' },
    'server-flags': { type: 'string', default: '' },
    json: { type: 'boolean', default: false },
    help: { type: 'boolean', short: 'h', default: false },
  },
});
if (values.help) {
  process.stdout.write(USAGE);
  process.exit(0);
}

function integer(name: string, raw: string, min: number, max: number): number {
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min || value > max) {
    process.stderr.write(
      `bench:scale: '--${name}' must be an integer from ${min} to ${max}; received "${raw}"\n\n${USAGE}`,
    );
    process.exit(2);
  }
  return value;
}

const versions = integer('versions', values.versions!, 1, 8);
const connections = values.connections!.split(',').map((c) => integer('connections', c.trim(), 1, 4096));
const duration = integer('duration', values.duration!, 1, 120);
const probeIntervalMs = integer('probe-interval-ms', values['probe-interval-ms']!, 50, 10_000);
const probeTimeoutMs = integer('probe-timeout-ms', values['probe-timeout-ms']!, 100, 60_000);
const scale = integer('scale', values.scale!, 1, 64);
const extraFlags = values['server-flags']!.split(/\s+/).filter((f) => f !== '');
const root = fileURLToPath(new URL('../../../../', import.meta.url));
const fmt = (n: number, digits = 0) =>
  n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });

/** One load level. */
export interface ScaleRow {
  readonly load: LoadResult;
  /** Server CPU over the level, in cores (CPU seconds ÷ wall seconds). */
  readonly cores: number;
  readonly cpuMsPerRequest: number;
  /** Items waiting in the batch queues (sum over versions), over the level's scrapes. */
  readonly queueMean: number;
  readonly queueMax: number;
  /** Mean requests in flight by Little's law: Δ(request-duration sum) ÷ Δt for the inference routes. */
  readonly concurrency: number;
  /** GET /v2/health/live: slowest answer, answers slower than the probe timeout, and probes made. */
  readonly liveMaxMs: number;
  readonly liveFailures: number;
  readonly liveProbes: number;
  readonly peakRssMiB: number;
}

/** Sum of the samples of `metric` whose labels match `labels` (a substring test), from Prometheus text. */
function sumSamples(text: string, metric: string, labels?: RegExp): number {
  let sum = 0;
  for (const line of text.split('\n')) {
    if (!line.startsWith(metric)) continue;
    const match = /^([a-z_:]+)(\{[^}]*\})? (\S+)$/.exec(line);
    if (match === null || match[1] !== metric) continue;
    if (labels !== undefined && !labels.test(match[2] ?? '')) continue;
    sum += Number(match[3]);
  }
  return sum;
}

/** Longest wait for the /metrics readings before and after a level. */
const READING_TIMEOUT_MS = 60_000;

const INFERENCE_ROUTES = /route="(\/predict|\/v2\/models\/:name(\/versions\/:version)?\/infer)"/;

/** Copies the model's highest version `count` times into a temporary repository (versions 1..count). */
async function repositoryWithVersions(source: string, model: string, count: number): Promise<string> {
  const folders = (await readdir(join(source, model)))
    .filter((f) => /^\d+$/.test(f))
    .sort((a, b) => Number(a) - Number(b));
  const highest = folders.at(-1);
  if (highest === undefined)
    throw new Error(`no ${source}/${model}/<version>/model.onnx: train and export first, or pass --model-repository`);
  const dir = await mkdtemp(join(tmpdir(), 'onnxpipe-scale-'));
  await cp(join(source, model, 'config.pbtxt'), join(dir, model, 'config.pbtxt'));
  for (let v = 1; v <= count; v++) {
    await cp(join(source, model, highest, 'model.onnx'), join(dir, model, String(v), 'model.onnx'));
  }
  return dir;
}

/** GETs `url` every interval until `signal` aborts, passing each latency (Infinity: failed or timed out) and body. */
async function probeLoop(
  url: string,
  signal: AbortSignal,
  onSample: (ms: number, body: string) => void,
): Promise<void> {
  while (!signal.aborted) {
    const started = performance.now();
    try {
      const response = await fetch(url, { signal: AbortSignal.timeout(probeTimeoutMs) });
      const body = await response.text();
      onSample(response.ok ? performance.now() - started : Infinity, body);
    } catch {
      onSample(Infinity, '');
    }
    await new Promise((r) => setTimeout(r, probeIntervalMs));
  }
}

async function measureLevel(server: ServerProcess, png: Buffer, c: number): Promise<ScaleRow> {
  const stop = new AbortController();
  const live: number[] = [];
  const queue: number[] = [];
  // The readings around the level must not fail on a starved machine: they wait longer than a probe.
  const metrics = async () =>
    (await fetch(`${server.url}/metrics`, { signal: AbortSignal.timeout(READING_TIMEOUT_MS) })).text();
  const durationSum = (text: string) => sumSamples(text, `${METRIC_NAMES.requestDuration}_sum`, INFERENCE_ROUTES);
  const before = await metrics();
  const cpuBefore = server.cpuSeconds() ?? NaN;
  const started = performance.now();
  const probes = [
    probeLoop(`${server.url}/v2/health/live`, stop.signal, (ms) => live.push(ms)),
    probeLoop(`${server.url}/metrics`, stop.signal, (ms, body) => {
      if (Number.isFinite(ms)) queue.push(sumSamples(body, METRIC_NAMES.queueLength));
    }),
  ];
  const load = await runLoad({
    url: `${server.url}/predict`,
    body: png,
    contentType: 'image/png',
    connections: c,
    durationSeconds: duration,
  });
  stop.abort();
  await Promise.all(probes);
  // Requests still in flight when autocannon stops finish within the request timeout; let them,
  // so that their durations land in the histogram before the second reading.
  await new Promise((r) => setTimeout(r, 1_000));
  const seconds = (performance.now() - started) / 1000;
  const cpu = (server.cpuSeconds() ?? NaN) - cpuBefore;
  const after = await metrics();
  return {
    load,
    cores: cpu / seconds,
    cpuMsPerRequest: load.ok > 0 ? (1000 * cpu) / load.ok : NaN,
    queueMean: queue.length ? queue.reduce((a, b) => a + b, 0) / queue.length : NaN,
    queueMax: queue.length ? Math.max(...queue) : NaN,
    concurrency: (durationSum(after) - durationSum(before)) / load.durationSeconds,
    liveMaxMs: live.length ? Math.max(...live) : NaN,
    liveFailures: live.filter((ms) => !Number.isFinite(ms)).length,
    liveProbes: live.length,
    peakRssMiB: server.peakRssMiB() ?? NaN,
  };
}

let repository: string | undefined;
let server: ServerProcess | undefined;
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    void Promise.all([server?.stop(2_000), repository && rm(repository, { recursive: true, force: true })]).finally(
      () => process.exit(130),
    );
  });
}

try {
  repository = await repositoryWithVersions(resolve(values['model-repository']!), values.model!, versions);
  const digit = await benchDigit({ index: 0, scale });
  console.log(
    `machine: ${availableParallelism()} cores, ${cpus()[0]?.model ?? 'unknown CPU'}, Node ${process.versions.node}, load average ${loadavg()
      .map((l) => l.toFixed(2))
      .join(' ')}`,
  );
  console.log(
    `model: ${values.model}, ${versions} version(s) loaded; body: a ${digit.side}×${digit.side} PNG of MNIST test digit #0 (${digit.png.length} bytes)`,
  );
  const flags = [
    '--model-repository',
    repository,
    '--default-model',
    values.model!,
    '--device',
    'cpu',
    '--log-level',
    'warn',
    ...extraFlags,
  ];
  server = await startServerProcess({ root, flags });
  console.log(
    `server pid ${server.pid}, flags: ${flags.slice(2).join(' ')}; idle RSS ${fmt(server.peakRssMiB() ?? NaN)} MiB`,
  );
  await runLoad({
    url: `${server.url}/predict`,
    body: digit.png,
    contentType: 'image/png',
    connections: 8,
    durationSeconds: 2,
  });
  const rows: ScaleRow[] = [];
  console.log(
    '| connections | req/s | p50 / p99 ms | non-2xx | server cores | CPU ms/req | queue mean / max | concurrency (Little) | live max ms (fails/probes) | peak RSS MiB |',
  );
  console.log('| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |');
  for (const c of connections) {
    const row = await measureLevel(server, digit.png, c);
    rows.push(row);
    const l = row.load;
    console.log(
      `| ${c} | ${fmt(l.requestsPerSecond)} | ${l.p50Ms} / ${l.p99Ms} | ${l.non2xx + l.errors} | ${fmt(row.cores, 2)} | ${fmt(row.cpuMsPerRequest, 3)} | ` +
        `${fmt(row.queueMean, 1)} / ${fmt(row.queueMax)} | ${fmt(row.concurrency, 1)} | ${fmt(row.liveMaxMs)} (${row.liveFailures}/${row.liveProbes}) | ${fmt(row.peakRssMiB)} |`,
    );
  }
  const code = await server.stop();
  server = undefined;
  if (code !== 0) console.log(`warning: the server exited with code ${code} on SIGTERM`);
  console.log(
    `load average after: ${loadavg()
      .map((l) => l.toFixed(2))
      .join(' ')}`,
  );
  if (values.json) console.log(JSON.stringify({ versions, duration, rows }));
} catch (error) {
  await server?.stop(2_000);
  process.stderr.write(`bench:scale: ${(error as Error).message}\n`);
  process.exitCode = 1;
} finally {
  if (repository !== undefined) await rm(repository, { recursive: true, force: true });
}
