import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { brotliDecompressSync, gunzipSync } from 'node:zlib';
import { buildApp } from '../app.js';
import { loadConfig } from '../config.js';
import { buildTinyMnistModel } from '../testing/tiny-model.js';
import { createTestApp, tinyModelBytes } from '../testing/test-app.js';

// GET /models/{name}[/versions/{version}]/{file} hands out the bytes the server loaded (and the
// reduced-precision variants the version's manifest lists), with their sha256 as the ETag,
// compressed by Accept-Encoding, and refuses a file that changed on disk without a reload.

test('the model file: the loaded bytes, ETag = sha256, 304 on revalidation, highest version by default', async () => {
  const v2 = buildTinyMnistModel({ seed: 7 }).bytes;
  const { app, close } = await createTestApp({
    overrides: { modelVersions: 'all' },
    models: [{ bytes: tinyModelBytes() }, { version: 2, bytes: v2 }],
  });
  try {
    const latest = await app.inject({ url: '/models/mnist/model.onnx' });
    assert.equal(latest.statusCode, 200);
    assert.equal(latest.headers['content-type'], 'application/octet-stream');
    assert.equal(latest.headers['x-model-version'], '2');
    assert.deepEqual(new Uint8Array(latest.rawPayload), v2);
    const sha256 = createHash('sha256').update(v2).digest('hex');
    assert.equal(latest.headers.etag, `"${sha256}"`);
    assert.equal(latest.headers['cache-control'], 'no-cache');
    assert.match(String(latest.headers['content-disposition']), /filename="mnist-2\.onnx"/);

    const first = await app.inject({ url: '/models/mnist/versions/1/model.onnx' });
    assert.equal(first.statusCode, 200);
    assert.deepEqual(new Uint8Array(first.rawPayload), tinyModelBytes());

    const notModified = await app.inject({
      url: '/models/mnist/versions/2/model.onnx',
      headers: { 'if-none-match': `"${sha256}"` },
    });
    assert.equal(notModified.statusCode, 304);
    assert.equal(notModified.body, '');

    for (const [url, code] of [
      ['/models/fashion/model.onnx', 'ONNXPIPE_SERVER_MODEL_NOT_FOUND'],
      ['/models/mnist/versions/3/model.onnx', 'ONNXPIPE_SERVER_VERSION_NOT_FOUND'],
    ]) {
      const response = await app.inject({ url });
      assert.equal(response.statusCode, 404, url);
      assert.equal(response.json().code, code, url);
    }
  } finally {
    await close();
  }
});

test('a file replaced on disk without a reload is refused with 409 until the model is reloaded', async () => {
  const { app, repository, close } = await createTestApp();
  try {
    const replacement = buildTinyMnistModel({ seed: 11 }).bytes;
    await writeFile(join(repository.dir, 'mnist', '1', 'model.onnx'), replacement);
    const refused = await app.inject({ url: '/models/mnist/model.onnx' });
    assert.equal(refused.statusCode, 409);
    assert.equal(refused.json().code, 'ONNXPIPE_SERVER_MODEL_FILE_CHANGED');
    assert.match(refused.json().message, /POST \/v2\/repository\/models\/mnist\/load/);
  } finally {
    await close();
  }
});

