import { PNG } from 'pngjs';
import { predictionDebug, type PredictionDebug } from '@onnxpipe/core';
import type { PreprocessTrace } from './prepare-inputs.js';

// `?debug=1` on POST /predict: what preprocessing saw, in the response (core's
// PredictionDebug, the object the SDK gives too). It is how a user understands a wrong answer:
// the crop found in their photo, and the 28×28 image the model was given.

/** The PNG of a `side × side` grayscale image, as a `data:` URL (about 1 kB for 28×28). */
export function grayPngDataUrl(pixels: Uint8Array, side: number): string {
  const png = PNG.sync.write(
    { width: side, height: side, data: Buffer.from(pixels.buffer, pixels.byteOffset, pixels.byteLength) } as PNG,
    { colorType: 0, inputColorType: 0, inputHasAlpha: false, bitDepth: 8 },
  );
  return `data:image/png;base64,${png.toString('base64')}`;
}

/** The `debug` object for one prepared item. */
export function debugView(trace: PreprocessTrace): PredictionDebug {
  return predictionDebug(trace, trace, grayPngDataUrl(trace.pixels, trace.side));
}
