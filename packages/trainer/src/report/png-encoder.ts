/**
 * Minimal PNG encoder for 8-bit grayscale images, so digits can be embedded as `data:` URLs
 * without an image library. Only what the report needs: one IDAT chunk, no filtering, no
 * interlacing.
 */
import { crc32, deflateSync } from 'node:zlib';

import { ReportError, ReportErrorCode } from '../errors.js';

const PNG_SIGNATURE = Uint8Array.of(0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a);

function chunk(type: string, data: Uint8Array): Buffer {
  // Layout: length (4) | type (4) | data | CRC over type + data (4).
  const out = Buffer.alloc(12 + data.length);
  out.writeUInt32BE(data.length, 0);
  out.write(type, 4, 'latin1');
  out.set(data, 8);
  out.writeUInt32BE(crc32(out.subarray(4, 8 + data.length)), 8 + data.length);
  return out;
}

/**
 * Encodes row-major 8-bit grayscale `pixels` (0 = black, 255 = white) as a PNG file.
 *
 * @throws {@link ReportError} `ERR_REPORT_IMAGE_SHAPE` when the size is not a positive integer
 * pair or `pixels.length !== width * height`.
 * @example
 * ```ts
 * const png = encodeGrayscalePng(new Uint8Array(28 * 28), 28, 28);
 * const url = `data:image/png;base64,${png.toString('base64')}`;
 * ```
 */
export function encodeGrayscalePng(pixels: Uint8Array, width: number, height: number): Buffer {
  if (!Number.isInteger(width) || !Number.isInteger(height) || width <= 0 || height <= 0) {
    throw new ReportError(
      ReportErrorCode.IMAGE_SHAPE,
      `'width' and 'height' must be positive integers; received ${width}x${height}`,
    );
  }
  if (pixels.length !== width * height) {
    throw new ReportError(
      ReportErrorCode.IMAGE_SHAPE,
      `'pixels' must hold width * height = ${width * height} values; received ${pixels.length}`,
    );
  }

  const header = Buffer.alloc(13);
  header.writeUInt32BE(width, 0);
  header.writeUInt32BE(height, 4);
  header[8] = 8; // bit depth
  header[9] = 0; // colour type: grayscale
  header[10] = 0; // compression: deflate
  header[11] = 0; // filter method: adaptive (each row still uses filter type 0, None)
  header[12] = 0; // interlace: none

  // Each scanline is prefixed with its filter type byte; 0 leaves the row as-is, which for
  // tiny digit images compresses about as well as the smarter filters.
  const raw = Buffer.alloc((width + 1) * height);
  for (let y = 0; y < height; y++) {
    raw.set(pixels.subarray(y * width, (y + 1) * width), y * (width + 1) + 1);
  }

  return Buffer.concat([
    PNG_SIGNATURE,
    chunk('IHDR', header),
    chunk('IDAT', deflateSync(raw)),
    chunk('IEND', new Uint8Array(0)),
  ]);
}

/** {@link encodeGrayscalePng} wrapped as a `data:image/png;base64,…` URL. */
export function grayscalePngDataUrl(pixels: Uint8Array, width: number, height: number): string {
  return `data:image/png;base64,${encodeGrayscalePng(pixels, width, height).toString('base64')}`;
}
