/**
 * Error codes of the report renderer. Codes are stable and tests assert on them; message text
 * may change.
 *
 * These belong in the trainer package's `errors.ts` registry once it exists; they live here so
 * the report module stays self-contained until then.
 */

export const ReportErrorCode = {
  /** Two arrays that must be parallel have different lengths. */
  LENGTH_MISMATCH: 'ERR_REPORT_LENGTH_MISMATCH',
  /** A class label is not an integer in `0..classes-1`. */
  LABEL_OUT_OF_RANGE: 'ERR_REPORT_LABEL_OUT_OF_RANGE',
  /** The class count is not a positive integer. */
  INVALID_CLASS_COUNT: 'ERR_REPORT_INVALID_CLASS_COUNT',
  /** The confusion matrix is not square with one row per class name. */
  CONFUSION_SHAPE: 'ERR_REPORT_CONFUSION_SHAPE',
  /** Image dimensions are not positive integers, or pixels do not match them. */
  IMAGE_SHAPE: 'ERR_REPORT_IMAGE_SHAPE',
} as const;

export type ReportErrorCode = (typeof ReportErrorCode)[keyof typeof ReportErrorCode];

/** Thrown for caller mistakes in report input; `code` is one of {@link ReportErrorCode}. */
export class ReportError extends RangeError {
  readonly code: ReportErrorCode;

  constructor(code: ReportErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'ReportError';
    this.code = code;
  }
}
