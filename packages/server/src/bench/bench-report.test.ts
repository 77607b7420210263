import { test } from 'node:test';
import assert from 'node:assert/strict';
import { evaluateTarget, formatTarget, renderMarkdown, SERVE_TARGET, type ServeRow } from './bench-report.js';
import type { LoadResult } from './http-load.js';
import type { SessionThroughput } from './in-process-throughput.js';

const inProcess: SessionThroughput[] = [
  { batchSize: 1, runs: 1000, seconds: 1, imagesPerSecond: 1000, msPerRun: 1 },
  { batchSize: 64, runs: 100, seconds: 1, imagesPerSecond: 6400, msPerRun: 10 },
];

function load(
  connections: number,
  requestsPerSecond: number,
  p99Ms: number,
  extra: Partial<LoadResult> = {},
): LoadResult {
  return {
    connections,
    durationSeconds: 10,
    ok: requestsPerSecond * 10,
    requestsPerSecond,
    p50Ms: 1,
    p99Ms,
    maxMs: p99Ms,
    errors: 0,
    timeouts: 0,
    non2xx: 0,
    statusCodes: { 200: requestsPerSecond * 10 },
    ...extra,
  };
}

test('the target is met at 64 connections with batching on, ≥ half the batch-64 figure and p99 under 25 ms', () => {
  const rows: ServeRow[] = [
    { batching: 'off', load: load(64, 6400, 5) }, // batching off never decides the target
    { batching: 'on', load: load(64, 3200, 24) },
  ];
  const outcome = evaluateTarget(rows, inProcess);
  assert.ok(outcome.evaluated && outcome.met);
  assert.equal(outcome.ratio, 0.5);
  assert.match(formatTarget(outcome), /: MET — 3,200 req\/s = 50 % of 6,400 images\/s, p99 24 ms$/);
});

test('the target is missed on throughput, on p99, or on any error or non-2xx answer', () => {
  const cases: [string, LoadResult][] = [
    ['throughput', load(64, 3199, 10)],
    ['p99', load(64, 6000, SERVE_TARGET.maxP99Ms)],
    ['errors', load(64, 6000, 10, { errors: 1 })],
    ['non-2xx', load(64, 6000, 10, { non2xx: 3 })],
  ];
  for (const [why, result] of cases) {
    const outcome = evaluateTarget([{ batching: 'on', load: result }], inProcess);
    assert.ok(outcome.evaluated && !outcome.met, why);
  }
});

test('the target is reported as not evaluated when its run or its reference is missing', () => {
  const outcome = evaluateTarget([{ batching: 'on', load: load(8, 100, 1) }], inProcess);
  assert.equal(outcome.evaluated, false);
  assert.match(formatTarget(outcome), /not evaluated \(no run with batching on at 64 connections\)/);
  assert.equal(evaluateTarget([{ batching: 'on', load: load(64, 100, 1) }], inProcess.slice(0, 1)).evaluated, false);
});

test('the markdown tables have one row per measurement and a ratio column per in-process batch size', () => {
  const markdown = renderMarkdown(inProcess, [
    { batching: 'off', load: load(1, 50, 3) },
    { batching: 'on', load: load(64, 3200, 20, { errors: 2, timeouts: 1 }) },
  ]);
  const [ceiling, serve] = markdown.split('\n\n').map((table) => table.split('\n'));
  assert.equal(ceiling.length, 2 + inProcess.length);
  assert.equal(serve.length, 2 + 2);
  assert.equal(ceiling[2], '| `session.run` loop | 1 | 1,000 | 1.00 | 1000 |');
  assert.equal(serve[2], '| batching off (max batch 1) | 1 | 50 | 1 | 3 | 0 | 0 | 5.0 % | 0.78 % |');
  assert.equal(serve[3], '| batching on (defaults) | 64 | 3,200 | 1 | 20 | 2 (1 timeouts) | 0 | 320 % | 50 % |');
  for (const table of [ceiling, serve]) {
    for (const line of table) assert.equal(line.split('|').length, table[0].split('|').length, line);
  }
});
