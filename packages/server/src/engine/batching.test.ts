import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createRng } from '@onnxpipe/core';
import { createTestApp } from '../testing/test-app.js';

// Dynamic batching through the whole server: N concurrent requests must give exactly the
// answers of N single requests (to float tolerance: batched kernels may sum in another order)
// and be served in fewer session runs.

const N = 12;
const rng = createRng(3);
const inputs = Array.from({ length: N }, () => Array.from({ length: 784 }, () => Math.floor(rng.next() * 256)));

interface Body {
  predictions: { label: string; probabilities: number[] }[];
  timings: { batchSize: number };
}

test(`${N} concurrent requests equal ${N} single ones and take fewer session runs`, async () => {
  const { app, close } = await createTestApp({ overrides: { maxQueueDelayMs: 50 } });
  try {
    const engine = app.models.get();
    const predict = (pixels: number[]) =>
      app.inject({ method: 'POST', url: '/predict?preprocess=none&timings=true', payload: { pixels } }).then((r) => {
        assert.equal(r.statusCode, 200, r.body);
        return r.json<Body>();
      });

    const singles: Body[] = [];
    for (const pixels of inputs) singles.push(await predict(pixels));
    assert.equal(engine.stats.runs, N, 'one run per sequential request');
    assert.ok(singles.every((b) => b.timings.batchSize === 1));

    const concurrent = await Promise.all(inputs.map(predict));
    const runs = engine.stats.runs - N;
    assert.ok(runs < N, `${N} concurrent requests took ${runs} runs`);
    assert.ok(Math.max(...concurrent.map((b) => b.timings.batchSize)) > 1);
    assert.equal(engine.stats.items, 2 * N);

    let worst = 0;
    concurrent.forEach((body, i) => {
      assert.equal(body.predictions[0].label, singles[i].predictions[0].label);
      body.predictions[0].probabilities.forEach(
        (p, j) => (worst = Math.max(worst, Math.abs(p - singles[i].predictions[0].probabilities[j]))),
      );
    });
    assert.ok(worst <= 1e-6, `max |Δ| = ${worst}`);
  } finally {
    await close();
  }
});
