import { existsSync } from 'node:fs';
import { join } from 'node:path';
import sharp from 'sharp';
import { loadDataset } from '@onnxpipe/data';
import { repositoryRoot } from './web-server.js';

// Real MNIST test digits for the browser tests, from $ONNXPIPE_DATA_DIR or the shared dataset
// folder beside the checkout (never downloaded here: the tests skip without it).

/** The folder with the MNIST files, or undefined. */
export function mnistDataDir(): string | undefined {
  const candidates = [process.env.ONNXPIPE_DATA_DIR, join(repositoryRoot, '..', 'shared', 'datasets', 'mnist')];
  return candidates.find((dir) => dir !== undefined && existsSync(join(dir, 't10k-images-idx3-ubyte.gz')));
}

/** The first `count` test digits: 784 bytes each (light ink on black) and their labels. */
export async function mnistTestDigits(count: number): Promise<{ images: Uint8Array[]; labels: number[] }> {
  const dataDir = mnistDataDir();
  if (dataDir === undefined) throw new Error('no MNIST test set: set ONNXPIPE_DATA_DIR');
  const test = await loadDataset({ name: 'mnist', split: 'test', dataDir, download: false });
  const n = Math.min(count, test.count);
  return {
    images: Array.from({ length: n }, (_, i) => test.images.slice(i * 784, (i + 1) * 784)),
    labels: Array.from(test.labels.subarray(0, n)),
  };
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
