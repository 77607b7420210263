import assert from 'node:assert/strict';
import { test } from 'node:test';

import type { EpochMetrics } from './report-types.js';
import { stepLossesOnEpochAxis } from './training-charts.js';
import { lineChartGeometry } from './svg-line-chart.js';

const epochs: EpochMetrics[] = [1, 2, 3, 4].map((epoch) => ({
  epoch,
  trainLoss: 1,
  testLoss: 1,
  testAccuracy: 0.9,
  learningRate: 1e-3,
  seconds: 1,
  imagesPerSecond: 1,
}));

test('fractional-epoch steps are kept as they are', () => {
  const points = stepLossesOnEpochAxis(
    [
      { step: 0.5, loss: 2 },
      { step: 4, loss: 1 },
    ],
    epochs,
  );
  assert.deepEqual(
    points.map((p) => p.x),
    [0.5, 4],
  );
});

test('global steps are spread over the epochs, the last on the last epoch', () => {
  const points = stepLossesOnEpochAxis(
    [100, 200, 300, 400, 800].map((step) => ({ step, loss: 1 })),
    epochs,
  );
  assert.deepEqual(
    points.map((p) => p.x),
    [0.5, 1, 1.5, 2, 4],
  );
});

test('xMin starts the x axis before the first point', () => {
  const g = lineChartGeometry({
    title: 't',
    xLabel: 'x',
    yLabel: 'y',
    xMin: 0,
    series: [
      {
        label: 's',
        color: '#000',
        points: [
          { x: 0.3, y: 1 },
          { x: 3, y: 2 },
        ],
      },
    ],
  });
  assert.deepEqual(g.x.domain, [0, 3]);
  assert.equal(g.x.map(0), g.plot.left);
});
