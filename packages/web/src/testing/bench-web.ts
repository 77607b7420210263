import { mkdtempSync, rmSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { preprocessDigit, toProbabilities } from '@onnxpipe/core';
import { mnistTestDataDir, readMnistTestDigits } from '@onnxpipe/data/testing';
import { buildWebBundle } from '../../scripts/build.mjs';
import { drawnDigit } from './bench-inputs.js';
import { BENCH_PAGE_SCRIPT, type LatencySamples } from './bench-page-script.js';
import { measureVisits, serveDemo, type VisitFigures } from './bench-visit.js';
import { mnistHarnessUnavailableReason, MODEL_REPOSITORY, openHarness } from './browser-harness.js';
import { createNodeReference } from './node-reference.js';

// npm run bench:web: the SDK and the demo page in headless Chromium.
//   1. Visits of the demo as `npm start` serves it (bench-visit.ts): bytes transferred and time
//      to the first prediction, cold (new profile), warm (the same profile again), and cold
//      throttled by Chromium's network emulation (20 Mbit/s, 40 ms by default).
//   2. predict() of one digit timed in the page (p50/p99, preprocessing included, with the SDK's
//      own split into preprocessing and inference), for each model file (fp32, fp16, int8) and
//      each wasm thread count, in a cross-origin isolated page (threads need it); the demo's
//      280×280 pad as input; the pad's read-back alone; images/s at batch 1, 8, 64.
//   3. WebGPU where Chromium offers an adapter (here SwiftShader, WebGPU on the CPU: a code-path
//      check, not a GPU figure), and onnxruntime-node in this process as the peer.
//
// Usage: npm run bench:web -- [--version 2] [--threads 1,2] [--images 256] [--scale 4]
//        [--no-visits] [--no-webgpu] [--download-mbps 20] [--latency-ms 40] [--json]

const BATCHES = [1, 8, 64] as const;
const VARIANTS = ['fp32', 'fp16', 'int8'] as const;

const { values: args } = parseArgs({
  options: {
    version: { type: 'string', default: '2' },
    threads: { type: 'string', default: '1,2' },
    images: { type: 'string', default: '256' },
    scale: { type: 'string', default: '4' },
    'no-visits': { type: 'boolean', default: false },
    'no-webgpu': { type: 'boolean', default: false },
    'download-mbps': { type: 'string', default: '20' },
    'latency-ms': { type: 'string', default: '40' },
    json: { type: 'boolean', default: false },
  },
});
const imageCount = Number(args.images);
const scale = Number(args.scale);
const threadCounts = args.threads.split(',').map(Number);
const modelPath = (variant: string) =>
  `/models/mnist/${args.version}/${variant === 'fp32' ? 'model.onnx' : `model.${variant}.onnx`}`;

const progress = (line: string) => {
  if (process.stderr.isTTY) process.stderr.write(`\r\x1b[2K${line}`);
  else process.stderr.write(`${line}\n`);
};

function percentile(values: readonly number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(p * sorted.length) - 1))];
}

interface LatencyRow {
  readonly config: string;
  readonly variant: string;
  readonly threads: number | string;
  readonly input: string;
  readonly p10: number;
  readonly p50: number;
  readonly p99: number;
  readonly preprocessP50: number;
  readonly inferenceP50: number;
  readonly samples: number;
  readonly createMs?: number;
}

interface PageBench {
  makeInputs(o: unknown): Promise<{ userAgent: string; crossOriginIsolated: boolean; cores: number }>;
  create(
    o: unknown,
  ): Promise<{ createMs: number; executionProvider: string; variant: string; fallback: { reason: string } | null }>;
  latency(o: unknown): Promise<LatencySamples>;
  throughput(o: unknown): Promise<{ images: number; ms: number }>;
  readBack(o: unknown): Promise<Record<string, number[]>>;
  dispose(): Promise<void>;
}

