/**
 * Shared pieces of the page handlers: the nav, brand lookup (400 for an unknown brand), the
 * brand/range picker model, sentiment keys and small figure helpers.
 */
import type { Db } from '../../db/index.js';
import { ValidationError } from '../../errors.js';
import { RANGE_KEYS, type TimeRange } from '../../db/filters.js';
import { listBrands, type BrandRow } from '../../db/stats.js';
import type { MentionView } from '../../db/explore.js';
import { query } from '../links.js';

/** The main navigation. */
export const NAV = [
  { path: '/', label: 'Overview' },
  { path: '/brands', label: 'Brands' },
  { path: '/journey', label: 'Journey' },
  { path: '/mentions', label: 'Mentions' },
  { path: '/sources', label: 'Sources' },
  { path: '/alerts', label: 'Alerts' },
] as const;

/** Sentiment series, bottom of the stack first; classes map to the colour-blind-safe palette. */
export const SENTIMENT_KEYS = [
  { key: 'negative', label: 'Negative', cls: 's-negative' },
  { key: 'neutral', label: 'Neutral', cls: 's-neutral' },
  { key: 'positive', label: 'Positive', cls: 's-positive' },
  { key: 'unscored', label: 'Not scored', cls: 's-unscored' },
] as const;
export type SentimentKey = (typeof SENTIMENT_KEYS)[number]['key'];

/** Resolves the `brand` parameter; throws a 400 naming it when unknown. */
export async function resolveBrand(db: Db, name: string | null): Promise<{ brands: BrandRow[]; brand: BrandRow | null }> {
  const brands = await listBrands(db);
  if (name === null) return { brands, brand: null };
  const brand = brands.find((b) => b.name === name) ?? brands.find((b) => b.name.toLowerCase() === name.toLowerCase());
  if (!brand) throw new ValidationError(`brand: unknown brand '${name}' (known: ${brands.map((b) => b.name).join(', ') || 'none'})`, { field: 'brand' });
  return { brands, brand };
}

const RANGE_LABELS: Record<string, string> = { '24h': '24 hours', '7d': '7 days', '30d': '30 days', '90d': '90 days' };

/** Human label of a window. */
export function rangeLabel(r: TimeRange): string {
  if (r.key !== 'custom') return `last ${RANGE_LABELS[r.key]}`;
  const f = (d: Date): string => (d.getTime() % 86_400_000 === 0 ? d.toISOString().slice(0, 10) : `${d.toISOString().slice(0, 16).replace('T', ' ')} UTC`);
  return `${f(r.from)} – ${f(new Date(r.to.getTime() - (r.to.getTime() % 86_400_000 === 0 ? 86_400_000 : 0)))}`;
}

/** The brand selector and range links of a dashboard page (all plain links and a GET form). */
export function pickerModel(path: string, brands: BrandRow[], brand: BrandRow | null, range: TimeRange, opts: { allBrands?: boolean } = {}) {
  const isoDay = (d: Date): string => d.toISOString().slice(0, 10);
  return {
    action: path,
    showBrand: opts.allBrands !== false,
    brands: brands.map((b) => ({ name: b.name, own: b.own, selected: brand?.id === b.id })),
    anyBrand: brand === null,
    rangeKey: range.key,
    ranges: RANGE_KEYS.map((k) => ({ key: k, label: k, active: range.key === k, href: `${path}${query({ brand: brand?.name ?? null, range: k })}` })),
    from: isoDay(range.from),
    to: isoDay(new Date(range.to.getTime() - 1)),
    label: rangeLabel(range),
  };
}

/** Net sentiment (pos − neg) / (pos + neg), or null when there is neither. */
export function netSentiment(pos: number, neg: number): number | null {
  return pos + neg === 0 ? null : (pos - neg) / (pos + neg);
}

/** Relative change, or null when the previous value is 0. */
export function changeRatio(cur: number, prev: number): number | null {
  return prev === 0 ? null : (cur - prev) / prev;
}

/**
 * Day ticks ("3 Mar"). One formatter for the process: each `new Intl.DateTimeFormat` holds ICU objects
 * in native memory that V8 does not count and frees only when it collects the wrapper, so a formatter per
 * bucket (30–90 per chart, thousands a minute under load) grew the web process's RSS by hundreds of MB
 * while its heap stayed flat, and cost ~0.1–0.3 ms each.
 */
const DAY_TICK = new Intl.DateTimeFormat('en-GB', { day: 'numeric', month: 'short', timeZone: 'UTC' });

/** Bucket labels for charts and tables. */
export function bucketLabels(start: Date, unit: 'hour' | 'day'): { label: string; tick: string } {
  const iso = start.toISOString();
  if (unit === 'hour') return { label: `${iso.slice(0, 10)} ${iso.slice(11, 16)} UTC`, tick: iso.slice(11, 16) === '00:00' ? iso.slice(5, 10) : iso.slice(11, 16) };
  return { label: iso.slice(0, 10), tick: DAY_TICK.format(start) };
}

/** Safe external link: only http(s) URLs are ever put in an href. */
export function safeUrl(url: string | null): string | null {
  if (!url) return null;
  try {
    const u = new URL(url);
    return u.protocol === 'http:' || u.protocol === 'https:' ? u.toString() : null;
  } catch {
    return null;
  }
}

/** A mention shaped for the mention partial. */
export function presentMention(m: MentionView) {
  return {
    ...m,
    id: m.id,
    anchor: `m-${m.id}`,
    safeUrl: safeUrl(m.url),
    authorHref: m.author ? `/mentions${query({ author: m.author })}` : null,
    sourceHref: `/mentions${query({ source: m.channel })}`,
    stageHref: m.stage ? `/mentions${query({ stage: m.stage })}` : null,
    sentimentHref: `/mentions${query({ sentiment: m.sentiment })}`,
    painPoints: m.painPoints.map((p) => ({ ...p, href: `/mentions${query({ pain: p.id })}`, evidenceText: p.evidence.join(', ') })),
    stars: m.rating ? '★'.repeat(m.rating) + '☆'.repeat(5 - m.rating) : null,
    text: m.textHighlighted ?? null,
    plainText: m.text,
    titleText: m.titleHighlighted ?? null,
    plainTitle: m.title,
    hasHighlight: m.textHighlighted !== null,
  };
}
