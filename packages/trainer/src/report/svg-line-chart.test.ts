import assert from 'node:assert/strict';
import { test } from 'node:test';

import { linearScale, logScale, niceStep } from './chart-scale.js';
import { lineChartGeometry, renderLineChart } from './svg-line-chart.js';
import type { LineChartOptions } from './svg-line-chart.js';

const TOLERANCE = 1e-9;

function close(actual: number, expected: number, tolerance = TOLERANCE): void {
  assert.ok(Math.abs(actual - expected) <= tolerance, `|${actual} - ${expected}| > ${tolerance}`);
}

/** Vertices of every stroked `<path>` in the SVG, one array per path. */
function paths(svg: string): { x: number; y: number }[][] {
  return [...svg.matchAll(/<path d="([^"]+)" fill="none"/g)].map((m) =>
    [...m[1].matchAll(/[ML](-?[\d.]+),(-?[\d.]+)/g)].map((p) => ({ x: Number(p[1]), y: Number(p[2]) })),
  );
}

const options: LineChartOptions = {
  title: 'loss',
  xLabel: 'epoch',
  yLabel: 'loss',
  xIntegerTicks: true,
  series: [
    {
      label: 'train',
      color: '#00f',
      points: [
        { x: 1, y: 0.9 },
        { x: 2, y: 0.35 },
        { x: 3, y: 2.3 },
        { x: 4, y: 0.12 },
      ],
    },
  ],
};

test('niceStep picks 1-2-5 steps', () => {
  assert.equal(niceStep(10, 5), 2);
  assert.equal(niceStep(1, 5), 0.2);
  assert.equal(niceStep(7, 7), 1);
  assert.equal(niceStep(0.05, 5), 0.01);
});

test('linear scale maps its domain onto the range and covers the data', () => {
  const s = linearScale([0.913, 0.987], [280, 40]);
  assert.ok(s.domain[0] <= 0.913 && s.domain[1] >= 0.987);
  close(s.map(s.domain[0]), 280);
  close(s.map(s.domain[1]), 40);
  assert.ok(s.ticks.length >= 3);
  for (const t of s.ticks) assert.ok(t >= s.domain[0] - TOLERANCE && t <= s.domain[1] + TOLERANCE);
  assert.ok(Number.isNaN(s.map(Number.NaN)));
  assert.deepEqual(linearScale([90, 99.6], [0, 1], { maxDomain: 100 }).domain, [90, 100]);
});

test('a degenerate extent is padded around the value', () => {
  const s = linearScale([5, 5], [0, 100], { nice: false, integerTicks: true });
  assert.deepEqual(s.domain, [4, 6]);
  close(s.map(5), 50);
});

test('log scale uses 1-2-5 bounds and skips non-positive values', () => {
  const s = logScale([0.03, 2.3], [300, 0]);
  assert.deepEqual(s.domain, [0.02, 5]);
  assert.deepEqual(s.ticks, [0.02, 0.05, 0.1, 0.2, 0.5, 1, 2, 5]);
  close(s.map(0.02), 300);
  close(s.map(5), 0);
  close(s.map(Math.sqrt(0.02 * 5)), 150, 1e-6);
  assert.ok(Number.isNaN(s.map(0)));
  assert.ok(Number.isNaN(s.map(-1)));
});

test('data x min/max touch the plot edges and y stays inside the plot area', () => {
  const g = lineChartGeometry(options);
  close(g.x.map(1), g.plot.left);
  close(g.x.map(4), g.plot.right);
  close(g.y.map(g.y.domain[0]), g.plot.bottom);
  close(g.y.map(g.y.domain[1]), g.plot.top);
  for (const y of [0.12, 2.3]) {
    const py = g.y.map(y);
    assert.ok(py >= g.plot.top - TOLERANCE && py <= g.plot.bottom + TOLERANCE, `y=${y} at ${py}`);
  }

  const [line] = paths(renderLineChart(options));
  assert.equal(line.length, 4);
  close(line[0].x, g.plot.left, 0.05);
  close(line[3].x, g.plot.right, 0.05);
  const highest = line.reduce((a, b) => (b.y < a.y ? b : a));
  assert.equal(line.indexOf(highest), 2, 'the largest loss is drawn highest');
  for (const p of line) assert.ok(p.y >= g.plot.top - 0.05 && p.y <= g.plot.bottom + 0.05);
});

test('NaN points are skipped and split the line', () => {
  const svg = renderLineChart({
    ...options,
    series: [
      {
        ...options.series[0],
        points: [
          { x: 1, y: 1 },
          { x: 2, y: 0.8 },
          { x: 3, y: Number.NaN },
          { x: 4, y: 0.5 },
          { x: 5, y: 0.4 },
        ],
      },
    ],
  });
  assert.ok(!svg.includes('NaN'));
  assert.deepEqual(
    paths(svg).map((p) => p.length),
    [2, 2],
  );
});

test('a single point renders a marker centred on the x axis', () => {
  const single = { ...options, series: [{ ...options.series[0], points: [{ x: 1, y: 0.5 }] }] };
  const svg = renderLineChart(single);
  const g = lineChartGeometry(single);
  assert.ok(!svg.includes('NaN'));
  assert.equal(paths(svg).length, 0);
  const circle = /<circle cx="([\d.]+)" cy="([\d.]+)"/.exec(svg);
  assert.ok(circle);
  close(Number(circle[1]), (g.plot.left + g.plot.right) / 2, 0.05);
  const cy = Number(circle[2]);
  assert.ok(cy > g.plot.top && cy < g.plot.bottom);
});

test('no drawable points renders an empty frame, log scale included', () => {
  const empty = { ...options, yScale: 'log' as const, series: [{ ...options.series[0], points: [{ x: 1, y: -1 }] }] };
  const svg = renderLineChart(empty);
  assert.ok(svg.includes('no data'));
  assert.ok(!svg.includes('NaN'));
});
