import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { FastifyInstance } from 'fastify';
import { createTestApp, MODEL_CONTROL_AUTH, MODEL_CONTROL_ENV, TEST_MODEL_CONTROL_TOKEN } from '../testing/test-app.js';

// Model control over HTTP, mode by mode, through app.inject: off by default (load and unload
// refused, the model keeps serving), refused with poll, and with explicit only for the bearer
// token — none gives 401 with a challenge, a wrong one 403 — which no log line ever shows.

const ROUTES = ['/v2/repository/models/mnist/load', '/v2/repository/models/mnist/unload'];

async function post(app: FastifyInstance, url: string, headers: Record<string, string> = {}) {
  const response = await app.inject({ method: 'POST', url, headers });
  return {
    status: response.statusCode,
    headers: response.headers,
    ...response.json<{ code: string; error: string }>(),
  };
}

async function stillServing(app: FastifyInstance): Promise<void> {
  assert.equal((await app.inject({ url: '/v2/models/mnist/ready' })).statusCode, 200, 'mnist is still served');
  const predicted = await app.inject({
    method: 'POST',
    url: '/predict?preprocess=none',
    payload: { pixels: Array(784).fill(0) },
  });
  assert.equal(predicted.statusCode, 200);
}

test('model control is off by default: load and unload answer 403 naming the setting, with or without a token; the model keeps serving and the index stays open', async () => {
  const { app, close } = await createTestApp();
  try {
    assert.equal(app.config.modelControlMode, 'none');
    for (const url of ROUTES) {
      for (const headers of [{}, MODEL_CONTROL_AUTH]) {
        const answer = await post(app, url, headers);
        assert.equal(answer.status, 403, url);
        assert.equal(answer.code, 'ONNXPIPE_SERVER_MODEL_CONTROL_DISABLED');
        assert.match(answer.error, /'modelControlMode' is none/);
        assert.match(answer.error, /--model-control-mode explicit \(ONNXPIPE_MODEL_CONTROL_MODE=explicit\)/);
        assert.equal(answer.headers['www-authenticate'], undefined, 'no challenge: no token would help');
      }
    }
    await stillServing(app);
    const index = await app.inject({ method: 'POST', url: '/v2/repository/index' });
    assert.equal(index.statusCode, 200);
    assert.deepEqual(index.json(), [{ name: 'mnist', version: '1', state: 'READY' }]);
    assert.equal(app.repositoryPoller, undefined);
  } finally {
    await close();
  }
});

test('with modelControlMode poll, load and unload answer 403 pointing at explicit', async () => {
  const { app, close } = await createTestApp({ overrides: { modelControlMode: 'poll', repositoryPollSecs: 3600 } });
  try {
    for (const url of ROUTES) {
      const answer = await post(app, url, MODEL_CONTROL_AUTH);
      assert.equal(answer.status, 403);
      assert.equal(answer.code, 'ONNXPIPE_SERVER_MODEL_CONTROL_DISABLED');
      assert.match(
        answer.error,
        /'modelControlMode' is poll: the server reloads the repository by itself every 3600 s.*need 'modelControlMode' explicit/,
      );
    }
    await stillServing(app);
  } finally {
    await close();
  }
});

test('explicit: no token is 401 with a Bearer challenge, a wrong one 403, the right one 200; checked before the body is read', async () => {
  const { app, close } = await createTestApp({ env: MODEL_CONTROL_ENV });
  try {
    for (const url of ROUTES) {
      const none = await post(app, url);
      assert.equal(none.status, 401);
      assert.equal(none.code, 'ONNXPIPE_SERVER_AUTHENTICATION_REQUIRED');
      assert.equal(none.headers['www-authenticate'], 'Bearer realm="onnxpipe model control"');
      assert.match(
        none.error,
        /^POST \/v2\/repository\/models\/mnist\/(load|unload) changes the served models: it needs 'Authorization: Bearer <token>'.*received no Authorization header$/,
      );

      const basic = await post(app, url, {
        authorization: `Basic ${Buffer.from(`user:${TEST_MODEL_CONTROL_TOKEN}`).toString('base64')}`,
      });
      assert.equal(basic.status, 401, 'another scheme is no bearer token');
      assert.match(basic.error, /received an Authorization header of another form$/);

      for (const wrong of [
        'x'.repeat(64),
        TEST_MODEL_CONTROL_TOKEN.toUpperCase(),
        TEST_MODEL_CONTROL_TOKEN.slice(0, -1),
        `${TEST_MODEL_CONTROL_TOKEN}0`,
      ]) {
        const answer = await post(app, url, { authorization: `Bearer ${wrong}` });
        assert.equal(answer.status, 403, wrong);
        assert.equal(answer.code, 'ONNXPIPE_SERVER_INVALID_TOKEN');
        assert.equal(answer.headers['www-authenticate'], undefined);
      }
      await stillServing(app);
    }
    // The scheme is case-insensitive (RFC 6750); the token is not.
    const unloaded = await post(app, ROUTES[1], { authorization: `bearer ${TEST_MODEL_CONTROL_TOKEN}` });
    assert.equal(unloaded.status, 200);
    assert.equal((await app.inject({ url: '/v2/models/mnist/ready' })).statusCode, 503, 'unloaded');
    const loaded = await post(app, ROUTES[0], MODEL_CONTROL_AUTH);
    assert.equal(loaded.status, 200);
    await stillServing(app);

    // A body that would fail validation: without the token the answer is still 401, so nothing
    // about the route's input is disclosed or parsed for an unauthenticated caller.
    const early = await app.inject({
      method: 'POST',
      url: ROUTES[0],
      headers: { 'content-type': 'application/json' },
      payload: '{not json',
    });
    assert.equal(early.statusCode, 401);
  } finally {
    await close();
  }
});

test('the token appears in no log line, whatever the requests that carry it (trace level)', async () => {
  const { app, close, logs } = await createTestApp({ env: MODEL_CONTROL_ENV, overrides: { logLevel: 'trace' } });
  try {
    await post(app, ROUTES[0], MODEL_CONTROL_AUTH);
    await post(app, ROUTES[0], { authorization: `Bearer ${TEST_MODEL_CONTROL_TOKEN}x` });
    await post(app, ROUTES[0], { authorization: `Basic ${TEST_MODEL_CONTROL_TOKEN}` });
    app.log.info({ config: app.config, headers: { authorization: `Bearer ${TEST_MODEL_CONTROL_TOKEN}` } }, 'settings');
  } finally {
    await close();
  }
  assert.ok(logs.length > 10, 'requests were logged at trace level');
  const text = JSON.stringify(logs);
  assert.ok(!text.includes(TEST_MODEL_CONTROL_TOKEN), 'the token is in a log line');
  assert.ok(text.includes('[redacted]'));
});
