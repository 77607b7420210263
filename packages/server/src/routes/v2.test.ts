import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { LightMyRequestResponse } from 'fastify';
import { createRng } from '@onnxpipe/core';
import { encodeFloat32 } from '../input/binary-tensors.js';
import { createTestApp } from '../testing/test-app.js';
import { buildTinyMnistModel } from '../testing/tiny-model.js';

// The Open Inference Protocol routes against the tiny model in onnxruntime-node: outputs are
// checked against the fixture's plain-JS forward pass (the tensor in is the model's raw,
// normalised input, the tensor out its log-probabilities), errors by status and code.

const reference = buildTinyMnistModel();
const rng = createRng(11);
const inputs = (n: number) => Float32Array.from({ length: n * 784 }, () => rng.next() * 2 - 0.5);

interface InferResponse {
  model_name: string;
  model_version: string;
  id?: string;
  parameters: Record<string, unknown>;
  outputs: {
    name: string;
    shape: number[];
    datatype: string;
    data: (number | string)[];
    parameters?: Record<string, unknown>;
  }[];
}

function assertClose(actual: ArrayLike<number>, expected: ArrayLike<number>, tolerance = 1e-5): void {
  assert.equal(actual.length, expected.length);
  let worst = 0;
  for (let i = 0; i < actual.length; i++) worst = Math.max(worst, Math.abs(actual[i] - expected[i]));
  assert.ok(worst <= tolerance, `max |Δ| = ${worst} > ${tolerance}`);
}

function assertError(response: LightMyRequestResponse, statusCode: number, code: string, mentions?: RegExp): void {
  assert.equal(response.statusCode, statusCode, response.body);
  const body = response.json<Record<string, unknown>>();
  assert.deepEqual(Object.keys(body).sort(), ['code', 'error'], 'the protocol body: { error }, plus our code');
  assert.equal(body.code, code);
  assert.equal(typeof body.error, 'string');
  if (mentions !== undefined) assert.match(String(body.error), mentions);
}

const tensor = (data: Float32Array, n: number) => ({
  name: 'input',
  shape: [n, 1, 28, 28],
  datatype: 'FP32',
  data: Array.from(data),
});

test('infer: JSON tensors give the reference forward pass to 1e-5, flat or nested, with or without a version', async () => {
  const { app, close } = await createTestApp();
  try {
    const x = inputs(3);
    const expected = reference.reference(x, 3);
    const response = await app.inject({
      method: 'POST',
      url: '/v2/models/mnist/infer',
      payload: { id: 'req-42', inputs: [tensor(x, 3)] },
    });
    assert.equal(response.statusCode, 200, response.body);
    const body = response.json<InferResponse>();
    assert.equal(body.model_name, 'mnist');
    assert.equal(body.model_version, '1');
    assert.equal(body.id, 'req-42');
    assert.equal(body.parameters.execution_provider, 'cpu');
    assert.deepEqual(
      body.outputs.map((o) => [o.name, o.datatype, o.shape]),
      [['log_probs', 'FP32', [3, 10]]],
    );
    assertClose(body.outputs[0].data as number[], expected);

    const nested = Array.from({ length: 3 }, (_, n) => [
      Array.from({ length: 28 }, (_, y) => Array.from(x.subarray(n * 784 + y * 28, n * 784 + y * 28 + 28))),
    ]);
    const versioned = await app.inject({
      method: 'POST',
      url: '/v2/models/mnist/versions/1/infer',
      payload: { inputs: [{ ...tensor(x, 3), data: nested }], outputs: [{ name: 'log_probs' }] },
    });
    assert.equal(versioned.statusCode, 200, versioned.body);
    assert.equal(versioned.json<InferResponse>().id, undefined, 'no id in, none out');
    assert.deepEqual(versioned.json<InferResponse>().outputs[0].data, body.outputs[0].data);
  } finally {
    await close();
  }
});

test('infer and /predict share one dynamic batcher', async () => {
  const { app, close } = await createTestApp({ overrides: { maxQueueDelayMs: 200, batchScheduling: 'delay' } });
  try {
    const engine = app.models.get();
    const before = engine.stats.runs;
    const [v2, predict] = await Promise.all([
      app.inject({ method: 'POST', url: '/v2/models/mnist/infer', payload: { inputs: [tensor(inputs(2), 2)] } }),
      app.inject({
        method: 'POST',
        url: '/predict?preprocess=none&timings=true',
        payload: { pixels: Array(784).fill(0) },
      }),
    ]);
    assert.equal(v2.statusCode, 200, v2.body);
    assert.equal(predict.statusCode, 200, predict.body);
    assert.equal(engine.stats.runs - before, 1, 'one session.run for both requests');
    assert.equal(v2.json<InferResponse>().parameters.batch_size, 3);
    assert.equal(predict.json<{ timings: { batchSize: number } }>().timings.batchSize, 3);
  } finally {
    await close();
  }
});

