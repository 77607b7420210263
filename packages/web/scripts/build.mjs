#!/usr/bin/env node
// Builds the browser bundle into packages/web/dist/browser/:
//   onnxpipe-web.js     the SDK with onnxruntime-web's wasm-only JS bundled in (ESM, minified,
//                       es2022); a stable name, revalidated by ETag
//   chunks/<name>-<hash>.js
//                       code the SDK imports on demand: onnxruntime-web's WebGPU (JSEP) build,
//                       loaded only when a classifier asks for WebGPU; content-hashed names, so
//                       servers cache them as immutable
//   ort/<version>/      the onnxruntime-web runtime files the SDK loads at run time: the
//                       wasm-only pair and the WebGPU pair (versioned path: immutable)
//   <name>.js           one per packages/web/demo/*.ts entry (not *.test.ts), importing the SDK
//                       from ./onnxpipe-web.js so that a page holds one onnxruntime instance
//   *.html, *.css       copied from packages/web/demo/ ({{ORT_DIR}} in HTML becomes ort/<version>)
//   <file>.br, <file>.gz
//                       brotli and gzip copies of every compressible file, for servers that
//                       answer by Accept-Encoding (the onnxpipe server does, with
//                       @fastify/static's preCompressed)
//   manifest.json       every file with its size and its compressed sizes
// Usage: node packages/web/scripts/build.mjs [--quiet]. Also imported by the tests and the
// benchmark (`buildWebBundle`). esbuild's JS API, no tsc. Compressing onnxruntime-web's 14 MB
// and 28 MB .wasm files with brotli takes a minute of CPU, so compressed copies are cached by
// content in node_modules/.cache/onnxpipe-web/: only the first build pays, and `npm start`,
// which builds first, stays at about a second afterwards.
import { build } from 'esbuild';
import { createHash } from 'node:crypto';
import {
  copyFileSync,
  existsSync,
  linkSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  utimesSync,
  writeFileSync,
} from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { brotliCompress, constants as zlib, gzip } from 'node:zlib';

const webRoot = fileURLToPath(new URL('..', import.meta.url));
const workspaceRoot = join(webRoot, '..', '..');
// The package's own node_modules first (an install that did not hoist), then the workspace's.
const ortDist =
  [join(webRoot, 'node_modules'), join(workspaceRoot, 'node_modules')]
    .map((dir) => join(dir, 'onnxruntime-web', 'dist'))
    .find((dir) => existsSync(dir)) ?? join(workspaceRoot, 'node_modules', 'onnxruntime-web', 'dist');

/**
 * The runtime files of the two onnxruntime-web 1.30 builds the SDK uses: `onnxruntime-web/wasm`
 * (CPU only; bundled into onnxpipe-web.js, it loads the first pair) and `onnxruntime-web`'s
 * JSEP build (CPU and WebGPU; the on-demand chunk, it loads the second pair).
 */
export const ORT_RUNTIME_FILES = Object.freeze([
  'ort-wasm-simd-threaded.mjs',
  'ort-wasm-simd-threaded.wasm',
  'ort-wasm-simd-threaded.jsep.mjs',
  'ort-wasm-simd-threaded.jsep.wasm',
]);
/** File name of the SDK bundle inside the output folder. */
export const SDK_BUNDLE = 'onnxpipe-web.js';
/** Folder of the content-hashed chunks inside the output folder. */
export const CHUNKS_DIR = 'chunks';
/** Where compressed copies are kept between builds, by content. */
export const COMPRESSION_CACHE = join(workspaceRoot, 'node_modules', '.cache', 'onnxpipe-web');
/** Files smaller than this are sent as they are: compression would save less than a packet. */
export const MIN_COMPRESS_BYTES = 1024;
/**
 * Brotli quality per file: 11 (the smallest) for everything on a page's path; 9 for the WebGPU
 * runtime, which few pages load, where 11 would cost another minute of CPU once for ~15 % fewer bytes.
 */
const brotliQuality = (path) => (path.endsWith('.jsep.wasm') ? 9 : 11);

// Source maps are only fetched by developer tools: no compressed copies.
const COMPRESSIBLE = /\.(js|mjs|css|html|json|svg|wasm)$/;
/** Unused cache entries older than this are removed. */
const CACHE_MAX_AGE_MS = 14 * 24 * 3600 * 1000;

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

/** The file `import('onnxruntime-web')` resolves to under the extern-wasm condition: the JSEP build. */
function ortWebGpuEntry() {
  return join(ortDist, 'ort.min.mjs');
}

