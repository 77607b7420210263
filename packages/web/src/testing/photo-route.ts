import { createRng, deriveSeed, type RawImage } from '@onnxpipe/core';
import { renderPhoto, type InkImage, type PhotoCondition } from '@onnxpipe/core/testing';
import type { RouteHandler } from './static-server.js';

// Photo-like images for the browser tests: rendered here in Node by core's renderer (seeded),
// served raw from the harness's origin at /photos/<key>/<index>, and turned into image files in
// the page (PNG, or JPEG at the condition's quality, by the browser's own encoder) — so the
// page decodes a real file, as it would a user's upload.

/** One raw photo and how the page should save it. */
export interface ServedPhoto {
  readonly image: RawImage;
  /** JPEG quality (1–100); none: lossless PNG. */
  readonly jpegQuality?: number;
}

/** Renders `inks` under `condition` (the same photos as the server's suite for the same seed). */
export function renderPhotos(inks: readonly InkImage[], condition: PhotoCondition, seed = 15): ServedPhoto[] {
  return inks.map((ink, index) => {
    const rng = createRng(deriveSeed(seed, index));
    const { scene, jpegQuality } = condition.sample(ink, rng);
    const image = renderPhoto(ink, scene, rng);
    return jpegQuality === undefined ? { image } : { image, jpegQuality };
  });
}

/**
 * A route serving `sets[key][index]` at `/photos/<key>/<index>` as its raw bytes, with headers
 * `x-width`, `x-height`, `x-channels` and (for JPEG) `x-quality`.
 */
export function photoRoute(sets: ReadonlyMap<string, readonly ServedPhoto[]>): RouteHandler {
  return (request, response) => {
    const match = /^\/photos\/([\w.-]+)\/(\d+)$/.exec(request.url ?? '');
    const photo = match === null ? undefined : sets.get(match[1])?.[Number(match[2])];
    if (photo === undefined) return false;
    const { width, height, channels, data } = photo.image;
    response.writeHead(200, {
      'content-type': 'application/octet-stream',
      'x-width': String(width),
      'x-height': String(height),
      'x-channels': String(channels),
      ...(photo.jpegQuality === undefined ? {} : { 'x-quality': String(photo.jpegQuality) }),
    });
    response.end(Buffer.from(data.buffer, data.byteOffset, data.byteLength));
    return true;
  };
}

/**
 * An EXIF APP1 segment holding only an orientation tag (1–8), to insert after a JPEG's SOI
 * marker: big-endian TIFF header, one IFD with one SHORT entry (tag 0x0112).
 */
export function exifOrientationSegment(orientation: number): number[] {
  const body = [
    ...[0x45, 0x78, 0x69, 0x66, 0, 0], // "Exif\0\0"
    ...[0x4d, 0x4d, 0x00, 0x2a, 0, 0, 0, 8], // "MM", 42, IFD0 at 8
    ...[0, 1], // one entry
    ...[0x01, 0x12, 0x00, 0x03, 0, 0, 0, 1, 0, orientation, 0, 0], // Orientation, SHORT, 1 value
    ...[0, 0, 0, 0], // no next IFD
  ];
  const length = body.length + 2;
  return [0xff, 0xe1, length >> 8, length & 0xff, ...body];
}

/**
 * Page script (plain JavaScript, added with `page.addScriptTag`) defining
 * `photoFile(key, index)`: fetches a served photo and saves it as the browser would a user's
 * picture — a PNG `Blob`, or a JPEG at the served quality — and `withExif(blob, segment)`:
 * the JPEG with an APP1 segment inserted after its SOI marker.
 */
export const PHOTO_PAGE_SCRIPT = `
window.photoFile = async (key, index) => {
  const response = await fetch('/photos/' + key + '/' + index);
  if (!response.ok) throw new Error('no photo ' + key + '/' + index);
  const width = Number(response.headers.get('x-width'));
  const height = Number(response.headers.get('x-height'));
  const channels = Number(response.headers.get('x-channels'));
  const quality = response.headers.get('x-quality');
  const bytes = new Uint8Array(await response.arrayBuffer());
  const rgba = new Uint8ClampedArray(width * height * 4);
  for (let p = 0; p < width * height; p++) {
    const i = p * channels;
    rgba[p * 4] = bytes[i];
    rgba[p * 4 + 1] = channels >= 3 ? bytes[i + 1] : bytes[i];
    rgba[p * 4 + 2] = channels >= 3 ? bytes[i + 2] : bytes[i];
    rgba[p * 4 + 3] = 255;
  }
  const canvas = new OffscreenCanvas(width, height);
  canvas.getContext('2d').putImageData(new ImageData(rgba, width, height), 0, 0);
  return quality === null ? canvas.convertToBlob({ type: 'image/png' }) : canvas.convertToBlob({ type: 'image/jpeg', quality: Number(quality) / 100 });
};
window.withExif = async (blob, segment) => {
  const bytes = new Uint8Array(await blob.arrayBuffer());
  return new Blob([bytes.subarray(0, 2), new Uint8Array(segment), bytes.subarray(2)], { type: 'image/jpeg' });
};
window.dataUrlPixels = async (url) => {
  const bitmap = await createImageBitmap(await (await fetch(url)).blob());
  const canvas = new OffscreenCanvas(bitmap.width, bitmap.height);
  const context = canvas.getContext('2d');
  context.drawImage(bitmap, 0, 0);
  const { data } = context.getImageData(0, 0, bitmap.width, bitmap.height);
  return { width: bitmap.width, pixels: Array.from({ length: bitmap.width * bitmap.height }, (_, i) => data[i * 4]) };
};
`;

/** What {@link PHOTO_PAGE_SCRIPT} puts on `window`. */
export interface PhotoPageGlobals {
  photoFile(key: string, index: number): Promise<Blob>;
  withExif(blob: Blob, segment: readonly number[]): Promise<Blob>;
  dataUrlPixels(url: string): Promise<{ width: number; pixels: number[] }>;
}
