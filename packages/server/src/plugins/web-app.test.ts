import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { brotliCompressSync, brotliDecompressSync, gunzipSync, gzipSync } from 'node:zlib';
import { createTestApp } from '../testing/test-app.js';
import { IMMUTABLE_CACHE, ISOLATION_HEADERS, REVALIDATE_CACHE } from './web-app.js';

// The webRoot directory at /: types and caching per kind of file, the page cross-origin
// isolated, nothing outside the directory reachable however the path is spelled, unknown paths
// with the server's JSON 404, and a clear 404 code when the browser build is missing.

/** A webRoot as `npm run build:web` lays it out, beside a file that must stay private. */
async function writeWebRoot(): Promise<{ parent: string; root: string }> {
  const parent = await mkdtemp(join(tmpdir(), 'onnxpipe-web-root-'));
  const root = join(parent, 'browser');
  await mkdir(join(root, 'ort', '1.30.0'), { recursive: true });
  await writeFile(
    join(root, 'index.html'),
    '<!doctype html><title>demo</title><script type="module" src="demo.js"></script>',
  );
  await writeFile(join(root, 'demo.js'), 'export {};');
  await writeFile(join(root, 'demo.css'), 'body { margin: 0 }');
  await writeFile(
    join(root, 'ort', '1.30.0', 'ort-wasm-simd-threaded.wasm'),
    Buffer.from([0, 0x61, 0x73, 0x6d, 1, 0, 0, 0]),
  );
  await writeFile(join(root, 'ort', '1.30.0', 'ort-wasm-simd-threaded.mjs'), 'export default {};');
  // Not in a version folder: its URL would not change on an upgrade, so it must not be immutable.
  await writeFile(join(root, 'ort', 'ort-wasm-simd-threaded.mjs'), 'export default {};');
  await writeFile(join(root, '.env'), 'TOKEN=hidden');
  await writeFile(join(parent, 'secret.txt'), 'outside webRoot');
  return { parent, root };
}

test('/ serves index.html and the build its files, with JavaScript and wasm types, caching and cross-origin isolation', async () => {
  const { parent, root } = await writeWebRoot();
  const { app, close } = await createTestApp({ overrides: { webRoot: root } });
  try {
    const page = await app.inject({ url: '/' });
    assert.equal(page.statusCode, 200);
    assert.match(String(page.headers['content-type']), /^text\/html/);
    assert.match(page.body, /<title>demo<\/title>/);
    assert.equal(page.headers['cache-control'], REVALIDATE_CACHE);
    for (const [name, value] of Object.entries(ISOLATION_HEADERS)) assert.equal(page.headers[name], value, name);
    assert.equal((await app.inject({ url: '/index.html' })).statusCode, 200);

    const expected: [string, RegExp, string][] = [
      ['/demo.js', /^text\/javascript; charset=utf-8$/, REVALIDATE_CACHE],
      ['/demo.css', /^text\/css/, REVALIDATE_CACHE],
      ['/ort/1.30.0/ort-wasm-simd-threaded.wasm', /^application\/wasm$/, IMMUTABLE_CACHE],
      ['/ort/1.30.0/ort-wasm-simd-threaded.mjs', /^text\/javascript; charset=utf-8$/, IMMUTABLE_CACHE],
      ['/ort/ort-wasm-simd-threaded.mjs', /^text\/javascript; charset=utf-8$/, REVALIDATE_CACHE],
    ];
    for (const [url, type, cache] of expected) {
      const response = await app.inject({ url });
      assert.equal(response.statusCode, 200, url);
      assert.match(String(response.headers['content-type']), type, url);
      assert.equal(response.headers['cache-control'], cache, url);
      assert.equal(
        response.headers['cross-origin-embedder-policy'],
        'require-corp',
        `${url}: workers take their own script's policy`,
      );
    }
    const wasm = await app.inject({ url: '/ort/1.30.0/ort-wasm-simd-threaded.wasm' });
    assert.deepEqual([...wasm.rawPayload.subarray(0, 4)], [0, 0x61, 0x73, 0x6d]);

    // Revalidation of a no-cache file: its ETag answers 304.
    const etag = String(page.headers.etag);
    assert.ok(etag.length > 2);
    assert.equal((await app.inject({ url: '/', headers: { 'if-none-match': etag } })).statusCode, 304);

    const head = await app.inject({ method: 'HEAD', url: '/demo.js' });
    assert.equal(head.statusCode, 200);
    assert.equal(head.body, '');

    // The API is unchanged beside it, and unknown paths keep the JSON 404 with its code.
    assert.equal((await app.inject({ url: '/v2/health/live' })).statusCode, 200);
    const missing = await app.inject({ url: '/nothing.js' });
    assert.equal(missing.statusCode, 404);
    assert.equal(missing.json().code, 'ONNXPIPE_SERVER_ROUTE_NOT_FOUND');
  } finally {
    await close();
    await rm(parent, { recursive: true, force: true });
  }
});

