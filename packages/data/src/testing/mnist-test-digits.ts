import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { MNIST_TEST_IMAGES, mnistTestDir } from '@onnxpipe/core/testing';
import { maybeGunzip, parseIdx } from '../idx-reader.js';

// Real MNIST test digits for tests and benchmarks of every package (a test-only entry point:
// packages that may not depend on @onnxpipe/data at run time still use it in tests). Never
// downloads: callers skip with a reason when the files are not here.

const TEST_IMAGES = MNIST_TEST_IMAGES;
const TEST_LABELS = 't10k-labels-idx1-ubyte.gz';

/**
 * The folder holding the MNIST test files: `$ONNXPIPE_DATA_DIR`, else `../shared/datasets/mnist`
 * beside the checkout (where CI keeps them), else the download cache `data/mnist/`; `undefined`
 * when none has them. The one lookup: `mnistTestDir` of `@onnxpipe/core/testing`, which core's
 * own tests use (they cannot import this package: data depends on core).
 */
export function mnistTestDataDir(): string | undefined {
  return mnistTestDir();
}

/**
 * The first `count` MNIST test digits: 28×28 bytes each (light ink on black) and their labels.
 *
 * @param dir - a folder from {@link mnistTestDataDir}
 */
export function readMnistTestDigits(dir: string, count: number): { images: Uint8Array[]; labels: number[] } {
  const read = (name: string) => maybeGunzip(new Uint8Array(readFileSync(join(dir, name))), name);
  const images = parseIdx(read(TEST_IMAGES), TEST_IMAGES, { expect: 'images' });
  const labels = parseIdx(read(TEST_LABELS), TEST_LABELS, { expect: 'labels' });
  const size = images.rows * images.cols;
  const n = Math.min(count, images.count);
  return {
    images: Array.from({ length: n }, (_, i) => images.data.slice(i * size, (i + 1) * size)),
    labels: Array.from(labels.data.subarray(0, n)),
  };
}
