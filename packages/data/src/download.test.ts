import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, beforeEach, describe, it } from 'node:test';
import { gunzipSync, gzipSync } from 'node:zlib';
import { createHash } from 'node:crypto';
import { mnistTestDataDir } from './testing/index.js';
import { downloadFile, downloadFiles, type DownloadProgress } from './download.js';
import { DATASETS, type DatasetFile } from './registry.js';

// This package's own tests need the real files: missing, they fail and say where they looked.
const mnistDir = mnistTestDataDir() ?? assert.fail('no MNIST test files: set ONNXPIPE_DATA_DIR (README, "Data")');

// Registry entries for the two small MNIST label files, served by a loopback server.
const trainLabels: DatasetFile = DATASETS.mnist.files.train.labels;
const testLabels: DatasetFile = DATASETS.mnist.files.test.labels;
const bodies = new Map<string, Buffer>(
  [trainLabels, testLabels].map((f) => [f.fileName, readFileSync(join(mnistDir, f.fileName))]),
);

const sha256 = (bytes: Uint8Array): string => createHash('sha256').update(bytes).digest('hex');

/** Routes: /good/, /corrupt/ (one byte flipped), /drop/ (socket closed halfway), /missing/
 * (404), /hang/ (never answers), /nolength/ (chunked), /regzip/ (another gzip encoding),
 * /redirect/<n>/ (n hops, then /good/). */
function startServer(): Promise<Server> {
  const server = createServer((req, res) => {
    const [, route, ...rest] = (req.url ?? '').split('/');
    const name = rest.at(-1) ?? '';
    const body = bodies.get(name);
    if (route === 'redirect') {
      const hops = Number(rest[0]);
      res.writeHead(302, { location: hops > 1 ? `/redirect/${hops - 1}/${name}` : `/good/${name}` }).end();
      return;
    }
    if (route === 'hang') return;
    if (body === undefined || route === 'missing') {
      res.writeHead(404).end('not here');
      return;
    }
    if (route === 'corrupt') {
      const copy = Buffer.from(body);
      copy[copy.length >> 1] ^= 0x01;
      res.writeHead(200, { 'content-length': copy.length }).end(copy);
    } else if (route === 'drop') {
      res.writeHead(200, { 'content-length': body.length });
      res.write(body.subarray(0, body.length >> 1), () => res.socket?.destroy());
    } else if (route === 'nolength') {
      res.writeHead(200);
      res.end(body);
    } else if (route === 'regzip') {
      const other = gzipSync(gunzipSync(body), { level: 1 });
      res.writeHead(200, { 'content-length': other.length }).end(other);
    } else {
      // Paced writes, or loopback would deliver the body as one chunk and one progress event.
      res.writeHead(200, { 'content-length': body.length });
      const send = (offset: number): void => {
        if (offset >= body.length) {
          res.end();
          return;
        }
        res.write(body.subarray(offset, offset + 8192), () => setTimeout(send, 2, offset + 8192));
      };
      send(0);
    }
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server)));
}

async function closedPortUrl(): Promise<string> {
  const s = await startServer();
  const { port } = s.address() as AddressInfo;
  await new Promise((resolve) => s.close(resolve));
  return `http://127.0.0.1:${port}/`;
}

