import { cpus } from 'node:os';
import { parseArgs } from 'node:util';
import { preprocessDigit, toProbabilities } from '@onnxpipe/core';
import { drawnDigit } from './bench-inputs.js';
import { BENCH_PAGE_SCRIPT } from './bench-page-script.js';
import { mnistHarnessUnavailableReason, openHarness, SHIPPED_MODEL_FILE } from './browser-harness.js';
import { mnistTestDataDir, readMnistTestDigits } from '@onnxpipe/data/testing';
import { createNodeReference, type NodeReference } from './node-reference.js';

// npm run bench:web: the SDK in headless Chromium, timed in the page. Latency is one predict()
// of one digit, preprocessing included (p50/p99); throughput is images/s through predict() at
// batch 1, 8 and 64. Measured for wasm, for WebGPU where Chromium offers an adapter (here
// --enable-unsafe-webgpu gives SwiftShader, WebGPU on the CPU: a code-path check, not a GPU
// figure), and, as the peer in the same run, onnxruntime-node in this process on the same inputs.
//
// Usage: npm run bench:web -- [--images 256] [--scale 4] [--no-webgpu] [--json]

const BATCHES = [1, 8, 64] as const;

interface Figures {
  readonly provider: string;
  readonly note: string;
  readonly latencyMs: { readonly p50: number; readonly p99: number; readonly samples: number };
  readonly imagesPerSecond: Record<number, number>;
  readonly createMs?: number;
}

const { values: args } = parseArgs({
  options: {
    images: { type: 'string', default: '256' },
    scale: { type: 'string', default: '4' },
    'no-webgpu': { type: 'boolean', default: false },
    json: { type: 'boolean', default: false },
  },
});
const imageCount = Number(args.images);
const scale = Number(args.scale);

const progress = (line: string) => {
  if (process.stderr.isTTY) process.stderr.write(`\r\x1b[2K${line}`);
  else process.stderr.write(`${line}\n`);
};

function percentile(sorted: readonly number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(p * sorted.length) - 1))];
}

function summarize(durations: readonly number[]) {
  const sorted = [...durations].sort((a, b) => a - b);
  return { p50: percentile(sorted, 0.5), p99: percentile(sorted, 0.99), samples: sorted.length };
}

/** Budgets per measurement: SwiftShader WebGPU runs ~100× slower than wasm, so it gets fewer digits. */
function plan(device: 'wasm' | 'webgpu') {
  return device === 'wasm'
    ? { latency: { count: 300, budgetMs: 15_000, warmup: 10 }, throughput: { count: 512, budgetMs: 10_000 } }
    : { latency: { count: 12, budgetMs: 20_000, warmup: 2 }, throughput: { count: 64, budgetMs: 20_000 } };
}

async function browserFigures(images: readonly Uint8Array[], device: 'wasm' | 'webgpu'): Promise<Figures & { userAgent: string }> {
  const harness = await openHarness({ webgpu: device === 'webgpu' });
  try {
    const { page } = harness;
    await page.addScriptTag({ content: BENCH_PAGE_SCRIPT });
    progress(`${device}: loading the model`);
    const setup = await page.evaluate(
      (options) => (globalThis as unknown as { bench: { setup(o: unknown): Promise<{ createMs: number; executionProvider: string; fallback: { reason: string } | null; userAgent: string }> } }).bench.setup(options),
      { url: harness.modelUrl, device, images: images.map((image) => Array.from(image)), scale, maxBatch: 64 },
    );
    if (setup.executionProvider !== device) throw new Error(`asked for ${device}, got ${setup.executionProvider}: ${setup.fallback?.reason}`);
    const { latency, throughput } = plan(device);
    progress(`${device}: latency (${latency.count} single-digit predicts)`);
    const durations = await page.evaluate((o) => (globalThis as unknown as { bench: { latency(o: unknown): Promise<number[]> } }).bench.latency(o), latency);
    const imagesPerSecond: Record<number, number> = {};
    for (const batch of BATCHES) {
      progress(`${device}: throughput at batch ${batch}`);
      const { images: done, ms } = await page.evaluate(
        (o) => (globalThis as unknown as { bench: { throughput(o: unknown): Promise<{ images: number; ms: number }> } }).bench.throughput(o),
        { batch, ...throughput },
      );
      imagesPerSecond[batch] = (done / ms) * 1000;
    }
    await page.evaluate(() => (globalThis as unknown as { bench: { dispose(): Promise<void> } }).bench.dispose());
    const note = device === 'wasm' ? 'onnxruntime-web 1.30, 1 thread (page not cross-origin isolated)' : 'onnxruntime-web 1.30 JSEP on SwiftShader (CPU)';
    return { provider: device, note, latencyMs: summarize(durations), imagesPerSecond, createMs: setup.createMs, userAgent: setup.userAgent };
  } finally {
    await harness.close();
  }
}