/** Leaves the SDK's dynamic `import('onnxruntime-web')` to the chunk built beside it. */
function webgpuAsChunk(path) {
  return {
    name: 'onnxpipe-web-webgpu-chunk',
    setup(b) {
      b.onResolve({ filter: /^onnxruntime-web$/ }, (args) =>
        args.kind === 'dynamic-import' ? { path, external: true } : undefined,
      );
    },
  };
}

/** Resolves `@onnxpipe/web` in demo entries to the SDK bundle next to them. */
const sdkAsSibling = {
  name: 'onnxpipe-web-external',
  setup(b) {
    b.onResolve({ filter: /^@onnxpipe\/web$/ }, () => ({ path: `./${SDK_BUNDLE}`, external: true }));
  },
};

const brotli = promisify(brotliCompress);
const gzipAsync = promisify(gzip);

/** `bytes` compressed, from the cache when the same content was compressed the same way before. */
async function cachedCompression(bytes, kind, quality, stats) {
  const key = `${createHash('sha256').update(bytes).digest('hex')}.${kind}${quality}`;
  const path = join(COMPRESSION_CACHE, key);
  if (existsSync(path)) {
    const now = new Date();
    utimesSync(path, now, now);
    stats.hits++;
    return readFileSync(path);
  }
  const compressed =
    kind === 'br'
      ? await brotli(bytes, {
          params: {
            [zlib.BROTLI_PARAM_QUALITY]: quality,
            [zlib.BROTLI_PARAM_LGWIN]: 24,
            [zlib.BROTLI_PARAM_SIZE_HINT]: bytes.length,
          },
        })
      : await gzipAsync(bytes, { level: quality });
  mkdirSync(COMPRESSION_CACHE, { recursive: true });
  // Written under a temporary name first: a build running beside this one never reads half a file.
  const temporary = `${path}.${process.pid}.tmp`;
  writeFileSync(temporary, compressed);
  linkOrCopy(temporary, path);
  rmSync(temporary, { force: true });
  stats.misses++;
  return compressed;
}

/** Writes `<file>.br` and `<file>.gz` beside each compressible file where they are smaller. */
async function writeCompressedCopies(outdir, paths) {
  const stats = { hits: 0, misses: 0 };
  const sizes = new Map();
  await Promise.all(
    paths
      .filter((path) => COMPRESSIBLE.test(path) && statSync(join(outdir, path)).size >= MIN_COMPRESS_BYTES)
      .map(async (path) => {
        const bytes = readFileSync(join(outdir, path));
        const [br, gz] = await Promise.all([
          cachedCompression(bytes, 'br', brotliQuality(path), stats),
          cachedCompression(bytes, 'gz', 9, stats),
        ]);
        const entry = {};
        if (br.length < bytes.length) {
          writeFileSync(join(outdir, `${path}.br`), br);
          entry.brotliBytes = br.length;
        }
        if (gz.length < bytes.length) {
          writeFileSync(join(outdir, `${path}.gz`), gz);
          entry.gzipBytes = gz.length;
        }
        sizes.set(path, entry);
      }),
  );
  return { sizes, stats };
}

function pruneCache() {
  if (!existsSync(COMPRESSION_CACHE)) return;
  const cutoff = Date.now() - CACHE_MAX_AGE_MS;
  for (const name of readdirSync(COMPRESSION_CACHE)) {
    const path = join(COMPRESSION_CACHE, name);
    if (statSync(path).mtimeMs < cutoff) rmSync(path, { force: true });
  }
}