const call = <K extends keyof PageBench>(page: import('playwright-core').Page, method: K, options?: unknown) =>
  page.evaluate(
    ({ method, options }) =>
      (globalThis as unknown as { bench: Record<string, (o: unknown) => unknown> }).bench[method](options),
    { method, options },
  ) as ReturnType<PageBench[K]>;

function row(
  config: string,
  variant: string,
  threads: number | string,
  input: string,
  samples: LatencySamples,
  createMs?: number,
): LatencyRow {
  return {
    config,
    variant,
    threads,
    input,
    p10: percentile(samples.durations, 0.1),
    p50: percentile(samples.durations, 0.5),
    p99: percentile(samples.durations, 0.99),
    preprocessP50: percentile(samples.preprocess, 0.5),
    inferenceP50: percentile(samples.inference, 0.5),
    samples: samples.durations.length,
    createMs,
  };
}

const LATENCY = { count: 400, budgetMs: 12_000, warmup: 20 };

/**
 * Every variant at each thread count, in cross-origin isolated pages; the demo's pad and throughput
 * for the web variant.
 */
async function wasmFigures(images: readonly Uint8Array[]) {
  const rows: LatencyRow[] = [];
  const imagesPerSecond: Record<number, number> = {};
  let readBack: Record<string, { p50: number; p99: number }> = {};
  let environment = { userAgent: '', crossOriginIsolated: false, cores: 0 };
  for (const threads of threadCounts) {
    // onnxruntime-web fixes its thread count when the page's runtime starts: one page per count.
    const harness = await openHarness({ crossOriginIsolated: true });
    try {
      const { page, origin } = harness;
      await page.addScriptTag({ content: BENCH_PAGE_SCRIPT });
      environment = await call(page, 'makeInputs', { images: images.map((i) => Array.from(i)), scale });
      for (const variant of VARIANTS) {
        progress(`wasm ×${threads}: ${variant}`);
        const created = await call(page, 'create', {
          key: variant,
          url: `${origin}${modelPath(variant)}`,
          device: 'wasm',
          maxBatch: 64,
          numThreads: threads,
        });
        if (created.variant !== variant) throw new Error(`${modelPath(variant)} says it is ${created.variant}`);
        rows.push(
          row(
            `wasm ×${threads}`,
            variant,
            threads,
            '112² ImageData',
            await call(page, 'latency', { key: variant, input: 'imagedata', ...LATENCY }),
            created.createMs,
          ),
        );
      }
      progress(`wasm ×${threads}: the demo's pad`);
      rows.push(
        row(
          `wasm ×${threads}`,
          'int8',
          threads,
          '280² pad canvas',
          await call(page, 'latency', { key: 'int8', input: 'pad', ...LATENCY }),
        ),
      );
      if (threads === threadCounts[0]) {
        for (const batch of BATCHES) {
          progress(`wasm ×${threads}: throughput at batch ${batch}`);
          const { images: done, ms } = await call(page, 'throughput', {
            key: 'int8',
            batch,
            count: 512,
            budgetMs: 8_000,
          });
          imagesPerSecond[batch] = (done / ms) * 1000;
        }
        const samples = await call(page, 'readBack', { count: 200 });
        readBack = Object.fromEntries(
          Object.entries(samples).map(([k, v]) => [k, { p50: percentile(v, 0.5), p99: percentile(v, 0.99) }]),
        );
      }
      await call(page, 'dispose');
    } finally {
      await harness.close();
    }
  }
  return { rows, imagesPerSecond, readBack, environment };
}

