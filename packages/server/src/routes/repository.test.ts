import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { FastifyInstance } from 'fastify';
import { createRng } from '@onnxpipe/core';
import { createTestApp, MODEL_CONTROL_AUTH, MODEL_CONTROL_ENV, tinyModelBytes } from '../testing/test-app.js';
import { buildTinyMnistModel, writeModelVersion } from '../testing/tiny-model.js';

// The model repository API with model control on (explicit, with the token; the modes and the
// token checks are tested in plugins/model-control.test.ts): index, unload, load — and load as a
// hot reload: the new file's sessions are warmed up and swapped in, a request in flight finishes
// on the old model (whose session is released afterwards), and a corrupt file leaves the old
// model serving. Outputs are told apart with the two fixtures' plain-JS forward passes.

const oldModel = buildTinyMnistModel({ seed: 7 });
const newModel = buildTinyMnistModel({ seed: 8 });
const rng = createRng(5);
const x = Float32Array.from({ length: 784 }, () => rng.next() * 2 - 0.5);
const payload = { inputs: [{ name: 'input', shape: [1, 1, 28, 28], datatype: 'FP32', data: Array.from(x) }] };

/** Which fixture computed `data`: 'old', 'new' or 'neither' (to 1e-5). */
function whichModel(data: number[]): 'old' | 'new' | 'neither' {
  const close = (expected: Float64Array) => data.every((v, i) => Math.abs(v - expected[i]) <= 1e-5);
  return close(oldModel.reference(x, 1)) ? 'old' : close(newModel.reference(x, 1)) ? 'new' : 'neither';
}

async function infer(app: FastifyInstance): Promise<'old' | 'new' | 'neither'> {
  const response = await app.inject({ method: 'POST', url: '/v2/models/mnist/infer', payload });
  assert.equal(response.statusCode, 200, response.body);
  return whichModel(response.json<{ outputs: { data: number[] }[] }>().outputs[0].data);
}

test('index, unload and load again', async () => {
  const { app, close, repository } = await createTestApp({
    models: [{ bytes: tinyModelBytes() }, { name: 'other', bytes: tinyModelBytes() }],
    overrides: { modelVersions: 'latest' },
    env: MODEL_CONTROL_ENV,
  });
  try {
    await writeModelVersion(repository.dir, { name: 'other', version: 2, bytes: tinyModelBytes() });
    const index = await app.inject({ method: 'POST', url: '/v2/repository/index' });
    assert.equal(index.statusCode, 200);
    assert.deepEqual(index.json(), [
      { name: 'mnist', version: '1', state: 'READY' },
      { name: 'other', version: '1', state: 'READY' },
      { name: 'other', version: '2', state: 'UNAVAILABLE', reason: 'not loaded yet' },
    ]);

    const unloaded = await app.inject({
      method: 'POST',
      headers: MODEL_CONTROL_AUTH,
      url: '/v2/repository/models/mnist/unload',
    });
    assert.equal(unloaded.statusCode, 200, unloaded.body);
    assert.deepEqual(unloaded.json(), { name: 'mnist', ready: false });
    const gone = await app.inject({ method: 'POST', url: '/v2/models/mnist/infer', payload });
    assert.equal(gone.statusCode, 404);
    assert.equal(gone.json<{ code: string }>().code, 'ONNXPIPE_SERVER_MODEL_NOT_FOUND');
    assert.match(gone.json<{ error: string }>().error, /unloaded/);
    assert.deepEqual((await app.inject({ url: '/v2/models/mnist/ready' })).json(), { name: 'mnist', ready: false });
    assert.equal((await app.inject({ url: '/v2/models/mnist/ready' })).statusCode, 503);
    assert.equal((await app.inject({ url: '/v2/health/ready' })).statusCode, 200, 'another model is still served');
    const ready = await app.inject({ method: 'POST', url: '/v2/repository/index', payload: { ready: true } });
    assert.deepEqual(ready.json(), [{ name: 'other', version: '1', state: 'READY' }]);

    // A load of `other` picks up version 2, the latest, and retires version 1.
    const loaded = await app.inject({
      method: 'POST',
      headers: MODEL_CONTROL_AUTH,
      url: '/v2/repository/models/other/load',
      payload: {},
    });
    assert.equal(loaded.statusCode, 200, loaded.body);
    assert.deepEqual(
      loaded.json<{ versions: { version: string }[] }>().versions.map((v) => v.version),
      ['2'],
    );
    assert.equal(
      (await app.inject({ method: 'POST', headers: MODEL_CONTROL_AUTH, url: '/v2/repository/models/mnist/load' }))
        .statusCode,
      200,
    );
    assert.equal(await infer(app), 'old');

    const missing = await app.inject({
      method: 'POST',
      headers: MODEL_CONTROL_AUTH,
      url: '/v2/repository/models/fashion/load',
    });
    assert.equal(missing.statusCode, 404);
    assert.equal(missing.json<{ code: string }>().code, 'ONNXPIPE_SERVER_MODEL_NOT_FOUND');
    assert.equal(
      (await app.inject({ method: 'POST', headers: MODEL_CONTROL_AUTH, url: '/v2/repository/models/fashion/unload' }))
        .statusCode,
      404,
    );
  } finally {
    await close();
  }
});

