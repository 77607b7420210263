import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const SHARED_MNIST = join(fileURLToPath(new URL('../../../../', import.meta.url)), '..', 'shared', 'datasets', 'mnist');

/**
 * Where tests find the real MNIST files: $ONNXPIPE_DATA_DIR (CI points it at the shared copy),
 * else the shared folder beside the checkout when present, else undefined — the loader's own
 * lookup, which uses data/mnist/ and downloads into it on a machine with internet.
 */
export const MNIST_DIR: string | undefined =
  process.env.ONNXPIPE_DATA_DIR ?? (existsSync(SHARED_MNIST) ? SHARED_MNIST : undefined);
