import { crc32, inflateSync } from 'node:zlib';
import type { RawImage } from '@onnxpipe/core';
import type { PngHeader } from './png-header.js';

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
 * Undoes the filter of one row: `filtered` (filter byte first) into `row`, given the previous
 * row (`prior`, all zeros above the first); false for an unknown filter type.
 */
function unfilterRow(filtered: Uint8Array, src: number, row: Uint8Array, prior: Uint8Array, bpp: number): boolean {
  const stride = row.length;
  switch (filtered[src++]) {
    case 0:
      row.set(filtered.subarray(src, src + stride));
      return true;
    case 1:
      for (let x = 0; x < stride; x++) row[x] = filtered[src + x] + (x >= bpp ? row[x - bpp] : 0);
      return true;
    case 2:
      for (let x = 0; x < stride; x++) row[x] = filtered[src + x] + prior[x];
      return true;
    case 3:
      for (let x = 0; x < stride; x++) row[x] = filtered[src + x] + (((x >= bpp ? row[x - bpp] : 0) + prior[x]) >> 1);
      return true;
    case 4:
      for (let x = 0; x < stride; x++) {
        row[x] = filtered[src + x] + (x >= bpp ? paeth(row[x - bpp], prior[x], prior[x - bpp]) : prior[x]);
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
  return Math.floor((299 * r + 587 * g + 114 * b + 500) / 1000);
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
    filtered = inflateSync(compressed, { maxOutputLength: expected });
  } catch {
    return undefined; // corrupt stream, or more data than the header allows
  }
  if (filtered.length !== expected) return undefined;

  if (options.grayscale && channels === 3) {
    // Two rows of RGB at a time: the filters only look one row back.
    let prior = new Uint8Array(stride);
    let row = new Uint8Array(stride);
    const gray = new Uint8Array(width * height);
    for (let y = 0, src = 0, dst = 0; y < height; y++, src += stride + 1) {
      if (!unfilterRow(filtered, src, row, prior, 3)) return undefined;
      for (let i = 0; i < stride; i += 3) gray[dst++] = luma601(row[i], row[i + 1], row[i + 2]);
      [prior, row] = [row, prior];
    }
    return { width, height, channels: 1, data: gray };
  }
  const data = new Uint8Array(stride * height);
  const zeros = new Uint8Array(stride);
  for (let y = 0, src = 0; y < height; y++, src += stride + 1) {
    const row = data.subarray(y * stride, (y + 1) * stride);
    const prior = y === 0 ? zeros : data.subarray((y - 1) * stride, y * stride);
    if (!unfilterRow(filtered, src, row, prior, channels)) return undefined;
  }
  return { width, height, channels, data };
}
