import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { pixelsFromFloats, preprocessDigit } from '@onnxpipe/core';
import { toPrediction } from '@onnxpipe/core';
import {
  createNodeReference,
  mnistHarnessUnavailableReason,
  mnistTestDataDir,
  openHarness,
  readMnistTestDigits,
  SHIPPED_MODEL_FILE,
  type BrowserHarness,
  type HarnessGlobals,
  type NodeReference,
} from '../testing/index.js';
import { pixelsForServer } from './remote-classifier.js';

// The remote client against a loopback fake of the server's documented routes: GET
// /v2/models/{name}[/versions/{v}] and POST /predict, answering as the server does (core's
// preprocessing with preprocess=none, the model in onnxruntime-node, the server's error bodies).
// Real-server coverage lives in the top-level test/ (packages may not import the server).

test('pixels sent to the server read back as the same bytes, also when every value is 0 or 1', () => {
  const cases = [
    Uint8Array.from({ length: 784 }, (_, i) => (i * 37) % 256),
    Uint8Array.from({ length: 784 }, (_, i) => i % 2),
    new Uint8Array(784),
  ];
  for (const bytes of cases) {
    const sent = JSON.parse(JSON.stringify(pixelsForServer(bytes))) as number[];
    assert.deepEqual(pixelsFromFloats(sent).data, bytes);
  }
});

const dataDir = mnistTestDataDir();
const skip = mnistHarnessUnavailableReason() ?? false;
const MAX_ITEMS = 4;

interface Recorded {
  readonly url: string;
  readonly apiKey: string | undefined;
  readonly count: number;
  readonly preprocess: unknown;
}

function json(response: ServerResponse, status: number, body: unknown): true {
  response.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
  return true;
}

function fakeServer(reference: NodeReference, recorded: Recorded[]) {
  const { metadata } = reference;
  return async (request: IncomingMessage, response: ServerResponse, raw: Buffer): Promise<boolean> => {
    const url = new URL(request.url ?? '/', 'http://127.0.0.1');
    if (request.method === 'GET' && url.pathname === '/v2') {
      return json(response, 200, {
        name: 'onnxpipe',
        version: '0.1.0',
        extensions: [],
        parameters: { default_model: 'mnist' },
      });
    }
    const described = /^\/v2\/models\/([^/]+)(?:\/versions\/(\d+))?$/.exec(url.pathname);
    if (request.method === 'GET' && described) {
      if (described[1] === 'nope')
        return json(response, 404, {
          error: "model 'nope' is not loaded; loaded models: mnist",
          code: 'ONNXPIPE_SERVER_MODEL_NOT_FOUND',
        });
      return json(response, 200, {
        name: described[1],
        versions: ['1'],
        platform: 'onnxruntime_onnx',
        inputs: [{ name: 'input', datatype: 'FP32', shape: [-1, 1, metadata.height, metadata.width] }],
        outputs: [{ name: 'output', datatype: 'FP32', shape: [-1, metadata.labels.length] }],
        parameters: {
          labels: JSON.stringify(metadata.labels),
          normalization_mean: metadata.normalization.mean,
          normalization_std: metadata.normalization.std,
          input_layout: metadata.inputLayout,
          max_items_per_request: MAX_ITEMS,
        },
      });
    }
    if (request.method !== 'POST' || url.pathname !== '/predict') return false;
    const body = JSON.parse(raw.toString('utf8')) as { pixels?: number[][]; preprocess?: string };
    const model = { name: url.searchParams.get('model') ?? 'mnist', version: '1' };
    if (model.name === 'busy') {
      return json(response, 503, {
        error: 'Service Unavailable',
        code: 'ONNXPIPE_SERVER_QUEUE_FULL',
        statusCode: 503,
        message: 'the queue is full (maxQueueLength 256); retry later',
      });
    }
    const pixels = body.pixels ?? [];
    recorded.push({
      url: url.search,
      apiKey: request.headers['x-api-key'] as string | undefined,
      count: pixels.length,
      preprocess: body.preprocess,
    });
    const inputs = pixels.map((values) =>
      preprocessDigit(pixelsFromFloats(values), {
        normalization: metadata.normalization,
        skip: body.preprocess === 'none',
      }),
    );
    const rows = await reference.classify(inputs.map((p) => p.input));
    const topk = url.searchParams.get('topk');
    const predictions = rows.map((row, i) =>
      toPrediction(
        Float32Array.from(row, Math.log),
        { labels: metadata.labels, output: 'log_softmax' },
        { topk: topk === null ? undefined : Number(topk), empty: inputs[i].empty },
      ),
    );
    return json(response, 200, { model, executionProvider: 'cpu', predictions });
  };
}

