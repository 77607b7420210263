import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildWebBundle, ORT_RUNTIME_FILES, SDK_BUNDLE } from '../scripts/build.mjs';
import { ORT_FILES_DIR } from './options.js';

// The browser build (npm run build:web): what it contains, what it leaves out, and that it is
// fast enough for `npm start` to run it first.

const demoDir = fileURLToPath(new URL('../demo/', import.meta.url));

test('build:web bundles the SDK with onnxruntime-web (external wasm), exactly the ort files it loads, the demo, and a manifest', async () => {
  const outdir = mkdtempSync(join(tmpdir(), 'onnxpipe-web-bundle-test-'));
  try {
    const result = await buildWebBundle({ outdir, quiet: true });
    assert.ok(result.ms < 5000, `built in ${Math.round(result.ms)} ms`);

    // The extern-wasm entry of onnxruntime-web, and no protobufjs (metadata is read without it).
    assert.ok(result.sdk.inputs.some((f) => f.endsWith('onnxruntime-web/dist/ort.min.mjs')), 'ort.min.mjs is bundled');
    assert.ok(!result.sdk.inputs.some((f) => /ort\.bundle|protobufjs/.test(f)), result.sdk.inputs.filter((f) => /ort\.|protobuf/.test(f)).join(', '));
    const bundle = readFileSync(join(outdir, SDK_BUNDLE), 'utf8');
    assert.ok(result.sdk.bytes < 1024 * 1024, `the SDK is ${result.sdk.bytes} bytes: the 28 MB wasm must not be inlined`);
    // The runtime files are the ones the bundled onnxruntime-web asks for.
    for (const name of ORT_RUNTIME_FILES.filter((f) => f.endsWith('.mjs'))) assert.ok(bundle.includes(name), `the bundle loads ${name}`);
    const version = (JSON.parse(readFileSync(new URL('../../../node_modules/onnxruntime-web/package.json', import.meta.url), 'utf8')) as { version: string }).version;
    assert.deepEqual(readdirSync(join(outdir, 'ort')), [version], 'one folder per onnxruntime-web version');
    assert.deepEqual(readdirSync(join(outdir, 'ort', version)).sort(), [...ORT_RUNTIME_FILES].sort());
    assert.equal(ORT_FILES_DIR, `ort/${version}/`, 'the SDK looks for the files where the build puts them');

    const manifest = JSON.parse(readFileSync(join(outdir, 'manifest.json'), 'utf8')) as { files: { path: string; bytes: number }[]; ort: string[] };
    assert.deepEqual(manifest.ort, ORT_RUNTIME_FILES.map((f) => `ort/${version}/${f}`));
    for (const file of manifest.files) assert.ok(existsSync(join(outdir, file.path)), file.path);
    assert.ok(manifest.files.some((f) => f.path === SDK_BUNDLE && f.bytes === result.sdk.bytes));

    if (existsSync(join(demoDir, 'demo.ts'))) {
      const demo = readFileSync(join(outdir, 'demo.js'), 'utf8');
      assert.match(demo, /from"\.\/onnxpipe-web\.js"/, 'the demo imports the SDK bundle instead of bundling a second onnxruntime');
      assert.ok(demo.length < 200 * 1024, `demo.js is ${demo.length} bytes`);
      for (const name of readdirSync(demoDir).filter((f) => /\.(html|css)$/.test(f))) assert.ok(existsSync(join(outdir, name)), `${name} is copied`);
    }
  } finally {
    rmSync(outdir, { recursive: true, force: true });
  }
});
