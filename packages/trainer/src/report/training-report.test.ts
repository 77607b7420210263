import assert from 'node:assert/strict';
import { test } from 'node:test';

import { ReportErrorCode } from '../errors.js';
import type { EpochMetrics, MisclassifiedDigit, TrainingReportInput } from './report-types.js';
import { renderTrainingReport } from './training-report.js';

const VOID_ELEMENTS = new Set(['meta', 'img', 'br', 'hr', 'col', 'input', 'link', 'source', 'wbr']);

/**
 * Checks that every non-void element is closed in order. Good enough for generated markup
 * whose text and attributes are escaped (no raw `<` or `>` outside tags).
 */
function assertBalanced(html: string): void {
  const body = html.replace(/<style>[\s\S]*?<\/style>/, '<style></style>').replace(/^<!DOCTYPE html>/i, '');
  const stack: string[] = [];
  for (const m of body.matchAll(/<(\/?)([a-zA-Z][\w-]*)[^>]*?(\/?)>/g)) {
    const [, closing, rawName, selfClosing] = m;
    const name = rawName.toLowerCase();
    if (selfClosing || (!closing && VOID_ELEMENTS.has(name))) continue;
    if (!closing) stack.push(name);
    else assert.equal(stack.pop(), name, `</${name}> closes <${stack.at(-1) ?? '(nothing)'}> at ${m.index}`);
  }
  assert.deepEqual(stack, [], 'unclosed elements');
}

function count(html: string, needle: RegExp): number {
  return (html.match(needle) ?? []).length;
}

function epoch(n: number, overrides: Partial<EpochMetrics> = {}): EpochMetrics {
  return {
    epoch: n,
    trainLoss: 0.5 / n,
    testLoss: 0.4 / n,
    testAccuracy: 1 - 0.05 / n,
    learningRate: 1e-3,
    seconds: 12.5,
    imagesPerSecond: 4800,
    ...overrides,
  };
}

function digit(i: number): MisclassifiedDigit {
  const pixels = new Uint8Array(28 * 28);
  for (let p = 0; p < pixels.length; p++) pixels[p] = (p * (i + 3)) % 256;
  return { index: i, trueLabel: i % 10, predictedLabel: (i + 1) % 10, confidence: 0.5 + (i % 5) / 10, pixels };
}

function input(overrides: Partial<TrainingReportInput> = {}): TrainingReportInput {
  const classNames = Array.from({ length: 10 }, (_, i) => String(i));
  return {
    title: 'onnxpipe — mnist',
    classNames,
    epochs: [1, 2, 3, 4].map((n) => epoch(n)),
    stepLosses: Array.from({ length: 40 }, (_, i) => ({ step: (i + 1) * 100, loss: 2.3 / (1 + i) })),
    confusion: classNames.map((_, i) => classNames.map((_, j) => (i === j ? 980 : 2))),
    misclassified: Array.from({ length: 7 }, (_, i) => digit(i)),
    imageSize: { rows: 28, cols: 28 },
    summary: { backend: 'tensorflow', seed: 42, 'batch size': 128, sha256: 'ab'.repeat(32) },
    generatedAt: '2025-01-01T00:00:00Z',
    ...overrides,
  };
}

test('renders a well-formed, self-contained document', () => {
  const html = renderTrainingReport(input());
  assert.ok(html.startsWith('<!DOCTYPE html>'));
  assertBalanced(html);
  assert.equal(count(html, /<svg[\s>]/g), 2);
  assert.equal(count(html, /<\/svg>/g), 2);
  assert.equal(count(html, /<img /g), 7, 'one image per misclassified digit');
  assert.equal(count(html, /src="data:image\/png;base64,/g), 7);
  assert.ok(!/<script|<link|src="https?:|href="https?:|@import|url\(/i.test(html), 'no external resources');
  assert.ok(!html.includes('NaN'));
  const captions = [...html.matchAll(/<figcaption>(.*?)<\/figcaption>/g)].map((m) => m[1].replace(/<[^>]+>/g, ''));
  assert.ok(captions.includes('0 → 1 (50.0%)'), `captions: ${captions.slice(0, 3).join(' | ')}`);
});

test('escapes caller-supplied text everywhere', () => {
  const evil = '<script>alert("x")</script>';
  const html = renderTrainingReport(
    input({
      title: evil,
      classNames: Array.from({ length: 10 }, (_, i) => (i === 3 ? evil : String(i))),
      summary: { [evil]: evil },
      generatedAt: evil,
    }),
  );
  assert.ok(!html.includes('<script'));
  assert.ok(html.includes('<title>&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;</title>'));
  assertBalanced(html);
});

test('caps the digit grid at 100 images', () => {
  const html = renderTrainingReport(input({ misclassified: Array.from({ length: 130 }, (_, i) => digit(i)) }));
  assert.equal(count(html, /<img /g), 100);
  assert.ok(html.includes('Showing 100 of 130'));
});

test('handles one epoch, no misclassified digits and NaN metrics', () => {
  const one = renderTrainingReport(input({ epochs: [epoch(1)], stepLosses: undefined, misclassified: [] }));
  assertBalanced(one);
  assert.equal(count(one, /<img /g), 0);
  assert.ok(one.includes('No misclassified test digits.'));
  assert.ok(!one.includes('NaN'));

  const gaps = renderTrainingReport(
    input({
      epochs: [
        epoch(1),
        epoch(2, { testLoss: Number.NaN, testAccuracy: Number.NaN }),
        epoch(3, { trainLoss: Number.POSITIVE_INFINITY, imagesPerSecond: Number.NaN }),
      ],
      stepLosses: [{ step: 0.5, loss: Number.NaN }],
    }),
  );
  assertBalanced(gaps);
  assert.ok(!gaps.includes('NaN') && !gaps.includes('Infinity'));

  const nothing = renderTrainingReport(input({ epochs: [], stepLosses: [], misclassified: [] }));
  assertBalanced(nothing);
  assert.equal(count(nothing, /no data/g), 2);
});

test('rejects inconsistent input with stable codes', () => {
  assert.throws(() => renderTrainingReport(input({ confusion: [[1]] })), { code: ReportErrorCode.CONFUSION_SHAPE });
  assert.throws(() => renderTrainingReport(input({ imageSize: { rows: 0, cols: 28 } })), {
    code: ReportErrorCode.IMAGE_SHAPE,
  });
  assert.throws(() => renderTrainingReport(input({ imageSize: { rows: 14, cols: 14 } })), {
    code: ReportErrorCode.IMAGE_SHAPE,
  });
});
