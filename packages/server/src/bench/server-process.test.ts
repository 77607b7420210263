import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { solidImage } from '../testing/digit-images.js';
import { buildTinyMnistModel, writeTestRepository } from '../testing/tiny-model.js';
import { runLoad } from './http-load.js';
import { startServerProcess } from './server-process.js';

// The bench's moving parts against the real server process (a short, small run: the figures
// come from `npm run bench:serve`, not from here).
const root = fileURLToPath(new URL('../../../../', import.meta.url));

test('bench:serve starts the server as npm start does, loads it with autocannon, and stops it with a clean drain', async () => {
  const repository = await writeTestRepository([{ bytes: buildTinyMnistModel().bytes }]);
  try {
    const server = await startServerProcess({
      root,
      flags: ['--model-repository', repository.dir, '--device', 'cpu', '--log-level', 'warn', '--max-batch-size', '4'],
      readyTimeoutMs: 60_000,
    });
    try {
      assert.match(server.url, /^http:\/\/127\.0\.0\.1:\d+$/);
      const png = await solidImage(28, 28, 'png', 255);
      const result = await runLoad({
        url: `${server.url}/predict`,
        body: png,
        contentType: 'image/png',
        connections: 4,
        durationSeconds: 1,
      });
      assert.ok(result.ok > 0, 'some requests were answered');
      assert.deepEqual({ errors: result.errors, non2xx: result.non2xx }, { errors: 0, non2xx: 0 });
      assert.deepEqual(Object.keys(result.statusCodes), ['200']);
      assert.ok(result.p99Ms >= result.p50Ms);
      if (process.platform === 'linux') {
        assert.ok(server.peakRssMiB()! > 0);
        assert.ok(server.cpuSeconds()! > 0, 'start-up and the load took CPU time');
      }
    } finally {
      assert.equal(await server.stop(), 0, 'SIGTERM drains and exits 0');
    }
  } finally {
    await repository.remove();
  }
});

test('a server that cannot start is reported with its own error message', async () => {
  await assert.rejects(
    startServerProcess({ root, flags: ['--max-batch-size', '0'], readyTimeoutMs: 60_000 }),
    /exited with code 2 before it was ready[\s\S]*ONNXPIPE_SERVER_INVALID_CONFIG/,
  );
});
