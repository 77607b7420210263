import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createTestApp } from './testing/test-app.js';

// Per-request log lines cost more than a small inference: at info a healthy request logs
// nothing, errors still do; at debug every request logs its two lines with the request id.

const pixels = Array(784).fill(0);
const perRequest = (msg: string) => msg === 'incoming request' || msg === 'request completed';

test('at info, successful requests write no log line; error responses still do', async () => {
  const { app, logs, close } = await createTestApp({ overrides: { logLevel: 'info' } });
  try {
    const before = logs.length;
    const ok = await app.inject({ method: 'POST', url: '/predict', payload: { pixels } });
    assert.equal(ok.statusCode, 200);
    assert.deepEqual(logs.slice(before), []);
    const bad = await app.inject({
      method: 'POST',
      url: '/predict?model=nope',
      payload: { pixels },
      headers: { 'x-request-id': 'r-404' },
    });
    assert.equal(bad.statusCode, 404);
    const lines = logs.slice(before);
    assert.ok(
      lines.some((l) => l.reqId === 'r-404' && l.code === 'ONNXPIPE_SERVER_MODEL_NOT_FOUND'),
      JSON.stringify(lines),
    );
    assert.ok(!lines.some((l) => perRequest(l.msg)));
  } finally {
    await close();
  }
});

test('at debug, each request logs "incoming request" and "request completed" with its id', async () => {
  const { app, logs, close } = await createTestApp({ overrides: { logLevel: 'debug' } });
  try {
    const response = await app.inject({
      method: 'POST',
      url: '/predict',
      payload: { pixels },
      headers: { 'x-request-id': 'r-1' },
    });
    assert.equal(response.statusCode, 200);
    const lines = logs.filter((l) => l.reqId === 'r-1' && perRequest(l.msg));
    assert.deepEqual(
      lines.map((l) => [l.msg, l.level]),
      [
        ['incoming request', 20],
        ['request completed', 20],
      ],
    );
    assert.equal((lines[1].res as { statusCode: number }).statusCode, 200);
  } finally {
    await close();
  }
});