async function webgpuFigures(images: readonly Uint8Array[]): Promise<LatencyRow | string> {
  const harness = await openHarness({ webgpu: true });
  try {
    const { page, origin } = harness;
    await page.addScriptTag({ content: BENCH_PAGE_SCRIPT });
    await call(page, 'makeInputs', { images: images.slice(0, 16).map((i) => Array.from(i)), scale });
    progress('webgpu: loading');
    const created = await call(page, 'create', {
      key: 'gpu',
      url: `${origin}${modelPath('int8')}`,
      device: 'webgpu',
      maxBatch: 8,
    });
    progress('webgpu: latency');
    const samples = await call(page, 'latency', {
      key: 'gpu',
      input: 'imagedata',
      count: 12,
      budgetMs: 20_000,
      warmup: 2,
    });
    await call(page, 'dispose');
    return row('WebGPU (SwiftShader, CPU)', 'int8', '–', '112² ImageData', samples, created.createMs);
  } catch (error) {
    return `WebGPU not measured: ${(error as Error).message}`;
  } finally {
    await harness.close();
  }
}

async function nodeFigures(images: readonly Uint8Array[]): Promise<LatencyRow[]> {
  const rows: LatencyRow[] = [];
  for (const variant of ['fp32', 'int8'] as const) {
    progress(`onnxruntime-node: ${variant}`);
    const reference = await createNodeReference(join(MODEL_REPOSITORY, modelPath(variant).slice('/models/'.length)), {
      intraOpNumThreads: 1,
    });
    const { metadata } = reference;
    const drawn = images.map((bytes) => drawnDigit(bytes, scale));
    const samples: LatencySamples = { durations: [], preprocess: [], inference: [] };
    for (let i = 0; i < LATENCY.warmup + LATENCY.count; i++) {
      const started = performance.now();
      const { input } = preprocessDigit(drawn[i % drawn.length], {
        normalization: metadata.normalization,
        outputSize: metadata.height,
      });
      const preprocessed = performance.now();
      const output = await reference.run([input]);
      toProbabilities(output, metadata.output);
      const done = performance.now();
      if (i < LATENCY.warmup) continue;
      samples.durations.push(done - started);
      samples.preprocess.push(preprocessed - started);
      samples.inference.push(done - preprocessed);
    }
    await reference.release();
    rows.push(row('onnxruntime-node (peer)', variant, 1, '112² RawImage', samples));
  }
  return rows;
}

const ms = (n: number | undefined, digits = 2) => (n === undefined ? '' : n.toFixed(digits));
const kib = (bytes: number) =>
  bytes >= 1024 * 1024 ? `${(bytes / 1024 / 1024).toFixed(2)} MiB` : `${(bytes / 1024).toFixed(1)} KiB`;

function table(header: readonly string[], lines: readonly (readonly string[])[]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...lines.map((l) => l[i].length)));
  return [header, widths.map((w) => '-'.repeat(w)), ...lines]
    .map((cells) =>
      cells
        .map((c, i) => c.padEnd(widths[i]))
        .join('  ')
        .trimEnd(),
    )
    .join('\n');
}

function visitTable(visits: Record<string, VisitFigures>): string {
  return table(
    [
      'visit',
      'transferred',
      'requests',
      'model loaded',
      'first prediction',
      "page's main thread CPU",
      'CPU: browser + server',
      'answer',
      'model file',
    ],
    Object.entries(visits).map(([name, v]) => [
      name,
      kib(v.bytes),
      String(v.requests),
      `${ms(v.readyMs, 0)} ms`,
      `${ms(v.firstPredictionMs, 0)} ms`,
      v.mainThreadCpuMs === undefined ? 'n/a' : `${ms(v.mainThreadCpuMs, 0)} ms`,
      v.browserCpuMs === undefined ? 'n/a' : `${ms(v.browserCpuMs, 0)} + ${ms(v.serverCpuMs, 0)} ms`,
      v.label,
      v.variant,
    ]),
  );
}

function breakdown(visit: VisitFigures): string {
  return table(
    ['path', 'status', 'encoding', 'bytes'],
    [...visit.responses]
      .sort((a, b) => b.bytes - a.bytes)
      .map((r) => [r.path, String(r.status), r.encoding || 'identity', kib(r.bytes)]),
  );
}

