import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { it } from 'node:test';

// core also runs in browsers: its shipped sources may not reach for Node built-ins or globals.
// (Tests are exempt: they run under Node's test runner.)
it('core sources use no Node built-ins or Node-only globals', () => {
  const dir = new URL('./', import.meta.url);
  const sources = readdirSync(dir).filter((f) => f.endsWith('.ts') && !f.endsWith('.test.ts'));
  assert.ok(sources.includes('index.ts'));
  const forbidden = [
    /from\s+['"]node:/,
    /import\(\s*['"]node:/,
    /require\(/,
    /\bprocess\./,
    /\bBuffer\b/,
    /\b__dirname\b/,
    /\bsetImmediate\b/,
  ];
  for (const file of sources) {
    // Doc examples may show Node usage; only code counts.
    const text = readFileSync(new URL(file, dir), 'utf8')
      .replace(/\/\*[\s\S]*?\*\//g, '')
      .replace(/^\s*\/\/.*$/gm, '');
    for (const pattern of forbidden) {
      assert.ok(!pattern.test(text), `${file} matches ${pattern}`);
    }
  }
});
