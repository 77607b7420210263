import { assertRawImage, type RawImage } from './raw-image.js';

/**
 * Rec. 601 luma of one RGB pixel, rounded to the nearest integer. Integer arithmetic so that
 * every JavaScript engine produces the same byte: the server and the browser must agree.
 */
export function luma601(r: number, g: number, b: number): number {
  return Math.floor((299 * r + 587 * g + 114 * b + 500) / 1000);
}

/** Alpha-weighted mean luma below which strokes count as dark (and are matted onto white). */
const DARK_STROKE_LIMIT = 128;

function lumaAt(data: RawImage['data'], offset: number, channels: number): number {
  return channels >= 3 ? luma601(data[offset], data[offset + 1], data[offset + 2]) : data[offset];
}

/**
 * The matte that transparent pixels are composited onto: the opposite of the strokes.
 *
 * Returns `undefined` for a fully opaque image (alpha plays no part). Otherwise the strokes'
 * tone is the alpha-weighted mean luma `Σ αᵢ·Yᵢ / Σ αᵢ`, in which fully transparent pixels weigh
 * nothing whatever RGB they carry; dark strokes (mean < 128) get a white matte, light ones a
 * black matte, and an image with no opaque pixel at all gets white (it is empty either way).
 */
export function alphaMatte(image: RawImage): 0 | 255 | undefined {
  const { data, channels } = image;
  if (channels !== 2 && channels !== 4) return undefined;
  const alphaOffset = channels - 1;
  let opaque = true;
  let weight = 0;
  let weighted = 0;
  for (let i = 0; i < data.length; i += channels) {
    const alpha = data[i + alphaOffset];
    if (alpha !== 255) opaque = false;
    if (alpha === 0) continue;
    weight += alpha;
    weighted += alpha * lumaAt(data, i, channels);
  }
  if (opaque) return undefined;
  if (weight === 0) return 255;
  return weighted / weight < DARK_STROKE_LIMIT ? 255 : 0;
}

/**
 * One gray value per pixel (row-major, 0 = black, 255 = white): step 1 of preprocessing.
 *
 * - 1 channel: copied. 3 or 4 channels: Rec. 601 luma `0.299 R + 0.587 G + 0.114 B`.
 * - Alpha (2 or 4 channels), straight not premultiplied: an image whose pixels are all opaque
 *   ignores alpha. Otherwise transparency is background: each pixel is composited
 *   `(α·Y + (255 − α)·matte) / 255` onto a matte that contrasts with the strokes (see
 *   {@link alphaMatte}): dark strokes on a transparent canvas become dark on white, light
 *   strokes become light on black. The RGB of fully transparent pixels never matters, so
 *   canvases that clear to `rgba(0,0,0,0)` and editors that export `rgba(255,255,255,0)` give
 *   the same result, and anti-aliased stroke edges (partial alpha) fade into the background.
 *
 * @example
 * ```ts
 * const red = 255, blue = 255;
 * toGrayscale({ width: 2, height: 1, channels: 3, data: Uint8Array.of(red, 0, 0, 0, 0, blue) });
 * // → Uint8Array [76, 29]
 * ```
 */
export function toGrayscale(image: RawImage): Uint8Array {
  assertRawImage(image);
  const { data, channels, width, height } = image;
  const out = new Uint8Array(width * height);
  if (channels === 1) {
    out.set(data);
    return out;
  }
  const matte = alphaMatte(image);
  for (let p = 0, i = 0; p < out.length; p++, i += channels) {
    const y = lumaAt(data, i, channels);
    if (matte === undefined) {
      out[p] = y;
    } else {
      const alpha = data[i + channels - 1];
      out[p] = Math.floor((alpha * y + (255 - alpha) * matte + 127) / 255);
    }
  }
  return out;
}
