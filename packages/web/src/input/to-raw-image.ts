import { OnnxpipeError, pixelsFromFloats, type RawImage, errorMessage } from '@onnxpipe/core';
import { ONNXPIPE_WEB_BAD_INPUT } from '../errors.js';
import { describeInput, INPUT_TYPES, inputKind } from './input-kinds.js';

// Every accepted input becomes the RawImage that core's preprocessing takes: RGBA bytes read
// back from a canvas, or the 1-channel image the server makes of JSON pixels (the same
// `pixelsFromFloats`, so equal pixels give equal answers in the page and on the server).
// Files and images are read in their EXIF orientation, and a photo larger than `maxSide` is
// scaled down by the browser (high-quality resampling) before preprocessing reads it: a phone's
// 12-megapixel photo would otherwise cost tens of milliseconds of per-pixel work in JS.

type Context2D = CanvasRenderingContext2D | OffscreenCanvasRenderingContext2D;
type Drawable = CanvasImageSource & { readonly width: number; readonly height: number };

function scratchContext(width: number, height: number): Context2D {
  // OffscreenCanvas works in workers too; a DOM canvas is the fallback for old Safari.
  const canvas =
    typeof OffscreenCanvas === 'function'
      ? new OffscreenCanvas(width, height)
      : Object.assign(document.createElement('canvas'), { width, height });
  const context = canvas.getContext('2d', { willReadFrequently: true }) as Context2D | null;
  if (context === null) throw new Error('this browser gives no 2D canvas context');
  return context;
}

function readBack(context: Context2D, width: number, height: number): RawImage {
  const { data } = context.getImageData(0, 0, width, height);
  return { width, height, channels: 4, data };
}

/** The size `width × height` scaled so that its long side is at most `maxSide`, aspect kept. */
export function fittedSize(width: number, height: number, maxSide: number): { width: number; height: number } {
  const scale = Math.min(1, maxSide / Math.max(width, height));
  return { width: Math.max(1, Math.round(width * scale)), height: Math.max(1, Math.round(height * scale)) };
}

function drawToImage(source: Drawable, width: number, height: number, maxSide = Infinity): RawImage {
  const size = fittedSize(width, height, maxSide);
  const context = scratchContext(size.width, size.height);
  if (size.width !== width || size.height !== height) {
    context.imageSmoothingEnabled = true;
    context.imageSmoothingQuality = 'high';
  }
  context.drawImage(source, 0, 0, size.width, size.height);
  return readBack(context, size.width, size.height);
}

function fromCanvas(canvas: HTMLCanvasElement | OffscreenCanvas): RawImage {
  const { width, height } = canvas;
  // A canvas holding a WebGL or bitmaprenderer context has no 2D context to read: copy it.
  const context = canvas.getContext('2d') as Context2D | null;
  return context === null ? drawToImage(canvas, width, height) : readBack(context, width, height);
}

async function fromImageElement(image: HTMLImageElement, maxSide: number): Promise<RawImage> {
  if (!image.complete || image.naturalWidth === 0) await image.decode();
  // naturalWidth/Height and drawImage follow the image's EXIF orientation (CSS image-orientation: from-image).
  return drawToImage(image, image.naturalWidth, image.naturalHeight, maxSide);
}

async function fromBlob(blob: Blob, maxSide: number): Promise<RawImage> {
  // No colour-space conversion and straight alpha: the pixels as stored in the file, as the
  // server's decoder reads them; turned upright by its EXIF orientation, as the server does.
  const bitmap = await createImageBitmap(blob, {
    colorSpaceConversion: 'none',
    premultiplyAlpha: 'none',
    imageOrientation: 'from-image',
  });
  try {
    return drawToImage(bitmap, bitmap.width, bitmap.height, maxSide);
  } finally {
    bitmap.close();
  }
}

function badInput(where: string, message: string, cause?: unknown): OnnxpipeError {
  return cause === undefined
    ? new ONNXPIPE_WEB_BAD_INPUT(`'${where}' ${message}`)
    : new ONNXPIPE_WEB_BAD_INPUT(`'${where}' ${message}`, { cause });
}

/**
 * The image an input stands for. `side` is the model's input side: raw pixels must number
 * `side²` (in 0–1 or 0–255, 0 = black, as the server's JSON `pixels`). Files, `<img>` elements
 * and bitmaps larger than `maxSide` are scaled down to it; canvases and `ImageData` are read as
 * they are (their pixels are the caller's own).
 *
 * @throws `ONNXPIPE_WEB_BAD_INPUT` naming `input[index]`: an unsupported type (with the valid
 * types), an image that cannot be decoded or read (cross-origin, empty), pixels of the wrong count
 * or range
 */
export async function toRawImage(input: unknown, index: number, side: number, maxSide = Infinity): Promise<RawImage> {
  const where = `input[${index}]`;
  const kind = inputKind(input);
  try {
    switch (kind) {
      case 'floats':
        return pixelsFromFloats(input as ArrayLike<number>, { size: side });
      case 'imagedata': {
        const { width, height, data } = input as ImageData;
        return { width, height, channels: 4, data };
      }
      case 'canvas':
        return fromCanvas(input as HTMLCanvasElement | OffscreenCanvas);
      case 'drawable':
        return drawToImage(input as ImageBitmap, (input as ImageBitmap).width, (input as ImageBitmap).height, maxSide);
      case 'image':
        return await fromImageElement(input as HTMLImageElement, maxSide);
      case 'blob':
        return await fromBlob(input as Blob, maxSide);
      default:
        throw badInput(where, `must be one of ${INPUT_TYPES.join(', ')}; received ${describeInput(input)}`);
    }
  } catch (error) {
    if (error instanceof OnnxpipeError && error.code === ONNXPIPE_WEB_BAD_INPUT.code) throw error;
    throw badInput(where, `(${describeInput(input)}) cannot be read: ${readFailure(kind, input, error)}`, error);
  }
}

function readFailure(kind: string | undefined, input: unknown, error: unknown): string {
  const message = errorMessage(error);
  if (error instanceof Error && error.name === 'SecurityError') {
    return `the image is cross-origin and taints the canvas; serve it with CORS and set crossOrigin="anonymous" (${message})`;
  }
  if (kind === 'blob') {
    const blob = input as Blob;
    return `not a decodable image (type ${JSON.stringify(blob.type)}, ${blob.size} bytes; PNG, JPEG, WebP, GIF or BMP expected): ${message}`;
  }
  if (kind === 'image')
    return `the <img> could not be decoded (${JSON.stringify((input as HTMLImageElement).currentSrc || (input as HTMLImageElement).src)}): ${message}`;
  return message;
}
