import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildApp } from '../app.js';
import { loadConfig } from '../config.js';
import { encodeDigit } from '../testing/digit-images.js';
import { mnistTestDataDir, readMnistTestDigits } from '@onnxpipe/data/testing';

// The shipped model on real MNIST test digits drawn as a user would send them: dark ink on
// white paper, upscaled 5×, with a margin, as PNG files in one multipart request.

// The repository the server would serve: $ONNXPIPE_MODEL_REPOSITORY, else the checkout's models/.
const repository = resolve(
  process.env.ONNXPIPE_MODEL_REPOSITORY ?? fileURLToPath(new URL('../../../../models', import.meta.url)),
);
const shipped = `${repository}/mnist/1/model.onnx`;
const dataDir = mnistTestDataDir();
const skip = !existsSync(shipped)
  ? `the shipped model ${shipped} is not exported yet (npm run train, then npm run export)`
  : dataDir === undefined
    ? 'the MNIST test files are missing: set ONNXPIPE_DATA_DIR'
    : false;

test(
  'the shipped mnist model reads 20 real test digits, drawn dark on white and upscaled, almost all correctly',
  { skip },
  async (t) => {
    const { images, labels } = readMnistTestDigits(dataDir!, 20);
    const app = await buildApp({
      config: loadConfig({ env: {}, overrides: { modelRepository: repository, device: 'cpu', logLevel: 'warn' } }),
    });
    try {
      const form = new FormData();
      for (const [i, pixels] of images.entries()) {
        form.append(
          'image',
          new Blob([await encodeDigit(pixels, { scale: 5, darkOnWhite: true })], { type: 'image/png' }),
          `digit-${i}.png`,
        );
      }
      const request = new Request('http://localhost/predict', { method: 'POST', body: form });
      const response = await app.inject({
        method: 'POST',
        url: '/predict?model=mnist',
        headers: { 'content-type': request.headers.get('content-type')! },
        payload: Buffer.from(await request.arrayBuffer()),
      });
      assert.equal(response.statusCode, 200, response.body);
      const predicted = (response.json().predictions as { label: string }[]).map((p) => Number(p.label));
      const correct = predicted.filter((label, i) => label === labels[i]).length;
      assert.ok(correct >= 18, `${correct}/20 correct: predicted ${predicted.join(' ')}, labels ${labels.join(' ')}`);
      t.diagnostic(`${correct}/20 correct on ${response.json().executionProvider}`);
    } finally {
      await app.close();
    }
  },
);