test("a version's variants from its manifest: served by name, compressed by Accept-Encoding with one ETag per encoding, named in the model metadata", async () => {
  const dir = await mkdtemp(join(tmpdir(), 'onnxpipe-variants-'));
  const model = tinyModelBytes();
  // A variant is a file the server hands out, never loads: any bytes with their sha256 will do.
  const int8 = buildTinyMnistModel({ seed: 9 }).bytes;
  const sha = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');
  await mkdir(join(dir, 'mnist', '2'), { recursive: true });
  await writeFile(join(dir, 'mnist', '2', 'model.onnx'), model);
  await writeFile(join(dir, 'mnist', '2', 'model.int8.onnx'), int8);
  await writeFile(join(dir, 'mnist', 'secret.onnx'), int8);
  const variants = [
    { precision: 'int8', file: 'model.int8.onnx', sha256: sha(int8) },
    // Not files of this version folder: left out.
    { precision: 'int4', file: '../secret.onnx', sha256: sha(int8) },
    { precision: 'fp16', file: 'model.fp16.onnx', sha256: 'not a sha' },
  ];
  await writeFile(
    join(dir, 'mnist', '2', 'manifest.json'),
    JSON.stringify({ onnx: { file: 'model.onnx', sha256: sha(model), variants, web: { file: 'model.int8.onnx' } } }),
  );
  const app = await buildApp({
    config: loadConfig({
      env: {},
      overrides: { device: 'cpu', logLevel: 'silent', modelRepository: dir, webRoot: 'none' },
    }),
  });
  try {
    const metadata = (await app.inject({ url: '/v2/models/mnist' })).json();
    assert.equal(metadata.parameters.web_model_file, 'model.int8.onnx');
    assert.deepEqual(JSON.parse(metadata.parameters.model_files), ['model.onnx', 'model.int8.onnx']);

    const plain = await app.inject({ url: '/models/mnist/versions/2/model.int8.onnx' });
    assert.equal(plain.statusCode, 200);
    assert.deepEqual(new Uint8Array(plain.rawPayload), int8);
    assert.equal(plain.headers.etag, `"${sha(int8)}"`);
    assert.equal(plain.headers.vary, 'accept-encoding');
    assert.match(String(plain.headers['content-disposition']), /filename="mnist-2\.int8\.onnx"/);
    const br = await app.inject({
      url: '/models/mnist/model.int8.onnx',
      headers: { 'accept-encoding': 'gzip, deflate, br' },
    });
    assert.equal(br.headers['content-encoding'], 'br');
    assert.equal(br.headers.etag, `"${sha(int8)}-br"`);
    assert.equal(br.headers['x-model-version'], '2');
    assert.deepEqual(new Uint8Array(brotliDecompressSync(br.rawPayload)), int8);
    assert.ok(br.rawPayload.length < int8.length);
    const gz = await app.inject({ url: '/models/mnist/model.onnx', headers: { 'accept-encoding': 'br;q=0, gzip' } });
    assert.equal(gz.headers['content-encoding'], 'gzip');
    assert.deepEqual(new Uint8Array(gunzipSync(gz.rawPayload)), model);
    // Any representation's ETag revalidates: they differ only in encoding.
    const gzInt8 = await app.inject({ url: '/models/mnist/model.int8.onnx', headers: { 'accept-encoding': 'gzip' } });
    for (const tag of [
      br.headers.etag,
      plain.headers.etag,
      `W/${gzInt8.headers.etag}`,
      `"other", ${br.headers.etag}`,
    ]) {
      const again = await app.inject({
        url: '/models/mnist/versions/2/model.int8.onnx',
        headers: { 'accept-encoding': 'br', 'if-none-match': String(tag) },
      });
      assert.equal(again.statusCode, 304, String(tag));
    }

    const unknown = await app.inject({ url: '/models/mnist/versions/2/model.fp16.onnx' });
    assert.equal(unknown.statusCode, 404);
    assert.equal(unknown.json().code, 'ONNXPIPE_SERVER_MODEL_FILE_NOT_FOUND');
    assert.match(
      unknown.json().message,
      /'file' must be one of model\.onnx, model\.int8\.onnx for model mnist version 2; received "model\.fp16\.onnx"/,
    );
    for (const url of [
      '/models/mnist/manifest.json',
      '/models/mnist/versions/2/..%2Fsecret.onnx',
      '/models/mnist/secret.onnx',
    ]) {
      const response = await app.inject({ url });
      assert.ok(response.statusCode === 400 || response.statusCode === 404, `${url}: ${response.statusCode}`);
      assert.match(response.json().code, /^ONNXPIPE_SERVER_/, url);
    }

    await writeFile(join(dir, 'mnist', '2', 'model.int8.onnx'), model);
    // Read once already: the cached bytes are what was checked. A new server sees the change.
    await app.close();
    const fresh = await buildApp({
      config: loadConfig({
        env: {},
        overrides: { device: 'cpu', logLevel: 'silent', modelRepository: dir, webRoot: 'none' },
      }),
    });
    const changed = await fresh.inject({ url: '/models/mnist/model.int8.onnx' });
    assert.equal(changed.statusCode, 409);
    assert.equal(changed.json().code, 'ONNXPIPE_SERVER_MODEL_FILE_CHANGED');
    await fresh.close();
  } finally {
    await app.close();
    await rm(dir, { recursive: true, force: true });
  }
});
