/**
 * Links from figures to the mentions behind them: every number on a page is an <a> built here, with
 * the same filters the figure counted (see db/explore.ts for the matching rules).
 */

/** Filters a link to /mentions can carry. Dates are written as ISO times. */
export interface MentionLink {
  brand?: string | null;
  source?: string | null;
  sentiment?: string | null;
  stage?: string | null;
  pain?: string | null;
  language?: string | null;
  author?: string | null;
  q?: string | null;
  comparison?: boolean;
  switch_from?: string | null;
  switch_to?: string | null;
  from?: Date | null;
  to?: Date | null;
}

const ORDER: Array<keyof MentionLink> = ['brand', 'source', 'sentiment', 'stage', 'pain', 'language', 'author', 'q', 'comparison', 'switch_from', 'switch_to', 'from', 'to'];

/** `/mentions?…` for the given filters (empty ones left out). */
export function mentionsHref(f: MentionLink): string {
  return `/mentions${query(f)}`;
}

/** A query string (with "?") from the given values, in a stable order; empty values are left out. */
export function query(f: MentionLink | Record<string, unknown>): string {
  const p = new URLSearchParams();
  const rec = f as Record<string, unknown>;
  const keys = [...ORDER.filter((k) => k in rec), ...Object.keys(rec).filter((k) => !(ORDER as string[]).includes(k))];
  for (const k of keys) {
    const v = rec[k];
    if (v === null || v === undefined || v === '' || v === false) continue;
    if (v instanceof Date) p.set(k, v.toISOString());
    else if (v === true) p.set(k, 'yes');
    else p.set(k, String(v));
  }
  const s = p.toString();
  return s ? `?${s}` : '';
}