async function nodeFigures(reference: NodeReference, images: readonly Uint8Array[]): Promise<Figures> {
  const { metadata } = reference;
  const drawn = images.map((bytes) => drawnDigit(bytes, scale));
  const classify = async (batch: readonly (typeof drawn)[number][]) => {
    const inputs = batch.map((image) => preprocessDigit(image, { normalization: metadata.normalization, outputSize: metadata.height }).input);
    const output = await reference.run(inputs);
    const classes = metadata.labels.length;
    return inputs.map((_, i) => toProbabilities(output.subarray(i * classes, (i + 1) * classes), metadata.output));
  };
  progress('onnxruntime-node: latency');
  const { latency, throughput } = plan('wasm');
  for (let i = 0; i < latency.warmup; i++) await classify([drawn[i % drawn.length]]);
  const durations: number[] = [];
  for (let i = 0; i < latency.count; i++) {
    const t = performance.now();
    await classify([drawn[i % drawn.length]]);
    durations.push(performance.now() - t);
  }
  const imagesPerSecond: Record<number, number> = {};
  for (const batch of BATCHES) {
    progress(`onnxruntime-node: throughput at batch ${batch}`);
    const slice = (start: number) => Array.from({ length: batch }, (_, i) => drawn[(start + i) % drawn.length]);
    await classify(slice(0));
    let done = 0;
    const started = performance.now();
    while (done < throughput.count) {
      await classify(slice(done));
      done += batch;
    }
    imagesPerSecond[batch] = (done / (performance.now() - started)) * 1000;
  }
  return { provider: 'onnxruntime-node', note: 'cpu EP, 1 intra-op thread, in-process (the peer)', latencyMs: summarize(durations), imagesPerSecond };
}

const fmt = (n: number, digits = 2) => n.toFixed(digits);
const ratio = (n: number) => `${n >= 0.1 ? n.toFixed(2) : n.toPrecision(2)}×`;

function table(rows: readonly Figures[], peer: Figures): string {
  const header = ['provider', 'p50 ms', 'p99 ms', ...BATCHES.map((b) => `img/s @${b}`), `vs node @1`, `vs node @64`, 'notes'];
  const lines = rows.map((r) => [
    r.provider,
    fmt(r.latencyMs.p50),
    fmt(r.latencyMs.p99),
    ...BATCHES.map((b) => fmt(r.imagesPerSecond[b], 0)),
    ratio(r.imagesPerSecond[1] / peer.imagesPerSecond[1]),
    ratio(r.imagesPerSecond[64] / peer.imagesPerSecond[64]),
    r.note + (r.createMs === undefined ? '' : `; createClassifier ${fmt(r.createMs / 1000, 1)} s`),
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...lines.map((l) => l[i].length)));
  return [header, ...lines].map((cells) => cells.map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i]))).join('  ')).join('\n');
}

async function main(): Promise<void> {
  const unavailable = mnistHarnessUnavailableReason();
  if (unavailable !== undefined) throw new Error(unavailable);
  const { images } = readMnistTestDigits(mnistTestDataDir()!, imageCount);
  const reference = await createNodeReference(SHIPPED_MODEL_FILE, { intraOpNumThreads: 1 });
  const rows: Figures[] = [];
  const wasm = await browserFigures(images, 'wasm');
  rows.push(wasm);
  if (!args['no-webgpu']) rows.push(await browserFigures(images.slice(0, 64), 'webgpu'));
  const peer = await nodeFigures(reference, images);
  rows.push(peer);
  await reference.release();
  progress('done');
  if (process.stderr.isTTY) process.stderr.write('\n');

  if (args.json) {
    process.stdout.write(`${JSON.stringify({ images: imageCount, side: 28 * scale, userAgent: wasm.userAgent, rows })}\n`);
    return;
  }
  process.stdout.write(
    `bench:web: the shipped mnist model on ${imageCount} MNIST test digits drawn dark on white at ${28 * scale}×${28 * scale} (RGBA ImageData),\n` +
      `predict() timed in the page (preprocessing included); ${wasm.userAgent.match(/HeadlessChrome\/[\d.]+/)?.[0] ?? 'Chromium'}, ` +
      `${cpus().length} CPU cores\n\n${table(rows, peer)}\n`,
  );
}

main().catch((error: unknown) => {
  process.stderr.write(`\nbench:web failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exitCode = 1;
});
