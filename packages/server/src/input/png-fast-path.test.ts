import { test } from 'node:test';
import assert from 'node:assert/strict';
import sharp from 'sharp';
import { decodeImage } from './decode-image.js';
import { decodePngFast, readPngHeader, PNG_FAST_PATH_MAX_PIXELS } from './png-fast-path.js';

// The synchronous path must give exactly sharp's pixels for every PNG kind it takes (8-bit gray,
// gray + alpha, RGB, RGBA, not interlaced), and hand the others to sharp. The reference is sharp's
// own pipeline (libvips/libspng: another decoder), the one decodeImage used for every image before
// the fast path.

async function sharpPixels(bytes: Uint8Array) {
  const { data, info } = await sharp(bytes, { failOn: 'error' })
    .rotate()
    .raw({ depth: 'uchar' })
    .toBuffer({ resolveWithObject: true });
  return { width: info.width, height: info.height, channels: info.channels, data: new Uint8Array(data) };
}

/** A deterministic, busy `width × height × channels` image (every value used, edges included). */
function pattern(width: number, height: number, channels: number): Buffer {
  const data = Buffer.alloc(width * height * channels);
  for (let i = 0; i < data.length; i++) data[i] = (i * 37 + (i >> 5) * 11) & 0xff;
  return data;
}

const raw = (width: number, height: number, channels: 1 | 2 | 3 | 4) =>
  sharp(pattern(width, height, channels), { raw: { width, height, channels } });

// [name, bytes, taken by the fast path]
const kinds: [string, () => Promise<Uint8Array>, boolean][] = [
  ['grayscale 8-bit', () => raw(31, 17, 1).png().toBuffer(), true],
  ['grayscale + alpha 8-bit', () => raw(31, 17, 2).png().toBuffer(), true],
  ['RGB 8-bit', () => raw(31, 17, 3).png().toBuffer(), true],
  ['RGBA 8-bit', () => raw(31, 17, 4).png().toBuffer(), true],
  ['RGB interlaced (Adam7): sharp', () => raw(31, 17, 3).png({ progressive: true }).toBuffer(), false],
  ['grayscale interlaced (Adam7): sharp', () => raw(9, 13, 1).png({ progressive: true }).toBuffer(), false],
  ['palette 8-bit: sharp', () => raw(31, 17, 3).png({ palette: true, colours: 200, dither: 0 }).toBuffer(), false],
  ['palette 2-bit: sharp', () => raw(31, 17, 3).png({ palette: true, colours: 4, dither: 0 }).toBuffer(), false],
  ['palette 4-bit: sharp', () => raw(13, 7, 3).png({ palette: true, colours: 16, dither: 0 }).toBuffer(), false],
  [
    'palette 1-bit, interlaced: sharp',
    () => raw(13, 7, 3).png({ palette: true, colours: 2, dither: 0, progressive: true }).toBuffer(),
    false,
  ],
  [
    'palette with transparency (tRNS): sharp',
    () => raw(31, 17, 4).png({ palette: true, colours: 16, dither: 0 }).toBuffer(),
    false,
  ],
  ['RGB 16-bit: sharp', () => raw(31, 17, 3).toColourspace('rgb16').png().toBuffer(), false],
  ['grayscale 16-bit: sharp', () => raw(31, 17, 1).toColourspace('grey16').png().toBuffer(), false],
  ['RGB with an ICC profile: sharp', () => raw(31, 17, 3).withIccProfile('p3').png().toBuffer(), false],
  ['RGB with EXIF orientation: sharp', () => raw(31, 17, 3).withMetadata({ orientation: 6 }).png().toBuffer(), false],
  ['RGB larger than the fast path takes: sharp', () => raw(300, 240, 3).png().toBuffer(), false],
];

for (const [name, make, fast] of kinds) {
  test(`PNG ${name}: decodeImage gives sharp's pixels${fast ? ' through the fast path' : ''}`, async () => {
    const bytes = await make();
    const header = readPngHeader(bytes);
    assert.ok(header, 'a PNG header');
    assert.equal(decodePngFast(bytes, header) !== undefined, fast, fast ? 'taken by the fast path' : 'left to sharp');
    const expected = await sharpPixels(bytes);
    const actual = await decodeImage(bytes, 'test', 4_000_000);
    assert.deepEqual(
      { width: actual.width, height: actual.height, channels: actual.channels },
      { width: expected.width, height: expected.height, channels: expected.channels },
    );
    let worst = 0;
    for (let i = 0; i < expected.data.length; i++) worst = Math.max(worst, Math.abs(actual.data[i] - expected.data[i]));
    assert.equal(actual.data.length, expected.data.length);
    assert.equal(worst, 0, `max |Δ| = ${worst}`);
  });
}

test('the pixel limit is checked on the PNG header before decoding, fast path or not', async () => {
  // A header that claims 5000×5000 followed by nothing: nothing can have been decoded.
  const small = await raw(8, 8, 3).png().toBuffer();
  const claim = Buffer.from(small);
  claim.writeUInt32BE(5000, 16);
  claim.writeUInt32BE(5000, 20);
  await assert.rejects(decodeImage(claim.subarray(0, 40), 'image', 4_000_000), {
    code: 'ONNXPIPE_SERVER_IMAGE_TOO_LARGE',
    statusCode: 413,
  });
  await assert.rejects(decodeImage(small, 'image', 63), { code: 'ONNXPIPE_SERVER_IMAGE_TOO_LARGE' });
  assert.ok(8 * 8 <= PNG_FAST_PATH_MAX_PIXELS);
});

test('corrupt or truncated small PNGs fall back to sharp and are refused with UNDECODABLE_IMAGE', async () => {
  const good = await raw(20, 20, 3).png().toBuffer();
  const truncated = good.subarray(0, good.length - 30);
  const flipped = Buffer.from(good);
  const idat = flipped.indexOf('IDAT');
  flipped[idat + 4 + (flipped.readUInt32BE(idat - 4) >> 1)] ^= 0xff; // inside IDAT: its CRC no longer matches
  for (const bytes of [truncated, flipped]) {
    assert.equal(decodePngFast(bytes, readPngHeader(bytes)!), undefined);
    await assert.rejects(decodeImage(bytes, 'image', 4_000_000), {
      code: 'ONNXPIPE_SERVER_UNDECODABLE_IMAGE',
      statusCode: 422,
    });
  }
  assert.equal(readPngHeader(Buffer.from('GIF89a not a png at all, not at all')), undefined);
});
