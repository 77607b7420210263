/**
 * Number formatting shared by the report's tables and chart labels.
 *
 * Formatting is done by hand rather than with `Intl` so the report is byte-identical across
 * machines and locales; non-finite values render as an em dash instead of `NaN`.
 */

/** Placeholder shown for missing or non-finite values. */
export const MISSING = '—';

/** Integers with thousands separators: `60000` → `60,000`. */
export function formatInteger(value: number): string {
  if (!Number.isFinite(value)) return MISSING;
  const sign = value < 0 ? '-' : '';
  const digits = String(Math.round(Math.abs(value)));
  return sign + digits.replace(/\B(?=(\d{3})+(?!\d))/g, ',');
}

/**
 * Fixed decimals, or a grouped integer when `decimals` is 0.
 *
 * @defaultValue `decimals` = 4
 */
export function formatFixed(value: number, decimals = 4): string {
  if (!Number.isFinite(value)) return MISSING;
  if (decimals === 0) return formatInteger(value);
  return value.toFixed(decimals);
}

/**
 * A ratio in 0..1 as a percentage: `0.98765` → `98.77%`.
 *
 * @defaultValue `decimals` = 2
 */
export function formatPercent(ratio: number, decimals = 2): string {
  if (!Number.isFinite(ratio)) return MISSING;
  return `${(ratio * 100).toFixed(decimals)}%`;
}

/**
 * Exponent notation without redundant zeros: `0.0005` → `5e-4`, `0.00025` → `2.5e-4`.
 * Used for learning rates, which are read as powers of ten.
 */
export function formatExponent(value: number): string {
  if (!Number.isFinite(value)) return MISSING;
  const [mantissa, exponent] = value.toExponential(2).split('e');
  return `${Number(mantissa)}e${Number(exponent)}`;
}

/**
 * Compact general-purpose formatting for values whose magnitude is not known in advance
 * (losses, summary numbers): integers are grouped, tiny or huge values use exponent notation,
 * values from 1,000 up keep one decimal, everything else keeps four significant digits.
 */
export function formatNumber(value: number): string {
  if (!Number.isFinite(value)) return MISSING;
  if (Number.isInteger(value) && Math.abs(value) < 1e15) return formatInteger(value);
  const magnitude = Math.abs(value);
  if (magnitude !== 0 && (magnitude < 1e-3 || magnitude >= 1e7)) return formatExponent(value);
  if (magnitude >= 1000) {
    const [whole, fraction] = value.toFixed(1).split('.');
    const grouped = formatInteger(Number(whole));
    return fraction === '0' ? grouped : `${grouped}.${fraction}`;
  }
  return String(Number(value.toPrecision(4)));
}
