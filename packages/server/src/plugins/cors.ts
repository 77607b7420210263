import cors from '@fastify/cors';
import fp from 'fastify-plugin';
import { INFERENCE_HEADER_LENGTH } from '../input/binary-tensors.js';

// CORS for browsers that call the server from another origin — the browser SDK in remote
// mode, served from its own site. Driven by the `corsOrigins` setting: empty (the default)
// sends no CORS headers at all, so only same-origin pages (and non-browser clients) can call;
// a list allows exactly those origins; `*` allows any (no credentials are involved: the API
// uses no cookies). A refused origin gets no Access-Control-Allow-Origin, and the browser
// blocks the call.

/** Headers a cross-origin page may send: JSON and image bodies, request ids, binary tensors. */
export const CORS_ALLOWED_HEADERS = ['content-type', 'x-request-id', INFERENCE_HEADER_LENGTH] as const;
/** Response headers a cross-origin page may read. */
export const CORS_EXPOSED_HEADERS = ['x-request-id', 'retry-after', INFERENCE_HEADER_LENGTH] as const;

/** Registers @fastify/cors on the root instance when `corsOrigins` is not empty. */
export const corsPlugin = fp(
  async (app) => {
    const origins = app.config.corsOrigins;
    if (origins.length === 0) return;
    await app.register(cors, {
      origin: origins.includes('*') ? '*' : [...origins],
      methods: ['GET', 'POST'],
      allowedHeaders: [...CORS_ALLOWED_HEADERS],
      exposedHeaders: [...CORS_EXPOSED_HEADERS],
      credentials: false,
      // Browsers cache the preflight this long (Chromium caps it at 2 hours).
      maxAge: 600,
    });
  },
  { name: 'onnxpipe-cors' },
);
