import assert from 'node:assert/strict';
import { test } from 'node:test';
import { crc32, inflateSync } from 'node:zlib';

import { encodeGrayscalePng, grayscalePngDataUrl } from './png-encoder.js';
import { ReportErrorCode } from '../errors.js';

interface Chunk {
  type: string;
  data: Buffer;
  crc: number;
  /** Bytes the CRC covers: type + data. */
  covered: Buffer;
}

/** Independent PNG chunk reader, written from the spec rather than from the encoder. */
function readChunks(png: Buffer): Chunk[] {
  assert.deepEqual([...png.subarray(0, 8)], [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  const chunks: Chunk[] = [];
  let offset = 8;
  while (offset < png.length) {
    const length = png.readUInt32BE(offset);
    const type = png.toString('latin1', offset + 4, offset + 8);
    const data = png.subarray(offset + 8, offset + 8 + length);
    const crc = png.readUInt32BE(offset + 8 + length);
    chunks.push({ type, data, crc, covered: png.subarray(offset + 4, offset + 8 + length) });
    offset += 12 + length;
  }
  assert.equal(offset, png.length, 'chunks end exactly at the end of the file');
  return chunks;
}

function randomPixels(length: number, seed: number): Uint8Array {
  const out = new Uint8Array(length);
  let s = seed >>> 0;
  for (let i = 0; i < length; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    out[i] = s >>> 24;
  }
  return out;
}

test('encoded PNG decodes back to the same pixels with valid CRCs', () => {
  const width = 28;
  const height = 20;
  const pixels = randomPixels(width * height, 42);
  const png = encodeGrayscalePng(pixels, width, height);
  const chunks = readChunks(png);

  assert.deepEqual(
    chunks.map((c) => c.type),
    ['IHDR', 'IDAT', 'IEND'],
  );
  for (const c of chunks) assert.equal(c.crc, crc32(c.covered), `CRC of ${c.type}`);
  // The spec's CRC of an empty IEND, independent of node:zlib.
  assert.equal(chunks[2].crc, 0xae426082);

  const ihdr = chunks[0].data;
  assert.equal(ihdr.length, 13);
  assert.equal(ihdr.readUInt32BE(0), width);
  assert.equal(ihdr.readUInt32BE(4), height);
  assert.deepEqual([...ihdr.subarray(8)], [8, 0, 0, 0, 0], '8-bit grayscale, deflate, no interlace');
  assert.equal(chunks[2].data.length, 0);

  const raw = inflateSync(chunks[1].data);
  assert.equal(raw.length, (width + 1) * height);
  const decoded = new Uint8Array(width * height);
  for (let y = 0; y < height; y++) {
    const row = raw.subarray(y * (width + 1), (y + 1) * (width + 1));
    assert.equal(row[0], 0, `row ${y} uses filter type None`);
    decoded.set(row.subarray(1), y * width);
  }
  assert.deepEqual(decoded, pixels);
});

test('a 1x1 image and the data URL form', () => {
  const png = encodeGrayscalePng(Uint8Array.of(200), 1, 1);
  const raw = inflateSync(readChunks(png)[1].data);
  assert.deepEqual([...raw], [0, 200]);
  const url = grayscalePngDataUrl(Uint8Array.of(200), 1, 1);
  assert.ok(url.startsWith('data:image/png;base64,'));
  assert.deepEqual(Buffer.from(url.slice('data:image/png;base64,'.length), 'base64'), png);
});

test('rejects pixel counts and sizes that do not match', () => {
  assert.throws(() => encodeGrayscalePng(new Uint8Array(10), 3, 3), { code: ReportErrorCode.IMAGE_SHAPE });
  assert.throws(() => encodeGrayscalePng(new Uint8Array(0), 0, 0), { code: ReportErrorCode.IMAGE_SHAPE });
  assert.throws(() => encodeGrayscalePng(new Uint8Array(4), 2.5, 2), { code: ReportErrorCode.IMAGE_SHAPE });
});
