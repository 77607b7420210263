import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { photoCondition } from '@onnxpipe/core/testing';
import type { FastifyInstance } from 'fastify';
import { buildApp } from '../app.js';
import { loadConfig } from '../config.js';
import {
  accuracy,
  devSetDigits,
  originalFiles,
  photoFiles,
  predictOverHttp,
  type SuiteDigits,
} from '../testing/photo-suite.js';

// The shipped model (version 1: the photo targets are set for it; a later version is served
// beside it and must only do better), served for real on loopback, reads photos of handwritten digits: the
// pen-written development set photographed under each condition of core's photo-like suite
// (noise, uneven light, shadows, blur, coloured ink, framing, the table's edge, JPEG). Floors:
// 94 % over all the photos and no more than a point below the same digits sent as clean images;
// each condition no more than 3 points below them (150 digits make a point 1.5 digits). The
// clean accuracy is measured in the same run, never copied from an earlier one.

const DIGITS = 150;
/**
 * Requests carry up to 64 photos; on a busy shared CI machine that can take seconds. Accuracy is
 * tested here, not latency.
 */
const TIMEOUT_MS = 120_000;
const FLOOR = 0.94;
const POOLED_MARGIN = 0.01;
const CONDITION_MARGIN = 0.03;
const CONDITIONS = [
  'jpeg-75',
  'gradient-noise-jpeg',
  'noise-12',
  'gradient-50',
  'shadow',
  'blur-1.5',
  'coloured-ink',
  'framing',
  'paper-edge',
  'ruled',
  'specks',
  'photo',
];

const repository = resolve(
  process.env.ONNXPIPE_MODEL_REPOSITORY ?? fileURLToPath(new URL('../../../../models', import.meta.url)),
);
const shipped = `${repository}/mnist/1/model.onnx`;
const digits: SuiteDigits | undefined = existsSync(shipped) ? devSetDigits(DIGITS) : undefined;
const skip = !existsSync(shipped)
  ? `the shipped model ${shipped} is not exported yet (npm run train, then npm run export)`
  : digits === undefined
    ? 'the pen-written dev set is missing: set ONNXPIPE_DEV_SET_DIR'
    : false;

let app: FastifyInstance | undefined;
let origin = '';
let clean = 0;

before(async () => {
  if (skip !== false) return;
  app = await buildApp({
    config: loadConfig({
      env: {},
      overrides: {
        modelRepository: repository,
        device: 'cpu',
        logLevel: 'error',
        modelVersions: 'all',
        requestTimeoutMs: TIMEOUT_MS,
      },
    }),
  });
  origin = await app.listen({ host: '127.0.0.1', port: 0 });
});
after(async () => app?.close());

const batch = () => app!.config;
const VERSION = '?model=mnist&version=1';

test(`the same ${DIGITS} dev-set digits as clean images and on plain paper: the reference`, { skip }, async (t) => {
  const original = await predictOverHttp(origin, await originalFiles(digits!), batch(), VERSION);
  clean = accuracy(original.labels, digits!.labels);
  const plain = await predictOverHttp(origin, await photoFiles(digits!, photoCondition('plain')), batch(), VERSION);
  t.diagnostic(
    `clean images ${(clean * 100).toFixed(1)} %, plain paper ${(accuracy(plain.labels, digits!.labels) * 100).toFixed(1)} %`,
  );
  assert.ok(clean >= FLOOR, `clean ${clean}`);
  assert.ok(accuracy(plain.labels, digits!.labels) >= clean - CONDITION_MARGIN);
});

test(
  `photos through POST /predict: ≥ ${FLOOR * 100} % and within ${POOLED_MARGIN * 100} point of the clean images, each condition within ${CONDITION_MARGIN * 100}`,
  { skip },
  async (t) => {
    assert.ok(clean > 0, 'the reference ran first');
    let correct = 0;
    for (const name of CONDITIONS) {
      const { labels, empty } = await predictOverHttp(
        origin,
        await photoFiles(digits!, photoCondition(name)),
        batch(),
        VERSION,
      );
      const a = accuracy(labels, digits!.labels);
      correct += a * labels.length;
      t.diagnostic(`${name}: ${(a * 100).toFixed(1)} %${empty > 0 ? ` (${empty} empty)` : ''}`);
      assert.ok(a >= clean - CONDITION_MARGIN, `${name}: ${a} vs clean ${clean}`);
    }
    const pooled = correct / (CONDITIONS.length * DIGITS);
    t.diagnostic(`pooled ${(pooled * 100).toFixed(2)} % vs clean ${(clean * 100).toFixed(2)} %`);
    assert.ok(pooled >= FLOOR, `pooled ${pooled}`);
    assert.ok(pooled >= clean - POOLED_MARGIN, `pooled ${pooled} vs clean ${clean}`);
  },
);
