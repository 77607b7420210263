import { ONNXPIPE_CORE_INVALID_ARGUMENT } from './errors.js';

/**
 * A small seeded PRNG. Training runs must replay exactly from a seed on any machine and in
 * the browser, so this never touches `Math.random` and its output sequence is part of the
 * project's compatibility surface: changing it changes every recorded run.
 */
export interface Rng {
  /** A float in [0, 1) with 32 random bits. */
  next(): number;
  /** An integer in [0, 2^32). */
  nextUint32(): number;
  /** An unbiased integer in [0, maxExclusive); `maxExclusive` must be an integer in [1, 2^32]. */
  nextInt(maxExclusive: number): number;
}

const TWO_POW_32 = 0x1_0000_0000;
const GOLDEN = 0x9e3779b9;

/** murmur3's 32-bit finaliser: every input bit affects every output bit. */
function mix32(x: number): number {
  x = Math.imul(x ^ (x >>> 16), 0x85ebca6b);
  x = Math.imul(x ^ (x >>> 13), 0xc2b2ae35);
  return (x ^ (x >>> 16)) >>> 0;
}

/** Folds any safe integer (including seeds like `Date.now()`) into 32 well-mixed bits. */
function foldSeed(value: number, what: string): number {
  if (!Number.isSafeInteger(value)) {
    throw new ONNXPIPE_CORE_INVALID_ARGUMENT(`'${what}' must be a safe integer; received ${String(value)}`);
  }
  const lo = value >>> 0;
  const hi = Math.floor(value / TWO_POW_32) >>> 0;
  return mix32(lo ^ mix32(hi ^ 0x5bd1e995));
}

/**
 * Creates a generator: sfc32 (small fast counting generator, passes PractRand), with its
 * 128-bit state filled by splitmix32 so that nearby seeds (0, 1, 2, ...) start far apart.
 *
 * @param seed - any safe integer
 *
 * @example
 * ```ts
 * const rng = createRng(42);
 * const dropoutMask = rng.next() < 0.5;
 * ```
 */
export function createRng(seed: number): Rng {
  let sm = foldSeed(seed, 'seed');
  const splitmix = (): number => {
    sm = (sm + GOLDEN) | 0;
    return mix32(sm);
  };
  let a = splitmix();
  let b = splitmix();
  let c = splitmix();
  let d = 1; // sfc32's counter: starting at 1 keeps the all-zero state unreachable

  const nextUint32 = (): number => {
    const t = (((a + b) | 0) + d) | 0;
    d = (d + 1) | 0;
    a = b ^ (b >>> 9);
    b = (c + (c << 3)) | 0;
    c = (c << 21) | (c >>> 11);
    c = (c + t) | 0;
    return t >>> 0;
  };
  // The reference implementation discards the first outputs to let the state mix.
  for (let i = 0; i < 12; i++) nextUint32();

  return {
    nextUint32,
    next: () => nextUint32() / TWO_POW_32,
    nextInt(maxExclusive: number): number {
      if (!Number.isInteger(maxExclusive) || maxExclusive < 1 || maxExclusive > TWO_POW_32) {
        throw new ONNXPIPE_CORE_INVALID_ARGUMENT(
          `'maxExclusive' must be an integer in [1, 2^32]; received ${String(maxExclusive)}`,
        );
      }
      // Rejecting the top partial range removes modulo bias (matters for large shuffles).
      const limit = TWO_POW_32 - (TWO_POW_32 % maxExclusive);
      let x = nextUint32();
      while (x >= limit) x = nextUint32();
      return x % maxExclusive;
    },
  };
}

/** Anything that `shuffleInPlace` can permute. */
export type Shuffleable<T> = T[] | Int32Array | Uint32Array;

/**
 * Fisher–Yates shuffle: every permutation equally likely given a uniform `rng`.
 *
 * @returns the same array, permuted
 *
 * @example
 * ```ts
 * shuffleInPlace(indices, createRng(deriveSeed(seed, epoch)));
 * ```
 */
export function shuffleInPlace<A extends Shuffleable<unknown>>(array: A, rng: Rng): A {
  const items = array as { [index: number]: unknown; length: number };
  for (let i = items.length - 1; i > 0; i--) {
    const j = rng.nextInt(i + 1);
    const tmp = items[i];
    items[i] = items[j];
    items[j] = tmp;
  }
  return array;
}

/**
 * Derives an independent 32-bit seed for a sub-stream (an epoch, a worker, an augmentation),
 * so that e.g. epoch 3's shuffle does not depend on how many numbers epoch 2 drew.
 * Stable across versions and platforms; the order of `streams` matters.
 *
 * @example
 * ```ts
 * const epochRng = createRng(deriveSeed(runSeed, epoch));
 * const augRng = createRng(deriveSeed(runSeed, epoch, 1));
 * ```
 */
export function deriveSeed(seed: number, ...streams: number[]): number {
  let h = foldSeed(seed, 'seed');
  for (const stream of streams) {
    // Multiplying the running hash before mixing in the next stream makes (1, 2) ≠ (2, 1).
    h = mix32((Math.imul(h, 0x01000193) + GOLDEN) ^ foldSeed(stream, 'stream'));
  }
  return h;
}