describe('downloadFile', () => {
  let server: Server;
  let base: string;
  let dir: string;
  const mirror = (route: string): string => `${base}${route}/`;

  before(async () => {
    server = await startServer();
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
  });
  after(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'onnxpipe-dl-'));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('downloads, reports progress up to the full size, and leaves only the final files', async () => {
    const events: DownloadProgress[] = [];
    const files = await downloadFiles({
      files: [trainLabels, testLabels],
      mirrors: [mirror('good')],
      dir,
      onProgress: (p) => events.push(p),
    });
    assert.deepEqual(readdirSync(dir).sort(), [testLabels.fileName, trainLabels.fileName]);
    assert.equal(files[0].path, join(dir, trainLabels.fileName));
    assert.equal(files[0].sha256, trainLabels.gzip[0].sha256);
    assert.equal(sha256(readFileSync(files[1].path)), testLabels.gzip[0].sha256);
    const trainEvents = events.filter((e) => e.fileName === trainLabels.fileName);
    assert.ok(trainEvents.length >= 3, `only ${trainEvents.length} progress events`);
    for (let i = 1; i < trainEvents.length; i++) {
      assert.ok(trainEvents[i].bytesDone >= trainEvents[i - 1].bytesDone);
    }
    assert.deepEqual(trainEvents.at(-1), {
      fileName: trainLabels.fileName,
      url: `${mirror('good')}${trainLabels.fileName}`,
      bytesDone: 28_881,
      bytesTotal: 28_881,
    });
  });

  it('draws a bar on a TTY progress stream', async () => {
    const out: string[] = [];
    await downloadFile(testLabels, {
      files: [testLabels],
      mirrors: [mirror('good')],
      dir,
      progressStream: { isTTY: true, write: (s) => out.push(s) },
    });
    const text = out.join('');
    assert.match(text, /^\rt10k-labels-idx1-ubyte\.gz {2}\[/);
    assert.match(text, /100% {2}4\.4\/4\.4 KiB/);
    assert.ok(text.endsWith('\n'));
  });

  it('rejects a corrupted copy by sha256 and takes the next mirror', async () => {
    const file = await downloadFile(testLabels, {
      files: [testLabels],
      mirrors: [mirror('corrupt'), mirror('missing'), mirror('good')],
      dir,
    });
    assert.equal(file.sha256, testLabels.gzip[0].sha256);
    assert.deepEqual(readdirSync(dir), [testLabels.fileName]);
  });

  it('accepts a different gzip encoding of the right content', async () => {
    const file = await downloadFile(testLabels, { files: [testLabels], mirrors: [mirror('regzip')], dir });
    assert.equal(file.form, 'gzip');
    assert.notEqual(file.sha256, testLabels.gzip[0].sha256);
    assert.equal(sha256(gunzipSync(readFileSync(file.path))), testLabels.raw.sha256);
  });

  it('follows redirects up to the limit and works without Content-Length', async () => {
    await downloadFile(testLabels, { files: [testLabels], mirrors: [mirror('redirect/5')], dir });
    await downloadFile(trainLabels, { files: [trainLabels], mirrors: [mirror('nolength')], dir });
    assert.deepEqual(readdirSync(dir).sort(), [testLabels.fileName, trainLabels.fileName]);
    rmSync(join(dir, testLabels.fileName));
    await assert.rejects(downloadFile(testLabels, { files: [testLabels], mirrors: [mirror('redirect/6')], dir }), {
      code: 'ONNXPIPE_DATA_DOWNLOAD_FAILED',
      message: /more than 5 redirects/,
    });
  });

  it('treats a connection dropped mid-body as a failure and leaves no partial file', async () => {
    await assert.rejects(
      downloadFile(trainLabels, { files: [trainLabels], mirrors: [mirror('drop')], dir }),
      (err: Error & { code?: string }) => {
        assert.equal(err.code, 'ONNXPIPE_DATA_DOWNLOAD_FAILED');
        assert.match(err.message, /drop\/train-labels-idx1-ubyte\.gz: /);
        return true;
      },
    );
    assert.deepEqual(readdirSync(dir), []);
  });

  it('times out a server that never answers', async () => {
    const started = Date.now();
    await assert.rejects(
      downloadFile(testLabels, { files: [testLabels], mirrors: [mirror('hang')], dir, timeoutMs: 150 }),
      { code: 'ONNXPIPE_DATA_DOWNLOAD_FAILED', message: /timeout/ },
    );
    assert.ok(Date.now() - started < 1500);
    assert.deepEqual(readdirSync(dir), []);
  });

  it('lists every mirror tried and where to put the files when all fail', async () => {
    const unreachable = await closedPortUrl();
    const target = join(dir, 'nested', 'mnist');
    await assert.rejects(
      downloadFile(testLabels, {
        files: [trainLabels, testLabels],
        mirrors: [unreachable, mirror('missing')],
        dir: target,
        label: 'mnist',
      }),
      (err: Error & { code?: string; statusCode?: number }) => {
        assert.equal(err.code, 'ONNXPIPE_DATA_DOWNLOAD_FAILED');
        assert.equal(err.statusCode, 502);
        const m = err.message;
        assert.ok(m.includes('Could not download t10k-labels-idx1-ubyte.gz (mnist)'), m);
        assert.ok(m.includes(`${unreachable}t10k-labels-idx1-ubyte.gz: `) && /ECONNREFUSED/.test(m), m);
        assert.ok(m.includes(`${mirror('missing')}t10k-labels-idx1-ubyte.gz: HTTP 404`), m);
        assert.ok(m.includes(`into ${target}/`), m);
        assert.ok(
          m.includes('train-images') === false && m.includes('train-labels-idx1-ubyte.gz, t10k-labels-idx1-ubyte.gz'),
          m,
        );
        assert.ok(m.includes('--data-dir') && m.includes('ONNXPIPE_DATA_DIR'), m);
        return true;
      },
    );
    assert.deepEqual(readdirSync(target), []);
    assert.ok(!existsSync(join(target, testLabels.fileName)));
  });
});
