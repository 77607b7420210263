import sharp from 'sharp';
import { createRng } from '@onnxpipe/core';
import { photoCondition, renderPhoto } from '@onnxpipe/core/testing';

// A phone-like photo of a real digit for the demo page: 2000×1500, the digit written small-ish
// and off-centre on paper under uneven light with sensor noise, saved as a camera saves it —
// JPEG, stored sideways with EXIF orientation 6 ("rotate 90° clockwise to display").

/** The photo's JPEG bytes and where the digit's centre is in the upright picture. */
export async function phonePhoto(
  pixels: Uint8Array,
  seed = 1,
): Promise<{ bytes: Buffer; width: number; height: number }> {
  const ink = { width: 28, height: 28, data: pixels };
  const rng = createRng(seed);
  const base = photoCondition('gradient-noise-jpeg').sample(ink, rng).scene;
  const [width, height] = [2000, 1500];
  const scene = { ...base, width, height, centerX: 800, centerY: 700, digitSize: 700, blur: 1.5, noise: 8 };
  const upright = renderPhoto(ink, scene, rng);
  const bytes = await sharp(Buffer.from(upright.data), { raw: { width, height, channels: 3 } })
    .rotate(270)
    .jpeg({ quality: 80 })
    .withMetadata({ orientation: 6 })
    .toBuffer();
  return { bytes, width, height };
}