async function main(): Promise<void> {
  const unavailable = mnistHarnessUnavailableReason();
  if (unavailable !== undefined) throw new Error(unavailable);
  const load = loadavg()
    .map((l) => l.toFixed(2))
    .join(', ');
  const { images } = readMnistTestDigits(mnistTestDataDir()!, imageCount);
  const throttle = {
    downloadMbps: Number(args['download-mbps']),
    uploadMbps: Number(args['download-mbps']),
    latencyMs: Number(args['latency-ms']),
  };

  let visits: Record<string, VisitFigures> | undefined;
  if (!args['no-visits']) {
    const outdir = mkdtempSync(join(tmpdir(), 'onnxpipe-bench-web-'));
    try {
      progress('building the demo');
      await buildWebBundle({ outdir, quiet: true });
      progress('starting the server');
      const served = await serveDemo(outdir);
      try {
        const { cold, warm, throttled } = await measureVisits(served, throttle, progress);
        visits = {
          cold: cold,
          warm: warm,
          [`cold, ${throttle.downloadMbps} Mbit/s + ${throttle.latencyMs} ms`]: throttled,
        };
      } finally {
        await served.close();
      }
    } finally {
      rmSync(outdir, { recursive: true, force: true });
    }
  }
  const wasm = await wasmFigures(images);
  const webgpu = args['no-webgpu'] ? 'WebGPU not measured (--no-webgpu)' : await webgpuFigures(images);
  const peer = await nodeFigures(images);
  progress('done');
  if (process.stderr.isTTY) process.stderr.write('\n');

  const rows = [...wasm.rows, ...(typeof webgpu === 'string' ? [] : [webgpu]), ...peer];
  if (args.json) {
    process.stdout.write(
      `${JSON.stringify({ load, cores: cpus().length, environment: wasm.environment, visits, rows, imagesPerSecond: wasm.imagesPerSecond, readBack: wasm.readBack, webgpu: typeof webgpu === 'string' ? webgpu : undefined })}\n`,
    );
    return;
  }
  const browser = wasm.environment.userAgent.match(/HeadlessChrome\/[\d.]+/)?.[0] ?? 'Chromium';
  const out: string[] = [
    `bench:web — model mnist version ${args.version}; ${browser}; ${cpus().length} CPU cores; load average ${load} at the start`,
  ];
  if (visits !== undefined) {
    out.push(
      '',
      'The demo page as `npm start` serves it (bytes counted on the wire, times from navigation start in the page):',
      '',
      visitTable(visits),
    );
    out.push('', "Cold visit, per response (Chromium's encoded sizes):", '', breakdown(visits.cold));
  }
  out.push(
    '',
    `predict() of one digit in the page (${imageCount} MNIST test digits drawn dark on white at ${28 * scale}², cross-origin isolated page):`,
    '',
    table(
      [
        'runtime',
        'model file',
        'input',
        'p10 ms',
        'p50 ms',
        'p99 ms',
        'preprocess p50',
        'inference p50',
        'samples',
        'createClassifier',
      ],
      rows.map((r) => [
        r.config,
        r.variant,
        r.input,
        ms(r.p10, 3),
        ms(r.p50, 3),
        ms(r.p99, 3),
        ms(r.preprocessP50, 3),
        ms(r.inferenceP50, 3),
        String(r.samples),
        r.createMs === undefined ? '' : `${ms(r.createMs, 0)} ms`,
      ]),
    ),
    '',
    `images/s through predict() (wasm ×${threadCounts[0]}, int8): ${BATCHES.map((b) => `batch ${b}: ${ms(wasm.imagesPerSecond[b], 0)}`).join(', ')}`,
    `reading the 280×280 pad back (getImageData): ${Object.entries(wasm.readBack)
      .map(([k, v]) => `${k} p50 ${ms(v.p50, 3)} ms, p99 ${ms(v.p99, 3)} ms`)
      .join('; ')}`,
  );
  if (typeof webgpu === 'string') out.push(webgpu);
  process.stdout.write(`${out.join('\n')}\n`);
}

main().catch((error: unknown) => {
  process.stderr.write(
    `\nbench:web failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
  );
  process.exitCode = 1;
});
