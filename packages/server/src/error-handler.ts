import { STATUS_CODES } from 'node:http';
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { describeValue, formatChoices } from '@onnxpipe/core';
import type { ServerConfig } from './config.js';
import {
  ONNXPIPE_SERVER_BAD_REQUEST,
  ONNXPIPE_SERVER_BODY_TOO_LARGE,
  ONNXPIPE_SERVER_INTERNAL,
  ONNXPIPE_SERVER_ROUTE_NOT_FOUND,
  ONNXPIPE_SERVER_TOO_MANY_ITEMS,
  ONNXPIPE_SERVER_UNSUPPORTED_MEDIA_TYPE,
  RETRYABLE_CODES,
} from './errors.js';
import { INFER_MEDIA_TYPES, PREDICT_MEDIA_TYPES } from './input/media-types.js';

// Every error leaves through here, so every error body has the same shape and a code from
// errors.ts (on the Open Inference Protocol routes, the protocol's shape with our code added) —
// including the ones fastify and @fastify/multipart raise themselves, which are translated to
// ours so that clients only ever see ONNXPIPE_SERVER_* codes.

/** The body of an error response. */
export interface ErrorBody {
  readonly error: string;
  readonly code: string;
  readonly statusCode: number;
  readonly message: string;
}

/**
 * The body of an error response on the Open Inference Protocol routes (`/v2/...`): the
 * protocol's `{ "error": "<message>" }`, plus our stable code.
 */
export interface OpenInferenceErrorBody {
  readonly error: string;
  readonly code: string;
}

/** Whether `url` is one of the Open Inference Protocol's (`/v2`, `/v2/...`). */
export function isOpenInferenceUrl(url: string): boolean {
  const path = url.split('?')[0];
  return path === '/v2' || path.startsWith('/v2/');
}

/** Seconds a client should wait before retrying a 503. */
export const RETRY_AFTER_SECONDS = 1;

type AnyError = FastifyError & { code?: string; statusCode?: number };

/** The server error for `error`: ours pass through, fastify's and the plugins' are translated. */
export function toServerError(error: AnyError, config: ServerConfig, request: FastifyRequest): AnyError {
  const code = typeof error.code === 'string' ? error.code : '';
  if (code.startsWith('ONNXPIPE_SERVER_')) return error;
  if (error.validation !== undefined) return new ONNXPIPE_SERVER_BAD_REQUEST(error.message, { cause: error });
  switch (code) {
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
    case 'FST_REQ_FILE_TOO_LARGE': {
      const length = request.headers['content-length'];
      return new ONNXPIPE_SERVER_BODY_TOO_LARGE(
        `the request body may be at most ${config.maxBodyBytes} bytes ('maxBodyBytes')${length ? `; received ${length}` : ''}`,
        { cause: error },
      );
    }
    case 'FST_FILES_LIMIT':
    case 'FST_PARTS_LIMIT':
    case 'FST_FIELDS_LIMIT':
      return new ONNXPIPE_SERVER_TOO_MANY_ITEMS(
        `a multipart body may carry at most ${config.maxItemsPerRequest} files ('maxItemsPerRequest') and a few fields; received more`,
        { cause: error },
      );
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
    case 'FST_INVALID_MULTIPART_CONTENT_TYPE': {
      const accepted = isOpenInferenceUrl(request.url) ? INFER_MEDIA_TYPES : PREDICT_MEDIA_TYPES;
      return new ONNXPIPE_SERVER_UNSUPPORTED_MEDIA_TYPE(
        `'Content-Type' must be one of ${formatChoices(accepted)}; received ${describeValue(request.headers['content-type'])}`,
        { cause: error },
      );
    }
  }
  const status = error.statusCode ?? 500;
  if (status >= 400 && status < 500) return new ONNXPIPE_SERVER_BAD_REQUEST(error.message, { cause: error });
  return new ONNXPIPE_SERVER_INTERNAL(
    `internal server error; the server log has the details under request id ${request.id}`,
    {
      cause: error,
    },
  );
}

function send(request: FastifyRequest, reply: FastifyReply, error: AnyError): FastifyReply {
  const statusCode = error.statusCode ?? 500;
  if (RETRYABLE_CODES.has(error.code)) reply.header('retry-after', String(RETRY_AFTER_SECONDS));
  const body: ErrorBody | OpenInferenceErrorBody = isOpenInferenceUrl(request.url)
    ? { error: error.message, code: error.code }
    : { error: STATUS_CODES[statusCode] ?? 'Error', code: error.code, statusCode, message: error.message };
  // A binary-tensor infer request may have set these for its success response.
  reply.removeHeader('inference-header-content-length');
  return reply.status(statusCode).type('application/json; charset=utf-8').send(body);
}

/** Installs the error and not-found handlers on `app` (root scope: every route inherits them). */
export function installErrorHandlers(app: FastifyInstance, config: ServerConfig): void {
  app.setErrorHandler((error: AnyError, request, reply) => {
    const mapped = toServerError(error, config, request);
    const status = mapped.statusCode ?? 500;
    if (status >= 500 && !RETRYABLE_CODES.has(mapped.code)) {
      request.log.error({ err: error }, `${mapped.code}: ${error.message}`);
    } else {
      request.log.info({ code: mapped.code, statusCode: status }, mapped.message);
    }
    return send(request, reply, mapped);
  });
  app.setNotFoundHandler((request, reply) =>
    send(
      request,
      reply,
      new ONNXPIPE_SERVER_ROUTE_NOT_FOUND(`no route for ${request.method} ${request.url.split('?')[0]}`),
    ),
  );
}
