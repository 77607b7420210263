import assert from 'node:assert/strict';
import { test } from 'node:test';

import { MISSING, formatExponent, formatFixed, formatInteger, formatNumber, formatPercent } from './number-format.js';

test('non-finite values render as the placeholder', () => {
  for (const f of [formatInteger, formatFixed, formatPercent, formatNumber, formatExponent]) {
    assert.equal(f(Number.NaN), MISSING);
    assert.equal(f(Number.POSITIVE_INFINITY), MISSING);
  }
});

test('formats integers, percentages, exponents and general numbers', () => {
  assert.equal(formatInteger(1234567), '1,234,567');
  assert.equal(formatInteger(-999), '-999');
  assert.equal(formatFixed(0.123456), '0.1235');
  assert.equal(formatFixed(60000, 0), '60,000');
  assert.equal(formatPercent(0.98765), '98.77%');
  assert.equal(formatExponent(0.001), '1e-3');
  assert.equal(formatExponent(0.00025), '2.5e-4');
  assert.equal(formatNumber(225034), '225,034');
  assert.equal(formatNumber(5391.44), '5,391.4');
  assert.equal(formatNumber(0.98765), '0.9877');
  assert.equal(formatNumber(0.0005), '5e-4');
});