describe('remote classifier', { skip }, () => {
  let harness: BrowserHarness;
  let reference: NodeReference;
  const recorded: Recorded[] = [];
  before(async () => {
    reference = await createNodeReference(SHIPPED_MODEL_FILE);
    harness = await openHarness({ routes: fakeServer(reference, recorded) });
  });
  after(async () => {
    await harness?.close();
    await reference?.release();
  });

  test('answers as local mode does, in requests of at most max_items_per_request, with the given headers', async () => {
    const { images, labels } = readMnistTestDigits(dataDir!, 10);
    const answer = await harness.page.evaluate(
      async ({ url, origin, images }) => {
        const sdk = (globalThis as unknown as HarnessGlobals).onnxpipe;
        // Drawn dark on white at twice the size: the preprocessing has work to do.
        const inputs = images.map((bytes) => {
          const data = new Uint8ClampedArray(56 * 56 * 4);
          for (let i = 0; i < 56 * 56; i++) {
            const v = 255 - bytes[Math.floor(i / 112) * 28 + Math.floor((i % 56) / 2)];
            data.set([v, v, v, 255], i * 4);
          }
          return new ImageData(data, 56, 56);
        });
        const remote = await sdk.createRemoteClassifier(origin, { headers: { 'x-api-key': 'k1' } });
        const before = {
          mode: remote.mode,
          provider: remote.executionProvider ?? null,
          labels: remote.labels,
          model: remote.model,
        };
        const remoteResult = await remote.predict(inputs, { topk: 2 });
        const local = await sdk.createClassifier(url, { device: 'wasm' });
        const localResult = await local.predict(inputs, { topk: 2 });
        return { before, remoteResult, localResult, after: remote.executionProvider };
      },
      { url: harness.modelUrl, origin: harness.origin, images: images.map((image) => Array.from(image)) },
    );
    assert.deepEqual(answer.before, {
      mode: 'remote',
      provider: null,
      labels: reference.metadata.labels,
      model: { name: 'mnist', version: '1' },
    });
    assert.equal(answer.after, 'cpu');
    assert.equal(answer.remoteResult.executionProvider, 'cpu');
    assert.deepEqual(answer.remoteResult.model, { name: 'mnist', version: '1' });
    assert.deepEqual(
      recorded.map((r) => [r.count, r.preprocess, r.apiKey, r.url]),
      [4, 4, 2].map((n) => [n, 'none', 'k1', '?model=mnist&topk=2']),
    );
    for (const [i, remote] of answer.remoteResult.predictions.entries()) {
      const local = answer.localResult.predictions[i];
      assert.equal(remote.label, local.label, `digit ${i}: same label remote and local`);
      assert.equal(remote.label, String(labels[i]));
      assert.deepEqual(
        remote.topk?.map((r) => r.label),
        local.topk?.map((r) => r.label),
      );
      for (const [j, p] of remote.probabilities.entries())
        assert.ok(Math.abs(p - local.probabilities[j]) <= 1e-4, `digit ${i}, class ${j}`);
    }
  });

  test("server errors become ONNXPIPE_WEB_REMOTE_FAILED with the server's status and code", async () => {
    const caught = await harness.page.evaluate(async (origin) => {
      const { onnxpipe: sdk, catchError } = globalThis as unknown as HarnessGlobals;
      const busy = await sdk.createRemoteClassifier(`${origin}/predict`, { model: 'busy', version: '1' });
      const disposed = await sdk.createRemoteClassifier(origin, { model: 'mnist' });
      await disposed.dispose();
      return {
        notFound: await catchError(() => sdk.createRemoteClassifier(origin, { model: 'nope' })),
        busy: await catchError(() => busy.predict(new Array(784).fill(0))),
        unreachable: await catchError(() => sdk.createRemoteClassifier('http://127.0.0.1:9/', { model: 'mnist' })),
        endpoint: await catchError(() => sdk.createRemoteClassifier(42 as never)),
        version: await catchError(() => sdk.createRemoteClassifier(origin, { version: 'latest' })),
        disposed: await catchError(() => disposed.predict(new Array(784).fill(0))),
      };
    }, harness.origin);
    assert.deepEqual(
      [caught.notFound.code, caught.notFound.statusCode, caught.notFound.serverCode],
      ['ONNXPIPE_WEB_REMOTE_FAILED', 404, 'ONNXPIPE_SERVER_MODEL_NOT_FOUND'],
    );
    assert.match(
      caught.notFound.message ?? '',
      /^GET http:\/\/127\.0\.0\.1:\d+\/v2\/models\/nope answered 404 ONNXPIPE_SERVER_MODEL_NOT_FOUND: model 'nope' is not loaded/,
    );
    assert.deepEqual(
      [caught.busy.code, caught.busy.statusCode, caught.busy.serverCode],
      ['ONNXPIPE_WEB_REMOTE_FAILED', 503, 'ONNXPIPE_SERVER_QUEUE_FULL'],
    );
    assert.match(
      caught.busy.message ?? '',
      /POST http:\/\/127\.0\.0\.1:\d+\/predict\?model=busy&version=1 answered 503 ONNXPIPE_SERVER_QUEUE_FULL: the queue is full/,
    );
    assert.deepEqual(
      [caught.unreachable.code, caught.unreachable.statusCode, caught.unreachable.serverCode],
      ['ONNXPIPE_WEB_REMOTE_FAILED', 502, undefined],
    );
    assert.match(caught.unreachable.request ?? '', /^GET http:\/\/127\.0\.0\.1:9\/v2\/models\/mnist$/);
    assert.equal(caught.endpoint.code, 'ONNXPIPE_WEB_INVALID_ARGUMENT');
    assert.match(caught.endpoint.message ?? '', /^'endpoint' must be/);
    assert.equal(caught.version.code, 'ONNXPIPE_WEB_INVALID_ARGUMENT');
    assert.match(caught.version.message ?? '', /^'version' must be a version number .*; received "latest"$/);
    assert.equal(caught.disposed.code, 'ONNXPIPE_WEB_DISPOSED');
  });
});
