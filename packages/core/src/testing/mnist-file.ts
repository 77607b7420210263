import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gunzipSync } from 'node:zlib';

// Real MNIST test digits for core's own tests. @onnxpipe/data/testing is the reader every other
// package's tests use; core cannot depend on data (data depends on core), so its tests read
// the two IDX files here, looked up the same way: $ONNXPIPE_DATA_DIR, ../shared/datasets/mnist
// beside the checkout, the download cache data/mnist.

const repositoryRoot = fileURLToPath(new URL('../../../../', import.meta.url));
const IMAGES = 't10k-images-idx3-ubyte.gz';
const LABELS = 't10k-labels-idx1-ubyte.gz';

/** The folder holding the MNIST test files, or `undefined` (tests then skip with a reason). */
export function mnistTestDir(): string | undefined {
  const candidates = [
    process.env.ONNXPIPE_DATA_DIR,
    join(repositoryRoot, '..', 'shared', 'datasets', 'mnist'),
    join(repositoryRoot, 'data', 'mnist'),
  ];
  return candidates.find((dir): dir is string => dir !== undefined && dir !== '' && existsSync(join(dir, IMAGES)));
}

/** The first `count` MNIST test digits (28×28 bytes, light ink on black) and their labels. */
export function mnistTestSet(dir: string, count: number): { images: Uint8Array[]; labels: number[] } {
  const images = gunzipSync(readFileSync(join(dir, IMAGES)));
  const labels = gunzipSync(readFileSync(join(dir, LABELS)));
  if (images.readUInt32BE(0) !== 0x803 || labels.readUInt32BE(0) !== 0x801)
    throw new Error(`${dir}: not MNIST IDX files`);
  const n = Math.min(count, images.readUInt32BE(4));
  return {
    images: Array.from({ length: n }, (_, i) => new Uint8Array(images.subarray(16 + i * 784, 16 + (i + 1) * 784))),
    labels: Array.from(labels.subarray(8, 8 + n)),
  };
}
