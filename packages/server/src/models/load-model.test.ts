import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { buildApp } from '../app.js';
import { loadConfig } from '../config.js';
import { createTestApp, tinyModelBytes } from '../testing/test-app.js';
import { buildTinyMnistModel, writeTestRepository } from '../testing/tiny-model.js';

// Start-up checks: every broken repository entry fails the start with the file's name.

async function assertLoadFails(options: Parameters<typeof createTestApp>[0], message: RegExp): Promise<void> {
  await assert.rejects(createTestApp(options), (error: { code?: string; message: string }) => {
    assert.equal(error.code, 'ONNXPIPE_SERVER_MODEL_LOAD_FAILED');
    assert.match(error.message, message);
    return true;
  });
}

test('a corrupt model file fails the start-up with an error naming the file', async () => {
  const bytes = tinyModelBytes().slice(0, 1000);
  await assertLoadFails({ models: [{ bytes, manifest: false }] }, /mnist\/1\/model\.onnx: not a usable onnxpipe model/);
});

test('a file whose sha256 differs from the one in manifest.json fails the start-up', async () => {
  await assertLoadFails(
    { models: [{ bytes: tinyModelBytes(), manifestSha256: 'ab'.repeat(32) }] },
    /mnist\/1\/model\.onnx: sha256 [0-9a-f]{64} differs from (ab){32} recorded in .*mnist\/manifest\.json/,
  );
});

test('a model without onnxpipe metadata, or whose output does not match its labels, is refused', async () => {
  const noLabels = buildTinyMnistModel({ metadata: { 'onnxpipe.labels': undefined } }).bytes;
  await assertLoadFails(
    { models: [{ bytes: noLabels }] },
    /model\.onnx: not a usable onnxpipe model: metadata_props has no "onnxpipe.labels"/,
  );
  const fiveLabels = buildTinyMnistModel({
    metadata: { 'onnxpipe.labels': JSON.stringify(['0', '1', '2', '3', '4']) },
  }).bytes;
  await assertLoadFails(
    { models: [{ bytes: fiveLabels }] },
    /output log_probs must be float32\[N, 5\] \(one value per label\); the graph has float32\[N, 10\]/,
  );
  const wrongSize = buildTinyMnistModel({ metadata: { 'onnxpipe.input.shape': '["N",1,32,32]' } }).bytes;
  await assertLoadFails({ models: [{ bytes: wrongSize }] }, /input input must be float32\[N, 1, 32, 32\]/);
});

test('all (the default) loads every version, latest the highest; /predict picks them by query', async () => {
  const v1 = tinyModelBytes();
  const v2 = buildTinyMnistModel({ seed: 8 }).bytes;
  const models = [
    { version: 1, bytes: v1, manifest: false },
    { version: 2, bytes: v2, manifest: false },
    { name: 'other', bytes: v1 },
  ];
  const latest = await createTestApp({ models, overrides: { modelVersions: 'latest' } });
  try {
    assert.deepEqual(
      latest.app.models.list().map((e) => `${e.model.name}/${e.model.version}`),
      ['mnist/2', 'other/1'],
    );
  } finally {
    await latest.close();
  }
  const all = await createTestApp({ models });
  try {
    assert.deepEqual(
      all.app.models.list().map((e) => `${e.model.name}/${e.model.version}`),
      ['mnist/1', 'mnist/2', 'other/1'],
    );
    const pixels = Array(784).fill(0);
    const one = await all.app.inject({ method: 'POST', url: '/predict?version=1', payload: { pixels } });
    const two = await all.app.inject({ method: 'POST', url: '/predict', payload: { pixels } });
    assert.equal(one.json().model.version, '1');
    assert.equal(two.json().model.version, '2', 'the highest version by default');
    assert.notDeepEqual(one.json().predictions[0].probabilities, two.json().predictions[0].probabilities);
  } finally {
    await all.close();
  }
});

test('directories without <version>/model.onnx are skipped with a warning; a missing repository fails', async () => {
  const repository = await writeTestRepository([{ bytes: tinyModelBytes() }]);
  await mkdir(join(repository.dir, 'fashion', 'checkpoints'), { recursive: true });
  await writeFile(join(repository.dir, 'fashion', 'model.json'), '{}');
  const logs: { msg: string; level: number }[] = [];
  const config = loadConfig({ env: {}, overrides: { modelRepository: repository.dir, device: 'cpu' } });
  const app = await buildApp({ config, logStream: { write: (line) => void logs.push(JSON.parse(line)) } });
  try {
    assert.deepEqual(
      app.models.list().map((e) => e.model.name),
      ['mnist'],
    );
    const warning = logs.filter((l) => l.level === 40 && l.msg.includes('fashion'));
    assert.equal(warning.length, 1);
    assert.match(warning[0].msg, /no <version>\/model\.onnx/);
  } finally {
    await app.close();
    await repository.remove();
  }
  const missing = loadConfig({
    env: {},
    overrides: { modelRepository: '/nonexistent/models', device: 'cpu', logLevel: 'silent' },
  });
  await assert.rejects(buildApp({ config: missing }), {
    code: 'ONNXPIPE_SERVER_MODEL_LOAD_FAILED',
    message: /\/nonexistent\/models is not a directory/,
  });
});
