import type { RawImage } from '@onnxpipe/core';
import { readPngHeader, type PngHeader } from './png-header.js';
import { inflatePng, inflatesHeader, type InflateOptions } from './png-inflate.js';

export { readPngHeader, type PngHeader };

// A synchronous decoder for the small PNGs /predict mostly receives (a drawn or cropped
// digit is a few KB). Through sharp, such an image costs two trips to libuv's thread pool
// (metadata, then decode) and libvips' pipeline set-up, about ten times the decode itself; here
// it is a few tens of microseconds on the event loop (png-inflate.ts: one native inflate, one
// unfiltering pass). Only the kinds a drawn or cropped digit comes in are taken (8-bit gray,
// gray + alpha, RGB or RGBA, not interlaced), and only when their pixels come out the same as
// sharp's (no colour management, no orientation, no transparency chunk); everything else —
// palette, sub-byte, 16-bit and interlaced files included — and anything that fails to decode
// here goes to sharp, which also produces the error messages.

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

/** Whether {@link decodePngFast} takes an image with this header. */
function acceptsHeader(header: PngHeader): boolean {
  return header.width * header.height <= PNG_FAST_PATH_MAX_PIXELS && inflatesHeader(header);
}

/**
 * Decodes a small PNG to the same {@link RawImage} sharp would give (`raw`, 8-bit), or returns
 * undefined when the image is not one this path takes — large, palette, 16-bit or sub-byte,
 * interlaced, with transparency, colour or orientation chunks, or not decodable here (CRC
 * errors included) — so that the caller hands it to sharp. The caller checks
 * the pixel limit on the header first. With `grayscale`, an RGB image of the common kind may come
 * back as its gray channel (see {@link InflateOptions.grayscale}).
 */
export function decodePngFast(
  bytes: Uint8Array,
  header: PngHeader,
  options: InflateOptions = {},
): RawImage | undefined {
  if (!acceptsHeader(header) || hasFallBackChunk(bytes)) return undefined;
  return inflatePng(bytes, header, options);
}
