import Fastify, { type FastifyInstance } from 'fastify';
import type { ServerConfig } from './config.js';
import { installErrorHandlers } from './error-handler.js';
import { selectExecutionProvider } from './models/execution-provider.js';
import { loadModelRegistry, type ModelRegistry } from './models/model-registry.js';
import { healthRoutes } from './routes/health.js';
import { predictRoutes } from './routes/predict.js';
import { ERROR_SCHEMA } from './routes/schemas.js';

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
 * repository, and registers the routes. Nothing listens yet: call `listen()`, or `inject()` in
 * tests. `close()` stops accepting, lets in-flight requests finish, drains the batch queues
 * and releases the onnxruntime sessions.
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
  const app = Fastify({
    logger: options.logStream === undefined ? { level: config.logLevel } : { level: config.logLevel, stream: options.logStream },
    bodyLimit: config.maxBodyBytes,
    // Node's limit on receiving a whole request (slow clients); inference has its own deadline.
    requestTimeout: config.requestTimeoutMs,
    requestIdHeader: 'x-request-id',
    ajv: { customOptions: { removeAdditional: false } },
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
  app.addHook('onRequest', async (request, reply) => {
    reply.header('x-request-id', request.id);
  });
  // While draining, responses close their keep-alive connection: otherwise an idle client
  // connection left over from an in-flight request keeps the server (and the drain) open.
  app.addHook('onSend', async (_request, reply) => {
    if (app.models.draining) reply.header('connection', 'close');
  });
  app.addSchema(ERROR_SCHEMA);
  installErrorHandlers(app, config);
  await app.register(healthRoutes);
  await app.register(predictRoutes);
  return app;
}
