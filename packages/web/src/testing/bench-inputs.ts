import type { RawImage } from '@onnxpipe/core';

// The benchmark's inputs in Node, identical to what bench-page-script.ts builds in the page:
// an MNIST digit drawn as a user would, dark ink on white, `scale` times larger, as RGBA.

/** One MNIST digit (28×28 bytes, light on black) as a `28·scale`-pixel dark-on-white RGBA image. */
export function drawnDigit(bytes: ArrayLike<number>, scale: number): RawImage {
  const side = 28 * scale;
  const data = new Uint8ClampedArray(side * side * 4);
  for (let y = 0; y < side; y++) {
    for (let x = 0; x < side; x++) {
      const v = 255 - bytes[Math.floor(y / scale) * 28 + Math.floor(x / scale)];
      data.set([v, v, v, 255], (y * side + x) * 4);
    }
  }
  return { width: side, height: side, channels: 4, data };
}
