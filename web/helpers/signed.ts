/**
 * `{{signed value digits}}`: a signed figure ("+0.23", "−0.10", "0"); "–" when not a number.
 * Used for net sentiment and changes. A minus sign (U+2212) reads better than a hyphen.
 */
/** Formats a signed number with `digits` decimals (default 2). */
export function signed(value: unknown, digits?: unknown): string {
  if (typeof value !== 'number' || !Number.isFinite(value)) return '–';
  const d = typeof digits === 'number' ? digits : 2;
  const s = Math.abs(value).toFixed(d);
  if (Number(s) === 0) return (0).toFixed(d);
  return `${value > 0 ? '+' : '\u2212'}${s}`;
}
