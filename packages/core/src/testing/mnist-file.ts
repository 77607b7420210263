import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gunzipSync } from 'node:zlib';

// Where the MNIST test files are, for the tests and benchmarks of every package: the one lookup
// (@onnxpipe/data/testing's mnistTestDataDir is this function). It lives at the bottom of the
// dependency graph because core's own tests need it and core cannot depend on data (data depends
// on core); core's tests also read the two IDX files here, data's reader being out of reach.

const repositoryRoot = fileURLToPath(new URL('../../../../', import.meta.url));
/** The MNIST test images' file name (gzip-compressed IDX). */
export const MNIST_TEST_IMAGES = 't10k-images-idx3-ubyte.gz';
const IMAGES = MNIST_TEST_IMAGES;
const LABELS = 't10k-labels-idx1-ubyte.gz';
/** @onnxpipe/data's `DATA_DIR_ENV`: the folder of a dataset's files (README, "Data"). */
const DATA_DIR_ENV = 'ONNXPIPE_DATA_DIR';

/**
 * The folder holding the MNIST test files: `$ONNXPIPE_DATA_DIR`, else `../shared/datasets/mnist`
 * beside the checkout (where CI keeps them), else the download cache `data/mnist/`; `undefined`
 * when none has them (tests then skip with a reason). Never downloads.
 */
export function mnistTestDir(): string | undefined {
  const candidates = [
    process.env[DATA_DIR_ENV],
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
