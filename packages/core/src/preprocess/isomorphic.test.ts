import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { it } from 'node:test';

// The server and the browser SDK run this code alike. The package-level isomorphic test reads
// only the files directly in src/, so this folder checks its own sources the same way.
it('preprocess sources use no Node built-ins, Node-only globals or DOM globals', () => {
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
    /\b(window|document|ImageData|HTMLCanvasElement|OffscreenCanvas)\b/,
  ];
  for (const file of sources) {
    const text = readFileSync(new URL(file, dir), 'utf8')
      .replace(/\/\*[\s\S]*?\*\//g, '')
      .replace(/^\s*\/\/.*$/gm, '');
    for (const pattern of forbidden) {
      assert.ok(!pattern.test(text), `${file} matches ${pattern}`);
    }
  }
});
