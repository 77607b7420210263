import { existsSync, statSync } from 'node:fs';
import { extname, relative } from 'node:path';
import fastifyStatic from '@fastify/static';
import type { FastifyPluginAsync, FastifyReply } from 'fastify';
import { ONNXPIPE_SERVER_WEB_APP_NOT_BUILT } from '../errors.js';
import { ERROR_RESPONSES } from '../routes/schemas.js';
import { WEB_APP_CONTENT_SECURITY_POLICY } from './security-headers.js';

// The browser build (`npm run build:web`: the demo page, the SDK bundle, onnxruntime-web's
// .mjs/.wasm under ort/) served from the `webRoot` directory at `/`. The server only serves files
// from a directory; it never imports the SDK.
//
// Every file present at start-up gets its own route (@fastify/static with `wildcard: false`):
// a path that is not one of them never reaches the file system, so `..`, encoded slashes and
// symlink tricks have nothing to match, unknown paths keep the server's JSON 404, and /metrics
// labels stay bounded. A rebuild with the same file names is picked up; new names need a restart.
//
// The page is cross-origin isolated (COOP same-origin + COEP require-corp), which is what gives
// it SharedArrayBuffer and so onnxruntime-web's multi-threaded wasm. Its subresources are all
// same-origin, and the API calls it makes (/predict, /models/...) are same-origin fetches, which
// COEP does not restrict. The headers go on every static file, not only the HTML: a dedicated
// worker (onnxruntime-web's threads) takes its policy from its own script's response. For the
// same reason every file carries the page's Content-Security-Policy in place of the API's
// (security-headers.ts): a worker's policy, 'wasm-unsafe-eval' included, is its script's.
//
// Transfer: the build writes brotli and gzip copies beside each compressible file
// (`<file>.br`, `<file>.gz`); @fastify/static's `preCompressed` answers with the best one the
// request's Accept-Encoding allows, the file itself otherwise, and adds `Vary: Accept-Encoding`.
// The copies are not routes of their own. Files whose URL changes with their content — ort/<version>/
// and the build's content-hashed chunks/ — are cached as immutable; the rest (the page, the SDK
// bundle at its stable name) is revalidated by ETag, which @fastify/static derives from each
// representation's own file.

/** Headers that make the page cross-origin isolated. */
export const ISOLATION_HEADERS = {
  'cross-origin-opener-policy': 'same-origin',
  'cross-origin-embedder-policy': 'require-corp',
  'cross-origin-resource-policy': 'same-origin',
} as const;

/**
 * Cache-Control of onnxruntime-web's runtime files under `ort/<version>/` and the build's
 * content-hashed `chunks/`: new contents get new URLs.
 */
export const IMMUTABLE_CACHE = 'public, max-age=31536000, immutable';
/** Cache-Control of everything else: the page and the SDK bundle change with every build, so revalidate (ETag). */
export const REVALIDATE_CACHE = 'no-cache';

// `send` says application/javascript; HTML's spec names text/javascript, and module workers and
// onnxruntime-web's dynamic import() want a JavaScript type, with the charset pinned.
const CONTENT_TYPES: Readonly<Record<string, string>> = {
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.wasm': 'application/wasm',
};

/** Compressed copies the build writes beside the files (`preCompressed` serves them in their place). */
const ENCODED_COPY = /\.(br|gz)$/;
/**
 * Paths (relative to webRoot) whose contents never change under the same URL:
 * `ort/<version>/<file>`, `chunks/<file>`.
 */
const IMMUTABLE_PATH = /^(ort[\\/][^\\/]+|chunks)[\\/][^\\/]+$/;

function headersFor(root: string): (reply: FastifyReply, path: string) => void {
  return (reply, path) => {
    reply.headers(ISOLATION_HEADERS);
    reply.header('content-security-policy', WEB_APP_CONTENT_SECURITY_POLICY);
    const file = relative(root, path.replace(ENCODED_COPY, ''));
    const type = CONTENT_TYPES[extname(file)];
    if (type !== undefined) reply.header('content-type', type);
    reply.header('cache-control', IMMUTABLE_PATH.test(file) ? IMMUTABLE_CACHE : REVALIDATE_CACHE);
  };
}

/** Serves `webRoot` at `/`, or answers `/` with a 404 that says how to build it. */
export const webAppPlugin: FastifyPluginAsync = async (app) => {
  const root = app.config.webRoot;
  if (root === undefined) return;
  if (!existsSync(root) || !statSync(root).isDirectory() || !existsSync(`${root}/index.html`)) {
    app.log.warn(
      `no demo page at / : ${root} has no index.html; run \`npm run build:web\` to build it (or set webRoot to none)`,
    );
    const notBuilt = async () => {
      throw new ONNXPIPE_SERVER_WEB_APP_NOT_BUILT(
        `the demo page is not built: ${root} has no index.html ('webRoot'); run \`npm run build:web\` and restart the server`,
      );
    };
    for (const url of ['/', '/index.html']) {
      app.get(url, { schema: { hide: true, response: { ...ERROR_RESPONSES } } }, notBuilt);
    }
    return;
  }
  // @fastify/static sets the type of an encoded answer after setHeaders, from `send`'s table
  // (application/javascript): put ours back.
  app.addHook('onSend', (request, reply, payload, done) => {
    const type = CONTENT_TYPES[extname(request.url.split('?')[0])];
    if (type !== undefined && reply.hasHeader('content-encoding')) reply.header('content-type', type);
    done(null, payload);
  });
  await app.register(fastifyStatic, {
    root,
    wildcard: false,
    preCompressed: true,
    globIgnore: ['**/*.br', '**/*.gz'],
    decorateReply: false,
    // Cache-Control is ours (below); ETag and Last-Modified stay, for the revalidation.
    cacheControl: false,
    dotfiles: 'deny',
    serveDotFiles: false,
    setHeaders: headersFor(root),
  });
};
