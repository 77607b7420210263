/**
 * Inline SVG line chart with axes, gridlines, tick labels, a legend and point annotations.
 * Output is a standalone `<svg>` element that scales to its container through `viewBox`.
 */
import { linearScale, logScale } from './chart-scale.js';
import type { Scale } from './chart-scale.js';
import { escapeHtml } from './html-escape.js';

export interface ChartPoint {
  x: number;
  y: number;
}

/** One line of the chart. Points with a non-finite coordinate are skipped and break the line. */
export interface LineSeries {
  label: string;
  points: readonly ChartPoint[];
  /** Any CSS colour. */
  color: string;
  /** @defaultValue 2 */
  strokeWidth?: number;
  /** @defaultValue 1 */
  opacity?: number;
  /** Draw a dot at every point. Isolated points always get one. @defaultValue true */
  markers?: boolean;
  /** @defaultValue false */
  dashed?: boolean;
}

/** A labelled marker at a data point, e.g. the best accuracy. */
export interface ChartAnnotation extends ChartPoint {
  label: string;
  /** @defaultValue '#111827' */
  color?: string;
}

export interface LineChartOptions {
  /** Accessible name of the chart (SVG `<title>`). */
  title: string;
  series: readonly LineSeries[];
  xLabel: string;
  yLabel: string;
  /** @defaultValue 560 */
  width?: number;
  /** @defaultValue 320 */
  height?: number;
  /** @defaultValue 'linear' */
  yScale?: 'linear' | 'log';
  /** Only integer x ticks (epochs). @defaultValue false */
  xIntegerTicks?: boolean;
  /** Start the x axis at this value when the data starts later, e.g. 0 for "start of training". */
  xMin?: number;
  /** Appended to every y tick label, e.g. `'%'`. @defaultValue '' */
  yTickSuffix?: string;
  /** Upper limit of the y domain (100 for percentages). Linear scale only. */
  yMax?: number;
  /** Lower limit of the y domain. Linear scale only. */
  yMin?: number;
  annotations?: readonly ChartAnnotation[];
}

/** Pixel box of the plotting area inside the SVG. */
export interface PlotArea {
  left: number;
  top: number;
  right: number;
  bottom: number;
}

export interface ChartGeometry {
  plot: PlotArea;
  x: Scale;
  y: Scale;
  /** False when no series has a drawable point. */
  hasData: boolean;
}

const MARGIN = { left: 60, right: 20, top: 36, bottom: 46 } as const;

function extent(values: readonly number[]): [number, number] | undefined {
  if (values.length === 0) return undefined;
  let low = Infinity;
  let high = -Infinity;
  for (const v of values) {
    if (v < low) low = v;
    if (v > high) high = v;
  }
  return [low, high];
}

function isDrawable(point: ChartPoint, log: boolean): boolean {
  return Number.isFinite(point.x) && Number.isFinite(point.y) && (!log || point.y > 0);
}

/**
 * Computes the plot area and the scales of a chart. The x scale spans the data exactly, so the
 * first and last points touch the left and right edges; the y scale is widened to whole ticks.
 */
export function lineChartGeometry(options: LineChartOptions): ChartGeometry {
  const width = options.width ?? 560;
  const height = options.height ?? 320;
  const log = options.yScale === 'log';
  const plot: PlotArea = {
    left: MARGIN.left,
    top: MARGIN.top,
    right: width - MARGIN.right,
    bottom: height - MARGIN.bottom,
  };
  const points = options.series.flatMap((s) => s.points.filter((p) => isDrawable(p, log)));
  const xs = points.map((p) => p.x);
  const xExtent = extent(options.xMin !== undefined && xs.length > 0 ? [...xs, options.xMin] : xs);
  const yExtent = extent(points.map((p) => p.y));
  const x = linearScale(xExtent ?? [0, 1], [plot.left, plot.right], {
    nice: false,
    tickCount: 8,
    integerTicks: options.xIntegerTicks ?? false,
  });
  const y =
    log && yExtent
      ? logScale(yExtent, [plot.bottom, plot.top])
      : linearScale(yExtent ?? [0, 1], [plot.bottom, plot.top], {
          maxDomain: options.yMax,
          minDomain: options.yMin,
        });
  return { plot, x, y, hasData: points.length > 0 };
}

const px = (value: number): string => String(Math.round(value * 10) / 10);

function renderAxes(geometry: ChartGeometry, options: LineChartOptions): string {
  const { plot, x, y } = geometry;
  const suffix = options.yTickSuffix ?? '';
  const parts: string[] = [];
  for (const t of y.ticks) {
    const py = px(y.map(t));
    parts.push(
      `<line class="grid" x1="${plot.left}" x2="${plot.right}" y1="${py}" y2="${py}"/>`,
      `<text class="tick" x="${plot.left - 6}" y="${py}" text-anchor="end" dominant-baseline="middle">${escapeHtml(y.formatTick(t) + suffix)}</text>`,
    );
  }
  for (const t of x.ticks) {
    const pxX = px(x.map(t));
    parts.push(
      `<line class="grid" x1="${pxX}" x2="${pxX}" y1="${plot.top}" y2="${plot.bottom}"/>`,
      `<text class="tick" x="${pxX}" y="${plot.bottom + 16}" text-anchor="middle">${escapeHtml(x.formatTick(t))}</text>`,
    );
  }
  parts.push(
    `<path class="axis" d="M${plot.left},${plot.top}V${plot.bottom}H${plot.right}"/>`,
    `<text class="axis-label" x="${px((plot.left + plot.right) / 2)}" y="${plot.bottom + 36}" text-anchor="middle">${escapeHtml(options.xLabel)}</text>`,
    `<text class="axis-label" transform="translate(16 ${px((plot.top + plot.bottom) / 2)}) rotate(-90)" text-anchor="middle">${escapeHtml(options.yLabel)}</text>`,
  );
  return parts.join('');
}

