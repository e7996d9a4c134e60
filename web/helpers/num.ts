/**
 * `{{num value}}`: a count with thousands separators ("12,345"); "–" for null/undefined.
 */
const fmt = new Intl.NumberFormat('en-US', { maximumFractionDigits: 1 });

/** Formats a number for display. */
export function num(value: unknown): string {
  if (typeof value !== 'number' || !Number.isFinite(value)) return '–';
  return fmt.format(value);
}
