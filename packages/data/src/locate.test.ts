import assert from 'node:assert/strict';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, describe, it } from 'node:test';
import { gunzipSync, gzipSync } from 'node:zlib';
import { mnistTestDataDir } from './testing/index.js';
import { candidateDirs, datasetCacheDir, defaultCacheDir, describeMissing, locateFiles } from './locate.js';
import { DATASETS } from './registry.js';
import { verifyFile } from './verify.js';

// This package's own tests need the real files: missing, they fail and say where they looked.
const mnistDir = mnistTestDataDir() ?? assert.fail('no MNIST test files: set ONNXPIPE_DATA_DIR (README, "Data")');
const repoRoot = fileURLToPath(new URL('../../../', import.meta.url));
const mnist = DATASETS.mnist;
const labels = mnist.files.test.labels;
const realLabels = readFileSync(join(mnistDir, labels.fileName));

describe('candidateDirs', () => {
  it('orders --data-dir, ONNXPIPE_DATA_DIR (each also with <name>/), cache, then system dirs', () => {
    const dirs = candidateDirs(DATASETS['fashion-mnist'], {
      dataDir: '/flag',
      cacheDir: '/cache',
      env: { ONNXPIPE_DATA_DIR: '/env' },
    });
    assert.deepEqual(dirs, [
      { dir: '/flag', source: '--data-dir' },
      { dir: '/flag/fashion-mnist', source: '--data-dir' },
      { dir: '/env', source: 'ONNXPIPE_DATA_DIR' },
      { dir: '/env/fashion-mnist', source: 'ONNXPIPE_DATA_DIR' },
      { dir: '/cache/fashion-mnist', source: 'cache' },
      { dir: '/usr/share/datasets/fashion-mnist', source: 'system' },
    ]);
  });

  it('skips unset or empty settings, drops duplicates, and defaults the cache to <repo>/data', () => {
    const dirs = candidateDirs(mnist, { dataDir: '/same', env: { ONNXPIPE_DATA_DIR: '/same/' } });
    assert.deepEqual(
      dirs.map((d) => d.dir),
      ['/same', '/same/mnist', resolve(repoRoot, 'data', 'mnist')],
    );
    assert.deepEqual(
      candidateDirs(mnist, { env: { ONNXPIPE_DATA_DIR: '' } }).map((d) => d.source),
      ['cache'],
    );
    assert.equal(resolve(defaultCacheDir()), resolve(repoRoot, 'data'));
    assert.equal(datasetCacheDir(mnist, '/c'), '/c/mnist');
  });
});

describe('locateFiles', () => {
  const root = mkdtempSync(join(tmpdir(), 'onnxpipe-locate-'));
  after(() => rmSync(root, { recursive: true, force: true }));
  const dir = (name: string): string => {
    const path = join(root, name);
    mkdirSync(path, { recursive: true });
    return path;
  };

  it('skips a copy with the wrong checksum and takes the next directory', async () => {
    const bad = dir('bad');
    const good = dir('good');
    const corrupted = Buffer.from(realLabels);
    corrupted[100] ^= 0xff;
    writeFileSync(join(bad, labels.fileName), corrupted);
    copyFileSync(join(mnistDir, labels.fileName), join(good, labels.fileName));
    const result = await locateFiles(
      [labels],
      [
        { dir: bad, source: '--data-dir' },
        { dir: good, source: 'ONNXPIPE_DATA_DIR' },
      ],
    );
    assert.equal(result.found.get(labels)?.path, join(good, labels.fileName));
    assert.equal(result.found.get(labels)?.sha256, labels.gzip[0].sha256);
    assert.equal(result.rejected.length, 1);
    assert.equal(result.rejected[0].path, join(bad, labels.fileName));
    assert.match(result.rejected[0].reason, /corrupt gzip|checksum mismatch/);
  });

  it('accepts the decompressed file and other gzip encodings of the same content', async () => {
    const raw = dir('raw');
    writeFileSync(join(raw, labels.rawFileName), gunzipSync(realLabels));
    const regz = dir('regz');
    writeFileSync(join(regz, labels.fileName), gzipSync(gunzipSync(realLabels), { level: 9 }));
    const a = await locateFiles([labels], [{ dir: raw, source: 'cache' }]);
    assert.deepEqual(a.found.get(labels), {
      path: join(raw, labels.rawFileName),
      sha256: labels.raw.sha256,
      form: 'raw',
    });
    const b = await locateFiles([labels], [{ dir: regz, source: 'cache' }]);
    assert.equal(b.found.get(labels)?.form, 'gzip');
  });

  it("rejects another dataset's file of the same name (MNIST is not Fashion-MNIST)", async () => {
    const fashionLabels = DATASETS['fashion-mnist'].files.test.labels;
    const result = await verifyFile(join(mnistDir, labels.fileName), fashionLabels);
    assert.equal(result.ok, false);
    assert.match(result.ok ? '' : result.reason, /checksum mismatch: expected sha256 67da17c7.*received f7ae60f9/);
  });

  it('describes what is missing, where it looked, and where to put the files', async () => {
    const empty = dir('empty');
    const wrong = dir('wrong');
    writeFileSync(join(wrong, labels.fileName), 'not gzip');
    const result = await locateFiles(
      [mnist.files.test.images, labels],
      [
        { dir: wrong, source: '--data-dir' },
        { dir: empty, source: 'cache' },
      ],
    );
    assert.equal(result.missing.length, 2);
    const text = describeMissing(mnist, result, empty);
    assert.ok(
      text.startsWith('mnist: no verified copy of t10k-images-idx3-ubyte.gz, t10k-labels-idx1-ubyte.gz.'),
      text,
    );
    assert.ok(text.includes(`  ${wrong} (--data-dir)\n  ${empty} (cache)`), text);
    assert.ok(text.includes(`${join(wrong, labels.fileName)}: checksum mismatch`), text);
    assert.ok(text.includes(`into ${empty}/`), text);
  });
});
