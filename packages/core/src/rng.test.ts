import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createRng, deriveSeed, shuffleInPlace } from './rng.js';

function draw(seed: number, n: number): number[] {
  const rng = createRng(seed);
  return Array.from({ length: n }, () => rng.nextUint32());
}

/** Pearson's chi-square statistic of observed counts against a uniform expectation. */
function chiSquare(counts: number[], total: number): number {
  const expected = total / counts.length;
  return counts.reduce((sum, c) => sum + (c - expected) ** 2 / expected, 0);
}

describe('createRng', () => {
  it('is deterministic for a seed and differs between seeds', () => {
    assert.deepEqual(draw(42, 100), draw(42, 100));
    assert.notDeepEqual(draw(42, 100), draw(43, 100));
    assert.notDeepEqual(draw(0, 100), draw(1, 100));
  });

  it('accepts large and negative safe-integer seeds and rejects others', () => {
    assert.notDeepEqual(draw(2 ** 40, 10), draw(0, 10));
    assert.notDeepEqual(draw(-1, 10), draw(2 ** 32 - 1, 10));
    assert.throws(() => createRng(1.5), { code: 'ONNXPIPE_CORE_INVALID_ARGUMENT' });
    assert.throws(() => createRng(Number.NaN), { code: 'ONNXPIPE_CORE_INVALID_ARGUMENT' });
  });

  it('next() stays in [0, 1) and is roughly uniform over 10 bins', () => {
    const rng = createRng(7);
    const n = 100_000;
    const bins = new Array<number>(10).fill(0);
    for (let i = 0; i < n; i++) {
      const x = rng.next();
      assert.ok(x >= 0 && x < 1);
      bins[Math.floor(x * 10)]++;
    }
    // 9 degrees of freedom: P(χ² > 27.9) ≈ 0.001.
    assert.ok(chiSquare(bins, n) < 27.9, `χ² = ${chiSquare(bins, n)}, bins ${bins}`);
  });

  it('nextInt is unbiased for a range that does not divide 2^32 and validates its bound', () => {
    const rng = createRng(11);
    const n = 60_000;
    const counts = new Array<number>(6).fill(0);
    for (let i = 0; i < n; i++) counts[rng.nextInt(6)]++;
    // 5 degrees of freedom: P(χ² > 20.5) ≈ 0.001.
    assert.ok(chiSquare(counts, n) < 20.5, `counts ${counts}`);
    assert.equal(rng.nextInt(1), 0);
    for (const bad of [0, -1, 2.5, 2 ** 32 + 1]) {
      assert.throws(() => rng.nextInt(bad), { code: 'ONNXPIPE_CORE_INVALID_ARGUMENT' });
    }
  });

  it('keeps its output sequence stable across versions (recorded runs replay from seeds)', () => {
    // Pinned on purpose: a change here silently changes every shuffle of every training run.
    assert.deepEqual(draw(42, 3), PINNED_42);
    assert.equal(deriveSeed(42, 1), PINNED_DERIVED);
  });
});

describe('shuffleInPlace', () => {
  it('permutes arrays and typed arrays deterministically', () => {
    const a = Array.from({ length: 50 }, (_, i) => i);
    const b = Int32Array.from(a);
    shuffleInPlace(a, createRng(3));
    shuffleInPlace(b, createRng(3));
    assert.deepEqual(Array.from(b), a);
    assert.deepEqual(
      [...a].sort((x, y) => x - y),
      Array.from({ length: 50 }, (_, i) => i),
    );
    assert.notDeepEqual(
      a,
      Array.from({ length: 50 }, (_, i) => i),
    );
  });

  it('makes all 6 orders of 3 items about equally likely', () => {
    const rng = createRng(5);
    const n = 30_000;
    const counts = new Map<string, number>();
    for (let i = 0; i < n; i++) {
      const key = shuffleInPlace(['a', 'b', 'c'], rng).join('');
      counts.set(key, (counts.get(key) ?? 0) + 1);
    }
    assert.equal(counts.size, 6);
    assert.ok(chiSquare([...counts.values()], n) < 20.5, JSON.stringify([...counts]));
  });

  it('handles empty and single-element arrays', () => {
    assert.deepEqual(shuffleInPlace([], createRng(1)), []);
    assert.deepEqual(Array.from(shuffleInPlace(Uint32Array.of(9), createRng(1))), [9]);
  });
});

describe('deriveSeed', () => {
  it('gives distinct, order-sensitive, stable 32-bit seeds', () => {
    const seeds = new Set<number>();
    for (let epoch = 0; epoch < 1000; epoch++) seeds.add(deriveSeed(1234, epoch));
    assert.equal(seeds.size, 1000);
    assert.notEqual(deriveSeed(1, 2, 3), deriveSeed(1, 3, 2));
    assert.notEqual(deriveSeed(1, 0), deriveSeed(0, 1));
    assert.equal(deriveSeed(1, 2, 3), deriveSeed(1, 2, 3));
    for (const s of seeds) assert.ok(Number.isInteger(s) && s >= 0 && s < 2 ** 32);
  });

  it('makes streams whose first draws are uncorrelated across epochs', () => {
    const firstDraws = Array.from({ length: 2000 }, (_, e) => createRng(deriveSeed(9, e)).next());
    const bins = new Array<number>(10).fill(0);
    for (const x of firstDraws) bins[Math.floor(x * 10)]++;
    assert.ok(chiSquare(bins, firstDraws.length) < 27.9, `bins ${bins}`);
  });
});

const PINNED_42 = [1773350221, 89888150, 1724829469];
const PINNED_DERIVED = 1369467588;
