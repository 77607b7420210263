import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createTestApp, MODEL_CONTROL_AUTH, MODEL_CONTROL_ENV } from '../testing/test-app.js';

// GET /metrics scraped after a few requests and parsed as Prometheus' text format: the request
// counter by route and status, the histograms' counts, the per-model labels — and a second app
// in the same process starts from zero (its own registry, not prom-client's global one).

interface Sample {
  readonly name: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly value: number;
}

/** Samples of the text exposition format (comments skipped; label values without escapes). */
function parseMetrics(text: string): Sample[] {
  const samples: Sample[] = [];
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const match = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    assert.ok(match, `not a sample line: ${line}`);
    const labels = Object.fromEntries(
      [...(match[2] ?? '').matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="([^"]*)"/g)].map((m) => [m[1], m[2]]),
    );
    samples.push({ name: match[1], labels, value: Number(match[3]) });
  }
  return samples;
}

function find(samples: readonly Sample[], name: string, labels: Record<string, string> = {}): number | undefined {
  return samples.find((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v))?.value;
}

const model = { model: 'mnist', version: '1', execution_provider: 'cpu' };
const infer = { inputs: [{ name: 'input', shape: [2, 1, 28, 28], datatype: 'FP32', data: Array(2 * 784).fill(0) }] };

test('GET /metrics: request counts and latency by route, batch, queue and inference histograms by model', async () => {
  const { app, close } = await createTestApp();
  try {
    for (let i = 0; i < 3; i++) {
      assert.equal(
        (await app.inject({ method: 'POST', url: '/predict?preprocess=none', payload: { pixels: Array(784).fill(0) } }))
          .statusCode,
        200,
      );
    }
    assert.equal((await app.inject({ method: 'POST', url: '/v2/models/mnist/infer', payload: infer })).statusCode, 200);
    assert.equal(
      (await app.inject({ method: 'POST', url: '/v2/models/fashion/infer', payload: infer })).statusCode,
      404,
    );
    assert.equal((await app.inject({ url: '/nowhere' })).statusCode, 404);

    const response = await app.inject({ url: '/metrics' });
    assert.equal(response.statusCode, 200);
    assert.match(String(response.headers['content-type']), /^text\/plain; version=0\.0\.4/);
    const samples = parseMetrics(response.body);

    const requests = (method: string, route: string, status: string) =>
      find(samples, 'onnxpipe_http_requests_total', { method, route, status_code: status });
    assert.equal(requests('POST', '/predict', '200'), 3);
    assert.equal(requests('POST', '/v2/models/:name/infer', '200'), 1, 'the route pattern, not the URL');
    assert.equal(requests('POST', '/v2/models/:name/infer', '404'), 1);
    assert.equal(requests('GET', 'unmatched', '404'), 1);
    assert.equal(
      find(samples, 'onnxpipe_http_request_duration_seconds_count', { method: 'POST', route: '/predict' }),
      3,
    );
    assert.ok(find(samples, 'onnxpipe_http_request_duration_seconds_sum', { method: 'POST', route: '/predict' })! > 0);

    // 3 runs of one item and one of two (the model's warm-up is not counted).
    assert.equal(find(samples, 'onnxpipe_batch_size_count', model), 4);
    assert.equal(find(samples, 'onnxpipe_batch_size_sum', model), 5);
    assert.equal(find(samples, 'onnxpipe_batch_size_bucket', { ...model, le: '1' }), 3);
    assert.equal(find(samples, 'onnxpipe_queue_wait_seconds_count', model), 5, 'one observation per item');
    assert.equal(find(samples, 'onnxpipe_inference_duration_seconds_count', model), 4, 'one observation per run');
    assert.equal(find(samples, 'onnxpipe_queue_length', model), 0);
    assert.ok(find(samples, 'onnxpipe_process_resident_memory_bytes')! > 0, 'process metrics are there too');
  } finally {
    await close();
  }

  const second = await createTestApp();
  try {
    const samples = parseMetrics((await second.app.inject({ url: '/metrics' })).body);
    assert.equal(
      find(samples, 'onnxpipe_http_requests_total', { route: '/predict' }),
      undefined,
      'a fresh app has its own registry',
    );
    assert.equal(find(samples, 'onnxpipe_batch_size_count', model), undefined);
  } finally {
    await second.close();
  }
});

test('the queue length gauge reads the queue at scrape time; loads are counted by outcome', async () => {
  const { app, close } = await createTestApp({
    overrides: { maxQueueDelayMs: 500, batchScheduling: 'delay' },
    env: MODEL_CONTROL_ENV,
  });
  try {
    const pending = app.inject({ method: 'POST', url: '/v2/models/mnist/infer', payload: infer });
    while (app.models.get().stats.queueLength < 2) await new Promise((r) => setTimeout(r, 2));
    const during = parseMetrics((await app.inject({ url: '/metrics' })).body);
    assert.equal(find(during, 'onnxpipe_queue_length', model), 2);
    assert.equal((await pending).statusCode, 200);
    await app.inject({ method: 'POST', headers: MODEL_CONTROL_AUTH, url: '/v2/repository/models/mnist/load' });
    await app.inject({ method: 'POST', headers: MODEL_CONTROL_AUTH, url: '/v2/repository/models/fashion/load' });
    const after = parseMetrics((await app.inject({ url: '/metrics' })).body);
    assert.equal(find(after, 'onnxpipe_queue_length', model), 0);
    assert.equal(find(after, 'onnxpipe_model_loads_total', { outcome: 'success' }), 1);
    assert.equal(find(after, 'onnxpipe_model_loads_total', { outcome: 'failure' }), 1);
  } finally {
    await close();
  }
});
