import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { LightMyRequestResponse } from 'fastify';
import { encodeDigit, solidImage } from '../testing/digit-images.js';
import { createTestApp } from '../testing/test-app.js';

// One test per error class: the status, the stable code, the body shape, and for 503s the
// Retry-After header. Messages are not asserted beyond naming what they are about.

const digit = new Uint8Array(784).map((_, i) => (((i % 28) - 14) ** 2 + (i / 28 - 14) ** 2 < 40 ? 255 : 0));
const pixels = Array.from(digit);

function assertError(response: LightMyRequestResponse, statusCode: number, code: string, mentions?: string): void {
  assert.equal(response.statusCode, statusCode, response.body);
  const body = response.json<Record<string, unknown>>();
  assert.deepEqual(Object.keys(body).sort(), ['code', 'error', 'message', 'statusCode']);
  assert.equal(body.code, code);
  assert.equal(body.statusCode, statusCode);
  assert.equal(typeof body.error, 'string');
  if (mentions !== undefined) assert.match(String(body.message), new RegExp(mentions));
}

function multipart(
  files: readonly Buffer[],
  fields: Record<string, string> = {},
): Promise<{ headers: Record<string, string>; payload: Buffer }> {
  const form = new FormData();
  for (const [key, value] of Object.entries(fields)) form.append(key, value);
  files.forEach((bytes, i) => form.append('image', new Blob([bytes], { type: 'image/png' }), `f${i}.png`));
  const request = new Request('http://localhost/', { method: 'POST', body: form });
  return request.arrayBuffer().then((buffer) => ({
    headers: { 'content-type': request.headers.get('content-type')! },
    payload: Buffer.from(buffer),
  }));
}

test('400: schema violations and malformed input forms', async () => {
  const { app, close } = await createTestApp();
  try {
    const cases = [
      { url: '/predict?topk=0', payload: { pixels } },
      { url: '/predict?preprocess=sometimes', payload: { pixels } },
      { url: '/predict?colour=red', payload: { pixels } },
      { url: '/predict', payload: { pixels, extra: 1 } },
      { url: '/predict', payload: { pixels: ['a'] } },
      { url: '/predict', payload: { image: 'abc', pixels } },
      { url: '/predict', payload: {} },
      { url: '/predict', payload: { image: 'not base64 at all!' } },
    ];
    for (const { url, payload } of cases) {
      assertError(await app.inject({ method: 'POST', url, payload }), 400, 'ONNXPIPE_SERVER_BAD_REQUEST');
    }
    assertError(
      await app.inject({
        method: 'POST',
        url: '/predict',
        headers: { 'content-type': 'application/json' },
        payload: '{"pixels": [',
      }),
      400,
      'ONNXPIPE_SERVER_BAD_REQUEST',
    );
    const form = await multipart([await encodeDigit(digit)], { colour: 'red' });
    assertError(
      await app.inject({ method: 'POST', url: '/predict', ...form }),
      400,
      'ONNXPIPE_SERVER_BAD_REQUEST',
      'colour',
    );
  } finally {
    await close();
  }
});

test('404: unknown model, unknown version, unknown route', async () => {
  const { app, close } = await createTestApp();
  try {
    assertError(
      await app.inject({ method: 'POST', url: '/predict?model=fashion', payload: { pixels } }),
      404,
      'ONNXPIPE_SERVER_MODEL_NOT_FOUND',
      'mnist',
    );
    assertError(
      await app.inject({ method: 'POST', url: '/predict?version=2', payload: { pixels } }),
      404,
      'ONNXPIPE_SERVER_VERSION_NOT_FOUND',
      '1',
    );
    assertError(await app.inject({ method: 'GET', url: '/nowhere' }), 404, 'ONNXPIPE_SERVER_ROUTE_NOT_FOUND');
  } finally {
    await close();
  }
});

