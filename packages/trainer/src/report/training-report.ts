/**
 * Entry point of the HTML training report: one self-contained document (inline CSS, inline SVG
 * charts, PNG digits as data URLs) that opens offline straight from disk.
 */
import { assertConfusionShape, renderConfusionMatrix } from './confusion-matrix.js';
import { renderConfusionPairs } from './confusion-pairs.js';
import { renderDigitGrid } from './digit-grid.js';
import { renderEpochTable } from './epoch-table.js';
import { escapeHtml } from './html-escape.js';
import { formatNumber, formatPercent } from './number-format.js';
import { ReportError, ReportErrorCode } from '../errors.js';
import { REPORT_CSS } from './report-styles.js';
import type { TrainingReportInput } from './report-types.js';
import { renderAccuracyChart, renderLossChart } from './training-charts.js';

function validate(input: TrainingReportInput): void {
  const { rows, cols } = input.imageSize;
  if (!Number.isInteger(rows) || !Number.isInteger(cols) || rows <= 0 || cols <= 0) {
    throw new ReportError(
      ReportErrorCode.IMAGE_SHAPE,
      `'imageSize' must hold positive integer rows and cols; received ${rows}x${cols}`,
    );
  }
  assertConfusionShape(input.confusion, input.classNames.length);
  if (input.devSet !== undefined) assertConfusionShape(input.devSet.confusion, input.classNames.length);
}

/** The development set's section: where it comes from, its matrix (per-digit accuracy as recall), errors. */
function renderDevSet(input: TrainingReportInput): string {
  const dev = input.devSet;
  if (dev === undefined) return '';
  const total = dev.confusion.flat().reduce((a, b) => a + b, 0);
  const correct = dev.confusion.reduce((sum, row, i) => sum + row[i], 0);
  const grid = renderDigitGrid(dev.misclassified, {
    rows: input.imageSize.rows,
    cols: input.imageSize.cols,
    classNames: input.classNames,
  });
  return section(
    'Real handwriting (development set, never trained on)',
    `<p>${escapeHtml(dev.description)}: ${correct} of ${total} right (${formatPercent(correct / Math.max(1, total))}), ` +
      `each digit preprocessed as the server and the SDK do it.</p>` +
      renderConfusionMatrix(dev.confusion, input.classNames) +
      '<h3>Confusions that remain</h3>' +
      renderConfusionPairs(dev.confusion, input.classNames) +
      '<h3>Misclassified digits, as the model saw them</h3>' +
      grid,
  );
}

function renderSummary(summary: TrainingReportInput['summary']): string {
  const entries = Object.entries(summary);
  if (entries.length === 0) return '';
  // Two side-by-side tables keep a dozen facts above the fold on a wide screen.
  const half = entries.length > 6 ? Math.ceil(entries.length / 2) : entries.length;
  const table = (slice: typeof entries): string =>
    `<table class="summary"><tbody>` +
    slice
      .map(([key, value]) => {
        const text = typeof value === 'number' ? formatNumber(value) : value;
        return `<tr><th scope="row">${escapeHtml(key)}</th><td>${escapeHtml(text)}</td></tr>`;
      })
      .join('') +
    `</tbody></table>`;
  const tables = [entries.slice(0, half), entries.slice(half)].filter((s) => s.length > 0).map(table);
  return `<div class="summary-grid">${tables.join('')}</div>`;
}

function section(title: string, body: string): string {
  return `<section><h2>${escapeHtml(title)}</h2>${body}</section>`;
}

/**
 * Renders a complete, self-contained HTML document for one training run.
 *
 * Every caller-supplied string is escaped; non-finite metrics render as gaps in the charts and
 * `—` in the tables.
 *
 * @throws {@link ReportError} `ERR_REPORT_CONFUSION_SHAPE` when `confusion` is not square with
 * one row per class name, `ERR_REPORT_IMAGE_SHAPE` when `imageSize` or a digit's pixels are
 * inconsistent.
 * @example
 * ```ts
 * import { writeFileSync } from 'node:fs';
 * writeFileSync('report.html', renderTrainingReport({
 *   title: 'onnxpipe — mnist', classNames: ['0', '1'], epochs, confusion: [[5, 1], [0, 6]],
 *   misclassified: [], imageSize: { rows: 28, cols: 28 }, summary: { seed: 42 },
 *   generatedAt: new Date().toISOString(),
 * }));
 * ```
 */
export function renderTrainingReport(input: TrainingReportInput): string {
  validate(input);
  const title = escapeHtml(input.title);
  const charts =
    `<div class="charts">` +
    `<figure><figcaption>Loss</figcaption>${renderLossChart(input.epochs, input.stepLosses)}</figure>` +
    `<figure><figcaption>Test accuracy</figcaption>${renderAccuracyChart(input.epochs)}</figure>` +
    `</div>`;
  const digits = renderDigitGrid(input.misclassified, {
    rows: input.imageSize.rows,
    cols: input.imageSize.cols,
    classNames: input.classNames,
  });
  return [
    '<!DOCTYPE html>',
    '<html lang="en">',
    '<head>',
    '<meta charset="utf-8">',
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    `<title>${title}</title>`,
    `<style>${REPORT_CSS}</style>`,
    '</head>',
    '<body>',
    `<header><h1>${title}</h1>`,
    `<p class="generated">Generated ${escapeHtml(input.generatedAt)}</p>`,
    renderSummary(input.summary),
    '</header>',
    '<main>',
    section('Training curves', charts),
    section('Epochs', renderEpochTable(input.epochs)),
    section(
      'Confusion matrix (test set)',
      renderConfusionMatrix(input.confusion, input.classNames) +
        '<h3>Confusions that remain</h3>' +
        renderConfusionPairs(input.confusion, input.classNames),
    ),
    section('Misclassified test digits', digits),
    renderDevSet(input),
    '</main>',
    '</body>',
    '</html>',
    '',
  ].join('\n');
}
