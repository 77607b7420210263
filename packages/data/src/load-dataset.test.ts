import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { DIGIT_LABELS, FASHION_MNIST_LABELS, MNIST_NORMALIZATION } from '@onnxpipe/core';
import { mnistTestDataDir } from './testing/index.js';
import { loadDataset } from './load-dataset.js';
import { DATASETS } from './registry.js';

// This package's own tests need the real files: missing, they fail and say where they looked.
const mnistDir = mnistTestDataDir() ?? assert.fail('no MNIST test files: set ONNXPIPE_DATA_DIR (README, "Data")');
const fashionSystemDir = '/usr/share/datasets/fashion-mnist';
const noEnv = {};

function perClass(labels: Uint8Array): number[] {
  const counts = new Array<number>(10).fill(0);
  for (const l of labels) counts[l]++;
  return counts;
}

describe('loadDataset on the real MNIST files', () => {
  it('loads the test split with the published per-digit counts', async () => {
    const ds = await loadDataset({ name: 'mnist', split: 'test', dataDir: mnistDir, download: false, env: noEnv });
    assert.equal(ds.count, 10_000);
    assert.equal(ds.images.length, 10_000 * 28 * 28);
    assert.equal(ds.labels.length, 10_000);
    assert.deepEqual([ds.rows, ds.cols], [28, 28]);
    assert.deepEqual(perClass(ds.labels), [980, 1135, 1032, 1010, 982, 892, 958, 1028, 974, 1009]);
    assert.deepEqual(ds.files.images, {
      path: join(mnistDir, 't10k-images-idx3-ubyte.gz'),
      sha256: '8d422c7b0a1c1c79245a5bcf07fe86e33eeafee792b84584aec276f5a2dbc4e6',
    });
    assert.equal(ds.files.labels.sha256, 'f7ae60f92e00ec6debd23a6088c31dbd2371eca3ffa0defaefb259924204aec6');
    assert.equal(ds.normalization, MNIST_NORMALIZATION);
    assert.equal(ds.classNames, DIGIT_LABELS);
  });

  it('loads the train split: 60,000 images, first label 5, per-digit counts as published', async () => {
    const ds = await loadDataset({ name: 'mnist', split: 'train', dataDir: mnistDir, download: false, env: noEnv });
    assert.equal(ds.count, 60_000);
    assert.equal(ds.images.length, 60_000 * 784);
    assert.equal(ds.labels[0], 5);
    assert.deepEqual(perClass(ds.labels), [5923, 6742, 5958, 6131, 5842, 5421, 5918, 6265, 5851, 5949]);
    // Digits are ink on a zero background: the border rows of an image are blank.
    assert.ok(ds.images.subarray(0, 28).every((p) => p === 0));
    assert.ok(ds.images.subarray(0, 784).some((p) => p > 200));
  });

  it('finds the files through ONNXPIPE_DATA_DIR when no flag is given', async () => {
    const ds = await loadDataset({
      name: 'mnist',
      split: 'test',
      download: false,
      env: { ONNXPIPE_DATA_DIR: mnistDir },
    });
    assert.equal(ds.files.labels.path, join(mnistDir, 't10k-labels-idx1-ubyte.gz'));
  });
});

describe(
  'loadDataset on Fashion-MNIST from the Debian package',
  { skip: !existsSync(fashionSystemDir) && `${fashionSystemDir} not installed` },
  () => {
    it('loads the test split: 1,000 images per class', async () => {
      const cacheDir = mkdtempSync(join(tmpdir(), 'onnxpipe-fashion-'));
      try {
        const ds = await loadDataset({ name: 'fashion-mnist', split: 'test', cacheDir, download: false, env: noEnv });
        assert.equal(ds.count, 10_000);
        assert.deepEqual(perClass(ds.labels), new Array(10).fill(1000));
        assert.equal(ds.files.images.path, join(fashionSystemDir, 't10k-images-idx3-ubyte.gz'));
        assert.equal(ds.classNames, FASHION_MNIST_LABELS);
      } finally {
        rmSync(cacheDir, { recursive: true, force: true });
      }
    });
  },
);

describe('loadDataset with missing files', () => {
  const cacheDir = mkdtempSync(join(tmpdir(), 'onnxpipe-load-'));
  after(() => rmSync(cacheDir, { recursive: true, force: true }));

  it('fails with NOT_FOUND, naming the files and directories, when downloading is off', async () => {
    await assert.rejects(
      loadDataset({ name: 'mnist', split: 'test', cacheDir, download: false, env: noEnv }),
      (err: Error & { code?: string }) => {
        assert.equal(err.code, 'ONNXPIPE_DATA_NOT_FOUND');
        assert.ok(err.message.includes('t10k-images-idx3-ubyte.gz, t10k-labels-idx1-ubyte.gz'), err.message);
        assert.ok(err.message.includes(`${join(cacheDir, 'mnist')} (cache)`), err.message);
        assert.ok(err.message.includes('--data-dir') && err.message.includes('ONNXPIPE_DATA_DIR'), err.message);
        return true;
      },
    );
  });

  it('downloads into <cacheDir>/<name> from a mirror and then loads from the cache', async () => {
    const files = DATASETS.mnist.files.test;
    const bodies = new Map(
      [files.images, files.labels].map((f) => [`/${f.fileName}`, readFileSync(join(mnistDir, f.fileName))]),
    );
    const server = createServer((req, res) => {
      const body = bodies.get(req.url ?? '');
      if (body === undefined) res.writeHead(404).end();
      else res.writeHead(200, { 'content-length': body.length }).end(body);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const mirror = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
      const seen = new Set<string>();
      const ds = await loadDataset({
        name: 'mnist',
        split: 'test',
        cacheDir,
        env: noEnv,
        mirrors: [mirror],
        onDownloadProgress: (p) => seen.add(p.fileName),
      });
      assert.equal(ds.count, 10_000);
      assert.deepEqual([...seen].sort(), ['t10k-images-idx3-ubyte.gz', 't10k-labels-idx1-ubyte.gz']);
      assert.equal(ds.files.images.path, join(cacheDir, 'mnist', 't10k-images-idx3-ubyte.gz'));
      assert.deepEqual(readdirSync(join(cacheDir, 'mnist')).sort(), [
        't10k-images-idx3-ubyte.gz',
        't10k-labels-idx1-ubyte.gz',
      ]);
    } finally {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    }
    const again = await loadDataset({ name: 'mnist', split: 'test', cacheDir, env: noEnv, download: false });
    assert.deepEqual(perClass(again.labels), [980, 1135, 1032, 1010, 982, 892, 958, 1028, 974, 1009]);
  });

  it('rejects unknown names and splits with the house message', async () => {
    await assert.rejects(loadDataset({ name: 'cifar10' as 'mnist', split: 'test' }), {
      code: 'ONNXPIPE_DATA_UNKNOWN_DATASET',
      message: `'name' must be one of mnist, fashion-mnist; received "cifar10"`,
    });
    await assert.rejects(loadDataset({ name: 'mnist', split: 'val' as 'test' }), {
      code: 'ONNXPIPE_DATA_UNKNOWN_SPLIT',
      message: `'split' must be one of train, test; received "val"`,
    });
  });
});
