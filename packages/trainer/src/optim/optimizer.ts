/** What an optimizer is, as plain data: the main thread and every worker build the same one from it. */
export type OptimizerSpec =
  | { readonly kind: 'adadelta'; readonly rho: number; readonly epsilon: number }
  | { readonly kind: 'adam'; readonly beta1: number; readonly beta2: number; readonly epsilon: number };

/** Named state arrays, each as long as the parameters (shared memory when workers update them). */
export type OptimizerState = Readonly<Record<string, Float32Array>>;

/**
 * Updates a flat parameter buffer with gradient (Σ parts)·scale: each data-parallel worker's
 * summed gradient is one part and `scale` turns the sum into the batch mean. A worker updates
 * only its slice [start, end), so state is elementwise.
 */
export interface Optimizer {
  readonly spec: OptimizerSpec;
  readonly state: OptimizerState;
  /** `step` counts updates from 1 (Adam's bias correction needs it). */
  update(
    params: Float32Array,
    parts: readonly Float32Array[],
    scale: number,
    lr: number,
    step: number,
    start: number,
    end: number,
  ): void;
  restore(state: OptimizerState): void;
}

/** `names` zeroed arrays of `size` floats, on shared memory when asked. */
export function allocateState(names: readonly string[], size: number, shared: boolean): Record<string, Float32Array> {
  const bytes = size * Float32Array.BYTES_PER_ELEMENT;
  return Object.fromEntries(
    names.map((name) => [name, new Float32Array(shared ? new SharedArrayBuffer(bytes) : new ArrayBuffer(bytes))]),
  );
}

/** The gradient (a + b)·scale, rounded to float32 after the sum and after the scaling. */
export function combinedGradient(a: Float32Array, b: Float32Array | undefined, scale: number, i: number): number {
  return Math.fround((b === undefined ? a[i] : Math.fround(a[i] + b[i])) * scale);
}

/**
 * Folds more than two parts into two (in order), so that an update loop reads two operands:
 * a loop over a list of parts runs ~1.5x slower.
 */
export function foldParts(
  parts: readonly Float32Array[],
  start: number,
  end: number,
): [Float32Array, Float32Array | undefined] {
  if (parts.length <= 2) return [parts[0], parts[1]];
  const folded = parts[0].slice();
  for (const part of parts.slice(1, -1)) {
    for (let i = start; i < end; i++) folded[i] += part[i];
  }
  return [folded, parts.at(-1)];
}
