/**
 * Axis scales for the report's SVG charts: map data values to pixel coordinates and choose
 * human-friendly tick values (1-2-5 steps).
 */
import { formatNumber } from './number-format.js';

/** A one-dimensional mapping from data values to pixel positions, with its tick values. */
export interface Scale {
  readonly kind: 'linear' | 'log';
  /** Data interval shown on the axis, `[low, high]`. */
  readonly domain: readonly [number, number];
  /** Pixel positions of `domain[0]` and `domain[1]`; may be decreasing (y axes). */
  readonly range: readonly [number, number];
  /** Tick values, ascending, all inside `domain`. */
  readonly ticks: readonly number[];
  /** Pixel position of `value`; `NaN` where the scale has no position (non-finite, or ≤ 0 on log). */
  map(value: number): number;
  /** Label for one of `ticks`, with as many decimals as the tick spacing needs. */
  formatTick(value: number): string;
}

/** Options of {@link linearScale}. */
export interface LinearScaleOptions {
  /**
   * Widen the domain outwards to whole tick steps, so the axis starts and ends on a labelled
   * tick. Leave off for an x axis whose first and last points should touch the plot edges.
   *
   * @defaultValue true
   */
  nice?: boolean;
  /** @defaultValue 5 */
  tickCount?: number;
  /** Only integer ticks (epoch numbers). @defaultValue false */
  integerTicks?: boolean;
  /** Upper bound the domain never exceeds, e.g. 100 for a percentage axis. */
  maxDomain?: number;
  /** Lower bound the domain never goes below, e.g. 0 for a loss axis. */
  minDomain?: number;
}

/** Rounds away binary noise such as `0.30000000000000004`. */
function clean(value: number): number {
  return Number(value.toPrecision(12));
}

/** Tick spacing of 1, 2 or 5 times a power of ten, about `span / count`. */
export function niceStep(span: number, count: number): number {
  const raw = span / Math.max(1, count);
  const power = 10 ** Math.floor(Math.log10(raw));
  const fraction = raw / power;
  const multiple = fraction < 1.5 ? 1 : fraction < 3 ? 2 : fraction < 7 ? 5 : 10;
  return multiple * power;
}

function interpolate(domain: readonly [number, number], range: readonly [number, number]) {
  const [d0, d1] = domain;
  const [r0, r1] = range;
  return (t: number) => r0 + ((t - d0) / (d1 - d0)) * (r1 - r0);
}

/**
 * A linear scale over the data `extent` (`[min, max]` of the finite values) onto pixel `range`.
 * A degenerate extent (a single value) is padded so that the value lands mid-axis.
 *
 * @example
 * ```ts
 * const y = linearScale([0.91, 0.99], [280, 40], { maxDomain: 1 });
 * y.domain; // [0.9, 1]
 * y.map(1); // 40
 * ```
 */
export function linearScale(
  extent: readonly [number, number],
  range: readonly [number, number],
  options: LinearScaleOptions = {},
): Scale {
  const { nice = true, tickCount = 5, integerTicks = false } = options;
  let [low, high] = extent;
  if (low === high) {
    const pad = integerTicks ? 1 : Math.abs(low) * 0.05 || 1;
    low -= pad;
    high += pad;
  }
  let step = niceStep(high - low, tickCount);
  if (integerTicks) step = Math.max(1, Math.round(step));
  if (nice) {
    low = clean(Math.floor(low / step) * step);
    high = clean(Math.ceil(high / step) * step);
  }
  if (options.maxDomain !== undefined && high > options.maxDomain) high = options.maxDomain;
  if (options.minDomain !== undefined && low < options.minDomain) low = options.minDomain;

  const ticks: number[] = [];
  for (let k = Math.ceil(low / step - 1e-9); k * step <= high + step * 1e-9; k++) {
    ticks.push(clean(k * step));
  }
  const domain = [low, high] as const;
  const toPixel = interpolate(domain, range);
  const decimals = integerTicks ? 0 : Math.max(0, -Math.floor(Math.log10(step) + 1e-9));
  return {
    kind: 'linear',
    domain,
    range,
    ticks,
    map: (value) => (Number.isFinite(value) ? toPixel(value) : Number.NaN),
    formatTick: (value) => value.toFixed(decimals),
  };
}

const ONE_TWO_FIVE = [1, 2, 5] as const;

/** Largest 1·2·5 × 10^k not above `value`, or smallest not below it when `up`. */
function oneTwoFive(value: number, up: boolean): number {
  const power = 10 ** Math.floor(Math.log10(value));
  const candidates = [...ONE_TWO_FIVE.map((m) => m * power), 10 * power].map(clean);
  return up
    ? (candidates.find((c) => c >= value * (1 - 1e-12)) ?? 10 * power)
    : (candidates.reverse().find((c) => c <= value * (1 + 1e-12)) ?? power);
}

/**
 * A base-10 logarithmic scale over a strictly positive `extent`. The domain is widened to
 * 1·2·5 boundaries; ticks are 1·2·5 values over up to three decades, whole decades beyond that.
 */
export function logScale(extent: readonly [number, number], range: readonly [number, number]): Scale {
  let low = oneTwoFive(extent[0], false);
  let high = oneTwoFive(extent[1], true);
  if (low === high) {
    low = oneTwoFive(low * 0.99, false);
    high = oneTwoFive(high * 1.01, true);
  }
  const decades = Math.log10(high / low);
  const multiples: readonly number[] = decades <= 3 ? ONE_TWO_FIVE : [1];
  const ticks: number[] = [];
  for (let e = Math.floor(Math.log10(low)); e <= Math.ceil(Math.log10(high)); e++) {
    for (const m of multiples) {
      const t = clean(m * 10 ** e);
      if (t >= low * (1 - 1e-12) && t <= high * (1 + 1e-12)) ticks.push(t);
    }
  }
  const domain = [low, high] as const;
  const toPixel = interpolate([Math.log10(low), Math.log10(high)], range);
  return {
    kind: 'log',
    domain,
    range,
    ticks,
    map: (value) => (Number.isFinite(value) && value > 0 ? toPixel(Math.log10(value)) : Number.NaN),
    formatTick: formatNumber,
  };
}
