import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { builtinModules } from 'node:module';
import { fileURLToPath } from 'node:url';

// The dependency rules of STYLE.md, checked on the source: packages depend one way, nothing
// imports the server, trainer or SDK, the isomorphic core uses no Node built-ins, no package
// has import cycles between its own files, and each package's error classes and codes are in its
// src/errors.ts.
const root = fileURLToPath(new URL('..', import.meta.url));
const packagesDir = join(root, 'packages');

/** Which @onnxpipe packages each package may import. */
const ALLOWED: Record<string, readonly string[]> = {
  core: [],
  onnx: ['core'],
  data: ['core'],
  trainer: ['core', 'data', 'onnx'],
  exporter: ['core', 'data', 'onnx'],
  server: ['core', 'onnx'],
  web: ['core', 'onnx'],
};
/**
 * Packages that test-support code (tests, `src/testing/`, `src/bench/`) may import on top of
 * ALLOWED: dev-only edges that never ship. Still never the server, the trainer or the SDK.
 */
const TEST_SUPPORT_ALLOWED: readonly string[] = ['data'];
const TEST_SUPPORT_DIRS = ['/src/testing/', '/src/bench/'];
const ISOMORPHIC = new Set(['core', 'onnx', 'web']);
/**
 * Entry points that may use Node: test support, which never ships to browsers, and the SDK's
 * Vite plugin (`@onnxpipe/web/vite`), which runs in Vite's process, never in a page.
 */
const NODE_ONLY_DIRS = ['/src/testing/', '/web/src/vite/'];
const NODE_BUILTINS = new Set(builtinModules.flatMap((m) => [m, `node:${m}`]));
const NODE_GLOBALS = [/\bprocess\./, /\bBuffer\b/, /\b__dirname\b/, /\brequire\(/, /\bsetImmediate\b/];
/** Isomorphic packages that must not even assume a browser: the same code runs in the server. */
const DOM_FREE = new Set(['core', 'onnx']);
const DOM_GLOBALS = [/\b(window|document|ImageData|HTMLCanvasElement|OffscreenCanvas)\b/];

function sourceFiles(dir: string, out: string[] = []): string[] {
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) sourceFiles(path, out);
    else if (/\.ts$/.test(name) && !name.endsWith('.d.ts')) out.push(path);
  }
  return out;
}

