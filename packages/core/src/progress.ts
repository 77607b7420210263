/**
 * Progress lines for CLIs (training epochs, dataset downloads). Only string formatting and a
 * caller-supplied `write`, so the same code serves Node terminals and browser consoles.
 */

/** What one progress line shows. */
export interface ProgressLineOptions {
  /** Leading label, e.g. `train` or a file name. */
  readonly label: string;
  /** Units done so far. */
  readonly done: number;
  /** Units in all; `undefined` or 0 when unknown (e.g. a download without a length). */
  readonly total?: number;
  /** Unit name, e.g. `img`; `B` formats counts and rates as KiB/MiB. @defaultValue `''` */
  readonly unit?: string;
  /** When the work started, in ms on the same clock as `nowMs`. */
  readonly startedAtMs: number;
  /** The current time in ms. */
  readonly nowMs: number;
  /** Number of cells in the bar. @defaultValue `20` */
  readonly width?: number;
}

const KIB = 1024;
const MIB = 1024 * 1024;

function groupThousands(value: number): string {
  const [whole, fraction] = String(value).split('.');
  const grouped = whole.replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  return fraction === undefined ? grouped : `${grouped}.${fraction}`;
}

/** Integers with thousands separators; small rates keep one decimal so `0.4/s` is not `0/s`. */
function formatCount(value: number): string {
  if (value >= 100 || Number.isInteger(value)) return groupThousands(Math.round(value));
  return value.toFixed(1);
}

function byteScale(reference: number): { divisor: number; suffix: string; digits: number } {
  if (reference >= MIB) return { divisor: MIB, suffix: 'MiB', digits: 1 };
  if (reference >= KIB) return { divisor: KIB, suffix: 'KiB', digits: 1 };
  return { divisor: 1, suffix: 'B', digits: 0 };
}

function formatBytes(value: number, reference = value): string {
  const { divisor, suffix, digits } = byteScale(reference);
  return `${(value / divisor).toFixed(digits)} ${suffix}`;
}

/**
 * `19` → `0:19`, `3723` → `1:02:03`; negative or non-finite → `--:--`.
 *
 * @example
 * ```ts
 * formatDuration(75); // '1:15'
 * ```
 */
export function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds) || seconds < 0) return '--:--';
  const whole = Math.round(seconds);
  const h = Math.floor(whole / 3600);
  const m = Math.floor((whole % 3600) / 60);
  const s = whole % 60;
  const ss = String(s).padStart(2, '0');
  return h > 0 ? `${h}:${String(m).padStart(2, '0')}:${ss}` : `${m}:${ss}`;
}

/**
 * One line of progress, e.g.
 * `train  [██████░░░░]  61%  36,480/60,000 img  1,234 img/s  ETA 0:19`.
 * Once `done` reaches `total`, the ETA is replaced by the elapsed time.
 */
export function formatProgressLine(options: ProgressLineOptions): string {
  const { label, done, total, unit = '', startedAtMs, nowMs, width = 20 } = options;
  const elapsed = Math.max(0, (nowMs - startedAtMs) / 1000);
  const rate = elapsed > 0 ? done / elapsed : undefined;
  const known = total !== undefined && total > 0;
  const isBytes = unit === 'B';
  const parts: string[] = [label];

  if (known) {
    const fraction = Math.min(1, Math.max(0, done / total));
    // Never show a full bar or 100% before the work is really done.
    const finished = done >= total;
    const pct = finished ? 100 : Math.min(99, Math.round(fraction * 100));
    const filled = finished ? width : Math.min(width - 1, Math.floor(fraction * width));
    parts.push(`[${'█'.repeat(filled)}${'░'.repeat(width - filled)}] ${`${pct}%`.padStart(4)}`);
    if (isBytes) {
      const { divisor, digits, suffix } = byteScale(total);
      parts.push(`${(done / divisor).toFixed(digits)}/${(total / divisor).toFixed(digits)} ${suffix}`);
    } else {
      const totalText = groupThousands(total);
      parts.push(`${groupThousands(done).padStart(totalText.length)}/${totalText} ${unit}`.trimEnd());
    }
  } else {
    parts.push(isBytes ? formatBytes(done) : `${groupThousands(done)} ${unit}`.trimEnd());
  }

  if (rate !== undefined) {
    const rateUnit = isBytes || unit === '' ? '/s' : ` ${unit}/s`;
    parts.push(`${isBytes ? formatBytes(rate) : formatCount(rate)}${rateUnit}`);
  }
  if (known && done >= total) {
    parts.push(`elapsed ${formatDuration(elapsed)}`);
  } else if (known) {
    parts.push(`ETA ${rate !== undefined && rate > 0 ? formatDuration((total - done) / rate) : '--:--'}`);
  }
  return parts.join('  ');
}

/** Where a reporter writes, e.g. `{ write: (s) => process.stderr.write(s), isTTY: process.stderr.isTTY }`. */
export interface ProgressReporterOptions {
  readonly write: (text: string) => void;
  /** Redraw in place with `\r`; when false the reporter stays silent (logs, CI). */
  readonly isTTY: boolean;
  readonly label: string;
  readonly total?: number;
  readonly unit?: string;
  /** Bar cells. @defaultValue `20` */
  readonly width?: number;
  /** Minimum time between redraws. @defaultValue `100` (about 10 per second) */
  readonly intervalMs?: number;
  /** Clock in ms, injectable for tests. @defaultValue `Date.now` */
  readonly now?: () => number;
}

/** A progress bar that redraws one terminal line. */
export interface ProgressReporter {
  /** Records progress; redraws at most once per `intervalMs`. */
  update(done: number): void;
  /** Draws the final line and ends it with a newline; later calls do nothing. */
  done(finalDone?: number): void;
}

/**
 * Creates a throttled single-line progress bar.
 *
 * @example
 * ```ts
 * const bar = createProgressReporter({
 *   write: (s) => process.stderr.write(s), isTTY: Boolean(process.stderr.isTTY),
 *   label: 'train', total: 60_000, unit: 'img',
 * });
 * bar.update(6_400);
 * bar.done();
 * ```
 */
export function createProgressReporter(options: ProgressReporterOptions): ProgressReporter {
  const { write, isTTY, label, total, unit, width, intervalMs = 100, now = Date.now } = options;
  const startedAtMs = now();
  let lastDrawMs = -Infinity;
  let lastLength = 0;
  let current = 0;
  let finished = false;

  const draw = (nowMs: number): void => {
    const line = formatProgressLine({ label, done: current, total, unit, startedAtMs, nowMs, width });
    // Pad over the previous line: counts and rates change width between redraws.
    write(`\r${line}${' '.repeat(Math.max(0, lastLength - line.length))}`);
    lastLength = line.length;
    lastDrawMs = nowMs;
  };

  return {
    update(done: number): void {
      if (finished) return;
      current = done;
      if (!isTTY) return;
      const nowMs = now();
      if (nowMs - lastDrawMs >= intervalMs) draw(nowMs);
    },
    done(finalDone?: number): void {
      if (finished) return;
      finished = true;
      if (finalDone !== undefined) current = finalDone;
      if (!isTTY) return;
      draw(now());
      write('\n');
    },
  };
}
