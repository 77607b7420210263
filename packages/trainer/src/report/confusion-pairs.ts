/**
 * The confusions that remain, as a short ranked list ("7 → 2: 4"): easier to act on than the
 * off-diagonal cells of a matrix.
 */
import { escapeHtml } from './html-escape.js';
import { formatInteger } from './number-format.js';

export interface ConfusionPair {
  readonly trueLabel: number;
  readonly predictedLabel: number;
  readonly count: number;
}

/** Off-diagonal cells of `confusion[true][predicted]`, most frequent first (ties by label order). */
export function topConfusions(confusion: readonly (readonly number[])[], limit = 10): ConfusionPair[] {
  const pairs: ConfusionPair[] = [];
  confusion.forEach((row, trueLabel) =>
    row.forEach((count, predictedLabel) => {
      if (predictedLabel !== trueLabel && count > 0) pairs.push({ trueLabel, predictedLabel, count });
    }),
  );
  return pairs
    .sort((a, b) => b.count - a.count || a.trueLabel - b.trueLabel || a.predictedLabel - b.predictedLabel)
    .slice(0, limit);
}

/** `<ol>` of the top confusions, or a note that there are none. */
export function renderConfusionPairs(
  confusion: readonly (readonly number[])[],
  classNames: readonly string[],
  limit = 10,
): string {
  const pairs = topConfusions(confusion, limit);
  if (pairs.length === 0) return '<p class="note">No confusions.</p>';
  const name = (label: number) => escapeHtml(classNames[label] ?? String(label));
  return (
    '<ol class="confusions">' +
    pairs.map((p) => `<li>${name(p.trueLabel)} → ${name(p.predictedLabel)}: ${formatInteger(p.count)}</li>`).join('') +
    '</ol>'
  );
}
