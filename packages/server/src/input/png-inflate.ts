import { crc32, inflateSync } from 'node:zlib';
import type { RawImage } from '@onnxpipe/core';
import type { PngHeader } from './png-fast-path.js';

// The cheapest decode of the PNGs /predict mostly receives (8-bit gray, gray + alpha, RGB or
// RGBA, not interlaced): one native inflate and one unfiltering pass into the output buffer.
// pngjs, which the fast path used for these before, expands every kind to RGBA, copies the
// stream through a chunked inflater and allocates per row: under load that was a fifth of the
// server's event-loop time. Anything unusual (another kind, a CRC or stream error, a size
// mismatch) returns undefined, and the caller hands the image to the next decoder.

/** Samples per pixel by colour type, for the kinds decoded here. */
const CHANNELS: Readonly<Record<number, RawImage['channels'] | undefined>> = { 0: 1, 2: 3, 4: 2, 6: 4 };

/** Whether {@link inflatePng} takes an image with this header. */
export function inflatesHeader(header: PngHeader): boolean {
  return header.bitDepth === 8 && !header.interlaced && CHANNELS[header.colorType] !== undefined;
}

const IDAT = 0x49444154;
const IEND = 0x49454e44;

/**
 * The image data of a well-formed chunk list (every CRC checked, IEND present), or undefined.
 * Several IDAT chunks are joined; one, the usual case, is returned as a view.
 */
function imageData(bytes: Uint8Array): Uint8Array | undefined {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const parts: Uint8Array[] = [];
  for (let at = 8; at + 12 <= bytes.length; ) {
    const length = view.getUint32(at);
    const end = at + 12 + length;
    if (end > bytes.length) return undefined;
    if (crc32(bytes.subarray(at + 4, at + 8 + length)) !== view.getUint32(at + 8 + length)) return undefined;
    const type = view.getUint32(at + 4);
    if (type === IDAT) parts.push(bytes.subarray(at + 8, at + 8 + length));
    if (type === IEND) return parts.length === 1 ? parts[0] : parts.length === 0 ? undefined : Buffer.concat(parts);
    at = end;
  }
  return undefined;
}

/** Paeth predictor (PNG spec 9.4). */
function paeth(a: number, b: number, c: number): number {
  const p = a + b - c;
  const pa = Math.abs(p - a);
  const pb = Math.abs(p - b);
  const pc = Math.abs(p - c);
  return pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
}

/**
 * Undoes the per-row filters of `filtered` (`height` rows of 1 filter byte + `stride` bytes)
 * into `out`; false for an unknown filter type.
 */
function unfilter(filtered: Uint8Array, out: Uint8Array, stride: number, height: number, bpp: number): boolean {
  for (let y = 0, src = 0, dst = 0; y < height; y++, dst += stride) {
    const filter = filtered[src++];
    const up = dst - stride; // the previous output row; y = 0 reads zeros instead
    switch (filter) {
      case 0:
        out.set(filtered.subarray(src, src + stride), dst);
        break;
      case 1:
        for (let x = 0; x < stride; x++) out[dst + x] = filtered[src + x] + (x >= bpp ? out[dst + x - bpp] : 0);
        break;
      case 2:
        if (y === 0) out.set(filtered.subarray(src, src + stride), dst);
        else for (let x = 0; x < stride; x++) out[dst + x] = filtered[src + x] + out[up + x];
        break;
      case 3:
        for (let x = 0; x < stride; x++) {
          const left = x >= bpp ? out[dst + x - bpp] : 0;
          const above = y > 0 ? out[up + x] : 0;
          out[dst + x] = filtered[src + x] + ((left + above) >> 1);
        }
        break;
      case 4:
        for (let x = 0; x < stride; x++) {
          const left = x >= bpp ? out[dst + x - bpp] : 0;
          const above = y > 0 ? out[up + x] : 0;
          const corner = x >= bpp && y > 0 ? out[up + x - bpp] : 0;
          out[dst + x] = filtered[src + x] + paeth(left, above, corner);
        }
        break;
      default:
        return false;
    }
    src += stride;
  }
  return true;
}

/**
 * Decodes an 8-bit, non-interlaced gray, gray + alpha, RGB or RGBA PNG to its own channels
 * (sharp's `raw` output for these kinds), or returns undefined when it is another kind or does
 * not decode cleanly. The caller has checked the pixel count on the header: the inflate is
 * capped at exactly the size that header implies.
 */
export function inflatePng(bytes: Uint8Array, header: PngHeader): RawImage | undefined {
  if (!inflatesHeader(header)) return undefined;
  const channels = CHANNELS[header.colorType]!;
  const { width, height } = header;
  const stride = width * channels;
  const expected = height * (stride + 1);
  if (width === 0 || height === 0) return undefined;
  const compressed = imageData(bytes);
  if (compressed === undefined) return undefined;
  let filtered: Buffer;
  try {
    filtered = inflateSync(compressed, { maxOutputLength: expected });
  } catch {
    return undefined; // corrupt stream, or more data than the header allows
  }
  if (filtered.length !== expected) return undefined;
  const data = new Uint8Array(stride * height);
  return unfilter(filtered, data, stride, height, channels) ? { width, height, channels, data } : undefined;
}
