import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * Where tests find the real MNIST files: $ONNXPIPE_DATA_DIR (CI points it at the shared copy),
 * else the shared folder beside the checkout.
 */
export const MNIST_DIR =
  process.env.ONNXPIPE_DATA_DIR ?? join(fileURLToPath(new URL('../../../../', import.meta.url)), '..', 'shared', 'datasets', 'mnist');
