import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { AddressInfo } from 'node:net';
import { createRng } from '@onnxpipe/core';
import { createModel, encodeModel, GraphBuilder, TensorDataType } from '@onnxpipe/onnx';
import { createTestApp } from '../testing/test-app.js';
import { buildTinyMnistModel, mnistMetadata } from '../testing/tiny-model.js';

// `inferenceWorker`: the worker changes where session.run runs, never what it answers; and
// while a long batch runs on the worker, the event loop keeps answering.

const reference = buildTinyMnistModel();

function randomPixels(count: number, seed: number): number[][] {
  const rng = createRng(seed);
  return Array.from({ length: count }, () => Array.from({ length: 784 }, () => Math.floor(rng.next() * 256)));
}

interface PredictBody {
  predictions: { probabilities: number[] }[];
  timings?: { inferenceMs: number; batchSize: number };
}

test('inference answers are identical with the worker on and off, and match the reference forward pass', async () => {
  const pixels = randomPixels(64, 11);
  const answers: PredictBody[] = [];
  for (const inferenceWorker of [true, false]) {
    const { app, close } = await createTestApp({ overrides: { inferenceWorker } });
    try {
      const response = await app.inject({ method: 'POST', url: '/predict', payload: { pixels, preprocess: 'none' } });
      assert.equal(response.statusCode, 200, response.body);
      answers.push(response.json<PredictBody>());
    } finally {
      await close();
    }
  }
  assert.deepEqual(answers[0], answers[1]);
  const input = Float32Array.from(pixels.flat(), (p) => (p / 255 - 0.1307) / 0.3081);
  const expected = Array.from(reference.reference(input, 64), Math.exp);
  const actual = answers[0].predictions.flatMap((p) => p.probabilities);
  const worst = Math.max(...actual.map((v, i) => Math.abs(v - expected[i])));
  assert.ok(worst <= 1e-5, `max |Δ| = ${worst} > 1e-5`);
});

/** An MNIST-shaped model slow enough to measure: 784 → 512, then 100 × (512×512 MatMul, Tanh). */
function slowModelBytes(): Uint8Array {
  const rng = createRng(3);
  const uniform = (n: number, scale: number) => Float32Array.from({ length: n }, () => (rng.next() * 2 - 1) * scale);
  const g = new GraphBuilder('slow_mnist');
  const x = g.input('input', TensorDataType.FLOAT, ['N', 1, 28, 28]);
  const [flat] = g.node('Flatten', [x]);
  const w0 = g.initializer('w0', TensorDataType.FLOAT, [784, 512], uniform(784 * 512, 1 / 28));
  const w = g.initializer('w', TensorDataType.FLOAT, [512, 512], uniform(512 * 512, 2 / Math.sqrt(512)));
  const w1 = g.initializer('w1', TensorDataType.FLOAT, [512, 10], uniform(512 * 10, 1 / Math.sqrt(512)));
  let [h] = g.node('MatMul', [flat, w0]);
  for (let i = 0; i < 100; i++) [h] = g.node('Tanh', g.node('MatMul', [h, w]));
  const [logits] = g.node('MatMul', [h, w1]);
  g.node('LogSoftmax', [logits], { outputs: ['log_probs'], attributes: [] });
  g.output('log_probs', TensorDataType.FLOAT, ['N', 10]);
  const model = createModel({
    graph: g.build(),
    opset: 17,
    producerName: 'onnxpipe-server-tests',
    producerVersion: '0.1.0',
    metadata: mnistMetadata(),
  });
  return encodeModel(model);
}

test('with the worker, /v2/health/live answers promptly while a 64-item batch runs', async () => {
  const { app, close } = await createTestApp({
    overrides: { inferenceWorker: true, logLevel: 'warn' },
    models: [{ bytes: slowModelBytes() }],
  });
  try {
    await app.listen({ host: '127.0.0.1', port: 0 });
    const base = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
    const body = JSON.stringify({ pixels: randomPixels(64, 5), preprocess: 'none' });
    const send = () =>
      fetch(`${base}/predict?timings=true`, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
    // onnxruntime's first batch of a size allocates and prepacks; time a warm one.
    await (await send()).arrayBuffer();
    let done = false;
    const predict = send().then(async (response) => {
      done = true;
      assert.equal(response.status, 200);
      return (await response.json()) as PredictBody;
    });
    const latencies: number[] = [];
    while (!done) {
      const started = performance.now();
      const response = await fetch(`${base}/v2/health/live`);
      await response.arrayBuffer();
      if (!done) latencies.push(performance.now() - started);
    }
    const { timings } = await predict;
    assert.equal(timings!.batchSize, 64);
    assert.ok(
      latencies.length >= 3,
      `only ${latencies.length} health checks answered during a ${timings!.inferenceMs} ms batch`,
    );
    // The median, not the worst: the first checks share the event loop with parsing and
    // preprocessing the 64 items, which do run there, and on two busy cores the worker competes
    // with the event loop for CPU.
    const median = latencies.sort((a, b) => a - b)[latencies.length >> 1];
    assert.ok(
      median < timings!.inferenceMs / 2,
      `health checks took ${latencies.map((ms) => ms.toFixed(1)).join(', ')} ms during a ${timings!.inferenceMs} ms batch`,
    );
  } finally {
    await close();
  }
});
