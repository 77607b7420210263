import { test } from 'node:test';
import assert from 'node:assert/strict';
import { negotiateEncoding } from './content-encoding.js';

// Accept-Encoding as RFC 9110 reads it: q-values, q=0 refusals, `*` for the encodings not named.

test('negotiateEncoding: brotli first, then gzip, honouring q-values, refusals and *', () => {
  const cases: [string | undefined, string | undefined][] = [
    [undefined, undefined],
    ['', undefined],
    ['identity', undefined],
    ['gzip, deflate, br, zstd', 'br'],
    ['GZIP, BR', 'br'],
    ['gzip', 'gzip'],
    ['br;q=0, gzip', 'gzip'],
    ['gzip;q=1, br;q=0.5', 'gzip'],
    ['br; q=0.8, gzip;q=0.8', 'br'],
    ['*', 'br'],
    ['*;q=0.5, br;q=0', 'gzip'],
    ['deflate', undefined],
    ['gzip;q=0, br;q=0', undefined],
  ];
  for (const [accept, expected] of cases) assert.equal(negotiateEncoding(accept), expected, String(accept));
  assert.equal(negotiateEncoding(['gzip', 'br;q=0']), 'gzip', 'repeated headers are one list');
});