test('compressed copies are served by Accept-Encoding with Vary and their own ETag; hashed chunks and ort files are immutable, the rest revalidates', async () => {
  const { parent, root } = await writeWebRoot();
  // As the build writes them: the SDK at its stable name, a content-hashed chunk, and .br/.gz copies.
  const sdk = `export const answer = ${JSON.stringify('x'.repeat(4000))};`;
  await mkdir(join(root, 'chunks'), { recursive: true });
  await writeFile(join(root, 'onnxpipe-web.js'), sdk);
  await writeFile(join(root, 'chunks', 'ort-webgpu-0123456789.js'), sdk);
  const wasm = join(root, 'ort', '1.30.0', 'ort-wasm-simd-threaded.wasm');
  for (const path of [join(root, 'onnxpipe-web.js'), join(root, 'chunks', 'ort-webgpu-0123456789.js')]) {
    await writeFile(`${path}.br`, brotliCompressSync(sdk));
    await writeFile(`${path}.gz`, gzipSync(sdk));
  }
  await writeFile(`${wasm}.br`, brotliCompressSync(Buffer.from([0, 0x61, 0x73, 0x6d, 1, 0, 0, 0])));
  const { app, close } = await createTestApp({ overrides: { webRoot: root } });
  try {
    const brotli = await app.inject({
      url: '/onnxpipe-web.js',
      headers: { 'accept-encoding': 'gzip, deflate, br, zstd' },
    });
    assert.equal(brotli.statusCode, 200);
    assert.equal(brotli.headers['content-encoding'], 'br');
    assert.match(String(brotli.headers.vary), /accept-encoding/i);
    assert.equal(
      brotli.headers['content-type'],
      'text/javascript; charset=utf-8',
      'the type of the file, not of the copy',
    );
    assert.equal(brotli.headers['cache-control'], REVALIDATE_CACHE);
    assert.equal(brotliDecompressSync(brotli.rawPayload).toString(), sdk);
    const gzip = await app.inject({ url: '/onnxpipe-web.js', headers: { 'accept-encoding': 'gzip' } });
    assert.equal(gzip.headers['content-encoding'], 'gzip');
    assert.equal(gunzipSync(gzip.rawPayload).toString(), sdk);
    const plain = await app.inject({ url: '/onnxpipe-web.js' });
    assert.equal(plain.headers['content-encoding'], undefined);
    assert.equal(plain.body, sdk);
    assert.match(String(plain.headers.vary), /accept-encoding/i, 'the identity answer varies too');
    const etags = new Set([brotli, gzip, plain].map((r) => String(r.headers.etag)));
    assert.equal(etags.size, 3, 'each representation has its own ETag');
    const revalidated = await app.inject({
      url: '/onnxpipe-web.js',
      headers: { 'accept-encoding': 'br', 'if-none-match': String(brotli.headers.etag) },
    });
    assert.equal(revalidated.statusCode, 304);

    const chunk = await app.inject({ url: '/chunks/ort-webgpu-0123456789.js', headers: { 'accept-encoding': 'br' } });
    assert.equal(chunk.headers['content-encoding'], 'br');
    assert.equal(chunk.headers['cache-control'], IMMUTABLE_CACHE);
    const runtime = await app.inject({
      url: '/ort/1.30.0/ort-wasm-simd-threaded.wasm',
      headers: { 'accept-encoding': 'br, gzip' },
    });
    assert.equal(runtime.headers['content-encoding'], 'br');
    assert.equal(runtime.headers['content-type'], 'application/wasm');
    assert.equal(runtime.headers['cache-control'], IMMUTABLE_CACHE);
    // No .gz beside it: gzip-only clients get the file itself.
    const gzipOnly = await app.inject({
      url: '/ort/1.30.0/ort-wasm-simd-threaded.wasm',
      headers: { 'accept-encoding': 'gzip' },
    });
    assert.equal(gzipOnly.headers['content-encoding'], undefined);
    assert.deepEqual([...gzipOnly.rawPayload.subarray(0, 4)], [0, 0x61, 0x73, 0x6d]);
    // The copies are not files of their own.
    assert.equal((await app.inject({ url: '/onnxpipe-web.js.br' })).statusCode, 404);
    assert.equal((await app.inject({ url: '/chunks/ort-webgpu-0123456789.js.gz' })).statusCode, 404);
  } finally {
    await close();
    await rm(parent, { recursive: true, force: true });
  }
});

