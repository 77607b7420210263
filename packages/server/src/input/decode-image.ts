import sharp, { type Metadata } from 'sharp';
import { formatChoices, type RawImage, errorMessage } from '@onnxpipe/core';
import {
  ONNXPIPE_SERVER_IMAGE_TOO_LARGE,
  ONNXPIPE_SERVER_UNDECODABLE_IMAGE,
  ONNXPIPE_SERVER_UNSUPPORTED_MEDIA_TYPE,
} from '../errors.js';
import { DECODABLE_FORMATS } from './media-types.js';
import { decodePngFast, readPngHeader } from './png-fast-path.js';
import type { InflateOptions } from './png-inflate.js';

// Decoded images are used once; sharp's operation cache would only hold on to memory.
sharp.cache(false);

function checkPixels(where: string, width: number, height: number, maxImagePixels: number): void {
  const pixels = width * height;
  if (!(pixels <= maxImagePixels)) {
    throw new ONNXPIPE_SERVER_IMAGE_TOO_LARGE(
      `${where}: an image may have at most ${maxImagePixels} pixels ('maxImagePixels'); received ${width}×${height} = ${pixels}`,
    );
  }
}

/**
 * Decodes PNG, JPEG or WebP bytes to an 8-bit {@link RawImage} (1–4 channels, EXIF orientation
 * applied). The header is read first and the pixel count checked against `maxImagePixels`
 * before anything is decompressed, so a small file that inflates to gigabytes is refused
 * cheaply; sharp's `limitInputPixels` guards the decode itself as well. Small PNGs of the common
 * kinds are decoded synchronously in JS (see png-fast-path.ts), with the same pixels as sharp's.
 *
 * @param where - names the item in error messages, e.g. `images[2]`
 * @param options - `grayscale`: the caller only needs core's `toGrayscale` of the image, and a
 * small opaque RGB PNG may come back as that one channel
 * @throws `ONNXPIPE_SERVER_UNDECODABLE_IMAGE` (422) for bytes that are not a readable image
 * @throws `ONNXPIPE_SERVER_UNSUPPORTED_MEDIA_TYPE` (415) for another image format (GIF, TIFF, ...)
 * @throws `ONNXPIPE_SERVER_IMAGE_TOO_LARGE` (413) above `maxImagePixels`
 */
export async function decodeImage(
  bytes: Uint8Array,
  where: string,
  maxImagePixels: number,
  options: InflateOptions = {},
): Promise<RawImage> {
  return decodeImageSync(bytes, where, maxImagePixels, options) ?? decodeWithSharp(bytes, where, maxImagePixels);
}

/**
 * The synchronous part of {@link decodeImage}: a small PNG of the common kinds decoded on the
 * spot, or undefined when the image needs {@link decodeWithSharp}. Callers with one image skip
 * the promises that way.
 *
 * @throws `ONNXPIPE_SERVER_IMAGE_TOO_LARGE` (413) for a PNG above `maxImagePixels`
 */
export function decodeImageSync(
  bytes: Uint8Array,
  where: string,
  maxImagePixels: number,
  options: InflateOptions = {},
): RawImage | undefined {
  const png = readPngHeader(bytes);
  if (png === undefined) return undefined;
  checkPixels(where, png.width, png.height, maxImagePixels);
  return decodePngFast(bytes, png, options);
}

/**
 * The part of {@link decodeImage} that goes through sharp (libuv's thread pool): any image the
 * synchronous path did not take.
 */
export async function decodeWithSharp(bytes: Uint8Array, where: string, maxImagePixels: number): Promise<RawImage> {
  let metadata: Metadata;
  try {
    // Reads the header only; the pixel limit is checked below with a precise message.
    metadata = await sharp(bytes, { limitInputPixels: false }).metadata();
  } catch (error) {
    throw new ONNXPIPE_SERVER_UNDECODABLE_IMAGE(
      `${where}: not a readable ${formatChoices(Object.keys(DECODABLE_FORMATS))} image (${bytes.length} bytes): ${errorMessage(error)}`,
      { cause: error },
    );
  }
  if (!(metadata.format in DECODABLE_FORMATS)) {
    throw new ONNXPIPE_SERVER_UNSUPPORTED_MEDIA_TYPE(
      `${where}: image format must be one of ${formatChoices(Object.keys(DECODABLE_FORMATS))}; received ${metadata.format}`,
    );
  }
  checkPixels(where, metadata.width, metadata.height, maxImagePixels);
  try {
    let pipeline = sharp(bytes, { limitInputPixels: maxImagePixels, failOn: 'error' }).rotate();
    if (metadata.space === 'cmyk') pipeline = pipeline.toColourspace('srgb');
    const { data, info } = await pipeline.raw({ depth: 'uchar' }).toBuffer({ resolveWithObject: true });
    return { width: info.width, height: info.height, channels: info.channels as RawImage['channels'], data };
  } catch (error) {
    throw new ONNXPIPE_SERVER_UNDECODABLE_IMAGE(
      `${where}: the ${metadata.format} image does not decode: ${errorMessage(error)}`,
      {
        cause: error,
      },
    );
  }
}