function renderSeries(series: LineSeries, geometry: ChartGeometry, log: boolean): string {
  // Split at undrawable points so a NaN epoch shows as a gap rather than a bogus segment.
  const runs: ChartPoint[][] = [[]];
  for (const p of series.points) {
    if (isDrawable(p, log)) runs[runs.length - 1].push({ x: geometry.x.map(p.x), y: geometry.y.map(p.y) });
    else if (runs[runs.length - 1].length > 0) runs.push([]);
  }
  const width = series.strokeWidth ?? 2;
  const stroke = escapeHtml(series.color);
  const parts: string[] = [];
  for (const run of runs) {
    if (run.length > 1) {
      const d = run.map((p, i) => `${i === 0 ? 'M' : 'L'}${px(p.x)},${px(p.y)}`).join('');
      const dash = series.dashed ? ' stroke-dasharray="6 4"' : '';
      parts.push(
        `<path d="${d}" fill="none" stroke="${stroke}" stroke-width="${width}" stroke-linejoin="round"${dash}/>`,
      );
    }
    if (series.markers !== false || run.length === 1) {
      for (const p of run) {
        parts.push(
          `<circle cx="${px(p.x)}" cy="${px(p.y)}" r="${width + 1.5}" fill="${stroke}" stroke="#fff" stroke-width="1"/>`,
        );
      }
    }
  }
  return `<g opacity="${series.opacity ?? 1}">${parts.join('')}</g>`;
}

function renderLegend(series: readonly LineSeries[], plot: PlotArea): string {
  let x = plot.left;
  const parts: string[] = [];
  for (const s of series) {
    const stroke = escapeHtml(s.color);
    const dash = s.dashed ? ' stroke-dasharray="6 4"' : '';
    parts.push(
      `<g opacity="${s.opacity ?? 1}"><line x1="${x}" x2="${x + 22}" y1="14" y2="14" stroke="${stroke}" stroke-width="${Math.max(2, s.strokeWidth ?? 2)}"${dash}/></g>`,
      `<text class="legend" x="${x + 28}" y="14" dominant-baseline="middle">${escapeHtml(s.label)}</text>`,
    );
    // SVG text cannot be measured here; 6.6px per character matches the 12px UI font closely enough.
    x += 28 + s.label.length * 6.6 + 18;
  }
  return parts.join('');
}

function renderAnnotation(a: ChartAnnotation, geometry: ChartGeometry, log: boolean): string {
  if (!isDrawable(a, log)) return '';
  const { plot } = geometry;
  const cx = geometry.x.map(a.x);
  const cy = geometry.y.map(a.y);
  const color = escapeHtml(a.color ?? '#111827');
  // The label sits at the foot of a drop line rather than next to the point: annotated points
  // are extremes (best accuracy), so the line itself crowds the space beside them.
  const onRight = cx > (plot.left + plot.right) / 2;
  const tx = onRight ? cx - 6 : cx + 6;
  const ty = plot.bottom - 10;
  return (
    `<line x1="${px(cx)}" x2="${px(cx)}" y1="${px(cy + 7)}" y2="${plot.bottom}" stroke="${color}" stroke-width="1" stroke-dasharray="3 3"/>` +
    `<circle cx="${px(cx)}" cy="${px(cy)}" r="7" fill="none" stroke="${color}" stroke-width="2"/>` +
    `<text class="annotation" x="${px(tx)}" y="${px(ty)}" text-anchor="${onRight ? 'end' : 'start'}" fill="${color}">${escapeHtml(a.label)}</text>`
  );
}

/**
 * Renders a line chart as an inline `<svg>` element.
 *
 * @example
 * ```ts
 * const svg = renderLineChart({
 *   title: 'Loss', xLabel: 'epoch', yLabel: 'loss', xIntegerTicks: true,
 *   series: [{ label: 'train', color: '#2563eb', points: [{ x: 1, y: 0.3 }, { x: 2, y: 0.1 }] }],
 * });
 * ```
 */
export function renderLineChart(options: LineChartOptions): string {
  const width = options.width ?? 560;
  const height = options.height ?? 320;
  const log = options.yScale === 'log';
  const geometry = lineChartGeometry(options);
  const { plot } = geometry;
  const body = geometry.hasData
    ? renderAxes(geometry, options) +
      options.series.map((s) => renderSeries(s, geometry, log)).join('') +
      (options.annotations ?? []).map((a) => renderAnnotation(a, geometry, log)).join('')
    : `<rect class="frame" x="${plot.left}" y="${plot.top}" width="${plot.right - plot.left}" height="${plot.bottom - plot.top}"/>` +
      `<text class="no-data" x="${px((plot.left + plot.right) / 2)}" y="${px((plot.top + plot.bottom) / 2)}" text-anchor="middle">no data</text>`;
  return (
    `<svg class="chart" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${width} ${height}" width="${width}" height="${height}" role="img">` +
    `<title>${escapeHtml(options.title)}</title>` +
    renderLegend(options.series, plot) +
    body +
    `</svg>`
  );
}
