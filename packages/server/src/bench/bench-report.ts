import type { LoadResult } from './http-load.js';
import type { SessionThroughput } from './in-process-throughput.js';

/** Dynamic batching as configured for one server run. */
export type BatchingMode = 'off' | 'on';

/** One measured HTTP load level. */
export interface ServeRow {
  readonly batching: BatchingMode;
  readonly load: LoadResult;
  /**
   * Server process CPU time (all threads) per 2xx response during the level, in ms: unlike
   * req/s, barely moved by what else runs on a shared machine, so it shows a change in the
   * server's own cost when throughput figures are too noisy to.
   */
  readonly serverCpuMsPerRequest?: number;
}

/**
 * The goal the bench reports on: with batching on (the defaults), `/predict` with a small PNG at
 * 64 connections serves at least half the in-process batch-64 images/s, with p99 under 25 ms.
 */
export const SERVE_TARGET = Object.freeze({ connections: 64, batchSize: 64, minRatio: 0.5, maxP99Ms: 25 });

export type TargetOutcome =
  | { readonly evaluated: false; readonly reason: string }
  | {
      readonly evaluated: true;
      readonly met: boolean;
      readonly ratio: number;
      readonly p99Ms: number;
      readonly requestsPerSecond: number;
      readonly inProcessImagesPerSecond: number;
    };

/** Checks {@link SERVE_TARGET} against the measured rows. */
export function evaluateTarget(rows: readonly ServeRow[], inProcess: readonly SessionThroughput[]): TargetOutcome {
  const row = rows.find((r) => r.batching === 'on' && r.load.connections === SERVE_TARGET.connections);
  const reference = inProcess.find((r) => r.batchSize === SERVE_TARGET.batchSize);
  if (row === undefined)
    return { evaluated: false, reason: `no run with batching on at ${SERVE_TARGET.connections} connections` };
  if (reference === undefined)
    return { evaluated: false, reason: `no in-process run at batch ${SERVE_TARGET.batchSize}` };
  const ratio = row.load.requestsPerSecond / reference.imagesPerSecond;
  const met =
    ratio >= SERVE_TARGET.minRatio &&
    row.load.p99Ms < SERVE_TARGET.maxP99Ms &&
    row.load.errors === 0 &&
    row.load.non2xx === 0;
  return {
    evaluated: true,
    met,
    ratio,
    p99Ms: row.load.p99Ms,
    requestsPerSecond: row.load.requestsPerSecond,
    inProcessImagesPerSecond: reference.imagesPerSecond,
  };
}

const fmt = (n: number, digits = 0) =>
  n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });
const row = (cells: readonly string[]) => `| ${cells.join(' | ')} |`;
// Small ratios keep two significant digits: "0 %" would hide 0.4 % and 0.04 % alike.
const percent = (ratio: number) => `${ratio < 0.1 ? (100 * ratio).toPrecision(2) : fmt(100 * ratio)} %`;

/**
 * The results as markdown tables for docs/benchmarks.md: in-process `session.run` images/s per
 * batch size, then `/predict` per batching mode and connection count with the ratio to each
 * in-process figure.
 */
export function renderMarkdown(inProcess: readonly SessionThroughput[], rows: readonly ServeRow[]): string {
  const lines = [
    row(['in-process onnxruntime-node', 'batch', 'images/s', 'ms / run', 'runs']),
    row(['---', '---:', '---:', '---:', '---:']),
    ...inProcess.map((r) =>
      row(['`session.run` loop', String(r.batchSize), fmt(r.imagesPerSecond), fmt(r.msPerRun, 2), String(r.runs)]),
    ),
    '',
  ];
  const references = inProcess.map((r) => `vs in-process b${r.batchSize}`);
  lines.push(
    row(['POST /predict (PNG)', 'connections', 'req/s (2xx)', 'p50 ms', 'p99 ms', 'errors', 'non-2xx', ...references]),
    row(['---', '---:', '---:', '---:', '---:', '---:', '---:', ...references.map(() => '---:')]),
  );
  for (const { batching, load } of rows) {
    const label = batching === 'on' ? 'batching on (defaults)' : 'batching off (max batch 1)';
    const errors = load.timeouts > 0 ? `${load.errors} (${load.timeouts} timeouts)` : String(load.errors);
    lines.push(
      row([
        label,
        String(load.connections),
        fmt(load.requestsPerSecond),
        String(load.p50Ms),
        String(load.p99Ms),
        errors,
        String(load.non2xx),
        ...inProcess.map((r) => percent(load.requestsPerSecond / r.imagesPerSecond)),
      ]),
    );
  }
  return lines.join('\n');
}

/** One line on {@link SERVE_TARGET}: met or not, with the figures that decide it. */
export function formatTarget(outcome: TargetOutcome): string {
  const goal =
    `target: /predict at ${SERVE_TARGET.connections} connections (batching on) ≥ ${percent(SERVE_TARGET.minRatio)} of ` +
    `in-process batch ${SERVE_TARGET.batchSize}, p99 < ${SERVE_TARGET.maxP99Ms} ms, no errors`;
  if (!outcome.evaluated) return `${goal}: not evaluated (${outcome.reason})`;
  return (
    `${goal}: ${outcome.met ? 'MET' : 'NOT MET'} — ${fmt(outcome.requestsPerSecond)} req/s = ${percent(outcome.ratio)} of ` +
    `${fmt(outcome.inProcessImagesPerSecond)} images/s, p99 ${outcome.p99Ms} ms`
  );
}
