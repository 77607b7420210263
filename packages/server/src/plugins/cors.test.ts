import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { FastifyInstance } from 'fastify';
import { createTestApp } from '../testing/test-app.js';

// CORS as the corsOrigins setting says: none by default, exactly the listed origins, or any.

const preflight = (app: FastifyInstance, origin: string, url = '/predict') =>
  app.inject({
    method: 'OPTIONS',
    url,
    headers: { origin, 'access-control-request-method': 'POST', 'access-control-request-headers': 'content-type' },
  });

test('listed origins pass the preflight and can read the response; others get no CORS headers', async () => {
  const { app, close } = await createTestApp({
    overrides: { corsOrigins: ['https://app.example', 'http://localhost:5173'] },
  });
  try {
    const allowed = await preflight(app, 'https://app.example');
    assert.equal(allowed.statusCode, 204);
    assert.equal(allowed.headers['access-control-allow-origin'], 'https://app.example');
    assert.match(String(allowed.headers['access-control-allow-methods']), /POST/);
    assert.match(String(allowed.headers['access-control-allow-headers']), /content-type/);
    assert.equal(allowed.headers.vary, 'Origin');

    const v2 = await preflight(app, 'http://localhost:5173', '/v2/models/mnist/infer');
    assert.equal(v2.headers['access-control-allow-origin'], 'http://localhost:5173');

    const refused = await preflight(app, 'https://evil.example');
    assert.equal(refused.headers['access-control-allow-origin'], undefined, 'the browser blocks the call');

    const actual = await app.inject({
      method: 'POST',
      url: '/predict?preprocess=none',
      headers: { origin: 'https://app.example' },
      payload: { pixels: Array(784).fill(0) },
    });
    assert.equal(actual.statusCode, 200);
    assert.equal(actual.headers['access-control-allow-origin'], 'https://app.example');
    assert.match(String(actual.headers['access-control-expose-headers']), /x-request-id/);
    const error = await app.inject({ url: '/v2/models/fashion', headers: { origin: 'https://app.example' } });
    assert.equal(error.statusCode, 404);
    assert.equal(error.headers['access-control-allow-origin'], 'https://app.example', 'errors are readable too');
  } finally {
    await close();
  }
});

test('default: no CORS headers at all; "*": any origin', async () => {
  const none = await createTestApp();
  try {
    const response = await preflight(none.app, 'https://app.example');
    assert.equal(response.headers['access-control-allow-origin'], undefined);
    assert.equal(response.statusCode, 404, 'no preflight route without corsOrigins');
  } finally {
    await none.close();
  }
  const any = await createTestApp({ overrides: { corsOrigins: ['*'] } });
  try {
    const response = await preflight(any.app, 'https://anywhere.example');
    assert.equal(response.statusCode, 204);
    assert.equal(response.headers['access-control-allow-origin'], '*');
  } finally {
    await any.close();
  }
});
