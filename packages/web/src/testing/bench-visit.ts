import { spawn, type ChildProcess } from 'node:child_process';
import { createServer, connect, type AddressInfo, type Server, type Socket } from 'node:net';
import { fileURLToPath } from 'node:url';
import type { CDPSession, Page } from 'playwright-core';
import { launchChromium, type ChromiumSession } from './chromium.js';
import { treeCpuMs } from './process-cpu.js';

// The demo page as a visitor gets it: `npm start`'s server (spawned, not imported: nothing
// imports the server) with a fresh browser build, behind a TCP proxy on loopback that counts
// every byte the server sends — headers, compressed bodies, 304s, the wasm threads' requests —
// so "transferred" is what went over the wire, not what the browser reports about it.
//
// A visit navigates to `/`, draws a 7 on the pad as soon as the page's script runs, and records
// in the page (performance.now(), from the navigation's start) when the model is loaded
// (`data-state` ready) and when the first answer is shown (`data-results` 1). Cold: a new
// browser profile (empty HTTP and code caches). Warm: a second visit in the same profile.
// Throttled: a new profile under Chromium's network emulation.

const repositoryRoot = fileURLToPath(new URL('../../../../', import.meta.url));

/** A 7, in the pad's unit square: few points, so that drawing takes little of the time measured. */
const SEVEN = [
  [0.28, 0.22],
  [0.72, 0.22],
  [0.58, 0.5],
  [0.45, 0.82],
] as const;

/** What one visit measured. */
export interface VisitFigures {
  /** Bytes the server sent during the visit (all connections, headers included). */
  readonly bytes: number;
  readonly requests: number;
  /** ms from navigation start until the model was loaded (the page can answer). */
  readonly readyMs: number;
  /** ms from navigation start until the first answer was on screen. */
  readonly firstPredictionMs: number;
  readonly label: string;
  /**
   * CPU ms the browser's processes and the server spent from navigation to the first answer: on a
   * shared machine a truer measure of the work than the wall-clock times (undefined without /proc).
   */
  readonly browserCpuMs?: number;
  readonly serverCpuMs?: number;
  /**
   * CPU ms of the page's main thread until the first answer, from Chromium's trace (thread time
   * of its top-level tasks): the work on the critical path, which an idle machine does in about
   * that much wall-clock time plus the network's.
   */
  readonly mainThreadCpuMs?: number;
  /** The model file the page ran (fp32, int8, ...). */
  readonly variant: string;
  /** Each response: path, status, encoding, bytes on the wire (as Chromium reports them). */
  readonly responses: readonly { path: string; status: number; encoding: string; bytes: number; fromCache: boolean }[];
}

/** Network emulation of a throttled visit. */
export interface Throttle {
  readonly downloadMbps: number;
  readonly uploadMbps: number;
  readonly latencyMs: number;
}

