import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { it } from 'node:test';

// The main entry runs in browsers (the web SDK inspects models there), so its sources may not
// reach for Node built-ins or globals. Tests are exempt, and so is the `testing/` folder: the
// `@onnxpipe/onnx/testing` subpath is Node-only by design (it runs the Python checker).
it('main-entry sources use no Node built-ins or Node-only globals', () => {
  const dir = new URL('./', import.meta.url);
  const sources = readdirSync(dir).filter((f) => f.endsWith('.ts') && !f.endsWith('.test.ts'));
  assert.ok(sources.includes('index.ts'));
  const forbidden = [
    /from\s+['"]node:/,
    /import\(\s*['"]node:/,
    /from\s+['"](fs|path|os|child_process|crypto|buffer)['"]/,
    /require\(/,
    /\bprocess\./,
    /\bBuffer\b/,
    /\b__dirname\b/,
    /\bsetImmediate\b/,
    /from\s+['"]onnxruntime-node['"]/,
    /from\s+['"]\.\/testing\//,
  ];
  for (const file of sources) {
    // Comments may mention Node; only code counts.
    const text = readFileSync(new URL(file, dir), 'utf8')
      .replace(/\/\*[\s\S]*?\*\//g, '')
      .replace(/^\s*\/\/.*$/gm, '');
    for (const pattern of forbidden) assert.ok(!pattern.test(text), `${file} matches ${pattern}`);
  }
});

it('the testing helpers other than the checker are isomorphic too', () => {
  const text = readFileSync(new URL('./testing/example-models.ts', import.meta.url), 'utf8');
  assert.ok(!/from\s+['"]node:/.test(text));
});
