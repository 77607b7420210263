import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { brotliDecompressSync, gunzipSync } from 'node:zlib';
import { buildWebBundle, CHUNKS_DIR, ORT_RUNTIME_FILES, SDK_BUNDLE } from '../scripts/build.mjs';
import { RUNTIME_FILES } from './local/ort-runtime.js';
import { ORT_FILES_DIR } from './options.js';

// The browser build (npm run build:web): what it contains, what it leaves out, where the
// WebGPU runtime went, and the compressed copies servers send in its place.

const demoDir = fileURLToPath(new URL('../demo/', import.meta.url));

test('build:web: the SDK with the wasm-only runtime, the WebGPU runtime as a hashed chunk, exactly the ort files they load, the demo, compressed copies and a manifest', async (t) => {
  const outdir = mkdtempSync(join(tmpdir(), 'onnxpipe-web-bundle-test-'));
  try {
    const result = await buildWebBundle({ outdir, quiet: true });
    t.diagnostic(
      `built in ${Math.round(result.ms)} ms (compressed copies: ${result.compression.hits} from the cache, ${result.compression.misses} made)`,
    );
    // The extern-wasm entry of the wasm-only build, and neither the JSEP build nor protobufjs.
    assert.ok(
      result.sdk.inputs.some((f) => f.endsWith('onnxruntime-web/dist/ort.wasm.min.mjs')),
      'ort.wasm.min.mjs is bundled',
    );
    assert.ok(
      !result.sdk.inputs.some((f) => /ort\.min\.mjs|ort\.bundle|protobufjs/.test(f)),
      result.sdk.inputs.filter((f) => /ort\.|protobuf/.test(f)).join(', '),
    );
    const bundle = readFileSync(join(outdir, SDK_BUNDLE), 'utf8');
    assert.ok(result.sdk.bytes < 256 * 1024, `the SDK is ${result.sdk.bytes} bytes: no wasm inlined, no WebGPU build`);
    for (const name of RUNTIME_FILES.wasm.filter((f) => f.endsWith('.mjs')))
      assert.ok(bundle.includes(name), `the bundle loads ${name}`);

    // The WebGPU build: one chunk with a content hash in its name, imported on demand by the SDK.
    const chunks = readdirSync(join(outdir, CHUNKS_DIR)).filter((f) => f.endsWith('.js'));
    assert.equal(chunks.length, 1, chunks.join(', '));
    assert.match(chunks[0], /^ort-webgpu-[0-9a-f]{10}\.js$/);
    assert.deepEqual(Object.keys(result.chunks), [`${CHUNKS_DIR}/${chunks[0]}`]);
    assert.ok(result.chunks[`${CHUNKS_DIR}/${chunks[0]}`].some((f) => f.endsWith('onnxruntime-web/dist/ort.min.mjs')));
    assert.ok(bundle.includes(`import("./${CHUNKS_DIR}/${chunks[0]}")`), 'the SDK imports the chunk dynamically');
    assert.ok(
      !/^import[^(]/m.test(bundle.slice(0, 200)) && !/\bfrom"\.\//.test(bundle),
      'the SDK imports nothing statically: one request',
    );
    const chunk = readFileSync(join(outdir, CHUNKS_DIR, chunks[0]), 'utf8');
    for (const name of RUNTIME_FILES.webgpu.filter((f) => f.endsWith('.mjs')))
      assert.ok(chunk.includes(name), `the chunk loads ${name}`);

    const version = (
      JSON.parse(
        readFileSync(new URL('../../../node_modules/onnxruntime-web/package.json', import.meta.url), 'utf8'),
      ) as { version: string }
    ).version;
    assert.deepEqual(readdirSync(join(outdir, 'ort')), [version], 'one folder per onnxruntime-web version');
    const ortFiles = readdirSync(join(outdir, 'ort', version));
    assert.deepEqual(ortFiles.filter((f) => !/\.(br|gz)$/.test(f)).sort(), [...ORT_RUNTIME_FILES].sort());
    assert.deepEqual(
      [...ORT_RUNTIME_FILES].sort(),
      [...RUNTIME_FILES.wasm, ...RUNTIME_FILES.webgpu].sort(),
      'the build hosts what the SDK loads',
    );
    assert.equal(ORT_FILES_DIR, `ort/${version}/`, 'the SDK looks for the files where the build puts them');

    // Compressed copies: brotli and gzip beside each compressible file, decompressing to it, smaller.
    const manifest = JSON.parse(readFileSync(join(outdir, 'manifest.json'), 'utf8')) as {
      files: { path: string; bytes: number; brotliBytes?: number; gzipBytes?: number }[];
      ort: string[];
    };
    assert.deepEqual(
      manifest.ort,
      ORT_RUNTIME_FILES.map((f) => `ort/${version}/${f}`),
    );
    for (const path of [
      SDK_BUNDLE,
      `ort/${version}/ort-wasm-simd-threaded.wasm`,
      `ort/${version}/ort-wasm-simd-threaded.mjs`,
      `${CHUNKS_DIR}/${chunks[0]}`,
    ]) {
      const original = readFileSync(join(outdir, path));
      const br = readFileSync(join(outdir, `${path}.br`));
      const gz = readFileSync(join(outdir, `${path}.gz`));
      assert.ok(brotliDecompressSync(br).equals(original), `${path}.br`);
      assert.ok(gunzipSync(gz).equals(original), `${path}.gz`);
      assert.ok(
        br.length < gz.length && gz.length < original.length,
        `${path}: ${original.length} → gzip ${gz.length} → brotli ${br.length}`,
      );
      const listed = manifest.files.find((f) => f.path === path);
      assert.deepEqual(
        [listed?.bytes, listed?.brotliBytes, listed?.gzipBytes],
        [original.length, br.length, gz.length],
        path,
      );
    }
    for (const file of manifest.files) assert.ok(existsSync(join(outdir, file.path)), file.path);
    assert.ok(
      !manifest.files.some((f) => /\.(br|gz)$/.test(f.path)),
      'copies are not files of their own in the manifest',
    );
    assert.ok(!existsSync(join(outdir, `${SDK_BUNDLE}.map.br`)), 'source maps get no copies');
    assert.ok(manifest.files.some((f) => f.path === SDK_BUNDLE && f.bytes === result.sdk.bytes));

    if (existsSync(join(demoDir, 'demo.ts'))) {
      const demo = readFileSync(join(outdir, 'demo.js'), 'utf8');
      assert.match(
        demo,
        /from"\.\/onnxpipe-web\.js"/,
        'the demo imports the SDK bundle instead of bundling a second onnxruntime',
      );
      assert.ok(demo.length < 200 * 1024, `demo.js is ${demo.length} bytes`);
      for (const name of readdirSync(demoDir).filter((f) => /\.(html|css)$/.test(f)))
        assert.ok(existsSync(join(outdir, name)), `${name} is copied`);
      const html = readFileSync(join(outdir, 'index.html'), 'utf8');
      assert.ok(!html.includes('{{'), 'placeholders are filled in');
      for (const href of [...html.matchAll(/<link rel="(?:module)?preload" href="([^"]+)"/g)]
        .map((m) => m[1])
        .filter((h) => !h.startsWith('/v2/'))) {
        assert.ok(existsSync(join(outdir, href)), `the page preloads ${href}, which the build wrote`);
      }
    }
  } finally {
    rmSync(outdir, { recursive: true, force: true });
  }
});
