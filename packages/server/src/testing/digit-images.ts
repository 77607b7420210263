import sharp from 'sharp';

/** How {@link encodeDigit} draws a 28×28 MNIST digit. */
export interface DigitImageOptions {
  /** Upscale factor (nearest neighbour is not used: a smooth resize, like a photo). @defaultValue 4 */
  readonly scale?: number;
  /** Dark ink on white paper instead of MNIST's light on black. @defaultValue true */
  readonly darkOnWhite?: boolean;
  /** Blank margin around the digit, in output pixels. @defaultValue 24 */
  readonly margin?: number;
  /** @defaultValue 'png' */
  readonly format?: 'png' | 'jpeg' | 'webp';
}

/** Encodes an MNIST digit as a photo-like image: upscaled, padded, usually dark on white, RGB. */
export async function encodeDigit(pixels: Uint8Array, options: DigitImageOptions = {}): Promise<Buffer> {
  const scale = options.scale ?? 4;
  const margin = options.margin ?? 24;
  const darkOnWhite = options.darkOnWhite ?? true;
  const gray = darkOnWhite ? pixels.map((p) => 255 - p) : pixels;
  const background = darkOnWhite ? 255 : 0;
  const image = sharp(Buffer.from(gray), { raw: { width: 28, height: 28, channels: 1 } })
    .resize(28 * scale, 28 * scale, { kernel: 'cubic' })
    .extend({
      top: margin,
      bottom: margin,
      left: margin,
      right: margin,
      background: { r: background, g: background, b: background },
    })
    .toColourspace('srgb');
  const format = options.format ?? 'png';
  return format === 'png'
    ? image.png().toBuffer()
    : format === 'jpeg'
      ? image.jpeg({ quality: 90 }).toBuffer()
      : image.webp().toBuffer();
}

/** A `width × height` solid image (a blank page, or a big image for limit tests). */
export async function solidImage(
  width: number,
  height: number,
  format: 'png' | 'jpeg' | 'webp' | 'gif' = 'png',
  value = 255,
): Promise<Buffer> {
  const image = sharp({ create: { width, height, channels: 3, background: { r: value, g: value, b: value } } });
  return image.toFormat(format).toBuffer();
}
