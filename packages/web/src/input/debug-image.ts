// The SDK's `{ debug: true }`: the 28×28 image the model saw, as a PNG data URL, encoded by the
// browser's own canvas (no PNG encoder in the bundle). The server's `?debug=1` sends the same
// pixels, encoded by pngjs.

type Context2D = CanvasRenderingContext2D | OffscreenCanvasRenderingContext2D;

function blobToDataUrl(blob: Blob): Promise<string> {
  return new Promise((resolve, reject) => {
    const reader = new FileReader();
    reader.onload = () => resolve(reader.result as string);
    reader.onerror = () => reject(reader.error ?? new Error('the PNG could not be read back'));
    reader.readAsDataURL(blob);
  });
}

/**
 * A `side × side` grayscale image (0 black – 255 white) as a PNG `data:` URL.
 *
 * @example
 * ```ts
 * img.src = await grayPngDataUrl(prepared.pixels, 28);
 * ```
 */
export async function grayPngDataUrl(pixels: Uint8Array, side: number): Promise<string> {
  const rgba = new Uint8ClampedArray(side * side * 4);
  for (let i = 0; i < side * side; i++) {
    rgba[i * 4] = rgba[i * 4 + 1] = rgba[i * 4 + 2] = pixels[i];
    rgba[i * 4 + 3] = 255;
  }
  const image = new ImageData(rgba, side, side);
  if (typeof OffscreenCanvas === 'function') {
    const canvas = new OffscreenCanvas(side, side);
    (canvas.getContext('2d') as Context2D).putImageData(image, 0, 0);
    return blobToDataUrl(await canvas.convertToBlob({ type: 'image/png' }));
  }
  const canvas = Object.assign(document.createElement('canvas'), { width: side, height: side });
  (canvas.getContext('2d') as Context2D).putImageData(image, 0, 0);
  return canvas.toDataURL('image/png');
}
