import { ONNXPIPE_CORE_INVALID_ARGUMENT } from './errors.js';

/** Per-dataset pixel statistics: inputs are `(pixel / 255 - mean) / std`. */
export interface Normalization {
  readonly mean: number;
  readonly std: number;
}

/**
 * Mean and standard deviation of the MNIST training pixels scaled to [0, 1]; the values
 * torchvision's examples use, so models trained here and there see the same inputs.
 */
export const MNIST_NORMALIZATION = { mean: 0.1307, std: 0.3081 } as const satisfies Normalization;

/** Mean and standard deviation of the Fashion-MNIST training pixels scaled to [0, 1]. */
export const FASHION_MNIST_NORMALIZATION = {
  mean: 0.286,
  std: 0.353,
} as const satisfies Normalization;

function assertValid(normalization: Normalization): void {
  const { mean, std } = normalization;
  if (!Number.isFinite(mean) || !Number.isFinite(std) || !(std > 0)) {
    throw new ONNXPIPE_CORE_INVALID_ARGUMENT(
      `'normalization' must have a finite mean and a positive finite std; received mean ${mean}, std ${std}`,
    );
  }
}

// A uint8 pixel has only 256 values, so a table is both faster than arithmetic per pixel and
// bit-identical wherever it is used (trainer, exporter tests, browser preprocessing).
const tables = new Map<string, Float32Array>();

/**
 * The 256 normalised values indexed by pixel value, computed in double precision and rounded
 * once to float32. The returned table is shared: do not modify it.
 *
 * @example
 * ```ts
 * const table = normalizationTable(MNIST_NORMALIZATION);
 * table[255]; // ≈ 2.8215
 * ```
 */
export function normalizationTable(normalization: Normalization): Float32Array {
  assertValid(normalization);
  const key = `${normalization.mean}/${normalization.std}`;
  let table = tables.get(key);
  if (table === undefined) {
    table = new Float32Array(256);
    for (let p = 0; p < 256; p++) table[p] = (p / 255 - normalization.mean) / normalization.std;
    tables.set(key, table);
  }
  return table;
}

/**
 * Converts uint8 pixels (0 = background, 255 = ink) to the model's float32 input.
 *
 * @param pixels - raw pixels, any layout
 * @param normalization - e.g. {@link MNIST_NORMALIZATION}
 * @param out - optional destination of exactly `pixels.length` values, to avoid allocating
 * @returns `out`, or a new array, with `(p / 255 - mean) / std` per pixel
 *
 * @example
 * ```ts
 * const x = normalizePixels(imageBytes, MNIST_NORMALIZATION);
 * ```
 */
export function normalizePixels(pixels: Uint8Array, normalization: Normalization, out?: Float32Array): Float32Array {
  const table = normalizationTable(normalization);
  const target = out ?? new Float32Array(pixels.length);
  if (target.length !== pixels.length) {
    throw new ONNXPIPE_CORE_INVALID_ARGUMENT(
      `'out' must have as many elements as 'pixels' (${pixels.length}); received ${target.length}`,
    );
  }
  for (let i = 0; i < pixels.length; i++) target[i] = table[pixels[i]];
  return target;
}
