import assert from 'node:assert/strict';
import { test } from 'node:test';

import { escapeHtml } from './html-escape.js';

test('escapes the five HTML-significant characters', () => {
  assert.equal(
    escapeHtml(`<a href="x">Tom & 'Jerry'</a>`),
    '&lt;a href=&quot;x&quot;&gt;Tom &amp; &#39;Jerry&#39;&lt;/a&gt;',
  );
  assert.equal(escapeHtml('&amp;'), '&amp;amp;', 'already-escaped text is escaped again, not trusted');
  assert.equal(escapeHtml(42), '42');
  assert.equal(escapeHtml('onnxpipe — mnist → 7'), 'onnxpipe — mnist → 7');
});
