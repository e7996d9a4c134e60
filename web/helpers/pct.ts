/**
 * `{{pct share}}`: a share in [0, 1] as a percentage ("12.5%"); "–" when not a number.
 */
/** Formats a share as a percentage with at most one decimal. */
export function pct(value: unknown): string {
  if (typeof value !== 'number' || !Number.isFinite(value)) return '–';
  const p = value * 100;
  return `${Math.abs(p) >= 10 || Number.isInteger(p) ? Math.round(p) : p.toFixed(1)}%`;
}
