import type { FastifyRequest, onRequestHookHandler } from 'fastify';
import fp from 'fastify-plugin';
import { bearerCredentials } from '../bearer-token.js';
import type { ServerConfig } from '../config.js';
import {
  ONNXPIPE_SERVER_AUTHENTICATION_REQUIRED,
  ONNXPIPE_SERVER_INVALID_TOKEN,
  ONNXPIPE_SERVER_MODEL_CONTROL_DISABLED,
} from '../errors.js';
import { RepositoryPoller } from '../models/repository-poller.js';
import { reloadRepository } from '../reload.js';

// Model control, as Triton's --model-control-mode: who may change the served models once the
// server runs. `none` (the default): nobody — anyone who can reach the port must not be able to
// take a model down. `explicit`: clients of the repository API's load and unload that present
// the bearer token. `poll`: the server itself, following the repository (RepositoryPoller).
// SIGHUP follows the same setting (src/reload.ts).

declare module 'fastify' {
  interface FastifyInstance {
    /** The repository poller with `modelControlMode` poll; `undefined` otherwise. */
    readonly repositoryPoller: RepositoryPoller | undefined;
  }
}

/** The challenge of a 401 from the model control routes (RFC 6750). */
export const MODEL_CONTROL_CHALLENGE = 'Bearer realm="onnxpipe model control"';

function disabled(config: ServerConfig): Error {
  if (config.modelControlMode === 'poll') {
    return new ONNXPIPE_SERVER_MODEL_CONTROL_DISABLED(
      `'modelControlMode' is poll: the server reloads the repository by itself every ${config.repositoryPollSecs} s ('repositoryPollSecs'); load and unload over HTTP need 'modelControlMode' explicit`,
    );
  }
  return new ONNXPIPE_SERVER_MODEL_CONTROL_DISABLED(
    "model control is off ('modelControlMode' is none): the served models change only when the server starts; to load and unload over HTTP, start it with --model-control-mode explicit (ONNXPIPE_MODEL_CONTROL_MODE=explicit) and a bearer token (ONNXPIPE_MODEL_CONTROL_TOKEN, or --model-control-token-file)",
  );
}

function route(request: FastifyRequest): string {
  return `${request.method} ${request.url.split('?')[0]}`;
}

/**
 * The `onRequest` hook of the routes that change the served models: refuses them unless
 * `modelControlMode` is explicit and the request carries the token. It runs before the body is
 * read; the token is compared in constant time and appears in no message.
 */
export function modelControlGuard(config: ServerConfig): onRequestHookHandler {
  return (request, reply, done) => {
    if (config.modelControlMode !== 'explicit' || config.modelControlToken === undefined) {
      done(disabled(config));
      return;
    }
    const authorization = request.headers.authorization;
    const candidate = bearerCredentials(authorization);
    if (candidate === undefined) {
      reply.header('www-authenticate', MODEL_CONTROL_CHALLENGE);
      const received =
        authorization === undefined ? 'no Authorization header' : 'an Authorization header of another form';
      done(
        new ONNXPIPE_SERVER_AUTHENTICATION_REQUIRED(
          `${route(request)} changes the served models: it needs 'Authorization: Bearer <token>' with the model control token ('modelControlToken'); received ${received}`,
        ),
      );
      return;
    }
    if (!config.modelControlToken.matches(candidate)) {
      done(
        new ONNXPIPE_SERVER_INVALID_TOKEN(
          `${route(request)}: the bearer token is not the model control token ('modelControlToken')`,
        ),
      );
      return;
    }
    done();
  };
}

/** Decorates `repositoryPoller` and, with `modelControlMode` poll, starts it until shutdown. */
export const modelControlPlugin = fp(
  async (app) => {
    const { modelControlMode, modelRepository, modelVersions, repositoryPollSecs } = app.config;
    if (modelControlMode !== 'poll') {
      app.decorate('repositoryPoller', undefined);
      return;
    }
    const poller = new RepositoryPoller({
      repository: modelRepository,
      policy: modelVersions,
      intervalMs: repositoryPollSecs * 1000,
      log: app.log,
      reload: (trigger) => reloadRepository(app, trigger),
    });
    app.decorate('repositoryPoller', poller);
    await poller.start();
    // Before the drain: a reload must not start while the server shuts down.
    app.addHook('preClose', async () => {
      await poller.stop();
    });
  },
  { name: 'onnxpipe-model-control' },
);
