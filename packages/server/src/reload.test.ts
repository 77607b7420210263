import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { handleReloadSignal, reloadOnSignal } from './reload.js';
import { createTestApp } from './testing/test-app.js';
import { buildTinyMnistModel, writeModelVersion } from './testing/tiny-model.js';

// SIGHUP re-reads the whole repository: new models appear, changed ones are swapped, removed
// ones go; a corrupt file changes nothing and is named in an error log line.

const first = buildTinyMnistModel({ seed: 7 });
const second = buildTinyMnistModel({ seed: 8 });

test('SIGHUP: a changed file is swapped in, a new model appears, a removed one goes', async () => {
  const { app, close, repository, logs } = await createTestApp({
    models: [{ bytes: first.bytes }, { name: 'retired', bytes: first.bytes }],
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
    while (!logs.some((l) => /^SIGHUP: serving/.test(l.msg)) && performance.now() < until) await new Promise((r) => setTimeout(r, 10));

    assert.ok(logs.some((l) => l.msg.startsWith('SIGHUP: reloading the model repository')));
    assert.ok(logs.some((l) => l.msg === 'SIGHUP: serving fresh version 1, mnist version 1'), logs.map((l) => l.msg).join('\n'));
    assert.notEqual(app.models.get(), before);
    const metadata = await app.inject({ url: '/v2/models/mnist' });
    assert.equal(metadata.json<{ parameters: { sha256: string } }>().parameters.sha256, createHash('sha256').update(second.bytes).digest('hex'));
    assert.deepEqual(app.models.list().map((e) => e.model.name), ['fresh', 'mnist']);
    assert.equal((await app.inject({ url: '/v2/models/retired' })).statusCode, 404);
  } finally {
    removeListener();
    await close();
  }
});

test('SIGHUP with a corrupt file: an error log line names it, and every model keeps serving', async () => {
  const { app, close, repository, logs } = await createTestApp({ models: [{ bytes: first.bytes }, { name: 'other', bytes: first.bytes }] });
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
    const response = await app.inject({ method: 'POST', url: '/predict?model=other&preprocess=none', payload: { pixels: Array(784).fill(0) } });
    assert.equal(response.statusCode, 200);
  } finally {
    await close();
  }
});
