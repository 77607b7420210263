import fp from 'fastify-plugin';
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { LoadedModel } from '../models/load-model.js';

// GET /metrics in Prometheus' text format, from a prom-client Registry of this app's own (the
// global one would mix the counts of every app in a process, tests included). HTTP metrics come
// from an onResponse hook on every route; batch metrics from the model registry's observer,
// labelled by model, version and execution provider; the queue length is read at scrape time.

declare module 'fastify' {
  interface FastifyInstance {
    /** This app's Prometheus registry (GET /metrics). */
    readonly metrics: Registry;
  }
}

/** Label names of the per-model metrics. */
const MODEL_LABELS = ['model', 'version', 'execution_provider'] as const;

/** Names of the metrics, as scraped. */
export const METRIC_NAMES = {
  requests: 'onnxpipe_http_requests_total',
  requestDuration: 'onnxpipe_http_request_duration_seconds',
  batchSize: 'onnxpipe_batch_size',
  queueWait: 'onnxpipe_queue_wait_seconds',
  inferenceDuration: 'onnxpipe_inference_duration_seconds',
  queueLength: 'onnxpipe_queue_length',
  batchFailures: 'onnxpipe_batch_failures_total',
  modelLoads: 'onnxpipe_model_loads_total',
} as const;

const SECONDS = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

/** Registers the metrics and `GET /metrics` on the root instance (hooks see every route). */
export const metricsPlugin = fp(
  async (app) => {
    const registry = new Registry();
    app.decorate('metrics', registry);
    collectDefaultMetrics({ register: registry, prefix: 'onnxpipe_' });
    const registers = [registry];
    const labelsOf = (model: LoadedModel) => ({
      model: model.name,
      version: model.version,
      execution_provider: app.models.executionProvider,
    });

    const requests = new Counter({
      name: METRIC_NAMES.requests,
      help: 'HTTP requests answered, by method, route (its pattern) and status code.',
      labelNames: ['method', 'route', 'status_code'],
      registers,
    });
    const requestDuration = new Histogram({
      name: METRIC_NAMES.requestDuration,
      help: 'Time from receiving a request to sending its response, by method and route.',
      labelNames: ['method', 'route'],
      buckets: SECONDS,
      registers,
    });
    const batchSize = new Histogram({
      name: METRIC_NAMES.batchSize,
      help: 'Items per session.run of the dynamic batcher.',
      labelNames: MODEL_LABELS,
      buckets: [1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024],
      registers,
    });
    const queueWait = new Histogram({
      name: METRIC_NAMES.queueWait,
      help: 'Time an item waited in the batch queue before its run started.',
      labelNames: MODEL_LABELS,
      buckets: SECONDS,
      registers,
    });
    const inferenceDuration = new Histogram({
      name: METRIC_NAMES.inferenceDuration,
      help: 'Duration of one session.run (a whole batch).',
      labelNames: MODEL_LABELS,
      buckets: SECONDS,
      registers,
    });
    const batchFailures = new Counter({
      name: METRIC_NAMES.batchFailures,
      help: 'Batches whose session.run failed.',
      labelNames: MODEL_LABELS,
      registers,
    });
    const modelLoads = new Counter({
      name: METRIC_NAMES.modelLoads,
      help: 'Model loads, reloads and unloads after start-up, by outcome.',
      labelNames: ['outcome'],
      registers,
    });
    new Gauge({
      name: METRIC_NAMES.queueLength,
      help: 'Items waiting in the batch queue now.',
      labelNames: MODEL_LABELS,
      registers,
      collect() {
        // Reset first: a model unloaded since the last scrape must not linger.
        this.reset();
        for (const engine of app.models.list()) this.set(labelsOf(engine.model), engine.stats.queueLength);
      },
    });

    const unobserve = app.models.observe({
      batch(model, info) {
        const labels = labelsOf(model);
        batchSize.observe(labels, info.batchSize);
        inferenceDuration.observe(labels, info.runMs / 1000);
        for (const ms of info.queueMs) queueWait.observe(labels, ms / 1000);
        if (info.failed) batchFailures.inc(labels);
      },
      reload(outcome) {
        modelLoads.inc({ outcome });
      },
    });
    app.addHook('onClose', async () => unobserve());

    // A callback hook, not an async one: it runs on every request, and an async hook costs a
    // promise and a microtask turn each time.
    app.addHook('onResponse', (request, reply, done) => {
      // The route's pattern, not the URL: one series per route however many model names exist.
      const route = request.routeOptions.url ?? 'unmatched';
      const method = request.method;
      requests.inc({ method, route, status_code: String(reply.statusCode) });
      requestDuration.observe({ method, route }, reply.elapsedTime / 1000);
      done();
    });

    app.get(
      '/metrics',
      {
        schema: {
          summary: 'Prometheus metrics',
          description: `Prometheus text format: ${Object.values(METRIC_NAMES).join(', ')}, and the process metrics (onnxpipe_process_*, onnxpipe_nodejs_*).`,
          tags: ['Operations'],
          response: {
            200: {
              description: 'Prometheus text exposition format 0.0.4.',
              content: { 'text/plain': { schema: { type: 'string' } } },
            },
          },
        },
      },
      async (_request, reply) => reply.type(registry.contentType).send(await registry.metrics()),
    );
  },
  { name: 'onnxpipe-metrics' },
);
