#!/usr/bin/env node
// Builds the browser bundle into packages/web/dist/browser/:
//   onnxpipe-web.js   the SDK with onnxruntime-web's JS bundled in (ESM, minified, es2022)
//   ort/<version>/    the onnxruntime-web runtime files the SDK loads at run time (versioned
//                     path: servers cache them as immutable)
//   <name>.js         one per packages/web/demo/*.ts entry (not *.test.ts), importing the SDK
//                     from ./onnxpipe-web.js so that a page holds one onnxruntime instance
//   *.html, *.css     copied from packages/web/demo/
//   manifest.json     every file with its size (and gzip size for text files)
// Usage: node packages/web/scripts/build.mjs [--quiet]. Also imported by the tests and the
// benchmark (`buildWebBundle`). esbuild's JS API, no tsc: it must stay well under 5 s because
// `npm start` runs it first.
import { build } from 'esbuild';
import { copyFileSync, existsSync, linkSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';

const webRoot = fileURLToPath(new URL('..', import.meta.url));
// The package's own node_modules first (an install that did not hoist), then the workspace's.
const ortDist = [join(webRoot, 'node_modules'), join(webRoot, '..', '..', 'node_modules')]
  .map((dir) => join(dir, 'onnxruntime-web', 'dist'))
  .find((dir) => existsSync(dir)) ?? join(webRoot, '..', '..', 'node_modules', 'onnxruntime-web', 'dist');

/**
 * The runtime files onnxruntime-web 1.30's default entry (`ort.min.mjs`, chosen by the
 * `onnxruntime-web-use-extern-wasm` condition) loads: its JSEP build serves both the wasm and
 * the webgpu execution providers from one module, so these two files cover both.
 */
export const ORT_RUNTIME_FILES = Object.freeze(['ort-wasm-simd-threaded.jsep.mjs', 'ort-wasm-simd-threaded.jsep.wasm']);

/** File name of the SDK bundle inside the output folder. */
export const SDK_BUNDLE = 'onnxpipe-web.js';

const TEXT_FILE = /\.(js|mjs|css|html|json|map)$/;

function linkOrCopy(from, to) {
  // A hard link costs nothing for the 28 MB wasm; across file systems fall back to a copy.
  try {
    linkSync(from, to);
  } catch {
    copyFileSync(from, to);
  }
}

function listFiles(dir, root = dir, out = []) {
  for (const name of readdirSync(dir).sort()) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) listFiles(path, root, out);
    else out.push(relative(root, path));
  }
  return out;
}

/** Resolves `@onnxpipe/web` in demo entries to the SDK bundle next to them. */
const sdkAsSibling = {
  name: 'onnxpipe-web-external',
  setup(b) {
    b.onResolve({ filter: /^@onnxpipe\/web$/ }, () => ({ path: `./${SDK_BUNDLE}`, external: true }));
  },
};

/**
 * Builds the bundle, the ort folder and the demo, and writes the manifest.
 *
 * @param {{ outdir?: string, quiet?: boolean }} [options] - `outdir` defaults to
 *   packages/web/dist/browser; `quiet` skips the summary on stdout
 * @returns {Promise<{ outdir: string, files: { path: string, bytes: number, gzipBytes?: number }[], sdk: { bytes: number, gzipBytes: number, inputs: string[] }, ms: number }>}
 */
export async function buildWebBundle(options = {}) {
  const started = performance.now();
  const outdir = options.outdir ?? join(webRoot, 'dist', 'browser');
  rmSync(outdir, { recursive: true, force: true });
  const ortDir = `ort/${ortVersion()}`;
  mkdirSync(join(outdir, ortDir), { recursive: true });

  const common = {
    bundle: true,
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    minify: true,
    sourcemap: 'linked',
    legalComments: 'eof',
    logLevel: 'warning',
    // `source`: the workspace packages' TypeScript, no tsc build needed. The ort condition
    // picks the entry that fetches its .wasm instead of inlining 28 MB of base64.
    conditions: ['source', 'onnxruntime-web-use-extern-wasm'],
  };
  const sdk = build({ ...common, entryPoints: { 'onnxpipe-web': join(webRoot, 'src', 'index.ts') }, outdir, metafile: true });

  const demoDir = join(webRoot, 'demo');
  const demoFiles = existsSync(demoDir) ? readdirSync(demoDir).sort() : [];
  const demoEntries = demoFiles.filter((f) => f.endsWith('.ts') && !f.endsWith('.test.ts') && !f.endsWith('.d.ts'));
  const demo = demoEntries.length === 0
    ? Promise.resolve()
    : build({ ...common, entryPoints: demoEntries.map((f) => join(demoDir, f)), outdir, plugins: [sdkAsSibling] });

  for (const name of ORT_RUNTIME_FILES) linkOrCopy(join(ortDist, name), join(outdir, ortDir, name));
  for (const name of demoFiles.filter((f) => /\.(html|css)$/.test(f))) copyFileSync(join(demoDir, name), join(outdir, name));
  const [{ metafile }] = await Promise.all([sdk, demo]);
  const sdkInputs = Object.keys(metafile.inputs).sort();

  const files = listFiles(outdir).map((path) => {
    const bytes = statSync(join(outdir, path)).size;
    return TEXT_FILE.test(path) ? { path, bytes, gzipBytes: gzipSync(readFileSync(join(outdir, path))).length } : { path, bytes };
  });
  const sdkEntry = files.find((f) => f.path === SDK_BUNDLE);
  const manifest = { onnxruntimeWeb: ortVersion(), sdk: SDK_BUNDLE, ort: ORT_RUNTIME_FILES.map((f) => `${ortDir}/${f}`), files };
  writeFileSync(join(outdir, 'manifest.json'), `${JSON.stringify(manifest, null, 2)}\n`);
  const result = { outdir, files, sdk: { bytes: sdkEntry.bytes, gzipBytes: sdkEntry.gzipBytes, inputs: sdkInputs }, ms: performance.now() - started };
  if (!options.quiet) printSummary(result);
  return result;
}

function ortVersion() {
  return JSON.parse(readFileSync(join(ortDist, '..', 'package.json'), 'utf8')).version;
}

const kib = (bytes) => `${(bytes / 1024).toFixed(1)} KiB`;

function printSummary({ outdir, files, sdk, ms }) {
  const lines = files
    .filter((f) => !f.path.endsWith('.map'))
    .map((f) => `  ${f.path.padEnd(40)} ${kib(f.bytes).padStart(12)}${f.gzipBytes === undefined ? '' : `  (gzip ${kib(f.gzipBytes)})`}`);
  process.stdout.write(
    `@onnxpipe/web → ${relative(process.cwd(), outdir) || '.'} in ${Math.round(ms)} ms\n` +
      `  ${SDK_BUNDLE}: ${kib(sdk.bytes)} raw, ${kib(sdk.gzipBytes)} gzip\n${lines.join('\n')}\n`,
  );
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  buildWebBundle({ quiet: process.argv.includes('--quiet') }).catch((error) => {
    process.stderr.write(`build:web failed: ${error?.stack ?? error}\n`);
    process.exit(1);
  });
}