function imports(file: string): string[] {
  // Comments (a TSDoc example's `import … from '@onnxpipe/web/vite'`) are not imports.
  const text = readFileSync(file, 'utf8')
    .replace(/\/\*[\s\S]*?\*\//g, '')
    .replace(/^\s*\/\/.*$/gm, '');
  const found: string[] = [];
  const pattern =
    /(?:import|export)\s[^'"]*?from\s+['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)|^\s*import\s+['"]([^'"]+)['"]/gm;
  for (const match of text.matchAll(pattern)) found.push(match[1] ?? match[2] ?? match[3]);
  return found;
}

const packages = readdirSync(packagesDir).filter((p) =>
  statSync(join(packagesDir, p, 'src'), { throwIfNoEntry: false })?.isDirectory(),
);

test('every package is known to the dependency rules', () => {
  for (const pkg of packages) assert.ok(pkg in ALLOWED, `packages/${pkg} has no entry in ALLOWED`);
});

test('tests and benchmarks find the MNIST test files one way, never at a machine path', () => {
  // @onnxpipe/data/testing's mnistTestDataDir, which is core/testing's mnistTestDir.
  const lookup = join(packagesDir, 'core', 'src', 'testing', 'mnist-file.ts');
  const files = [
    ...packages.flatMap((pkg) => sourceFiles(join(packagesDir, pkg, 'src'))),
    ...sourceFiles(join(root, 'test')),
  ];
  for (const file of files) {
    if (file === fileURLToPath(import.meta.url)) continue; // its patterns name what they forbid
    const code = readFileSync(file, 'utf8')
      .replace(/\/\*[\s\S]*?\*\//g, '')
      .replace(/^\s*\/\/.*$/gm, '');
    const where = relative(root, file);
    assert.ok(!/['"`]\/(work|home|root|Users)\//.test(code), `${where} names a path of one machine`);
    if (file === lookup) continue;
    assert.ok(
      !/process\.env(\.ONNXPIPE_DATA_DIR|\[DATA_DIR_ENV\])|ONNXPIPE_MNIST_DIR|'datasets', 'mnist'/.test(code),
      `${where} looks for MNIST itself; use mnistTestDataDir of @onnxpipe/data/testing`,
    );
  }
});

for (const pkg of packages) {
  test(`packages/${pkg} imports only what the architecture allows`, () => {
    for (const file of sourceFiles(join(packagesDir, pkg, 'src'))) {
      const isTest = file.endsWith('.test.ts');
      const isTestSupport = isTest || TEST_SUPPORT_DIRS.some((d) => file.includes(d));
      const allowed = new Set([
        ...(ALLOWED[pkg] ?? []),
        ...(isTestSupport && pkg !== 'data' ? TEST_SUPPORT_ALLOWED : []),
      ]);
      for (const specifier of imports(file)) {
        const where = relative(root, file);
        const internal = /^@onnxpipe\/([^/]+)/.exec(specifier);
        if (internal) {
          assert.ok(allowed.has(internal[1]), `${where} imports @onnxpipe/${internal[1]}, not allowed for ${pkg}`);
        }
        if (ISOMORPHIC.has(pkg) && !isTest && !NODE_ONLY_DIRS.some((d) => file.includes(d))) {
          assert.ok(
            !NODE_BUILTINS.has(specifier),
            `${where} imports the Node built-in ${specifier} in an isomorphic package`,
          );
          assert.ok(specifier !== 'onnxruntime-node', `${where} imports onnxruntime-node in an isomorphic package`);
        }
      }
    }
  });

  if (ISOMORPHIC.has(pkg)) {
    test(`packages/${pkg} code uses no Node-only globals${DOM_FREE.has(pkg) ? ' and no DOM' : ''}`, () => {
      const forbidden = [...NODE_GLOBALS, ...(DOM_FREE.has(pkg) ? DOM_GLOBALS : [])];
      for (const file of sourceFiles(join(packagesDir, pkg, 'src'))) {
        if (file.endsWith('.test.ts') || NODE_ONLY_DIRS.some((d) => file.includes(d))) continue;
        // Comments may show Node usage in examples; only code counts.
        const code = readFileSync(file, 'utf8')
          .replace(/\/\*[\s\S]*?\*\//g, '')
          .replace(/^\s*\/\/.*$/gm, '');
        for (const pattern of forbidden) assert.ok(!pattern.test(code), `${relative(root, file)} matches ${pattern}`);
      }
    });
  }

  test(`packages/${pkg} declares its error classes and codes only in src/errors.ts`, () => {
    const registry = join(packagesDir, pkg, 'src', 'errors.ts');
    for (const file of sourceFiles(join(packagesDir, pkg, 'src'))) {
      if (file === registry || file.endsWith('.test.ts')) continue;
      const code = readFileSync(file, 'utf8')
        .replace(/\/\*[\s\S]*?\*\//g, '')
        .replace(/^\s*\/\/.*$/gm, '');
      const where = relative(root, file);
      assert.ok(!/\bclass\s+\w+\s+extends\s+\w*Error\b/.test(code), `${where} declares an error class`);
      assert.ok(!/\bcreateError\s*[<(]/.test(code), `${where} creates an error code`);
    }
  });

  test(`packages/${pkg} has no import cycles`, () => {
    const files = sourceFiles(join(packagesDir, pkg, 'src'));
    const graph = new Map<string, string[]>();
    for (const file of files) {
      const deps = imports(file)
        .filter((s) => s.startsWith('.'))
        .map((s) => join(file, '..', s.replace(/\.js$/, '.ts')));
      graph.set(file, deps);
    }
    const state = new Map<string, 'visiting' | 'done'>();
    const stack: string[] = [];
    const visit = (file: string): void => {
      if (state.get(file) === 'done') return;
      if (state.get(file) === 'visiting') {
        const cycle = stack
          .slice(stack.indexOf(file))
          .concat(file)
          .map((f) => relative(root, f));
        assert.fail(`import cycle: ${cycle.join(' → ')}`);
      }
      state.set(file, 'visiting');
      stack.push(file);
      for (const dep of graph.get(file) ?? []) visit(dep);
      stack.pop();
      state.set(file, 'done');
    };
    for (const file of files) visit(file);
  });
}
