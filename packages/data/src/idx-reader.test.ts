import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { gzipSync } from 'node:zlib';
import { IDX_IMAGES_MAGIC, IDX_LABELS_MAGIC, parseIdx, readIdxFile } from './idx-reader.js';

/** An IDX file written by hand: big-endian magic and dimensions, then the payload. */
function idx(magic: number, dims: number[], payload: ArrayLike<number>): Uint8Array {
  const bytes = new Uint8Array(4 + 4 * dims.length + payload.length);
  const view = new DataView(bytes.buffer);
  view.setUint32(0, magic, false);
  dims.forEach((d, i) => view.setUint32(4 + 4 * i, d, false));
  bytes.set(payload, 4 + 4 * dims.length);
  return bytes;
}

const images = idx(IDX_IMAGES_MAGIC, [2, 2, 3], [0, 1, 2, 3, 4, 5, 250, 251, 252, 253, 254, 255]);
const labels = idx(IDX_LABELS_MAGIC, [3], [7, 0, 9]);

describe('parseIdx', () => {
  it('decodes images and labels from their big-endian headers', () => {
    const im = parseIdx(images, 'im.idx', { expect: 'images' });
    assert.deepEqual([im.kind, im.count, im.rows, im.cols], ['images', 2, 2, 3]);
    assert.deepEqual(Array.from(im.data), [0, 1, 2, 3, 4, 5, 250, 251, 252, 253, 254, 255]);
    const lb = parseIdx(labels, 'lb.idx', { expect: 'labels', numClasses: 10 });
    assert.deepEqual([lb.kind, lb.count, Array.from(lb.data)], ['labels', 3, [7, 0, 9]]);
  });

  it('reads from a view with a byte offset', () => {
    const padded = new Uint8Array(labels.length + 5);
    padded.set(labels, 5);
    assert.deepEqual(Array.from(parseIdx(padded.subarray(5), 'x').data), [7, 0, 9]);
  });

  it('rejects a payload shorter than the dimensions say', () => {
    assert.throws(
      () => parseIdx(images.subarray(0, images.length - 1), 'short-images.idx'),
      (err: Error & { code?: string }) => {
        assert.equal(err.code, 'ONNXPIPE_DATA_IDX_TRUNCATED');
        assert.match(err.message, /short-images\.idx/);
        assert.match(err.message, /expected 12 payload bytes for 2 × 2 × 3 after the header; received 11/);
        return true;
      },
    );
  });

  it('rejects a file cut inside its header or magic number', () => {
    assert.throws(() => parseIdx(images.subarray(0, 10), 'h.idx'), {
      code: 'ONNXPIPE_DATA_IDX_TRUNCATED',
      message: /h\.idx.*16-byte header.*10 bytes/,
    });
    assert.throws(() => parseIdx(new Uint8Array(2), 'm.idx'), { code: 'ONNXPIPE_DATA_IDX_TRUNCATED' });
  });

  it('rejects bytes beyond the payload', () => {
    const long = new Uint8Array(labels.length + 1);
    long.set(labels);
    assert.throws(() => parseIdx(long, 'long.idx'), {
      code: 'ONNXPIPE_DATA_IDX_TRAILING_BYTES',
      message: /long\.idx.*expected 3 payload bytes.*received 4/,
    });
  });

  it('rejects a wrong magic number, naming expected and received', () => {
    const bad = idx(0x0000_0804, [1, 1, 1, 1], [0]);
    assert.throws(() => parseIdx(bad, 'bad.idx'), {
      code: 'ONNXPIPE_DATA_IDX_BAD_MAGIC',
      message: /bad\.idx.*2051 \(images\) or 2049 \(labels\); received 2052 \(0x00000804\)/,
    });
  });

  it('rejects labels where images are expected', () => {
    assert.throws(() => parseIdx(labels, 'swapped.idx', { expect: 'images' }), {
      code: 'ONNXPIPE_DATA_IDX_BAD_MAGIC',
      message: /swapped\.idx.*expected magic number 2051.*received 2049/,
    });
  });

  it('says so when handed gzip data', () => {
    assert.throws(() => parseIdx(gzipSync(labels), 'x.gz'), {
      code: 'ONNXPIPE_DATA_IDX_BAD_MAGIC',
      message: /gzip data/,
    });
  });

  it('rejects zero-sized image dimensions', () => {
    assert.throws(() => parseIdx(idx(IDX_IMAGES_MAGIC, [0, 0, 28], []), 'z.idx'), {
      code: 'ONNXPIPE_DATA_IDX_BAD_SHAPE',
    });
  });

  it('checks label range only when asked', () => {
    const bad = idx(IDX_LABELS_MAGIC, [2], [3, 10]);
    assert.equal(parseIdx(bad, 'l.idx').count, 2);
    assert.throws(() => parseIdx(bad, 'l.idx', { numClasses: 10 }), {
      code: 'ONNXPIPE_DATA_IDX_BAD_LABEL',
      message: /l\.idx.*expected values 0\.\.9; received 10 at index 1/,
    });
  });
});

describe('readIdxFile', () => {
  const dir = mkdtempSync(join(tmpdir(), 'onnxpipe-idx-'));
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('reads raw and gzip files alike, detecting gzip by content', async () => {
    writeFileSync(join(dir, 'raw'), images);
    writeFileSync(join(dir, 'compressed-without-extension'), gzipSync(images));
    const a = await readIdxFile(join(dir, 'raw'), { expect: 'images' });
    const b = await readIdxFile(join(dir, 'compressed-without-extension'), { expect: 'images' });
    assert.deepEqual(Array.from(b.data), Array.from(a.data));
    assert.equal(b.rows, 2);
  });

  it('reports corrupt gzip (a truncated member, a flipped byte) with the path', async () => {
    const gz = gzipSync(idx(IDX_LABELS_MAGIC, [1000], new Uint8Array(1000).fill(3)));
    const path = join(dir, 'corrupt.gz');
    writeFileSync(path, gz.subarray(0, gz.length - 10));
    await assert.rejects(readIdxFile(path), (err: Error & { code?: string; cause?: unknown }) => {
      assert.equal(err.code, 'ONNXPIPE_DATA_CORRUPT_GZIP');
      assert.ok(err.message.includes(path));
      assert.ok(err.cause instanceof Error);
      return true;
    });
    const flipped = Uint8Array.from(gz);
    flipped[20] ^= 0xff;
    writeFileSync(path, flipped);
    await assert.rejects(readIdxFile(path), { code: 'ONNXPIPE_DATA_CORRUPT_GZIP' });
  });

  it('reports a truncated payload inside valid gzip as truncated, naming the file', async () => {
    const path = join(dir, 'short-inside.gz');
    writeFileSync(path, gzipSync(labels.subarray(0, labels.length - 1)));
    await assert.rejects(readIdxFile(path), { code: 'ONNXPIPE_DATA_IDX_TRUNCATED', message: new RegExp(path) });
  });

  it('reports a missing file as not found', async () => {
    await assert.rejects(readIdxFile(join(dir, 'nope.gz')), {
      code: 'ONNXPIPE_DATA_NOT_FOUND',
      message: /nope\.gz: no such file/,
    });
  });
});
