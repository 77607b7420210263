import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DynamicBatcher, type BatcherOptions } from './dynamic-batcher.js';

// The batcher alone, with a runner that records its batches: gathering, splitting at
// maxBatchSize, refusing when full, timing out, draining on close.

function recorder(delayMs = 0) {
  const batches: number[][] = [];
  const run = async (inputs: readonly number[]) => {
    batches.push([...inputs]);
    if (delayMs > 0) await new Promise((r) => setTimeout(r, delayMs));
    return inputs.map((x) => x * 10);
  };
  return { batches, run };
}

// Triton's timer rule unless a test asks for adaptive scheduling (the server's default).
const options = (o: Partial<BatcherOptions> = {}): BatcherOptions => ({
  maxBatchSize: 8,
  maxQueueDelayMs: 20,
  maxQueueLength: 100,
  scheduling: 'delay',
  ...o,
});

test('concurrent submits share one run and each gets its own outputs back, in order', async () => {
  const { batches, run } = recorder();
  const batcher = new DynamicBatcher(run, options());
  const results = await Promise.all([batcher.submit([1]), batcher.submit([2, 3]), batcher.submit([4])]);
  assert.deepEqual(
    results.map((r) => r.map((x) => x.output)),
    [[10], [20, 30], [40]],
  );
  assert.deepEqual(batches, [[1, 2, 3, 4]]);
  assert.equal(results[1][0].batchSize, 4);
  assert.deepEqual(
    { ...batcher.stats },
    { runs: 1, items: 4, largestBatch: 4, queueLength: 0, rejected: 0, timedOut: 0 },
  );
});

test('a full batch leaves at once; the rest waits for the next run (one run at a time)', async () => {
  const { batches, run } = recorder(10);
  const batcher = new DynamicBatcher(run, options({ maxBatchSize: 3, maxQueueDelayMs: 1000 }));
  const started = performance.now();
  const [a, b] = await Promise.all([batcher.submit([1, 2, 3, 4]), batcher.submit([5, 6])]);
  assert.deepEqual(batches, [
    [1, 2, 3],
    [4, 5, 6],
  ]);
  assert.deepEqual(
    [...a, ...b].map((r) => r.output),
    [10, 20, 30, 40, 50, 60],
  );
  assert.ok(performance.now() - started < 500, 'full batches do not wait for maxQueueDelayMs');
});

test('delay: a lone item runs after maxQueueDelayMs', async () => {
  const { batches, run } = recorder();
  const batcher = new DynamicBatcher(run, options({ maxQueueDelayMs: 30 }));
  const started = performance.now();
  const [result] = await batcher.submit([7]);
  assert.ok(performance.now() - started >= 25, 'waited for company');
  assert.ok(result.queueMs >= 25);
  assert.deepEqual(batches, [[7]]);
});

test('a submit that does not fit the queue is refused whole with QUEUE_FULL', async () => {
  const { run } = recorder();
  const batcher = new DynamicBatcher(run, options({ maxQueueLength: 3, maxQueueDelayMs: 50 }));
  const first = batcher.submit([1, 2]);
  await assert.rejects(batcher.submit([3, 4]), { code: 'ONNXPIPE_SERVER_QUEUE_FULL', statusCode: 503 });
  assert.equal(batcher.stats.queueLength, 2, 'nothing of the refused submit was queued');
  const third = batcher.submit([3]);
  assert.deepEqual(
    (await first).map((r) => r.output),
    [10, 20],
  );
  assert.deepEqual(
    (await third).map((r) => r.output),
    [30],
  );
  assert.equal(batcher.stats.rejected, 1);
});

test('a deadline removes waiting items and rejects with REQUEST_TIMEOUT; others are unaffected', async () => {
  const { batches, run } = recorder();
  const batcher = new DynamicBatcher(run, options({ maxQueueDelayMs: 60 }));
  const late = batcher.submit([1], { deadline: performance.now() + 10 });
  const patient = batcher.submit([2]);
  await assert.rejects(late, { code: 'ONNXPIPE_SERVER_REQUEST_TIMEOUT', statusCode: 503 });
  assert.deepEqual(
    (await patient).map((r) => r.output),
    [20],
  );
  assert.deepEqual(batches, [[2]]);
  assert.equal(batcher.stats.timedOut, 1);
});

test('a failing run rejects every submit in it, and the batcher keeps working', async () => {
  let fail = true;
  const batcher = new DynamicBatcher(
    async (xs: readonly number[]) => {
      if (fail) throw new Error('boom');
      return xs.map((x) => x + 1);
    },
    options({ maxQueueDelayMs: 5 }),
  );
  const results = await Promise.allSettled([batcher.submit([1]), batcher.submit([2])]);
  assert.deepEqual(
    results.map((r) => r.status),
    ['rejected', 'rejected'],
  );
  fail = false;
  assert.deepEqual(
    (await batcher.submit([3])).map((r) => r.output),
    [4],
  );
});

test('close runs what is queued without waiting, then refuses new work', async () => {
  const { batches, run } = recorder();
  const batcher = new DynamicBatcher(run, options({ maxQueueDelayMs: 10_000 }));
  const queued = batcher.submit([1, 2]);
  const started = performance.now();
  await batcher.close();
  assert.ok(performance.now() - started < 1000);
  assert.deepEqual(
    (await queued).map((r) => r.output),
    [10, 20],
  );
  assert.deepEqual(batches, [[1, 2]]);
  await assert.rejects(batcher.submit([3]), { code: 'ONNXPIPE_SERVER_MODEL_NOT_READY' });
});

test('adaptive: a lone item on an idle engine runs at once, not after maxQueueDelayMs', async () => {
  const { batches, run } = recorder();
  const batcher = new DynamicBatcher(run, options({ scheduling: 'adaptive', maxQueueDelayMs: 1000 }));
  const started = performance.now();
  const [result] = await batcher.submit([7]);
  assert.ok(performance.now() - started < 500, 'did not wait for maxQueueDelayMs');
  assert.equal(result.output, 70);
  assert.deepEqual(batches, [[7]]);
});

test('adaptive: submits of the same event-loop turn share a run; items gather while a batch runs', async () => {
  const { batches, run } = recorder(30);
  const batcher = new DynamicBatcher(run, options({ scheduling: 'adaptive', maxQueueDelayMs: 1000 }));
  const first = [batcher.submit([1]), batcher.submit([2])];
  // Arrive while [1, 2] runs (30 ms): they wait for it, then run together at once.
  await new Promise((r) => setTimeout(r, 10));
  const later = [batcher.submit([3]), batcher.submit([4, 5])];
  await new Promise((r) => setTimeout(r, 5));
  const last = batcher.submit([6]);
  const results = await Promise.all([...first, ...later, last]);
  assert.deepEqual(batches, [
    [1, 2],
    [3, 4, 5, 6],
  ]);
  assert.deepEqual(
    results.map((r) => r.map((x) => x.output)),
    [[10], [20], [30], [40, 50], [60]],
  );
  assert.equal(results[2][0].batchSize, 4);
});

test('adaptive: maxQueueDelayMs 0 runs a submit synchronously, without waiting for the loop turn', async () => {
  const { batches, run } = recorder();
  const batcher = new DynamicBatcher(run, options({ scheduling: 'adaptive', maxQueueDelayMs: 0, maxBatchSize: 1 }));
  const pending = [batcher.submit([1]), batcher.submit([2])];
  assert.deepEqual(batches, [[1]], 'the first ran before the second was submitted');
  await Promise.all(pending);
  assert.deepEqual(batches, [[1], [2]]);
});
