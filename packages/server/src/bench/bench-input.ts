import { CONFIG_DEFAULTS } from '../config.js';
import { prepareInputs } from '../input/prepare-inputs.js';
import type { ModelMetadata } from '@onnxpipe/core';
import { encodeDigit } from '../testing/digit-images.js';
import { mnistTestDataDir, readMnistTestDigits } from '@onnxpipe/data/testing';

/** The request body of the bench: one real MNIST test digit as a small PNG. */
export interface BenchDigit {
  readonly png: Buffer;
  readonly label: string;
  /** Index in the MNIST test set. */
  readonly index: number;
  readonly side: number;
}

/**
 * MNIST test digit `index` drawn dark on white and upscaled `scale`× (28 → 56 px at 2), as an
 * RGB PNG: the kind of small image a client sends.
 *
 * @throws when no MNIST test set is found (`dataDir`, `$ONNXPIPE_DATA_DIR`, ../shared/datasets/mnist)
 */
export async function benchDigit(options: { dataDir?: string; index: number; scale: number }): Promise<BenchDigit> {
  const dir = options.dataDir ?? mnistTestDataDir();
  if (dir === undefined) {
    throw new Error(
      'no MNIST test set found: pass --data-dir or set ONNXPIPE_DATA_DIR to the folder holding t10k-images-idx3-ubyte.gz',
    );
  }
  const { images, labels } = readMnistTestDigits(dir, options.index + 1);
  if (images.length <= options.index)
    throw new Error(`'--digit' must be below ${images.length}; received ${options.index}`);
  const png = await encodeDigit(images[options.index], {
    scale: options.scale,
    margin: 0,
    darkOnWhite: true,
    format: 'png',
  });
  return { png, label: String(labels[options.index]), index: options.index, side: 28 * options.scale };
}

/** The model input the server computes for `png` (decode, `preprocess=mnist`, normalise). */
export async function preprocessLikeServer(png: Uint8Array, metadata: ModelMetadata): Promise<Float32Array> {
  const [prepared] = await prepareInputs(
    [{ kind: 'image', bytes: png, where: 'bench digit' }],
    metadata,
    'mnist',
    CONFIG_DEFAULTS.maxImagePixels as number,
  );
  return prepared.input;
}
