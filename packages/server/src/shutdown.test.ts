import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { connect } from 'node:net';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { drain } from './shutdown.js';
import { createTestApp, tinyModelBytes } from './testing/test-app.js';
import { writeTestRepository } from './testing/tiny-model.js';

// Shutdown on a real listening server on loopback: a request in flight completes, new
// connections are refused, and the CLI exits 0 on SIGTERM.

const body = JSON.stringify({ pixels: Array(784).fill(0) });

/** 'refused' or 'connected' for a fresh TCP connection to `port`. */
function tryConnect(port: number): Promise<'refused' | 'connected'> {
  return new Promise((resolve) => {
    const socket = connect({ port, host: '127.0.0.1' });
    socket.once('connect', () => {
      socket.destroy();
      resolve('connected');
    });
    socket.once('error', () => resolve('refused'));
  });
}

async function waitFor(condition: () => boolean, what: string, timeoutMs = 10_000): Promise<void> {
  const until = performance.now() + timeoutMs;
  while (!condition()) {
    if (performance.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

test('drain: the in-flight request completes, new connections are refused, readiness turns false', async () => {
  // Items wait 1 s for company: the request is still in flight while the server shuts down.
  const { app, repository } = await createTestApp({ overrides: { maxQueueDelayMs: 1000, batchScheduling: 'delay' } });
  try {
    await app.listen({ port: 0, host: '127.0.0.1' });
    const { port } = app.server.address() as { port: number };
    assert.equal(await tryConnect(port), 'connected');
    let answered = false;
    const inFlight = fetch(`http://127.0.0.1:${port}/predict`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body,
    }).finally(() => (answered = true));
    await waitFor(() => app.models.get().stats.queueLength === 1, 'the request to reach the queue');

    const drained = drain(app, 5000);
    await waitFor(() => !app.models.ready, 'readiness to turn false once shutdown starts');
    let refused = false;
    for (let i = 0; i < 100 && !refused; i++) refused = (await tryConnect(port)) === 'refused';
    assert.ok(refused, 'new connections are refused while draining');
    assert.equal(answered, false, 'the request was still in flight when connections were refused');

    const response = await inFlight;
    assert.equal(response.status, 200);
    assert.equal(((await response.json()) as { predictions: unknown[] }).predictions.length, 1);
    assert.equal(await drained, 'drained');
  } finally {
    await repository.remove();
  }
});

test('drain: past the timeout, open connections are cut and the outcome says so', async () => {
  const { app, repository } = await createTestApp({ overrides: { maxQueueDelayMs: 3000, batchScheduling: 'delay' } });
  try {
    await app.listen({ port: 0, host: '127.0.0.1' });
    const { port } = app.server.address() as { port: number };
    const inFlight = fetch(`http://127.0.0.1:${port}/predict`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body,
    });
    await waitFor(() => app.models.get().stats.queueLength === 1, 'the request to reach the queue');
    assert.equal(await drain(app, 100), 'timed-out');
    await assert.rejects(inFlight, TypeError, 'the client sees its connection cut');
  } finally {
    await repository.remove();
  }
});

test('npm start: SIGTERM lets the in-flight request finish and exits 0', async () => {
  const repository = await writeTestRepository([{ bytes: tinyModelBytes() }]);
  const cli = fileURLToPath(new URL('./cli.ts', import.meta.url));
  const child = spawn(
    process.execPath,
    [
      '--conditions=source',
      '--import',
      'tsx',
      cli,
      '--port',
      '0',
      '--device',
      'cpu',
      '--model-repository',
      repository.dir,
      '--max-queue-delay-ms',
      '1000',
      '--batch-scheduling',
      'delay',
      '--log-level',
      'debug',
    ],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  try {
    const lines: { msg: string; signal?: string }[] = [];
    createInterface({ input: child.stdout! }).on('line', (line) => lines.push(JSON.parse(line)));
    let stderr = '';
    child.stderr!.on('data', (chunk) => (stderr += chunk));
    const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));

    await waitFor(
      () => lines.some((l) => l.msg.startsWith('Server listening at')) || child.exitCode !== null,
      'the server to listen',
      60_000,
    );
    const listening = lines.find((l) => l.msg.startsWith('Server listening at'));
    assert.ok(listening, `the CLI did not start: ${stderr}`);
    const url = /http:\/\/127\.0\.0\.1:\d+/.exec(listening.msg)![0];

    const inFlight = fetch(`${url}/predict`, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
    await waitFor(() => lines.some((l) => l.msg === 'incoming request'), 'the request to arrive');
    child.kill('SIGTERM');

    const response = await inFlight;
    assert.equal(response.status, 200);
    assert.equal(await exited, 0, `${stderr}\n${lines.map((l) => JSON.stringify(l)).join('\n')}`);
    assert.ok(lines.some((l) => l.signal === 'SIGTERM' && /draining/.test(l.msg)));
    await assert.rejects(fetch(`${url}/v2/health/live`), TypeError, 'nothing listens any more');
  } finally {
    if (child.exitCode === null) child.kill('SIGKILL');
    await repository.remove();
  }
});