test('no file outside webRoot (or hidden in it) is reachable, however the path is spelled', async () => {
  const { parent, root } = await writeWebRoot();
  const { app, close } = await createTestApp({ overrides: { webRoot: root } });
  try {
    const attempts = [
      '/../secret.txt',
      '/%2e%2e/secret.txt',
      '/%2E%2E%2Fsecret.txt',
      '/ort/../../secret.txt',
      '/ort/%2e%2e/%2e%2e/secret.txt',
      '/ort/..%2f..%2fsecret.txt',
      '/..%5csecret.txt',
      '/ort/..%5c..%5csecret.txt',
      '//secret.txt',
      `/${encodeURIComponent(join(parent, 'secret.txt'))}`,
      '/.env',
      '/%2eenv',
      '/ort/./ort-wasm-simd-threaded.mjs/../../../secret.txt',
      '/index.html%00.txt',
    ];
    for (const url of attempts) {
      const response = await app.inject({ url });
      assert.ok(response.statusCode >= 400 && response.statusCode < 500, `${url}: ${response.statusCode}`);
      assert.doesNotMatch(response.body, /outside webRoot|TOKEN=hidden/, url);
      assert.match(String(response.json().code), /^ONNXPIPE_SERVER_/, `${url} answers with the JSON error body`);
    }
  } finally {
    await close();
    await rm(parent, { recursive: true, force: true });
  }
});

test('a missing browser build: one log line saying how to build it, and / answers 404 ONNXPIPE_SERVER_WEB_APP_NOT_BUILT', async () => {
  const parent = await mkdtemp(join(tmpdir(), 'onnxpipe-web-root-'));
  const { app, logs, close } = await createTestApp({ overrides: { webRoot: join(parent, 'not-built') } });
  try {
    const lines = logs.filter((line) => /build:web/.test(line.msg));
    assert.equal(lines.length, 1, 'one line at start-up');
    assert.equal(lines[0].level, 40, 'a warning: the API still works');
    for (const url of ['/', '/index.html']) {
      const response = await app.inject({ url });
      assert.equal(response.statusCode, 404);
      assert.match(String(response.headers['content-type']), /^application\/json/);
      const body = response.json();
      assert.equal(body.code, 'ONNXPIPE_SERVER_WEB_APP_NOT_BUILT');
      assert.equal(body.statusCode, 404);
      assert.match(body.message, /npm run build:web/);
    }
    assert.equal((await app.inject({ url: '/v2/health/ready' })).statusCode, 200);
  } finally {
    await close();
    await rm(parent, { recursive: true, force: true });
  }
});

test('webRoot none serves no pages: / is an unknown route', async () => {
  const { app, logs, close } = await createTestApp({ overrides: { webRoot: 'none' } });
  try {
    assert.equal(app.config.webRoot, undefined);
    const response = await app.inject({ url: '/' });
    assert.equal(response.statusCode, 404);
    assert.equal(response.json().code, 'ONNXPIPE_SERVER_ROUTE_NOT_FOUND');
    assert.equal(logs.filter((line) => /build:web/.test(line.msg)).length, 0);
  } finally {
    await close();
  }
});