test('413: body over maxBodyBytes (raw, JSON and multipart), image over maxImagePixels, items over maxItemsPerRequest', async () => {
  const { app, close } = await createTestApp({
    overrides: { maxBodyBytes: 64 * 1024, maxImagePixels: 250_000, maxItemsPerRequest: 3 },
  });
  try {
    const big = Buffer.alloc(64 * 1024 + 1, 1);
    assertError(
      await app.inject({ method: 'POST', url: '/predict', headers: { 'content-type': 'image/png' }, payload: big }),
      413,
      'ONNXPIPE_SERVER_BODY_TOO_LARGE',
      'maxBodyBytes',
    );
    assertError(
      await app.inject({ method: 'POST', url: '/predict', payload: { image: big.toString('base64') } }),
      413,
      'ONNXPIPE_SERVER_BODY_TOO_LARGE',
    );
    const noisy = await solidImage(200, 200, 'png');
    const files = await multipart(Array.from({ length: 3 }, () => Buffer.concat([noisy, Buffer.alloc(30 * 1024)])));
    assertError(await app.inject({ method: 'POST', url: '/predict', ...files }), 413, 'ONNXPIPE_SERVER_BODY_TOO_LARGE');

    // 600×600 = 360,000 pixels in a tiny PNG: refused from the header, before decoding.
    const bomb = await solidImage(600, 600, 'png');
    assert.ok(bomb.length < 64 * 1024);
    assertError(
      await app.inject({ method: 'POST', url: '/predict', headers: { 'content-type': 'image/png' }, payload: bomb }),
      413,
      'ONNXPIPE_SERVER_IMAGE_TOO_LARGE',
      '600×600',
    );

    const four = Array.from({ length: 4 }, () => pixels);
    assertError(
      await app.inject({ method: 'POST', url: '/predict', payload: { pixels: four } }),
      413,
      'ONNXPIPE_SERVER_TOO_MANY_ITEMS',
      'maxItemsPerRequest',
    );
    const small = await solidImage(8, 8, 'png');
    assertError(
      await app.inject({
        method: 'POST',
        url: '/predict',
        payload: { images: Array(4).fill(small.toString('base64')) },
      }),
      413,
      'ONNXPIPE_SERVER_TOO_MANY_ITEMS',
    );
    assertError(
      await app.inject({ method: 'POST', url: '/predict', ...(await multipart(Array(4).fill(small))) }),
      413,
      'ONNXPIPE_SERVER_TOO_MANY_ITEMS',
    );
  } finally {
    await close();
  }
});

test('415: unsupported Content-Type, and image bytes of another format', async () => {
  const { app, close } = await createTestApp();
  try {
    assertError(
      await app.inject({
        method: 'POST',
        url: '/predict',
        headers: { 'content-type': 'text/plain' },
        payload: 'seven',
      }),
      415,
      'ONNXPIPE_SERVER_UNSUPPORTED_MEDIA_TYPE',
      'image/png',
    );
    const gif = await solidImage(16, 16, 'gif');
    assertError(
      await app.inject({ method: 'POST', url: '/predict', headers: { 'content-type': 'image/gif' }, payload: gif }),
      415,
      'ONNXPIPE_SERVER_UNSUPPORTED_MEDIA_TYPE',
    );
    assertError(
      await app.inject({ method: 'POST', url: '/predict', headers: { 'content-type': 'image/png' }, payload: gif }),
      415,
      'ONNXPIPE_SERVER_UNSUPPORTED_MEDIA_TYPE',
      'gif',
    );
  } finally {
    await close();
  }
});