test('classification extension: the top k as "value:index:label", most probable first', async () => {
  const { app, close } = await createTestApp();
  try {
    const x = inputs(2);
    const expected = reference.reference(x, 2);
    const response = await app.inject({
      method: 'POST',
      url: '/v2/models/mnist/infer',
      payload: { inputs: [tensor(x, 2)], outputs: [{ name: 'log_probs', parameters: { classification: 2 } }] },
    });
    assert.equal(response.statusCode, 200, response.body);
    const [output] = response.json<InferResponse>().outputs;
    assert.equal(output.datatype, 'BYTES');
    assert.deepEqual(output.shape, [2, 2]);
    for (let n = 0; n < 2; n++) {
      const row = Array.from(expected.subarray(n * 10, n * 10 + 10));
      const order = row.map((_, i) => i).sort((a, b) => row[b] - row[a]);
      const entries = (output.data.slice(n * 2, n * 2 + 2) as string[]).map((s) => s.split(':'));
      assert.deepEqual(
        entries.map((e) => Number(e[1])),
        order.slice(0, 2),
      );
      assert.deepEqual(
        entries.map((e) => e[2]),
        order.slice(0, 2).map(String),
        'labels are the digits',
      );
      entries.forEach((e, i) => assert.ok(Math.abs(Number(e[0]) - row[order[i]]) <= 1e-5));
    }
  } finally {
    await close();
  }
});

test('binary tensor data extension over a real loopback connection: FP32 bytes in and out', async () => {
  const { app, close } = await createTestApp();
  try {
    await app.listen({ port: 0, host: '127.0.0.1' });
    const { port } = app.server.address() as { port: number };
    const x = inputs(2);
    const header = Buffer.from(
      JSON.stringify({
        inputs: [
          { name: 'input', shape: [2, 1, 28, 28], datatype: 'FP32', parameters: { binary_data_size: x.length * 4 } },
        ],
        outputs: [{ name: 'log_probs', parameters: { binary_data: true } }],
      }),
    );
    const response = await fetch(`http://127.0.0.1:${port}/v2/models/mnist/infer`, {
      method: 'POST',
      headers: { 'content-type': 'application/octet-stream', 'inference-header-content-length': String(header.length) },
      body: Buffer.concat([header, encodeFloat32(x)]),
    });
    assert.equal(response.status, 200, await response.clone().text());
    assert.equal(response.headers.get('content-type'), 'application/octet-stream');
    const bytes = Buffer.from(await response.arrayBuffer());
    const jsonLength = Number(response.headers.get('inference-header-content-length'));
    const head = JSON.parse(bytes.subarray(0, jsonLength).toString('utf8')) as InferResponse;
    assert.deepEqual(head.outputs[0].shape, [2, 10]);
    assert.equal(head.outputs[0].parameters?.binary_data_size, 80);
    assert.equal(head.outputs[0].data, undefined);
    const data = bytes.subarray(jsonLength);
    assert.equal(data.length, 80);
    const values = Array.from({ length: 20 }, (_, i) => data.readFloatLE(i * 4));
    assertClose(values, reference.reference(x, 2));

    // An octet-stream body without the header cannot be split: 400 in the protocol's shape.
    const bad = await fetch(`http://127.0.0.1:${port}/v2/models/mnist/infer`, {
      method: 'POST',
      headers: { 'content-type': 'application/octet-stream' },
      body: header,
    });
    assert.equal(bad.status, 400);
    assert.equal(((await bad.json()) as { code: string }).code, 'ONNXPIPE_SERVER_BAD_REQUEST');
  } finally {
    await close();
  }
});

