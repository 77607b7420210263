import { PNG } from 'pngjs';
import type { PreprocessTrace } from './prepare-inputs.js';

// `?debug=1` on POST /predict: what preprocessing saw, in the response. It is how a user
// understands a wrong answer — the crop found in their photo, and the 28×28 image the model
// was given.

/** The `debug` object of one prediction (see its schema in routes/predict.ts). */
export interface DebugView {
  readonly method: PreprocessTrace['method'];
  readonly inverted: boolean;
  /** The crop around the digit, in the decoded image's pixels; `null` when nothing was found or preprocessing was skipped. */
  readonly box: { readonly x: number; readonly y: number; readonly width: number; readonly height: number } | null;
  readonly imageWidth: number;
  readonly imageHeight: number;
  /** The model's input image as a grayscale PNG data URL (0 background, 255 ink, as MNIST). */
  readonly image: string;
}

/** The PNG of a `side × side` grayscale image, as a `data:` URL (about 1 kB for 28×28). */
export function grayPngDataUrl(pixels: Uint8Array, side: number): string {
  const png = PNG.sync.write(
    { width: side, height: side, data: Buffer.from(pixels.buffer, pixels.byteOffset, pixels.byteLength) } as PNG,
    { colorType: 0, inputColorType: 0, inputHasAlpha: false, bitDepth: 8 },
  );
  return `data:image/png;base64,${png.toString('base64')}`;
}

/** The `debug` object for one prepared item. */
export function debugView(trace: PreprocessTrace): DebugView {
  const { box } = trace;
  return {
    method: trace.method,
    inverted: trace.inverted,
    box: box === undefined ? null : { x: box.x0, y: box.y0, width: box.x1 - box.x0, height: box.y1 - box.y0 },
    imageWidth: trace.width,
    imageHeight: trace.height,
    image: grayPngDataUrl(trace.pixels, trace.side),
  };
}
