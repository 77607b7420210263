/**
 * The report's two charts, built from {@link TrainingReportInput}: loss per epoch (log scale,
 * with optional per-step losses) and test accuracy per epoch in percent.
 */
import { formatPercent } from './number-format.js';
import type { ChartPoint, LineSeries } from './svg-line-chart.js';
import { renderLineChart } from './svg-line-chart.js';
import { bestEpochIndex } from './epoch-table.js';
import type { EpochMetrics, StepLoss } from './report-types.js';

export const CHART_COLORS = {
  train: '#2563eb',
  test: '#ea580c',
  steps: '#60a5fa',
  accuracy: '#16a34a',
  dev: '#9333ea',
} as const;

/**
 * Places step losses on the epoch axis. Steps that already fit within the epoch range are
 * fractional epochs; otherwise they are global steps, spread so the last lands on the last epoch.
 */
export function stepLossesOnEpochAxis(steps: readonly StepLoss[], epochs: readonly EpochMetrics[]): ChartPoint[] {
  const finiteSteps = steps.map((s) => s.step).filter(Number.isFinite);
  const lastEpoch = Math.max(0, ...epochs.map((e) => e.epoch).filter(Number.isFinite));
  const lastStep = finiteSteps.length > 0 ? Math.max(...finiteSteps) : 0;
  const factor = lastEpoch > 0 && lastStep > lastEpoch + 1e-9 ? lastEpoch / lastStep : 1;
  return steps.map((s) => ({ x: s.step * factor, y: s.loss }));
}

/** Loss chart: train and test loss per epoch, step losses as a faint line underneath. */
export function renderLossChart(epochs: readonly EpochMetrics[], stepLosses?: readonly StepLoss[]): string {
  const series: LineSeries[] = [];
  const hasSteps = stepLosses !== undefined && stepLosses.length > 0;
  if (hasSteps) {
    series.push({
      label: 'train loss (per step)',
      color: CHART_COLORS.steps,
      strokeWidth: 1,
      opacity: 0.45,
      markers: false,
      points: stepLossesOnEpochAxis(stepLosses, epochs),
    });
  }
  series.push(
    { label: 'train loss', color: CHART_COLORS.train, points: epochs.map((e) => ({ x: e.epoch, y: e.trainLoss })) },
    { label: 'test loss', color: CHART_COLORS.test, points: epochs.map((e) => ({ x: e.epoch, y: e.testLoss })) },
  );
  return renderLineChart({
    title: 'Loss per epoch (log scale)',
    xLabel: 'epoch',
    yLabel: 'cross-entropy loss (log scale)',
    yScale: 'log',
    xIntegerTicks: true,
    // Step losses start inside the first epoch, so the axis starts at the start of training.
    xMin: hasSteps ? 0 : undefined,
    series,
  });
}

/**
 * Accuracy chart: test accuracy per epoch in percent, the best epoch annotated; the development
 * set's accuracy (real handwriting) beside it when the epochs have one.
 */
export function renderAccuracyChart(epochs: readonly EpochMetrics[]): string {
  const best = bestEpochIndex(epochs);
  const annotations =
    best === -1
      ? []
      : [
          {
            x: epochs[best].epoch,
            y: epochs[best].testAccuracy * 100,
            label: `best ${formatPercent(epochs[best].testAccuracy)} @ epoch ${epochs[best].epoch}`,
            color: '#15803d',
          },
        ];
  return renderLineChart({
    title: 'Test accuracy per epoch',
    xLabel: 'epoch',
    yLabel: 'test accuracy',
    yTickSuffix: '%',
    yMax: 100,
    yMin: 0,
    xIntegerTicks: true,
    series: [
      {
        label: 'test accuracy',
        color: CHART_COLORS.accuracy,
        points: epochs.map((e) => ({ x: e.epoch, y: e.testAccuracy * 100 })),
      },
      ...(epochs.some((e) => e.devAccuracy !== undefined)
        ? [
            {
              label: 'real handwriting (dev set)',
              color: CHART_COLORS.dev,
              points: epochs.map((e) => ({ x: e.epoch, y: (e.devAccuracy ?? Number.NaN) * 100 })),
            },
          ]
        : []),
    ],
    annotations,
  });
}
