import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gunzipSync } from 'node:zlib';

// The real MNIST test digits for the browser tests and the benchmark, read straight from the
// IDX files (a few lines: the SDK may not depend on @onnxpipe/data). Looked up as the README
// says tests do:
// $ONNXPIPE_DATA_DIR, else ../shared/datasets/mnist beside the checkout.

const repositoryRoot = fileURLToPath(new URL('../../../../', import.meta.url));

/** The folder holding t10k-images-idx3-ubyte.gz, or undefined when none is found. */
export function mnistDataDir(): string | undefined {
  const candidates = [process.env.ONNXPIPE_DATA_DIR, join(repositoryRoot, '..', 'shared', 'datasets', 'mnist'), join(repositoryRoot, 'data', 'mnist')];
  return candidates.find((dir) => dir !== undefined && existsSync(join(dir, 't10k-images-idx3-ubyte.gz')));
}

function readIdx(path: string, magic: number): { dims: number[]; data: Uint8Array } {
  const raw = readFileSync(path);
  const bytes = path.endsWith('.gz') ? gunzipSync(raw) : raw;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (view.getUint32(0) !== magic) throw new Error(`${path}: magic ${view.getUint32(0)}, expected ${magic}`);
  const rank = magic & 0xff;
  const dims = Array.from({ length: rank }, (_, i) => view.getUint32(4 + 4 * i));
  return { dims, data: bytes.subarray(4 + 4 * rank) };
}

/** The first `count` test digits: 28×28 bytes each (light ink on black) and their labels. */
export function readMnistTestDigits(dir: string, count: number): { images: Uint8Array[]; labels: number[] } {
  const images = readIdx(join(dir, 't10k-images-idx3-ubyte.gz'), 0x803);
  const labels = readIdx(join(dir, 't10k-labels-idx1-ubyte.gz'), 0x801);
  const n = Math.min(count, images.dims[0]);
  return {
    images: Array.from({ length: n }, (_, i) => images.data.slice(i * 784, (i + 1) * 784)),
    labels: Array.from(labels.data.subarray(0, n)),
  };
}
