import { test } from 'node:test';
import assert from 'node:assert/strict';
import { setImmediate as tick } from 'node:timers/promises';
import { deflateSync, inflateSync } from 'node:zlib';
import { inflateInto, inflateIntoSlowly } from './sync-inflater.js';

// The reused inflater against node:zlib's inflateSync (the independent computation), and against
// its own public-API fallback, on good streams and on every way a stream can be wrong.

function sample(length: number, seed: number): Uint8Array {
  const data = new Uint8Array(length);
  for (let i = 0; i < length; i++) data[i] = ((i * seed) >> 3) & (seed % 3 === 0 ? 0xff : 0x0f);
  return data;
}

const INFLATERS = { inflateInto, inflateIntoSlowly } as const;

for (const [name, inflate] of Object.entries(INFLATERS)) {
  test(`${name}: the bytes inflateSync gives, for streams of many lengths, one after another`, () => {
    for (const [n, length] of [0, 1, 7, 100, 3192, 9464, 16_384, 16_385, 70_000].entries()) {
      const stream = deflateSync(sample(length, n + 2), { level: n % 10 });
      const out = new Uint8Array(length + 1).fill(0xaa);
      assert.equal(inflate(stream, out), length, `length ${length}`);
      assert.deepEqual(out.subarray(0, length), new Uint8Array(inflateSync(stream)), `length ${length}`);
    }
  });

  test(`${name}: -1 for corrupt, truncated, empty or too long streams, and good streams still inflate after them`, async () => {
    const data = sample(5000, 7);
    const stream = deflateSync(data);
    const badChecksum = Uint8Array.from(stream);
    badChecksum[badChecksum.length - 1] ^= 1;
    const badData = Uint8Array.from(stream);
    badData[2] ^= 0xff;
    const cases: [string, Uint8Array, number][] = [
      ['truncated', stream.subarray(0, stream.length - 6), 5001],
      ['bad checksum', badChecksum, 5001],
      ['bad data', badData, 5001],
      ['empty', new Uint8Array(0), 5001],
      ['not zlib', sample(300, 5), 5001],
      // No headroom: a stream that fills `out` might go on, so it is refused.
      ['exactly as long as out', stream, 5000],
      ['longer than out', stream, 100],
    ];
    for (const [what, input, room] of cases) {
      assert.equal(inflate(input, new Uint8Array(room)), -1, what);
      const out = new Uint8Array(5001);
      assert.equal(inflate(stream, out), 5000, `a good stream after: ${what}`);
      assert.deepEqual(out.subarray(0, 5000), data);
    }
    await tick(); // the destroyed streams' 'error' events have been emitted, and handled
  });
}
