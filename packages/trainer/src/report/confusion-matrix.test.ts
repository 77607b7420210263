import assert from 'node:assert/strict';
import { test } from 'node:test';

import { computeConfusionMatrix, renderConfusionMatrix } from './confusion-matrix.js';
import { ReportErrorCode } from '../errors.js';

test('counts [true][predicted] on a small known case', () => {
  const truth = [0, 0, 1, 1, 1, 2, 2, 2, 2];
  const predicted = [0, 1, 1, 1, 2, 2, 2, 0, 2];
  assert.deepEqual(computeConfusionMatrix(truth, predicted, 3), [
    [1, 1, 0],
    [0, 2, 1],
    [1, 0, 3],
  ]);
});

test('accepts typed arrays and leaves unseen classes at zero', () => {
  const m = computeConfusionMatrix(Uint8Array.of(3, 3), Int32Array.of(3, 0), 4);
  assert.deepEqual(m, [
    [0, 0, 0, 0],
    [0, 0, 0, 0],
    [0, 0, 0, 0],
    [1, 0, 0, 1],
  ]);
  assert.deepEqual(computeConfusionMatrix([], [], 2), [
    [0, 0],
    [0, 0],
  ]);
});

test('total of the matrix equals the number of samples', () => {
  const n = 1000;
  const truth = Array.from({ length: n }, (_, i) => (i * 7) % 10);
  const predicted = Array.from({ length: n }, (_, i) => (i * 7 + (i % 13 === 0 ? 1 : 0)) % 10);
  const m = computeConfusionMatrix(truth, predicted, 10);
  assert.equal(
    m.flat().reduce((a, b) => a + b, 0),
    n,
  );
  const errors = truth.filter((t, i) => t !== predicted[i]).length;
  assert.equal(n - m.reduce((sum, row, i) => sum + row[i], 0), errors);
});

test('rejects mismatched lengths, out-of-range labels and bad class counts', () => {
  assert.throws(() => computeConfusionMatrix([0, 1], [0], 2), { code: ReportErrorCode.LENGTH_MISMATCH });
  assert.throws(() => computeConfusionMatrix([0, 2], [0, 1], 2), { code: ReportErrorCode.LABEL_OUT_OF_RANGE });
  assert.throws(() => computeConfusionMatrix([0, -1], [0, 1], 2), { code: ReportErrorCode.LABEL_OUT_OF_RANGE });
  assert.throws(() => computeConfusionMatrix([0.5], [0], 2), { code: ReportErrorCode.LABEL_OUT_OF_RANGE });
  assert.throws(() => computeConfusionMatrix([0], [0], 0), { code: ReportErrorCode.INVALID_CLASS_COUNT });
});

test('renders recall per row, precision per column and marks the diagonal', () => {
  const html = renderConfusionMatrix(
    [
      [3, 1],
      [0, 4],
    ],
    ['cat', '<dog>'],
  );
  assert.equal((html.match(/class="cell diag"/g) ?? []).length, 2);
  assert.ok(html.includes('&lt;dog&gt;'));
  assert.ok(!html.includes('<dog>'));
  assert.ok(html.includes('>75.0%<'), 'recall of class 0 = 3/4');
  assert.ok(html.includes('>80.0%<'), 'precision of class 1 = 4/5');
  assert.ok(html.includes('>87.50%<'), 'overall accuracy = 7/8');
});

test('rejects a matrix that does not match the class names', () => {
  assert.throws(() => renderConfusionMatrix([[1, 0]], ['a', 'b']), { code: ReportErrorCode.CONFUSION_SHAPE });
  assert.throws(
    () =>
      renderConfusionMatrix(
        [
          [1, 0],
          [1, 0, 0],
        ],
        ['a', 'b'],
      ),
    { code: ReportErrorCode.CONFUSION_SHAPE },
  );
});
