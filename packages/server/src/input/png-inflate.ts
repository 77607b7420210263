import { crc32, inflateSync } from 'node:zlib';
import type { RawImage } from '@onnxpipe/core';
import type { PngHeader } from './png-header.js';

// The cheapest decode of the PNGs /predict mostly receives (8-bit gray, gray + alpha, RGB or
// RGBA, not interlaced): one native inflate (node:zlib's inflateSync), rows unfiltered in place
// in its output, and the pixels moved over the filter bytes or converted to gray in one pass.
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
  for (let at = 8; at + 12 <= bytes.length;) {
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
 * Undoes the filter of one row in place: its `stride` bytes start at `at` in `buf`, after the
 * filter byte, and the row above (already unfiltered) ends right before that filter byte. The
 * first row has no row above: PNG reads it as zeros, which turns Up into None, Average into
 * half the left byte and Paeth into Sub. Returns false for an unknown filter type.
 */
function unfilterRowInPlace(buf: Uint8Array, at: number, stride: number, bpp: number, first: boolean): boolean {
  const up = at - stride - 1;
  const end = at + stride;
  // Uint8Array stores wrap modulo 256, which is the filters' arithmetic.
  switch (buf[at - 1]) {
    case 0:
      return true;
    case 1:
      for (let i = at + bpp; i < end; i++) buf[i] += buf[i - bpp];
      return true;
    case 2:
      if (!first) for (let i = at; i < end; i++) buf[i] += buf[i - stride - 1];
      return true;
    case 3:
      if (first) {
        for (let i = at + bpp; i < end; i++) buf[i] += buf[i - bpp] >> 1;
      } else {
        for (let i = at; i < at + bpp; i++) buf[i] += buf[i - stride - 1] >> 1;
        for (let i = at + bpp; i < end; i++) buf[i] += (buf[i - bpp] + buf[i - stride - 1]) >> 1;
      }
      return true;
    case 4:
      if (first) {
        for (let i = at + bpp; i < end; i++) buf[i] += buf[i - bpp];
      } else {
        for (let i = at; i < at + bpp; i++) buf[i] += buf[i - stride - 1];
        for (let i = at + bpp, j = up + bpp; i < end; i++, j++) buf[i] += paeth(buf[i - bpp], buf[j], buf[j - bpp]);
      }
      return true;
    default:
      return false;
  }
}

/**
 * Rec. 601 luma exactly as core's `toGrayscale` computes it for an opaque pixel (integer
 * arithmetic, rounded; a test compares the two over every RGB value).
 */
function luma601(r: number, g: number, b: number): number {
  // Gray pixels, most of a digit's, skip the arithmetic: 299 + 587 + 114 = 1000, so Y = r.
  return r === g && g === b ? r : Math.floor((299 * r + 587 * g + 114 * b + 500) / 1000);
}

/** What {@link inflatePng} may return. */
export interface InflateOptions {
  /**
   * Return an RGB image as one gray channel, equal to core's `toGrayscale` of its three: the
   * only thing preprocessing uses, made here without the full-size RGB buffer and its pass.
   * Images with alpha keep their channels (their gray depends on the whole image's alpha).
   * @defaultValue false
   */
  readonly grayscale?: boolean;
}

/**
 * Decodes an 8-bit, non-interlaced gray, gray + alpha, RGB or RGBA PNG to its own channels
 * (sharp's `raw` output for these kinds; see {@link InflateOptions.grayscale}), or returns
 * undefined when it is another kind or does not decode cleanly. The caller has checked the
 * pixel count on the header: the inflate is capped at exactly the size that header implies.
 */
export function inflatePng(bytes: Uint8Array, header: PngHeader, options: InflateOptions = {}): RawImage | undefined {
  if (!inflatesHeader(header)) return undefined;
  const channels = CHANNELS[header.colorType]!;
  const { width, height } = header;
  if (width === 0 || height === 0) return undefined;
  const stride = width * channels;
  const expected = height * (stride + 1);
  const compressed = imageData(bytes);
  if (compressed === undefined) return undefined;
  let filtered: Buffer;
  try {
    // Capped at the size the header implies: a longer stream is refused, not inflated further.
    filtered = inflateSync(compressed, { maxOutputLength: expected });
  } catch {
    // Corrupt or truncated stream, bad checksum, or longer than the header implies.
    return undefined;
  }
  if (filtered.length !== expected) return undefined;
  for (let y = 0, at = 1; y < height; y++, at += stride + 1) {
    if (!unfilterRowInPlace(filtered, at, stride, channels, y === 0)) return undefined;
  }

  if (options.grayscale && channels === 3) {
    // Output through Buffer.allocUnsafe: every byte is written below, and small ones come from
    // Node's buffer pool instead of an allocation of their own (which costs more than this pass).
    const gray = Buffer.allocUnsafe(width * height);
    for (let y = 0, at = 1, dst = 0; y < height; y++, at += stride + 1) {
      for (let i = at, end = at + stride; i < end; i += 3)
        gray[dst++] = luma601(filtered[i], filtered[i + 1], filtered[i + 2]);
    }
    return { width, height, channels: 1, data: gray };
  }
  // Drop the filter bytes: every row moves left onto the previous one's, in the inflated buffer
  // itself (it is this call's own).
  for (let y = 0, at = 1; y < height; y++, at += stride + 1) filtered.copyWithin(y * stride, at, at + stride);
  return { width, height, channels, data: filtered.subarray(0, stride * height) };
}
