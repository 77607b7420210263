/**
 * Per-epoch table: losses, accuracy, learning rate and throughput, with the best-accuracy
 * epoch highlighted.
 */
import { escapeHtml } from './html-escape.js';
import { formatExponent, formatFixed, formatInteger, formatNumber, formatPercent } from './number-format.js';
import type { EpochMetrics } from './report-types.js';

/** Index of the epoch with the highest finite test accuracy, or -1 when there is none. */
export function bestEpochIndex(epochs: readonly EpochMetrics[]): number {
  let best = -1;
  epochs.forEach((e, i) => {
    if (Number.isFinite(e.testAccuracy) && (best === -1 || e.testAccuracy > epochs[best].testAccuracy)) {
      best = i;
    }
  });
  return best;
}

const COLUMNS = [
  'epoch',
  'train loss',
  'test loss',
  'test accuracy',
  'learning rate',
  'time (s)',
  'images / s',
] as const;

/** Renders the epochs as a `<table>`; an empty list renders a short note instead. */
export function renderEpochTable(epochs: readonly EpochMetrics[]): string {
  if (epochs.length === 0) return `<p class="note">No epochs recorded.</p>`;
  const best = bestEpochIndex(epochs);
  const head = COLUMNS.map((c) => `<th scope="col">${escapeHtml(c)}</th>`).join('');
  const rows = epochs
    .map((e, i) => {
      const cells = [
        formatFixed(e.trainLoss),
        formatFixed(e.testLoss),
        formatPercent(e.testAccuracy),
        formatExponent(e.learningRate),
        formatFixed(e.seconds, 1),
        formatInteger(e.imagesPerSecond),
      ];
      const cls = i === best ? ' class="best" title="best test accuracy"' : '';
      return `<tr${cls}><th scope="row">${escapeHtml(formatNumber(e.epoch))}</th>${cells.map((c) => `<td>${escapeHtml(c)}</td>`).join('')}</tr>`;
    })
    .join('');
  const totalSeconds = epochs.reduce((sum, e) => sum + (Number.isFinite(e.seconds) ? e.seconds : 0), 0);
  const foot = `<tr><th scope="row">total</th><td colspan="4"></td><td>${formatFixed(totalSeconds, 1)}</td><td></td></tr>`;
  return `<table class="epochs"><thead><tr>${head}</tr></thead><tbody>${rows}</tbody><tfoot>${foot}</tfoot></table>`;
}
