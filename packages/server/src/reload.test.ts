import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { handleReloadSignal, reloadOnSignal } from './reload.js';
import { createTestApp, MODEL_CONTROL_ENV } from './testing/test-app.js';
import { buildTinyMnistModel, writeModelVersion } from './testing/tiny-model.js';

// SIGHUP with model control on (explicit) re-reads the whole repository: new models appear,
// changed ones are swapped, removed ones go; a corrupt file changes nothing and is named in an
// error log line. With model control off (the default) SIGHUP changes nothing; with poll the
// server follows the repository by itself.

const first = buildTinyMnistModel({ seed: 7 });
const second = buildTinyMnistModel({ seed: 8 });

test('SIGHUP: a changed file is swapped in, a new model appears, a removed one goes', async () => {
  const { app, close, repository, logs } = await createTestApp({
    models: [{ bytes: first.bytes }, { name: 'retired', bytes: first.bytes }],
    env: MODEL_CONTROL_ENV,
  });
  const removeListener = handleReloadSignal(app);
  try {
    const before = app.models.get();
    await writeModelVersion(repository.dir, { bytes: second.bytes });
    await writeModelVersion(repository.dir, { name: 'fresh', bytes: second.bytes });
    await rm(join(repository.dir, 'retired'), { recursive: true });

    // A real signal to this process; the listener runs the reload.
    process.kill(process.pid, 'SIGHUP');
    const until = performance.now() + 20_000;
    while (!logs.some((l) => /^SIGHUP: serving/.test(l.msg)) && performance.now() < until)
      await new Promise((r) => setTimeout(r, 10));

    assert.ok(logs.some((l) => l.msg.startsWith('SIGHUP: reloading the model repository')));
    assert.ok(
      logs.some((l) => l.msg === 'SIGHUP: serving fresh version 1, mnist version 1'),
      logs.map((l) => l.msg).join('\n'),
    );
    assert.notEqual(app.models.get(), before);
    const metadata = await app.inject({ url: '/v2/models/mnist' });
    assert.equal(
      metadata.json<{ parameters: { sha256: string } }>().parameters.sha256,
      createHash('sha256').update(second.bytes).digest('hex'),
    );
    assert.deepEqual(
      app.models.list().map((e) => e.model.name),
      ['fresh', 'mnist'],
    );
    assert.equal((await app.inject({ url: '/v2/models/retired' })).statusCode, 404);
  } finally {
    removeListener();
    await close();
  }
});

test('SIGHUP with a corrupt file: an error log line names it, and every model keeps serving', async () => {
  const { app, close, repository, logs } = await createTestApp({
    models: [{ bytes: first.bytes }, { name: 'other', bytes: first.bytes }],
    env: MODEL_CONTROL_ENV,
  });
  try {
    const served = app.models.list();
    const path = await writeModelVersion(repository.dir, { name: 'other', bytes: Buffer.from('not an onnx file') });
    assert.equal(await reloadOnSignal(app), 'failed');
    const line = logs.find((l) => l.level >= 50 && l.msg.startsWith('SIGHUP: reload failed'));
    assert.ok(line, logs.map((l) => l.msg).join('\n'));
    assert.ok(line.msg.includes(path), line.msg);
    assert.equal(line.code, 'ONNXPIPE_SERVER_RELOAD_FAILED');
    assert.deepEqual(app.models.list(), served);
    assert.ok(served.every((engine) => engine.state === 'serving'));
    const response = await app.inject({
      method: 'POST',
      url: '/predict?model=other&preprocess=none',
      payload: { pixels: Array(784).fill(0) },
    });
    assert.equal(response.statusCode, 200);
  } finally {
    await close();
  }
});

test('SIGHUP with model control off (the default) changes nothing and says why', async () => {
  const { app, close, repository, logs } = await createTestApp({ models: [{ bytes: first.bytes }] });
  try {
    const served = app.models.get();
    await writeModelVersion(repository.dir, { bytes: second.bytes });
    assert.equal(await reloadOnSignal(app), 'ignored');
    assert.equal(app.models.get(), served);
    const line = logs.find((l) => l.level === 40 && l.msg.startsWith('SIGHUP ignored'));
    assert.ok(line, logs.map((l) => l.msg).join('\n'));
    assert.match(line.msg, /'modelControlMode' none.*--model-control-mode explicit or poll/);
  } finally {
    await close();
  }
});

const sha256 = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');

test('poll: a look reloads what changed and nothing else; a broken state is logged once and retried only once the repository changes; SIGHUP forces a look', async () => {
  // An hour between timer ticks: the looks here are the test's own.
  const { app, close, repository, logs } = await createTestApp({
    models: [{ bytes: first.bytes }],
    overrides: { modelControlMode: 'poll', repositoryPollSecs: 3600 },
  });
  try {
    const poller = app.repositoryPoller!;
    assert.equal(await poller.poll(), 'unchanged');
    const served = app.models.get();

    await writeModelVersion(repository.dir, { bytes: second.bytes });
    assert.equal(await poller.poll(), 'reloaded');
    assert.notEqual(app.models.get(), served);
    assert.equal(app.models.get().model.sha256, sha256(second.bytes));
    assert.ok(
      logs.some((l) => l.msg === 'poll: serving mnist version 1'),
      logs.map((l) => l.msg).join('\n'),
    );
    assert.equal(await poller.poll(), 'unchanged');

    const path = await writeModelVersion(repository.dir, { bytes: Buffer.from('not an onnx file') });
    const good = app.models.get();
    assert.equal(await poller.poll(), 'failed');
    assert.equal(await poller.poll(), 'unchanged', 'the same broken state is not loaded again');
    const failures = logs.filter((l) => l.level >= 50 && l.msg.startsWith('poll: reload failed'));
    assert.equal(failures.length, 1);
    assert.ok(failures[0].msg.includes(path), failures[0].msg);
    assert.equal(app.models.get(), good, 'the previous model keeps serving');

    await writeModelVersion(repository.dir, { bytes: first.bytes });
    assert.equal(await poller.poll(), 'reloaded');
    assert.equal(app.models.get().model.sha256, sha256(first.bytes));

    const before = app.models.get();
    assert.equal(await reloadOnSignal(app), 'reloaded', 'SIGHUP reloads even when nothing changed');
    assert.notEqual(app.models.get(), before);
  } finally {
    await close();
  }
});

test('poll: the timer finds a new model by itself and stops at shutdown', async () => {
  const { app, close, repository, logs } = await createTestApp({
    models: [{ bytes: first.bytes }],
    overrides: { modelControlMode: 'poll', repositoryPollSecs: 1 },
  });
  try {
    assert.ok(logs.some((l) => l.msg === "polling the model repository every 1 s ('modelControlMode' poll)"));
    await writeModelVersion(repository.dir, { name: 'fresh', bytes: second.bytes });
    const until = performance.now() + 15_000;
    while (!app.models.list().some((e) => e.model.name === 'fresh') && performance.now() < until)
      await new Promise((r) => setTimeout(r, 50));
    assert.deepEqual(
      app.models.list().map((e) => e.model.name),
      ['fresh', 'mnist'],
    );
  } finally {
    await close();
  }
  // close() also deleted the repository: a look now would log that it cannot read it.
  const lines = logs.length;
  await new Promise((r) => setTimeout(r, 1500));
  assert.deepEqual(
    logs.slice(lines).map((l) => l.msg),
    [],
    'no look after close',
  );
});
