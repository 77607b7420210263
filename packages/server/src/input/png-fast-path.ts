import pngjs from 'pngjs';
import type { RawImage } from '@onnxpipe/core';
import { readPngHeader, type PngHeader } from './png-header.js';
import { inflatePng, inflatesHeader, type InflateOptions } from './png-inflate.js';

export { readPngHeader, type PngHeader };

// A synchronous, pure-JS decoder for the small PNGs /predict mostly receives (a drawn or cropped
// digit is a few KB). Through sharp, such an image costs two trips to libuv's thread pool
// (metadata, then decode) and libvips' pipeline set-up, about ten times the decode itself; here
// it is a few tens of microseconds on the event loop: the common 8-bit kinds through
// png-inflate.ts (one native inflate, one unfiltering pass), palette, sub-byte and interlaced
// ones through pngjs. Only PNG kinds whose pixels come out the same as sharp's are taken (8-bit
// samples, no colour management, no orientation, no transparency chunk); everything else, and
// anything that fails to decode here, goes to sharp, which also produces the error messages.

/**
 * Largest width × height decoded on the event loop. Decoding blocks it for roughly a
 * microsecond per 100 pixels, so above this (a 256×256 image) sharp's thread pool is the better
 * place.
 */
export const PNG_FAST_PATH_MAX_PIXELS = 65_536;

/**
 * Chunks that make sharp's pixels differ from a plain decode: tRNS (sharp adds an alpha
 * channel), iCCP, gAMA, cHRM (colour conversions), eXIf (orientation, applied by `rotate()`).
 */
const FALL_BACK_CHUNKS = new Set(['tRNS', 'iCCP', 'gAMA', 'cHRM', 'eXIf']);

/** Whether a chunk before the image data asks for something only sharp does (see FALL_BACK_CHUNKS). */
function hasFallBackChunk(bytes: Uint8Array): boolean {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  // eXIf may follow IDAT, so the whole chunk list is walked (it is short: a few chunk headers).
  for (let at = 8; at + 8 <= bytes.length;) {
    const type = String.fromCharCode(bytes[at + 4], bytes[at + 5], bytes[at + 6], bytes[at + 7]);
    if (FALL_BACK_CHUNKS.has(type)) return true;
    if (type === 'IEND') return false;
    at += 12 + view.getUint32(at);
  }
  return false;
}

/** sharp's channels per colour type: gray 1, RGB 3, palette 3 (no tRNS here), gray + alpha 2, RGBA 4. */
const CHANNELS: Readonly<Record<number, RawImage['channels']>> = { 0: 1, 2: 3, 3: 3, 4: 2, 6: 4 };

/** Whether {@link decodePngFast} takes an image with this header. */
function acceptsHeader(header: PngHeader): boolean {
  if (header.width * header.height > PNG_FAST_PATH_MAX_PIXELS) return false;
  if (header.colorType === 3) return [1, 2, 4, 8].includes(header.bitDepth);
  return header.bitDepth === 8 && [0, 2, 4, 6].includes(header.colorType);
}

/**
 * Decodes a small PNG to the same {@link RawImage} sharp would give (`raw`, 8-bit, palette
 * expanded to RGB), or returns undefined when the image is not one this path takes — large,
 * 16-bit or sub-byte grayscale, with transparency, colour or orientation chunks, or not
 * decodable here (CRC errors included) — so that the caller hands it to sharp. The caller checks
 * the pixel limit on the header first. With `grayscale`, an RGB image of the common kind may come
 * back as its gray channel (see {@link InflateOptions.grayscale}).
 */
export function decodePngFast(
  bytes: Uint8Array,
  header: PngHeader,
  options: InflateOptions = {},
): RawImage | undefined {
  if (!acceptsHeader(header) || hasFallBackChunk(bytes)) return undefined;
  // A file that fails here would fail in pngjs too (same checks, stricter stream): sharp words it.
  if (inflatesHeader(header)) return inflatePng(bytes, header, options);
  try {
    // pngjs expands every kind to RGBA; sharp keeps the PNG's own channels.
    const png = pngjs.PNG.sync.read(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength), { checkCRC: true });
    if (png.width !== header.width || png.height !== header.height) return undefined;
    const channels = CHANNELS[header.colorType];
    const pixels = png.width * png.height;
    const rgba = png.data;
    if (channels === 4) return { width: png.width, height: png.height, channels, data: rgba };
    const data = new Uint8Array(pixels * channels);
    // One plain loop per layout, no per-pixel branching: this runs on every request.
    if (channels === 3) {
      for (let p = 0, q = 0, o = 0; p < pixels; p++, q += 4, o += 3) {
        data[o] = rgba[q];
        data[o + 1] = rgba[q + 1];
        data[o + 2] = rgba[q + 2];
      }
    } else if (channels === 2) {
      for (let p = 0, q = 0; p < pixels; p++, q += 4) {
        data[2 * p] = rgba[q];
        data[2 * p + 1] = rgba[q + 3];
      }
    } else {
      for (let p = 0; p < pixels; p++) data[p] = rgba[4 * p];
    }
    return { width: png.width, height: png.height, channels, data };
  } catch {
    // Truncated or corrupt: sharp decides, and words the error.
    return undefined;
  }
}
