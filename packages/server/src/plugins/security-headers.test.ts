import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createTestApp } from '../testing/test-app.js';
import { API_CONTENT_SECURITY_POLICY, SECURITY_HEADERS, WEB_APP_CONTENT_SECURITY_POLICY } from './security-headers.js';
import { ISOLATION_HEADERS } from './web-app.js';

// The headers each kind of response carries: the API's (JSON, text, files, errors, 404s) with a
// policy that lets nothing render or run; the web app's files with the page's policy and the
// isolation headers; /docs with Swagger UI's own policy. The page's policy at work in a browser
// is tested in test/web-app-csp.test.ts.

const COMMON = Object.entries(SECURITY_HEADERS).filter(([name]) => name !== 'content-security-policy');

function assertCommon(headers: Record<string, unknown>, url: string): void {
  for (const [name, value] of COMMON) assert.equal(headers[name], value, `${url}: ${name}`);
}

test('API responses, errors and 404s carry nosniff, no-referrer, DENY and a policy that lets nothing load or run', async () => {
  const { app, close } = await createTestApp({ overrides: { webRoot: 'none' } });
  try {
    const requests = [
      { url: '/v2/health/ready', status: 200 },
      { url: '/v2/models/mnist', status: 200 },
      { url: '/metrics', status: 200 },
      { url: '/models/mnist/model.onnx', status: 200 },
      { url: '/v2/models/nope', status: 404 },
      { url: '/nowhere', status: 404 },
      { url: '/predict', method: 'POST' as const, payload: { pixels: [1, 2] }, status: 422 },
      { url: '/v2/repository/models/mnist/unload', method: 'POST' as const, status: 403 },
    ];
    for (const { status, ...request } of requests) {
      const response = await app.inject(request);
      assert.equal(response.statusCode, status, request.url);
      assertCommon(response.headers, request.url);
      assert.equal(response.headers['content-security-policy'], API_CONTENT_SECURITY_POLICY, request.url);
      assert.equal(
        response.headers['cross-origin-embedder-policy'],
        undefined,
        `${request.url}: isolation is the page's`,
      );
    }
  } finally {
    await close();
  }
});

test("the web app's files carry the page's policy (with 'wasm-unsafe-eval') and the isolation headers; /docs keeps Swagger UI's policy", async () => {
  const parent = await mkdtemp(join(tmpdir(), 'onnxpipe-web-root-'));
  const root = join(parent, 'browser');
  await mkdir(join(root, 'ort', '1.30.0'), { recursive: true });
  await writeFile(join(root, 'index.html'), '<!doctype html><title>demo</title>');
  await writeFile(join(root, 'ort', '1.30.0', 'ort-wasm-simd-threaded.jsep.mjs'), 'export default {};');
  const { app, close } = await createTestApp({ overrides: { webRoot: root } });
  try {
    assert.match(WEB_APP_CONTENT_SECURITY_POLICY, /script-src 'self' 'wasm-unsafe-eval'/);
    assert.doesNotMatch(WEB_APP_CONTENT_SECURITY_POLICY, /'unsafe-inline'|'unsafe-eval'/);
    for (const url of ['/', '/index.html', '/ort/1.30.0/ort-wasm-simd-threaded.jsep.mjs']) {
      const response = await app.inject({ url });
      assert.equal(response.statusCode, 200, url);
      assertCommon(response.headers, url);
      assert.equal(
        response.headers['content-security-policy'],
        WEB_APP_CONTENT_SECURITY_POLICY,
        `${url}: a worker's policy is its script's`,
      );
      for (const [name, value] of Object.entries(ISOLATION_HEADERS))
        assert.equal(response.headers[name], value, `${url}: ${name}`);
    }
    const docs = await app.inject({ url: '/docs' });
    assert.equal(docs.statusCode, 200);
    assertCommon(docs.headers, '/docs');
    assert.match(
      String(docs.headers['content-security-policy']),
      /^default-src 'self'; .*script-src 'self' .*script-src-attr 'none'/,
      "Swagger UI's policy",
    );
  } finally {
    await close();
    await rm(parent, { recursive: true, force: true });
  }
});