test('server metadata, model metadata and model readiness', async () => {
  const { app, close } = await createTestApp();
  try {
    const server = await app.inject({ url: '/v2' });
    assert.equal(server.statusCode, 200);
    assert.deepEqual(server.json(), {
      name: 'onnxpipe',
      version: '0.1.0',
      extensions: ['classification', 'binary_tensor_data', 'model_repository'],
      parameters: { default_model: 'mnist' },
    });
    const metadata = await app.inject({ url: '/v2/models/mnist' });
    assert.equal(metadata.statusCode, 200, metadata.body);
    const body = metadata.json<Record<string, unknown> & { parameters: Record<string, unknown> }>();
    assert.equal(body.platform, 'onnxruntime_onnx');
    assert.deepEqual(body.versions, ['1']);
    assert.deepEqual(body.inputs, [{ name: 'input', datatype: 'FP32', shape: [-1, 1, 28, 28] }]);
    assert.deepEqual(body.outputs, [{ name: 'log_probs', datatype: 'FP32', shape: [-1, 10] }]);
    assert.deepEqual(JSON.parse(body.parameters.labels as string), ['0', '1', '2', '3', '4', '5', '6', '7', '8', '9']);
    assert.equal(body.parameters.normalization_mean, 0.1307);
    assert.equal(body.parameters.normalization_std, 0.3081);
    assert.equal(body.parameters.execution_provider, 'cpu');
    assert.equal(body.parameters.sha256, app.models.get().model.sha256);
    assert.deepEqual((await app.inject({ url: '/v2/models/mnist/versions/1' })).json(), body);
    assert.deepEqual((await app.inject({ url: '/v2/models/mnist/ready' })).json(), { name: 'mnist', ready: true });
    assert.equal((await app.inject({ url: '/v2/models/mnist/versions/1/ready' })).statusCode, 200);
    assertError(
      await app.inject({ url: '/v2/models/mnist/versions/7/ready' }),
      404,
      'ONNXPIPE_SERVER_VERSION_NOT_FOUND',
    );
  } finally {
    await close();
  }
});

test('errors on /v2 routes: { error, code } with 400, 404, 413, 415 and 503', async () => {
  const { app, close } = await createTestApp({
    overrides: { maxItemsPerRequest: 2, maxQueueLength: 2, maxQueueDelayMs: 300, batchScheduling: 'delay' },
  });
  try {
    const infer = (payload: unknown, url = '/v2/models/mnist/infer') =>
      app.inject({ method: 'POST', url, payload: payload as object });
    const one = tensor(inputs(1), 1);
    assertError(
      await infer({ inputs: [{ ...one, shape: [1, 784] }] }),
      400,
      'ONNXPIPE_SERVER_BAD_REQUEST',
      /'inputs\[0\]\.shape' must be \[n, 1, 28, 28\]/,
    );
    assertError(
      await infer({ inputs: [{ ...one, data: one.data.slice(1) }] }),
      400,
      'ONNXPIPE_SERVER_BAD_REQUEST',
      /must hold 784 values/,
    );
    assertError(
      await infer({ inputs: [{ ...one, datatype: 'BYTES' }] }),
      400,
      'ONNXPIPE_SERVER_BAD_REQUEST',
      /datatype/,
    );
    assertError(await infer({ input: [one] }), 400, 'ONNXPIPE_SERVER_BAD_REQUEST');
    assertError(
      await infer({ inputs: [one] }, '/v2/models/fashion/infer'),
      404,
      'ONNXPIPE_SERVER_MODEL_NOT_FOUND',
      /'model' must be one of mnist; received "fashion"/,
    );
    assertError(
      await infer({ inputs: [one] }, '/v2/models/mnist/versions/3/infer'),
      404,
      'ONNXPIPE_SERVER_VERSION_NOT_FOUND',
    );
    assertError(await app.inject({ url: '/v2/models/mnist/stats' }), 404, 'ONNXPIPE_SERVER_ROUTE_NOT_FOUND');
    assertError(
      await infer({ inputs: [{ ...tensor(inputs(3), 3) }] }),
      413,
      'ONNXPIPE_SERVER_TOO_MANY_ITEMS',
      /at most 2/,
    );
    assertError(
      await app.inject({
        method: 'POST',
        url: '/v2/models/mnist/infer',
        headers: { 'content-type': 'text/plain' },
        payload: 'x',
      }),
      415,
      'ONNXPIPE_SERVER_UNSUPPORTED_MEDIA_TYPE',
      /application\/json, application\/octet-stream/,
    );
    // Two items fill the queue for 300 ms: the next request is refused, to be retried.
    const filling = infer({ inputs: [tensor(inputs(2), 2)] });
    while (app.models.get().stats.queueLength < 2) await new Promise((r) => setTimeout(r, 5));
    const refused = await infer({ inputs: [one] });
    assertError(refused, 503, 'ONNXPIPE_SERVER_QUEUE_FULL');
    assert.equal(refused.headers['retry-after'], '1');
    assert.equal((await filling).statusCode, 200);
  } finally {
    await close();
  }
  const small = await createTestApp({ overrides: { maxBodyBytes: 1024 } });
  try {
    const response = await small.app.inject({
      method: 'POST',
      url: '/v2/models/mnist/infer',
      payload: { inputs: [tensor(inputs(1), 1)] },
    });
    assertError(response, 413, 'ONNXPIPE_SERVER_BODY_TOO_LARGE');
  } finally {
    await small.close();
  }
});