/**
 * Builds the bundle, the ort folder and the demo, compresses them, and writes the manifest.
 *
 * @param {{ outdir?: string, quiet?: boolean }} [options] - `outdir` defaults to
 *   packages/web/dist/browser; `quiet` skips the summary on stdout
 * @returns {Promise<import('./build.d.mts').BuildResult>}
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
    // picks the entries that fetch their .wasm instead of inlining 14–28 MB of base64.
    conditions: ['source', 'onnxruntime-web-use-extern-wasm'],
  };
  // onnxruntime-web's WebGPU build is a file of its own that the SDK imports on demand; its name
  // carries a hash of its contents (immutable caching). Built first, so that the SDK can be
  // told the name. Two separate builds rather than esbuild's code splitting, which would also
  // move esbuild's helpers into a shared chunk: one more request before anything runs.
  const webgpu = await build({
    ...common,
    entryPoints: [ortWebGpuEntry()],
    write: false,
    outdir,
    entryNames: `${CHUNKS_DIR}/ort-webgpu`,
  });
  const webgpuCode = webgpu.outputFiles.find((f) => f.path.endsWith('.js'));
  const webgpuChunk = `${CHUNKS_DIR}/ort-webgpu-${createHash('sha256').update(webgpuCode.contents).digest('hex').slice(0, 10)}.js`;
  mkdirSync(join(outdir, CHUNKS_DIR), { recursive: true });
  for (const file of webgpu.outputFiles) {
    const name = relative(outdir, file.path).replace(`${CHUNKS_DIR}/ort-webgpu.js`, webgpuChunk);
    // The source map comment names the map by the chunk's final name.
    const contents =
      file === webgpuCode
        ? file.text.replace(
            'sourceMappingURL=ort-webgpu.js.map',
            `sourceMappingURL=${webgpuChunk.slice(CHUNKS_DIR.length + 1)}.map`,
          )
        : file.contents;
    writeFileSync(join(outdir, name), contents);
  }
  const sdk = build({
    ...common,
    entryPoints: { 'onnxpipe-web': join(webRoot, 'src', 'index.ts') },
    outdir,
    metafile: true,
    plugins: [webgpuAsChunk(`./${webgpuChunk}`)],
  });
  const demoDir = join(webRoot, 'demo');
  const demoFiles = existsSync(demoDir) ? readdirSync(demoDir).sort() : [];
  const demoEntries = demoFiles.filter((f) => f.endsWith('.ts') && !f.endsWith('.test.ts') && !f.endsWith('.d.ts'));
  const demo =
    demoEntries.length === 0
      ? Promise.resolve()
      : build({ ...common, entryPoints: demoEntries.map((f) => join(demoDir, f)), outdir, plugins: [sdkAsSibling] });
  for (const name of ORT_RUNTIME_FILES) linkOrCopy(join(ortDist, name), join(outdir, ortDir, name));
  for (const name of demoFiles.filter((f) => /\.(html|css)$/.test(f))) {
    const text = readFileSync(join(demoDir, name), 'utf8');
    writeFileSync(join(outdir, name), name.endsWith('.html') ? text.replaceAll('{{ORT_DIR}}', ortDir) : text);
  }
  const [{ metafile }] = await Promise.all([sdk, demo]);
  const sdkInputs = Object.keys(metafile.inputs).sort();
  const chunkInputs = { [webgpuChunk]: [relative(process.cwd(), ortWebGpuEntry())] };
  const built = listFiles(outdir);
  const { sizes, stats } = await writeCompressedCopies(outdir, built);
  const files = built.map((path) => {
    const bytes = statSync(join(outdir, path)).size;
    return { path, bytes, ...sizes.get(path) };
  });
  pruneCache();
  const sdkEntry = files.find((f) => f.path === SDK_BUNDLE);
  const manifest = {
    onnxruntimeWeb: ortVersion(),
    sdk: SDK_BUNDLE,
    ort: ORT_RUNTIME_FILES.map((f) => `${ortDir}/${f}`),
    chunks: Object.keys(chunkInputs),
    files,
  };
  writeFileSync(join(outdir, 'manifest.json'), `${JSON.stringify(manifest, null, 2)}\n`);
  const result = {
    outdir,
    files,
    sdk: { bytes: sdkEntry.bytes, gzipBytes: sdkEntry.gzipBytes, brotliBytes: sdkEntry.brotliBytes, inputs: sdkInputs },
    chunks: chunkInputs,
    compression: stats,
    ms: performance.now() - started,
  };
  if (!options.quiet) printSummary(result);
  return result;
}

function ortVersion() {
  return JSON.parse(readFileSync(join(ortDist, '..', 'package.json'), 'utf8')).version;
}

const kib = (bytes) => (bytes === undefined ? '' : `${(bytes / 1024).toFixed(1)} KiB`);

function printSummary({ outdir, files, sdk, compression, ms }) {
  const lines = files
    .filter((f) => !f.path.endsWith('.map'))
    .map(
      (f) =>
        `  ${f.path.padEnd(44)} ${kib(f.bytes).padStart(12)}${f.brotliBytes === undefined ? '' : `  (brotli ${kib(f.brotliBytes)}, gzip ${kib(f.gzipBytes)})`}`,
    );
  const cache =
    compression.misses > 0
      ? `; compressed ${compression.misses} file(s) anew, cached in ${relative(process.cwd(), COMPRESSION_CACHE)}`
      : '';
  process.stdout.write(
    `@onnxpipe/web → ${relative(process.cwd(), outdir) || '.'} in ${Math.round(ms)} ms${cache}\n` +
      `  ${SDK_BUNDLE}: ${kib(sdk.bytes)} raw, ${kib(sdk.brotliBytes)} brotli, ${kib(sdk.gzipBytes)} gzip\n${lines.join('\n')}\n`,
  );
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  buildWebBundle({ quiet: process.argv.includes('--quiet') }).catch((error) => {
    process.stderr.write(`build:web failed: ${error?.stack ?? error}\n`);
    process.exit(1);
  });
}
