import sharp from 'sharp';
import { createRng, deriveSeed, type RawImage } from '@onnxpipe/core';
import { renderPhoto, type InkImage, type PhotoCondition } from '@onnxpipe/core/testing';

// Photo-like test images as a client would send them: core's renderer (seeded, the same photos
// on every run), saved as PNG when the condition is lossless and as JPEG at its quality otherwise.

/** An image file for POST /predict. */
export interface PhotoFile {
  readonly bytes: Buffer;
  readonly type: 'image/png' | 'image/jpeg';
}

/** Encodes a rendered RGB photo: lossless PNG, or JPEG at `quality` (4:2:0, as cameras save). */
export async function encodePhoto(photo: RawImage, quality?: number): Promise<PhotoFile> {
  const image = sharp(Buffer.from(photo.data.buffer, photo.data.byteOffset, photo.data.byteLength), {
    raw: { width: photo.width, height: photo.height, channels: photo.channels },
  });
  return quality === undefined
    ? { bytes: await image.png().toBuffer(), type: 'image/png' }
    : { bytes: await image.jpeg({ quality }).toBuffer(), type: 'image/jpeg' };
}

/**
 * The photo of digit `index` under `condition`: the same bytes for the same (seed, condition,
 * index) on every run.
 */
export async function photoFile(
  ink: InkImage,
  condition: PhotoCondition,
  index: number,
  seed = 15,
): Promise<PhotoFile> {
  const rng = createRng(deriveSeed(seed, index));
  const { scene, jpegQuality } = condition.sample(ink, rng);
  return encodePhoto(renderPhoto(ink, scene, rng), jpegQuality);
}
