#!/usr/bin/env node
// One runner for the whole repo: Node's built-in test runner over every *.test.ts, loaded
// source-first through tsx (the "source" export condition), so tests need no build step.
// Usage: npm test [-- <path-filter> ...]
import { spawnSync } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';

const root = new URL('..', import.meta.url).pathname.replace(/\/$/, '');
// Skipped anywhere: build output and dependencies. Skipped at the root only: the dataset cache
// and trained models (packages/data is a package, not the cache).
const skip = new Set(['node_modules', 'dist', '.git', '.turbo']);
const skipAtRoot = new Set(['data', 'models', 'scratch', 'docker']);

function collect(dir, out) {
  for (const name of readdirSync(dir)) {
    if (skip.has(name) || (dir === root && skipAtRoot.has(name))) continue;
    const path = join(dir, name);
    if (statSync(path).isDirectory()) collect(path, out);
    else if (name.endsWith('.test.ts')) out.push(relative(root, path));
  }
  return out;
}

const filters = process.argv.slice(2);
const files = collect(root, [])
  .filter((file) => filters.length === 0 || filters.some((f) => file.includes(f)))
  .sort();
if (files.length === 0) {
  console.error(`no test files match ${filters.join(', ') || '*.test.ts'}`);
  process.exit(1);
}
const result = spawnSync(
  process.execPath,
  ['--conditions=source', '--import', 'tsx', '--test', '--test-concurrency=1', ...files],
  { cwd: root, stdio: 'inherit' },
);
process.exit(result.status ?? 1);
