import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createProgressReporter, formatDuration, formatProgressLine } from './progress.js';

describe('formatDuration', () => {
  it('formats m:ss and h:mm:ss and flags unknown durations', () => {
    assert.equal(formatDuration(0), '0:00');
    assert.equal(formatDuration(19.06), '0:19');
    assert.equal(formatDuration(75), '1:15');
    assert.equal(formatDuration(3723), '1:02:03');
    assert.equal(formatDuration(-1), '--:--');
    assert.equal(formatDuration(Number.POSITIVE_INFINITY), '--:--');
  });
});

describe('formatProgressLine', () => {
  it('renders counts, rate and ETA', () => {
    // 36,480 images in 29.562 s is 1,234 img/s; 23,520 left at that rate is 19 s.
    const line = formatProgressLine({
      label: 'train',
      done: 36_480,
      total: 60_000,
      unit: 'img',
      startedAtMs: 1_000,
      nowMs: 1_000 + 29_562,
      width: 10,
    });
    assert.equal(line, 'train  [██████░░░░]  61%  36,480/60,000 img  1,234 img/s  ETA 0:19');
  });

  it('never shows 100% or a full bar before the end, and shows elapsed time at the end', () => {
    const almost = formatProgressLine({
      label: 'x',
      done: 999,
      total: 1000,
      startedAtMs: 0,
      nowMs: 1000,
      width: 10,
    });
    assert.match(almost, /\[█{9}░\] {2}99%/);
    const end = formatProgressLine({
      label: 'x',
      done: 1000,
      total: 1000,
      unit: 'img',
      startedAtMs: 0,
      nowMs: 65_000,
      width: 4,
    });
    assert.equal(end, 'x  [████] 100%  1,000/1,000 img  15.4 img/s  elapsed 1:05');
  });

  it('formats bytes in MiB or KiB by the size of the total', () => {
    const big = formatProgressLine({
      label: 'train-images-idx3-ubyte.gz',
      done: 5 * 1024 * 1024,
      total: 9_912_422,
      unit: 'B',
      startedAtMs: 0,
      nowMs: 2_000,
      width: 10,
    });
    assert.equal(big, 'train-images-idx3-ubyte.gz  [█████░░░░░]  53%  5.0/9.5 MiB  2.5 MiB/s  ETA 0:02');
    const small = formatProgressLine({
      label: 'labels',
      done: 2048,
      total: 4542,
      unit: 'B',
      startedAtMs: 0,
      nowMs: 1_000,
      width: 4,
    });
    assert.equal(small, 'labels  [█░░░]  45%  2.0/4.4 KiB  2.0 KiB/s  ETA 0:01');
  });

  it('copes with an unknown total and with no time elapsed yet', () => {
    assert.equal(
      formatProgressLine({ label: 'dl', done: 3 * 1024 * 1024, unit: 'B', startedAtMs: 0, nowMs: 1_000 }),
      'dl  3.0 MiB  3.0 MiB/s',
    );
    assert.equal(
      formatProgressLine({ label: 'x', done: 0, total: 10, unit: 'img', startedAtMs: 5, nowMs: 5, width: 2 }),
      'x  [░░]   0%   0/10 img  ETA --:--',
    );
  });
});

function fakeClock(): { now: () => number; advance: (ms: number) => void } {
  let t = 0;
  return {
    now: () => t,
    advance: (ms) => {
      t += ms;
    },
  };
}

describe('createProgressReporter', () => {
  it('redraws in place at most every 100 ms on a TTY and ends with a newline', () => {
    const clock = fakeClock();
    const writes: string[] = [];
    const bar = createProgressReporter({
      write: (s) => writes.push(s),
      isTTY: true,
      label: 'train',
      total: 100,
      unit: 'img',
      width: 10,
      now: clock.now,
    });
    bar.update(1);
    for (let i = 2; i <= 50; i++) {
      clock.advance(10);
      bar.update(i);
    }
    // 1 draw at t=0 plus one per 100 ms over 490 ms.
    assert.equal(writes.length, 5);
    assert.ok(writes.every((w) => w.startsWith('\r')));
    bar.done(100);
    bar.done(100);
    bar.update(7);
    assert.equal(writes.at(-1), '\n');
    assert.match(writes.at(-2) ?? '', /\[██████████\] 100% {2}100\/100 img/);
    assert.equal(writes.length, 7);
  });

  it('pads a shorter redraw so no characters of the previous line remain', () => {
    const clock = fakeClock();
    const writes: string[] = [];
    const bar = createProgressReporter({
      write: (s) => writes.push(s),
      isTTY: true,
      label: 'dl',
      unit: 'B',
      now: clock.now,
    });
    clock.advance(1_000);
    bar.update(123_456_789);
    clock.advance(1_000);
    bar.update(5);
    assert.equal(writes[1].length, writes[0].length);
  });

  it('prints nothing when not a TTY', () => {
    const writes: string[] = [];
    const bar = createProgressReporter({
      write: (s) => writes.push(s),
      isTTY: false,
      label: 'train',
      total: 10,
    });
    bar.update(5);
    bar.done();
    assert.deepEqual(writes, []);
  });
});
