/**
 * Grid of misclassified test digits, each an embedded PNG scaled up with nearest-neighbour
 * sampling and captioned "true → predicted (confidence)".
 */
import { escapeHtml } from './html-escape.js';
import { formatInteger, formatPercent } from './number-format.js';
import { grayscalePngDataUrl } from './png-encoder.js';
import { ReportError, ReportErrorCode } from '../errors.js';
import type { MisclassifiedDigit } from './report-types.js';
import { MAX_MISCLASSIFIED_SHOWN } from './report-types.js';

export interface DigitGridOptions {
  rows: number;
  cols: number;
  classNames: readonly string[];
  /** On-screen pixels per image pixel. @defaultValue 3 */
  scale?: number;
  /** @defaultValue {@link MAX_MISCLASSIFIED_SHOWN} */
  limit?: number;
}

/**
 * Converts ink intensities (0 = background, 255 = ink) to grayscale luminance, so digits show
 * as dark ink on white paper.
 */
function inkToLuminance(pixels: Uint8Array): Uint8Array {
  const out = new Uint8Array(pixels.length);
  for (let i = 0; i < pixels.length; i++) out[i] = 255 - pixels[i];
  return out;
}

function className(classNames: readonly string[], label: number): string {
  return classNames[label] ?? String(label);
}

/**
 * Renders up to `limit` digits as a `<div class="digits">` of `<figure>`s, one `<img>` each;
 * an empty list renders a short note instead.
 *
 * @throws {@link ReportError} `ERR_REPORT_IMAGE_SHAPE` when a digit's pixel count is not
 * `rows * cols`.
 */
export function renderDigitGrid(digits: readonly MisclassifiedDigit[], options: DigitGridOptions): string {
  const { rows, cols, classNames } = options;
  const scale = options.scale ?? 3;
  const limit = options.limit ?? MAX_MISCLASSIFIED_SHOWN;
  if (digits.length === 0) {
    return `<p class="note">No misclassified test digits.</p>`;
  }
  const shown = digits.slice(0, limit);
  const figures = shown.map((digit, n) => {
    if (digit.pixels.length !== rows * cols) {
      throw new ReportError(
        ReportErrorCode.IMAGE_SHAPE,
        `'misclassified[${n}].pixels' must hold rows * cols = ${rows * cols} values; received ${digit.pixels.length}`,
      );
    }
    const src = grayscalePngDataUrl(inkToLuminance(digit.pixels), cols, rows);
    const truth = className(classNames, digit.trueLabel);
    const guess = className(classNames, digit.predictedLabel);
    const confidence = formatPercent(digit.confidence, 1);
    const alt = `test image ${digit.index}: true ${truth}, predicted ${guess} (${confidence})`;
    return (
      `<figure class="digit">` +
      `<img src="${src}" width="${cols * scale}" height="${rows * scale}" alt="${escapeHtml(alt)}" title="${escapeHtml(alt)}">` +
      `<figcaption><span class="true">${escapeHtml(truth)}</span> → ` +
      `<span class="pred">${escapeHtml(guess)}</span> <span class="conf">(${escapeHtml(confidence)})</span></figcaption>` +
      `</figure>`
    );
  });
  const more =
    digits.length > shown.length
      ? `<p class="note">Showing ${formatInteger(shown.length)} of ${formatInteger(digits.length)} misclassified test digits.</p>`
      : `<p class="note">${formatInteger(digits.length)} misclassified test digit${digits.length === 1 ? '' : 's'}.</p>`;
  return `${more}<div class="digits">${figures.join('')}</div>`;
}
