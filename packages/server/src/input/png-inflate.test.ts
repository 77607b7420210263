import { test } from 'node:test';
import assert from 'node:assert/strict';
import pngjs from 'pngjs';
import sharp from 'sharp';
import { toGrayscale } from '@onnxpipe/core';
import { decodePngFast, readPngHeader } from './png-fast-path.js';
import { inflatePng } from './png-inflate.js';

// png-inflate.ts against another decoder's pixels (sharp's, through decodeImage's own pipeline)
// on files from a third party's encoder (pngjs), one per filter type: sharp's encoder picks
// filters adaptively, so a file from it need not exercise each one. sharp 0.35 hands a true
// grayscale PNG back as 3 equal channels; what preprocessing makes of it (toGrayscale, the
// model's view) is compared for every kind, the raw samples where the layouts agree.

const KINDS = [
  { name: 'gray', colorType: 0, channels: 1 },
  { name: 'RGB', colorType: 2, channels: 3 },
  { name: 'RGBA', colorType: 6, channels: 4 },
] as const;

/** A busy RGBA image: every filter predicts badly, so each one's arithmetic shows. */
function rgba(width: number, height: number): Buffer {
  const data = Buffer.alloc(width * height * 4);
  for (let i = 0; i < data.length; i++) data[i] = (i * 97 + (i >> 7) * 13 + ((i * i) >> 3)) & 0xff;
  return data;
}

for (const kind of KINDS) {
  for (const filterType of [0, 1, 2, 3, 4]) {
    test(`inflatePng: ${kind.name}, filter ${filterType}: sharp's pixels`, async () => {
      const png = new pngjs.PNG({
        width: 23,
        height: 11,
        colorType: kind.colorType,
        inputColorType: 6,
        filterType,
      } as pngjs.PNGOptions);
      rgba(23, 11).copy(png.data);
      const bytes = pngjs.PNG.sync.write(png, {
        colorType: kind.colorType,
        inputColorType: 6,
        filterType,
      } as pngjs.PNGOptions);
      const header = readPngHeader(bytes)!;
      const image = inflatePng(bytes, header);
      assert.ok(image, 'decoded');
      const { data, info } = await sharp(bytes, { failOn: 'error' })
        .rotate()
        .raw({ depth: 'uchar' })
        .toBuffer({ resolveWithObject: true });
      const reference = {
        width: info.width,
        height: info.height,
        channels: info.channels as 1 | 3 | 4,
        data: new Uint8Array(data),
      };
      assert.equal(image.channels, kind.channels);
      if (info.channels === kind.channels) assert.deepEqual(new Uint8Array(image.data), reference.data);
      assert.deepEqual(toGrayscale(image), toGrayscale(reference));
      assert.deepEqual(decodePngFast(bytes, header), image);
      // What preprocessing asks for: RGB comes back as its gray channel, the rest unchanged.
      const gray = inflatePng(bytes, header, { grayscale: true })!;
      assert.equal(gray.channels, kind.channels === 3 ? 1 : kind.channels);
      assert.deepEqual(toGrayscale(gray), toGrayscale(image));
    });
  }
}

test('inflatePng refuses what it cannot decode exactly, and decodes nothing past the header size', async () => {
  const good = await sharp(rgba(16, 16), { raw: { width: 16, height: 16, channels: 4 } })
    .png()
    .toBuffer();
  const header = readPngHeader(good)!;
  assert.ok(inflatePng(good, header));
  // A header that claims fewer rows than the stream holds: the inflate stops at the claim.
  const shorter = Buffer.from(good);
  shorter.writeUInt32BE(8, 20);
  assert.equal(inflatePng(shorter, { ...header, height: 8 }), undefined);
  // Interlaced and 16-bit files are another decoder's job.
  assert.equal(inflatePng(good, { ...header, interlaced: true }), undefined);
  assert.equal(inflatePng(good, { ...header, bitDepth: 16 }), undefined);
  // Without IEND the file is truncated.
  assert.equal(inflatePng(good.subarray(0, good.length - 12), header), undefined);
});

test('inflatePng with grayscale gives core toGrayscale of every RGB value', async () => {
  // All 2^24 colours, one per pixel of a 4096 × 4096 RGB PNG (fast to encode: it compresses well).
  const side = 4096;
  const rgb = Buffer.alloc(side * side * 3);
  for (let p = 0; p < side * side; p++) {
    rgb[3 * p] = p >> 16;
    rgb[3 * p + 1] = (p >> 8) & 0xff;
    rgb[3 * p + 2] = p & 0xff;
  }
  const bytes = await sharp(rgb, { raw: { width: side, height: side, channels: 3 } })
    .png({ compressionLevel: 1 })
    .toBuffer();
  const header = readPngHeader(bytes)!;
  const gray = inflatePng(bytes, header, { grayscale: true })!;
  assert.equal(gray.channels, 1);
  const expected = toGrayscale({ width: side, height: side, channels: 3, data: rgb });
  assert.ok(Buffer.from(gray.data).equals(Buffer.from(expected)), 'identical gray bytes');
});
