/**
 * Confusion matrix: counting from label arrays, and rendering as an HTML heat-map table with
 * per-class recall and precision.
 */
import { escapeHtml } from './html-escape.js';
import { formatInteger, formatPercent } from './number-format.js';
import { ReportError, ReportErrorCode } from '../errors.js';

/**
 * Counts `matrix[true][predicted]` over parallel label arrays.
 *
 * @throws {@link ReportError} `ERR_REPORT_INVALID_CLASS_COUNT`, `ERR_REPORT_LENGTH_MISMATCH` or
 * `ERR_REPORT_LABEL_OUT_OF_RANGE`.
 * @example
 * ```ts
 * computeConfusionMatrix([0, 1, 1], [0, 0, 1], 2); // [[1, 0], [1, 1]]
 * ```
 */
export function computeConfusionMatrix(
  trueLabels: ArrayLike<number>,
  predicted: ArrayLike<number>,
  classes: number,
): number[][] {
  if (!Number.isInteger(classes) || classes <= 0) {
    throw new ReportError(
      ReportErrorCode.INVALID_CLASS_COUNT,
      `'classes' must be a positive integer; received ${classes}`,
    );
  }
  if (trueLabels.length !== predicted.length) {
    throw new ReportError(
      ReportErrorCode.LENGTH_MISMATCH,
      `'trueLabels' and 'predicted' must have the same length; received ${trueLabels.length} and ${predicted.length}`,
    );
  }
  const matrix = Array.from({ length: classes }, () => new Array<number>(classes).fill(0));
  const check = (name: string, label: number, i: number): void => {
    if (!Number.isInteger(label) || label < 0 || label >= classes) {
      throw new ReportError(
        ReportErrorCode.LABEL_OUT_OF_RANGE,
        `'${name}[${i}]' must be an integer in 0..${classes - 1}; received ${label}`,
      );
    }
  };
  for (let i = 0; i < trueLabels.length; i++) {
    const t = trueLabels[i];
    const p = predicted[i];
    check('trueLabels', t, i);
    check('predicted', p, i);
    matrix[t][p]++;
  }
  return matrix;
}

/** Throws unless `confusion` is a `classes × classes` matrix. */
export function assertConfusionShape(confusion: readonly (readonly number[])[], classes: number): void {
  const badRow = confusion.findIndex((row) => row.length !== classes);
  if (confusion.length !== classes || badRow !== -1) {
    const received =
      confusion.length !== classes
        ? `${confusion.length} rows`
        : `row ${badRow} with ${confusion[badRow].length} columns`;
    throw new ReportError(
      ReportErrorCode.CONFUSION_SHAPE,
      `'confusion' must be ${classes}x${classes}, one row and column per class name; received ${received}`,
    );
  }
}

const count = (value: number): number => (Number.isFinite(value) && value > 0 ? value : 0);

/**
 * Background for a cell holding `share` of its row. The diagonal is green and linear in the
 * share. Errors are red relative to the worst confusion in the matrix, since a handful of
 * mistakes per thousand would all look alike on an absolute ramp.
 */
function cellStyle(share: number, diagonal: boolean, worstErrorShare: number): string {
  if (share <= 0) return '';
  const alpha = diagonal ? 0.12 + 0.78 * share : 0.1 + 0.75 * Math.pow(share / Math.max(share, worstErrorShare), 0.75);
  const rgb = diagonal ? '22,163,74' : '220,38,38';
  const ink = alpha > 0.55 ? ';color:#fff' : '';
  return ` style="background:rgba(${rgb},${alpha.toFixed(3)})${ink}"`;
}

/**
 * Renders the matrix as a `<table>`: rows are true labels, columns predictions, the diagonal in
 * green, errors in red shaded by their share of the row; a recall column, a support column and a
 * precision row frame it.
 *
 * @throws {@link ReportError} `ERR_REPORT_CONFUSION_SHAPE` when the matrix does not match
 * `classNames`.
 */
export function renderConfusionMatrix(
  confusion: readonly (readonly number[])[],
  classNames: readonly string[],
): string {
  const classes = classNames.length;
  assertConfusionShape(confusion, classes);
  const rowTotals = confusion.map((row) => row.reduce((sum, c) => sum + count(c), 0));
  const colTotals = classNames.map((_, j) => confusion.reduce((sum, row) => sum + count(row[j]), 0));
  const total = rowTotals.reduce((a, b) => a + b, 0);
  const correct = confusion.reduce((sum, row, i) => sum + count(row[i]), 0);
  const names = classNames.map((n) => escapeHtml(n));
  const share = (i: number, j: number): number => (rowTotals[i] > 0 ? count(confusion[i][j]) / rowTotals[i] : 0);
  let worstErrorShare = 0;
  for (let i = 0; i < classes; i++) {
    for (let j = 0; j < classes; j++) if (i !== j) worstErrorShare = Math.max(worstErrorShare, share(i, j));
  }

  const head =
    `<tr><th class="corner" scope="col">true \\ predicted</th>` +
    names.map((n) => `<th scope="col">${n}</th>`).join('') +
    `<th scope="col" class="metric">recall</th><th scope="col" class="metric">n</th></tr>`;

  const body = confusion
    .map((row, i) => {
      const cells = row
        .map((value, j) => {
          const c = count(value);
          const rowShare = share(i, j);
          const cls = i === j ? 'cell diag' : c > 0 ? 'cell err' : 'cell zero';
          const tip = `true ${classNames[i]}, predicted ${classNames[j]}: ${formatInteger(c)} (${formatPercent(rowShare, 1)} of row)`;
          return `<td class="${cls}" title="${escapeHtml(tip)}"${cellStyle(rowShare, i === j, worstErrorShare)}>${formatInteger(c)}</td>`;
        })
        .join('');
      const recall = rowTotals[i] > 0 ? count(row[i]) / rowTotals[i] : Number.NaN;
      return (
        `<tr><th scope="row">${names[i]}</th>${cells}` +
        `<td class="metric">${formatPercent(recall, 1)}</td><td class="metric">${formatInteger(rowTotals[i])}</td></tr>`
      );
    })
    .join('');

  const precision = classNames
    .map((_, j) => formatPercent(colTotals[j] > 0 ? count(confusion[j][j]) / colTotals[j] : Number.NaN, 1))
    .map((p) => `<td class="metric">${p}</td>`)
    .join('');
  const accuracy = total > 0 ? correct / total : Number.NaN;
  const foot =
    `<tr><th scope="row">precision</th>${precision}` +
    `<td class="metric total" title="overall accuracy">${formatPercent(accuracy, 2)}</td>` +
    `<td class="metric total">${formatInteger(total)}</td></tr>`;

  return (
    `<table class="confusion">` +
    `<caption>Rows: true label · columns: predicted label · green: share of the row predicted correctly · red: errors, darkest for the most frequent confusion</caption>` +
    `<thead>${head}</thead><tbody>${body}</tbody><tfoot>${foot}</tfoot></table>`
  );
}
