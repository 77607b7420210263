import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadModel } from '../models/load-model.js';
import { scanModelRepository } from '../models/model-repository.js';
import { createTestApp } from '../testing/test-app.js';
import { buildTinyMnistModel, writeTestRepository } from '../testing/tiny-model.js';
import { WorkerSession } from './worker-session.js';

// WorkerSession.poll: a finished run's result can be taken while the event loop is busy, that
// is without the port's message event ever running.

test('poll() settles a finished run without an event-loop turn', async () => {
  const repository = await writeTestRepository([{ bytes: buildTinyMnistModel().bytes }]);
  const { app, close } = await createTestApp();
  try {
    const [entry] = await scanModelRepository(repository.dir, 'latest', app.log);
    const model = await loadModel(entry, 'cpu');
    const session = await WorkerSession.start(model, 'cpu', 1);
    try {
      const data = new Float32Array(2 * 784).fill(0.5);
      let output: Float32Array | undefined;
      void session.run(data, [2, 1, 28, 28]).then((values) => (output = values));
      // Microtasks only, never a macrotask: the 'message' event cannot deliver the result here.
      const until = Date.now() + 20_000;
      while (output === undefined && Date.now() < until) {
        session.poll();
        await Promise.resolve();
      }
      assert.ok(output, 'the result arrived through poll()');
      assert.equal(output.length, 2 * 10);
      session.poll(); // nothing pending: a no-op
    } finally {
      await session.terminate();
      await model.session.release();
    }
  } finally {
    await close();
    await repository.remove();
  }
});
