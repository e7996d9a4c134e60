/**
 * `{{date value "datetime"|"day"|"hour"|"iso"}}`: a UTC time for display ("2024-05-01 14:05 UTC",
 * "1 May 2024", "14:00"); "–" when absent. All dashboard times are UTC.
 */
const DAY = new Intl.DateTimeFormat('en-GB', { day: 'numeric', month: 'short', year: 'numeric', timeZone: 'UTC' });

/** Formats a Date (or ISO string) in UTC. */
export function date(value: unknown, style?: unknown): string {
  const d = value instanceof Date ? value : typeof value === 'string' ? new Date(value) : null;
  if (!d || Number.isNaN(d.getTime())) return '–';
  const iso = d.toISOString();
  switch (typeof style === 'string' ? style : 'datetime') {
    case 'iso':
      return iso;
    case 'day':
      return DAY.format(d);
    case 'hour':
      return iso.slice(11, 16);
    default:
      return `${iso.slice(0, 10)} ${iso.slice(11, 16)} UTC`;
  }
}
