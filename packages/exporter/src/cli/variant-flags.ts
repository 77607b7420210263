import { MAX_ACCURACY_DROP_POINTS } from '../quantize/choose-variant.js';
import { parsePrecisions, type Precision } from '../quantize/quantize-model.js';
import { ExportUsageError } from '../errors.js';

// The variant flags shared by npm run export (--quantize) and npm run quantize (--precisions).

/** `--precisions` / `--quantize`: a usage error (exit 2) naming the flag. */
export function parsePrecisionsFlag(flag: string, value: string): Precision[] {
  try {
    return parsePrecisions(value, flag);
  } catch (error) {
    throw new ExportUsageError((error as Error).message);
  }
}

/** `--max-accuracy-drop`: percentage points, 0–100. */
export function parseDropFlag(value: string | undefined): number {
  if (value === undefined) return MAX_ACCURACY_DROP_POINTS;
  const points = Number(value);
  if (value.trim() === '' || !Number.isFinite(points) || points < 0 || points > 100) {
    throw new ExportUsageError(
      `'--max-accuracy-drop' must be a number of percentage points from 0 to 100; received "${value}"`,
    );
  }
  return points;
}