test('load swaps in a changed file; a request in flight finishes on the old model, whose session is then released', async () => {
  // Items wait up to 3 s for company: the first request is still queued while the reload happens.
  const { app, close, repository } = await createTestApp({
    models: [{ bytes: oldModel.bytes }],
    overrides: { maxQueueDelayMs: 3000, batchScheduling: 'delay' },
    env: MODEL_CONTROL_ENV,
  });
  try {
    const old = app.models.get();
    const inFlight = app.inject({ method: 'POST', url: '/v2/models/mnist/infer', payload });
    while (old.stats.queueLength === 0) await new Promise((r) => setTimeout(r, 2));

    await writeModelVersion(repository.dir, { bytes: newModel.bytes });
    const loaded = await app.inject({
      method: 'POST',
      headers: MODEL_CONTROL_AUTH,
      url: '/v2/repository/models/mnist/load',
    });
    assert.equal(loaded.statusCode, 200, loaded.body);
    const current = app.models.get();
    assert.notEqual(current, old);
    assert.equal(loaded.json<{ versions: { sha256: string }[] }>().versions[0].sha256, current.model.sha256);
    assert.equal(old.state, 'retiring', 'the old engine waits for its request');

    const first = await inFlight;
    assert.equal(first.statusCode, 200, first.body);
    assert.equal(whichModel(first.json<{ outputs: { data: number[] }[] }>().outputs[0].data), 'old');
    while ((old.state as string) !== 'closed') await new Promise((r) => setTimeout(r, 2));
    assert.equal(await infer(app), 'new');
    assert.equal(current.state, 'serving');
  } finally {
    await close();
  }
});

test('a corrupt file fails the load with 400 naming it; the old model keeps serving', async () => {
  const { app, close, repository } = await createTestApp({
    models: [{ bytes: oldModel.bytes }],
    env: MODEL_CONTROL_ENV,
  });
  try {
    const old = app.models.get();
    const path = await writeModelVersion(repository.dir, { bytes: new Uint8Array(512).fill(7) });
    const response = await app.inject({
      method: 'POST',
      headers: MODEL_CONTROL_AUTH,
      url: '/v2/repository/models/mnist/load',
    });
    assert.equal(response.statusCode, 400, response.body);
    const body = response.json<{ code: string; error: string }>();
    assert.equal(body.code, 'ONNXPIPE_SERVER_RELOAD_FAILED');
    assert.ok(body.error.includes(path), `the message names ${path}: ${body.error}`);
    assert.match(body.error, /still serving mnist:1/);
    assert.equal(app.models.get(), old);
    assert.equal(old.state, 'serving');
    assert.equal(await infer(app), 'old');
    const index = await app.inject({ method: 'POST', url: '/v2/repository/index' });
    assert.deepEqual(
      index.json(),
      [{ name: 'mnist', version: '1', state: 'READY' }],
      'the old version is what is served',
    );
    assert.equal((await app.inject({ url: '/v2/models/mnist/ready' })).statusCode, 200);
  } finally {
    await close();
  }
});

test('a file whose sha256 differs from its manifest fails the load with 400; the message ends with the models still served', async () => {
  const { app, close, repository } = await createTestApp({
    models: [{ bytes: oldModel.bytes }],
    env: MODEL_CONTROL_ENV,
  });
  try {
    await writeModelVersion(repository.dir, { bytes: newModel.bytes, manifestSha256: 'ab'.repeat(32) });
    const response = await app.inject({
      method: 'POST',
      headers: MODEL_CONTROL_AUTH,
      url: '/v2/repository/models/mnist/load',
    });
    assert.equal(response.statusCode, 400, response.body);
    const { code, error } = response.json<{ code: string; error: string }>();
    assert.equal(code, 'ONNXPIPE_SERVER_RELOAD_FAILED');
    // Once "... without re-exporting undefined; nothing was swapped": an absent cause was formatted into the message.
    assert.match(
      error,
      /differs from (ab){32} recorded in .*manifest\.json: the file is corrupt or was replaced without re-exporting; nothing was swapped: still serving mnist:1$/,
    );
    assert.equal(await infer(app), 'old');
  } finally {
    await close();
  }
});
