import sharp from 'sharp';
import { mnistTestDataDir, readMnistTestDigits } from '@onnxpipe/data/testing';

// Real MNIST test digits for the browser tests, from $ONNXPIPE_DATA_DIR or the shared dataset
// folder beside the checkout (never downloaded here: the tests skip without it).

export { mnistTestDataDir };

/** The first `count` test digits: 784 bytes each (light ink on black) and their labels. */
export async function mnistTestDigits(count: number): Promise<{ images: Uint8Array[]; labels: number[] }> {
  const dataDir = mnistTestDataDir();
  if (dataDir === undefined) throw new Error('no MNIST test set: set ONNXPIPE_DATA_DIR');
  return readMnistTestDigits(dataDir, count);
}

/** A digit as a photo-like PNG: dark ink on white, upscaled 4× with a margin, RGB. */
export async function digitPng(pixels: Uint8Array): Promise<Buffer> {
  return sharp(Buffer.from(pixels.map((p) => 255 - p)), { raw: { width: 28, height: 28, channels: 1 } })
    .resize(112, 112, { kernel: 'cubic' })
    .extend({ top: 24, bottom: 24, left: 24, right: 24, background: { r: 255, g: 255, b: 255 } })
    .toColourspace('srgb')
    .png()
    .toBuffer();
}