/** The served demo behind the counting proxy. */
export interface VisitServer {
  readonly origin: string;
  visit(browser: ChromiumSession, options?: { throttle?: Throttle }): Promise<VisitFigures>;
  close(): Promise<void>;
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

async function waitUntilReady(origin: string, child: ChildProcess, output: () => string): Promise<void> {
  const deadline = Date.now() + 120_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`the server exited with ${child.exitCode}:\n${output()}`);
    try {
      if ((await fetch(`${origin}/v2/health/ready`)).ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  throw new Error(`the server did not get ready in 120 s:\n${output()}`);
}

/** A TCP proxy to `port` that adds up the bytes coming back. */
async function countingProxy(
  port: number,
): Promise<{ server: Server; port: number; sent: () => number; reset: () => void }> {
  let sent = 0;
  const sockets = new Set<Socket>();
  const server = createServer((client) => {
    const upstream = connect(port, '127.0.0.1');
    sockets.add(client).add(upstream);
    upstream.on('data', (chunk: Buffer) => (sent += chunk.length));
    client.pipe(upstream);
    upstream.pipe(client);
    const close = () => {
      client.destroy();
      upstream.destroy();
      sockets.delete(client);
      sockets.delete(upstream);
    };
    client.on('error', close).on('close', close);
    upstream.on('error', close).on('close', close);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const proxyPort = (server.address() as AddressInfo).port;
  server.on('close', () => sockets.forEach((s) => s.destroy()));
  return { server, port: proxyPort, sent: () => sent, reset: () => void (sent = 0) };
}

// Runs in the page before its own scripts: the times the benchmark reads.
const RECORD_TIMES = `
  window.__visit = {};
  new MutationObserver(() => {
    const main = document.querySelector('main');
    if (!main) return;
    if (main.dataset.state === 'ready' && window.__visit.readyMs === undefined) window.__visit.readyMs = performance.now();
    if (Number(main.dataset.results) >= 1 && window.__visit.firstPredictionMs === undefined) window.__visit.firstPredictionMs = performance.now();
  }).observe(document, { subtree: true, attributes: true, attributeFilter: ['data-state', 'data-results'] });
`;

interface TraceEvent {
  readonly ph: string;
  readonly name: string;
  readonly pid: number;
  readonly tid: number;
  readonly ts: number;
  readonly dur?: number;
  readonly tdur?: number;
  readonly args?: { readonly name?: string };
}

/**
 * Records Chromium's trace of the page; `stop()` returns the thread time of the busiest renderer
 * main thread's top-level events (nested ones are inside them).
 */
async function startTrace(cdp: CDPSession): Promise<{ stop(): Promise<number | undefined> }> {
  const events: TraceEvent[] = [];
  cdp.on('Tracing.dataCollected', (e) => events.push(...(e.value as unknown as TraceEvent[])));
  await cdp.send('Tracing.start', {
    traceConfig: { includedCategories: ['toplevel', 'devtools.timeline', 'v8', 'v8.wasm'] },
    transferMode: 'ReportEvents',
  });
  return {
    async stop() {
      const complete = new Promise((resolve) => cdp.once('Tracing.tracingComplete', resolve));
      await cdp.send('Tracing.end');
      await complete;
      const mains = new Set(
        events
          .filter((e) => e.name === 'thread_name' && e.args?.name === 'CrRendererMain')
          .map((e) => `${e.pid}:${e.tid}`),
      );
      const perThread = new Map<string, TraceEvent[]>();
      for (const e of events) {
        const key = `${e.pid}:${e.tid}`;
        if (e.ph === 'X' && e.dur !== undefined && mains.has(key))
          perThread.set(key, [...(perThread.get(key) ?? []), e]);
      }
      let busiest: number | undefined;
      for (const list of perThread.values()) {
        list.sort((a, b) => a.ts - b.ts || b.dur! - a.dur!);
        let end = -Infinity;
        let cpu = 0;
        for (const e of list) {
          if (e.ts < end) continue;
          cpu += e.tdur ?? 0;
          end = e.ts + e.dur!;
        }
        busiest = Math.max(busiest ?? 0, cpu / 1000);
      }
      return busiest;
    },
  };
}

async function drawSeven(page: Page): Promise<void> {
  const box = (await page.locator('#pad').boundingBox())!;
  const [first, ...rest] = SEVEN.map(([x, y]) => [box.x + x * box.width, box.y + y * box.height] as const);
  await page.mouse.move(...first);
  await page.mouse.down();
  for (const point of rest) await page.mouse.move(...point, { steps: 2 });
  await page.mouse.up();
}

/**
 * Starts `npm start`'s server on the browser build in `webRoot` (and the repository's models/),
 * behind the counting proxy.
 *
 * @example
 * ```ts
 * const served = await serveDemo(outdir);
 * const browser = await launchChromium();
 * const cold = await served.visit(browser);
 * ```
 */
export async function serveDemo(webRoot: string): Promise<VisitServer> {
  const port = await freePort();
  let log = '';
  const child = spawn(
    process.execPath,
    [
      '--conditions=source',
      '--import',
      'tsx',
      'packages/server/src/cli.ts',
      '--port',
      String(port),
      '--web-root',
      webRoot,
      '--log-level',
      'warn',
    ],
    {
      cwd: repositoryRoot,
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  child.stdout!.on('data', (d: Buffer) => (log += d));
  child.stderr!.on('data', (d: Buffer) => (log += d));
  const stop = async () => {
    if (child.exitCode !== null) return;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGTERM');
    await exited;
  };
  try {
    await waitUntilReady(`http://127.0.0.1:${port}`, child, () => log);
  } catch (error) {
    await stop();
    throw error;
  }
  const proxy = await countingProxy(port);
  const origin = `http://127.0.0.1:${proxy.port}`;
  return {
    origin,
    async visit(browser, options = {}) {
      const { context } = browser;
      const page = await context.newPage();
      const browserCpu = () => treeCpuMs({ marker: `--user-data-dir=${browser.profile}` });
      const serverCpu = () => treeCpuMs({ pids: child.pid === undefined ? [] : [child.pid] });
      const cdp = await context.newCDPSession(page);
      try {
        await cdp.send('Network.enable');
        if (options.throttle !== undefined) {
          const { downloadMbps, uploadMbps, latencyMs } = options.throttle;
          await cdp.send('Network.emulateNetworkConditions', {
            offline: false,
            latency: latencyMs,
            downloadThroughput: (downloadMbps * 1e6) / 8,
            uploadThroughput: (uploadMbps * 1e6) / 8,
          });
        }
        const responses: { path: string; status: number; encoding: string; bytes: number; fromCache: boolean }[] = [];
        const byId = new Map<string, { path: string; status: number; encoding: string; fromCache: boolean }>();
        cdp.on('Network.responseReceived', (e) => {
          // data: URLs (the page's own images) never touch the network.
          if (!e.response.url.startsWith('http')) return;
          const headers = Object.fromEntries(
            Object.entries(e.response.headers).map(([k, v]) => [k.toLowerCase(), String(v)]),
          );
          byId.set(e.requestId, {
            path: new URL(e.response.url).pathname,
            status: e.response.status,
            encoding: headers['content-encoding'] ?? '',
            fromCache: e.response.fromDiskCache === true || e.response.fromPrefetchCache === true,
          });
        });
        cdp.on('Network.loadingFinished', (e) => {
          const response = byId.get(e.requestId);
          if (response !== undefined) responses.push({ ...response, bytes: e.encodedDataLength });
        });
        await page.addInitScript(RECORD_TIMES);
        const trace = await startTrace(cdp);
        proxy.reset();
        const cpuAtStart = [browserCpu(), serverCpu()];
        await page.goto(`${origin}/`, { waitUntil: 'commit' });
        // The page's script has run once it says it is loading the model: then the pad listens.
        await page.waitForFunction(
          () =>
            document.getElementById('status')?.textContent !== '' ||
            document.querySelector('main')?.dataset.state !== 'loading',
          undefined,
          { timeout: 120_000 },
        );
        await drawSeven(page);
        await page.waitForFunction(
          () => (globalThis as { __visit?: { firstPredictionMs?: number } }).__visit?.firstPredictionMs !== undefined,
          undefined,
          { timeout: 120_000 },
        );
        const cpuAtAnswer = [browserCpu(), serverCpu()];
        const mainThreadCpuMs = await trace.stop();
        const spent = (i: number) =>
          cpuAtStart[i] === undefined || cpuAtAnswer[i] === undefined ? undefined : cpuAtAnswer[i]! - cpuAtStart[i]!;
        await page.waitForLoadState('networkidle');
        const times = await page.evaluate(
          () => (globalThis as unknown as { __visit: { readyMs: number; firstPredictionMs: number } }).__visit,
        );
        const state = await page.evaluate(() => ({ ...document.querySelector('main')!.dataset }));
        return {
          bytes: proxy.sent(),
          requests: responses.length,
          readyMs: times.readyMs,
          firstPredictionMs: times.firstPredictionMs,
          label: state.label ?? '',
          browserCpuMs: spent(0),
          serverCpuMs: spent(1),
          mainThreadCpuMs,
          variant: state.variant ?? '',
          responses,
        };
      } finally {
        await cdp.detach().catch(() => undefined);
        await page.close();
      }
    },
    async close() {
      await new Promise<void>((resolve) => proxy.server.close(() => resolve()));
      await stop();
    },
  };
}

/** A cold, a warm and a throttled visit, each cold one in a profile of its own. */
export async function measureVisits(
  served: VisitServer,
  throttle: Throttle,
  progress: (line: string) => void,
): Promise<{ cold: VisitFigures; warm: VisitFigures; throttled: VisitFigures }> {
  let browser: ChromiumSession | undefined = await launchChromium();
  try {
    progress('visit: cold');
    const cold = await served.visit(browser);
    progress('visit: warm');
    const warm = await served.visit(browser);
    await browser.close();
    browser = await launchChromium();
    progress(`visit: cold, throttled to ${throttle.downloadMbps} Mbit/s, ${throttle.latencyMs} ms`);
    const throttled = await served.visit(browser, { throttle });
    return { cold, warm, throttled };
  } finally {
    await browser?.close();
  }
}