test('422: undecodable images, pixels of the wrong shape or range, preprocess=none on a non-28×28 image', async () => {
  const { app, close } = await createTestApp();
  try {
    const png = await encodeDigit(digit);
    const cases = [
      { headers: { 'content-type': 'image/png' }, payload: Buffer.from('definitely not a png') },
      { headers: { 'content-type': 'image/png' }, payload: png.subarray(0, png.length >> 1) },
      { payload: { image: Buffer.from('GIF? no').toString('base64') } },
    ];
    for (const request of cases) {
      assertError(
        await app.inject({ method: 'POST', url: '/predict', ...request }),
        422,
        'ONNXPIPE_SERVER_UNDECODABLE_IMAGE',
      );
    }
    const tensorCases = [
      { url: '/predict', payload: { pixels: pixels.slice(1) } },
      { url: '/predict', payload: { pixels: [pixels, pixels.slice(1)] } },
      { url: '/predict', payload: { pixels: pixels.map((v) => v + 300) } },
      { url: '/predict', payload: { pixels: pixels.map((v) => v - 100) } },
      { url: '/predict', payload: { pixels: Array.from({ length: 28 }, () => Array(27).fill(0)) } },
    ];
    for (const { url, payload } of tensorCases) {
      assertError(
        await app.inject({ method: 'POST', url, payload }),
        422,
        'ONNXPIPE_SERVER_BAD_INPUT_TENSOR',
        'pixels',
      );
    }
    assertError(
      await app.inject({
        method: 'POST',
        url: '/predict?preprocess=none',
        headers: { 'content-type': 'image/png' },
        payload: png,
      }),
      422,
      'ONNXPIPE_SERVER_BAD_INPUT_TENSOR',
      '28×28',
    );
  } finally {
    await close();
  }
});

test('503 with Retry-After: a full queue refuses at once; a request past requestTimeoutMs times out', async () => {
  // Items wait up to 300 ms for company, and at most 2 may wait: the first request fills the queue.
  const { app, close } = await createTestApp({
    overrides: { maxQueueLength: 2, maxItemsPerRequest: 2, maxQueueDelayMs: 300, batchScheduling: 'delay' },
  });
  try {
    const first = app.inject({ method: 'POST', url: '/predict', payload: { pixels: [pixels, pixels] } });
    while (app.models.get().stats.queueLength < 2) await new Promise((r) => setTimeout(r, 5));
    const refused = await app.inject({ method: 'POST', url: '/predict', payload: { pixels } });
    assertError(refused, 503, 'ONNXPIPE_SERVER_QUEUE_FULL', 'maxQueueLength');
    assert.equal(refused.headers['retry-after'], '1');
    assert.equal((await first).statusCode, 200);
    assert.equal(app.models.get().stats.rejected, 1);
  } finally {
    await close();
  }

  const slow = await createTestApp({
    overrides: { requestTimeoutMs: 50, maxQueueDelayMs: 400, batchScheduling: 'delay' },
  });
  try {
    const response = await slow.app.inject({ method: 'POST', url: '/predict', payload: { pixels } });
    assertError(response, 503, 'ONNXPIPE_SERVER_REQUEST_TIMEOUT', 'requestTimeoutMs');
    assert.equal(response.headers['retry-after'], '1');
    assert.equal(slow.app.models.get().stats.queueLength, 0, 'the timed-out item left the queue');
  } finally {
    await slow.close();
  }
});

test('503: an empty repository is live but not ready, and /predict says the model is not ready', async () => {
  const { app, close } = await createTestApp({ models: [] });
  try {
    assert.equal((await app.inject({ method: 'GET', url: '/v2/health/live' })).json().live, true);
    const ready = await app.inject({ method: 'GET', url: '/v2/health/ready' });
    assert.equal(ready.statusCode, 503);
    assert.deepEqual(ready.json(), { ready: false });
    const response = await app.inject({ method: 'POST', url: '/predict', payload: { pixels } });
    assertError(response, 503, 'ONNXPIPE_SERVER_MODEL_NOT_READY');
    assert.equal(response.headers['retry-after'], '1');
  } finally {
    await close();
  }
});

test('health: live and ready once the models are loaded', async () => {
  const { app, close } = await createTestApp();
  try {
    const live = await app.inject({ method: 'GET', url: '/v2/health/live' });
    assert.equal(live.statusCode, 200);
    assert.deepEqual(live.json(), { live: true });
    const ready = await app.inject({ method: 'GET', url: '/v2/health/ready' });
    assert.equal(ready.statusCode, 200);
    assert.deepEqual(ready.json(), { ready: true });
  } finally {
    await close();
  }
});
