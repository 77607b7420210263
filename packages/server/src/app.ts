import Fastify, { type FastifyInstance } from 'fastify';
import type { ServerConfig } from './config.js';
import { installErrorHandlers } from './error-handler.js';
import { selectExecutionProvider } from './models/execution-provider.js';
import { loadModelRegistry, type ModelRegistry } from './models/model-registry.js';
import { corsPlugin } from './plugins/cors.js';
import { docsPlugin } from './plugins/docs.js';
import { metricsPlugin } from './plugins/metrics.js';
import { modelControlPlugin } from './plugins/model-control.js';
import { securityHeadersPlugin } from './plugins/security-headers.js';
import { webAppPlugin } from './plugins/web-app.js';
import { RequestLogController } from './request-logging.js';
import { healthRoutes } from './routes/health.js';
import { modelFileRoutes } from './routes/model-file.js';
import { predictRoutes } from './routes/predict.js';
import { repositoryRoutes } from './routes/repository.js';
import { ERROR_SCHEMA, OPEN_INFERENCE_ERROR_SCHEMA } from './routes/schemas.js';
import { v2InferRoutes } from './routes/v2-infer.js';
import { v2MetadataRoutes } from './routes/v2-metadata.js';

declare module 'fastify' {
  interface FastifyInstance {
    /** The validated, frozen settings. */
    readonly config: ServerConfig;
    /** Loaded models, their engines, and the active execution provider. */
    readonly models: ModelRegistry;
  }
}

/** Options of {@link buildApp}. */
export interface BuildAppOptions {
  readonly config: ServerConfig;
  /** Where pino writes its JSON lines (tests collect them). @defaultValue standard output */
  readonly logStream?: { write(line: string): void };
}

/**
 * Builds the server: picks the execution provider, loads and checks every model of the
 * repository, and registers the routes (POST /predict, the Open Inference Protocol's /v2
 * routes, the model repository API, the model files, /metrics, /docs, and the demo page of
 * `webRoot` at /) with CORS as configured, security headers, and model control as
 * `modelControlMode` says (with poll, the repository poller starts here). Nothing listens
 * yet: call `listen()`, or `inject()` in tests. `close()` stops accepting, lets in-flight
 * requests finish, drains the batch queues and releases the onnxruntime sessions.
 *
 * @throws `ONNXPIPE_SERVER_DEVICE_UNAVAILABLE`, `ONNXPIPE_SERVER_MODEL_LOAD_FAILED`
 *
 * @example
 * ```ts
 * const app = await buildApp({ config: loadConfig({ argv: process.argv.slice(2) }) });
 * await app.listen({ port: app.config.port, host: app.config.host });
 * ```
 */
export async function buildApp(options: BuildAppOptions): Promise<FastifyInstance> {
  const { config } = options;
  // A request's Authorization header (the model control token) never reaches a log line, even
  // from a serializer that logs headers.
  const redact = { paths: ['req.headers.authorization', 'headers.authorization'], censor: '[redacted]' };
  const app = Fastify({
    logger: {
      level: config.logLevel,
      redact,
      ...(options.logStream === undefined ? {} : { stream: options.logStream }),
    },
    bodyLimit: config.maxBodyBytes,
    // Node's limit on receiving a whole request (slow clients); inference has its own deadline.
    requestTimeout: config.requestTimeoutMs,
    requestIdHeader: 'x-request-id',
    // Per-request lines at debug: at info they cost more CPU than inferring a small image.
    logController: new RequestLogController(),
    // Union types: the Open Inference Protocol's parameter values are strings, numbers or booleans.
    ajv: { customOptions: { removeAdditional: false, allowUnionTypes: true } },
  });
  app.decorate('config', config);
  try {
    const provider = await selectExecutionProvider(config.device, app.log);
    app.decorate('models', await loadModelRegistry(config, provider, app.log));
  } catch (error) {
    await app.close();
    throw error;
  }
  // Readiness turns false as soon as shutdown starts, while in-flight requests still finish.
  app.addHook('preClose', async () => app.models.markDraining());
  app.addHook('onClose', async () => app.models.close());
  // The per-request hooks take callbacks rather than returning promises: they run on every
  // request, and an async hook costs a promise and a microtask turn each.
  app.addHook('onRequest', (request, reply, done) => {
    reply.header('x-request-id', request.id);
    done();
  });
  // While draining, responses close their keep-alive connection: otherwise an idle client
  // connection left over from an in-flight request keeps the server (and the drain) open.
  app.addHook('onSend', (_request, reply, payload, done) => {
    if (app.models.draining) reply.header('connection', 'close');
    done(null, payload);
  });
  app.addSchema(ERROR_SCHEMA);
  app.addSchema(OPEN_INFERENCE_ERROR_SCHEMA);
  installErrorHandlers(app, config);
  // Root-level plugins first: CORS and security headers go on every response (errors
  // included), /docs must see every route being added, and the metrics hooks must apply to
  // every route.
  await app.register(securityHeadersPlugin);
  await app.register(corsPlugin);
  await app.register(docsPlugin);
  await app.register(metricsPlugin);
  await app.register(modelControlPlugin);
  await app.register(healthRoutes);
  await app.register(predictRoutes);
  await app.register(v2MetadataRoutes);
  await app.register(v2InferRoutes);
  await app.register(repositoryRoutes);
  await app.register(modelFileRoutes);
  await app.register(webAppPlugin);
  return app;
}
