import { test } from 'node:test';
import assert from 'node:assert/strict';
import { argmax, toProbabilities, topK } from './probabilities.js';

test('log_softmax output: exp, renormalised to sum 1', () => {
  const expected = [0.1, 0.2, 0.3, 0.4];
  const row = Float32Array.from(expected, Math.log);
  const probabilities = toProbabilities(row, 'log_softmax');
  assert.ok(Math.abs(probabilities.reduce((a, b) => a + b, 0) - 1) <= 1e-12);
  probabilities.forEach((p, i) => assert.ok(Math.abs(p - expected[i]) <= 1e-7, `${p} vs ${expected[i]}`));
});

test('very negative log-probabilities (a saturated network) do not underflow to zeros', () => {
  const probabilities = toProbabilities(Float32Array.of(-2000, -1000, -2000), 'log_softmax');
  assert.deepEqual(probabilities, [0, 1, 0]);
});

test('logits get a stable softmax; softmax output is renormalised', () => {
  const logits = toProbabilities([1000, 1000], 'logits');
  assert.deepEqual(logits, [0.5, 0.5]);
  const softmax = toProbabilities([0.2, 0.2, 0.6000001], 'softmax');
  assert.ok(Math.abs(softmax.reduce((a, b) => a + b, 0) - 1) <= 1e-12);
  assert.throws(() => toProbabilities([NaN, 1], 'logits'), {
    code: 'ONNXPIPE_CORE_BAD_MODEL_OUTPUT',
    message: /no finite probability mass/,
  });
});

test('topK orders by probability, keeps label order on ties, caps k at the label count', () => {
  const labels = ['a', 'b', 'c'];
  assert.deepEqual(topK([0.2, 0.5, 0.3], labels, 2), [
    { label: 'b', probability: 0.5 },
    { label: 'c', probability: 0.3 },
  ]);
  assert.deepEqual(
    topK([0.4, 0.2, 0.4], labels, 10).map((r) => r.label),
    ['a', 'c', 'b'],
  );
  assert.equal(argmax([0.4, 0.2, 0.4]), 0);
});
