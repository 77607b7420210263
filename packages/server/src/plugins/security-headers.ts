import fp from 'fastify-plugin';

// Security headers on every response, as helmet sets them, with a Content-Security-Policy per
// kind of response: the API's JSON, text and files are never meant to render, run or be framed
// (`default-src 'none'`, OWASP's advice for APIs); the web app's files get the page's policy
// (WEB_APP_CONTENT_SECURITY_POLICY, set by the web-app plugin); /docs keeps the policy that
// @fastify/swagger-ui sets for Swagger UI. HSTS is left to the TLS-terminating proxy: this
// server speaks plain HTTP.
//
// Not @fastify/helmet: it builds helmet's middleware anew on every request, in two async hooks,
// and these headers never change while the server runs, so they are fixed once here and set by
// one callback hook.

/** The API's policy: nothing in a response may load, run or be framed. */
export const API_CONTENT_SECURITY_POLICY = "default-src 'none'; frame-ancestors 'none'";

/**
 * The web app's policy (the demo page and the browser SDK): everything from this origin, and
 * nothing inline. onnxruntime-web needs `'wasm-unsafe-eval'` to compile its WebAssembly (in the
 * page and in the worker threads, whose own script responses carry this policy too) and
 * starts those threads from its same-origin `.mjs` (`worker-src 'self'`, no blob: URLs while
 * its files are served from this origin). The page fetches the model and calls /predict on its
 * own origin; `data:` is the page's empty favicon, `blob:` lets it show a picked file through
 * an object URL.
 */
export const WEB_APP_CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  "script-src 'self' 'wasm-unsafe-eval'",
  "worker-src 'self'",
  "connect-src 'self'",
  "img-src 'self' data: blob:",
  "style-src 'self'",
  "font-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

/** Headers on every response; the web app and /docs replace the policy with their own. */
export const SECURITY_HEADERS = Object.freeze({
  'content-security-policy': API_CONTENT_SECURITY_POLICY,
  // Responses are what their Content-Type says: no sniffing a JSON error into HTML.
  'x-content-type-options': 'nosniff',
  // The API and the page never need to tell another site where a request came from.
  'referrer-policy': 'no-referrer',
  // frame-ancestors, for browsers that predate it.
  'x-frame-options': 'DENY',
});

/** Sets {@link SECURITY_HEADERS} on every response, errors and 404s included. */
export const securityHeadersPlugin = fp(
  async (app) => {
    app.addHook('onRequest', (_request, reply, done) => {
      reply.headers(SECURITY_HEADERS);
      done();
    });
  },
  { name: 'onnxpipe-security-headers' },
);
