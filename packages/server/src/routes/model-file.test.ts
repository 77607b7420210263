import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { buildTinyMnistModel } from '../testing/tiny-model.js';
import { createTestApp, tinyModelBytes } from '../testing/test-app.js';

// GET /models/{name}[/versions/{version}]/model.onnx hands out the bytes the server loaded,
// with their sha256 as the ETag, and refuses a file that changed on disk without a reload.

test('the model file: the loaded bytes, ETag = sha256, 304 on revalidation, highest version by default', async () => {
  const v2 = buildTinyMnistModel({ seed: 7 }).bytes;
  const { app, close } = await createTestApp({ overrides: { modelVersions: 'all' }, models: [{ bytes: tinyModelBytes() }, { version: 2, bytes: v2 }] });
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

    const notModified = await app.inject({ url: '/models/mnist/versions/2/model.onnx', headers: { 'if-none-match': `"${sha256}"` } });
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
