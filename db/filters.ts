/**
 * Query-string parsing for every page and the API, and the tiny SQL condition builder the read
 * modules share. Parsing is pure (the clock comes in as `now`) and throws ValidationError naming the
 * parameter; identifiers never come from the user (bucket units and sort keys are whitelisted).
 *
 * Time ranges (all UTC):
 * | range | bucket | window                                                         |
 * |-------|--------|----------------------------------------------------------------|
 * | 24h   | hour   | the 24 hours ending at the end of the current hour             |
 * | 7d    | day    | the 7 days ending at the end of today (UTC midnight aligned)    |
 * | 30d   | day    | the 30 days ending at the end of today                          |
 * | 90d   | day    | the 90 days ending at the end of today                          |
 * | from/to | hour when ≤ 48 h, else day | `from` floored and `to` ceiled to the hour; a date-only `to` means the end of that day |
 * The previous period is the window of the same length just before `from`.
 */
import { ValidationError } from '../errors.js';
import { JOURNEY_STAGES, SENTIMENT_LABELS } from '../model.js';

/** Named ranges the pages offer. */
export const RANGE_KEYS = ['24h', '7d', '30d', '90d'] as const;
export type RangeKey = (typeof RANGE_KEYS)[number] | 'custom';
/** Bucket units (whitelist: these strings go into date_trunc). */
export type BucketUnit = 'hour' | 'day';
/** Sentiment filter values: the three labels plus mentions not scored. */
export const SENTIMENT_FILTERS = [...SENTIMENT_LABELS, 'unscored'] as const;
export type SentimentFilter = (typeof SENTIMENT_FILTERS)[number];

/** A resolved, hour-aligned time window. */
export interface TimeRange {
  key: RangeKey;
  from: Date;
  to: Date;
  unit: BucketUnit;
}

/** Filters of the mentions explorer (and the CSV export / `earshot export`). */
export interface MentionFilters {
  brand: string | null;
  /** A channel (origin when set, else source type) or a configured source name. */
  source: string | null;
  sentiment: SentimentFilter | null;
  stage: string | null;
  painPoint: string | null;
  language: string | null;
  author: string | null;
  /** Full-text query (websearch syntax). */
  q: string | null;
  /** Only mentions comparing brands or telling of a switch. */
  comparison: boolean;
  switchFrom: string | null;
  switchTo: string | null;
  /** Inclusive lower bound on published_at. */
  from: Date | null;
  /** Exclusive upper bound on published_at. */
  to: Date | null;
}

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const MAX_TEXT = 200;

/** Floors a date to the UTC hour. */
export function floorHour(d: Date): Date {
  return new Date(Math.floor(d.getTime() / HOUR) * HOUR);
}
/** Ceils a date to the UTC hour. */
export function ceilHour(d: Date): Date {
  return new Date(Math.ceil(d.getTime() / HOUR) * HOUR);
}
/** Floors a date to UTC midnight. */
export function floorDay(d: Date): Date {
  return new Date(Math.floor(d.getTime() / DAY) * DAY);
}

function one(query: Record<string, unknown>, name: string): string | null {
  const v = query[name];
  if (v === undefined || v === null) return null;
  if (Array.isArray(v)) throw new ValidationError(`${name}: give it once, not ${v.length} times`, { field: name });
  if (typeof v !== 'string') throw new ValidationError(`${name}: must be a plain string`, { field: name });
  const t = v.trim();
  if (t === '') return null;
  if (t.length > MAX_TEXT) throw new ValidationError(`${name}: longer than ${MAX_TEXT} characters`, { field: name });
  return t;
}

function parseDate(name: string, v: string, endOfDay: boolean): Date {
  if (/^\d{4}-\d{2}-\d{2}$/.test(v)) {
    const d = new Date(`${v}T00:00:00Z`);
    if (Number.isNaN(d.getTime())) throw new ValidationError(`${name}: '${v}' is not a date`, { field: name });
    return endOfDay ? new Date(d.getTime() + DAY) : d;
  }
  if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,3})?)?(Z|[+-]\d{2}:?\d{2})$/.test(v)) {
    throw new ValidationError(`${name}: '${v}' is not a date (use YYYY-MM-DD or an ISO time with zone, e.g. 2024-05-01T10:00:00Z)`, { field: name });
  }
  const d = new Date(v);
  if (Number.isNaN(d.getTime())) throw new ValidationError(`${name}: '${v}' is not a date`, { field: name });
  return d;
}

/**
 * The dashboard window from `range` or `from`/`to` (see the table at the top). `fallback` is used when
 * neither is given. `from`/`to` win over `range`.
 */
export function parseRange(query: Record<string, unknown>, now: Date, fallback: RangeKey = '7d'): TimeRange {
  const fromS = one(query, 'from');
  const toS = one(query, 'to');
  if (fromS || toS) {
    if (!fromS) throw new ValidationError('from: required when to is given', { field: 'from' });
    const from = floorHour(parseDate('from', fromS, false));
    const to = toS ? ceilHour(parseDate('to', toS, true)) : ceilHour(new Date(now.getTime() + 1));
    if (to <= from) throw new ValidationError('to: must be after from', { field: 'to' });
    if (to.getTime() - from.getTime() > 800 * DAY) throw new ValidationError('to: the window is longer than 800 days', { field: 'to' });
    const unit: BucketUnit = to.getTime() - from.getTime() <= 2 * DAY ? 'hour' : 'day';
    return { key: 'custom', from, to, unit };
  }
  const r = one(query, 'range') ?? fallback;
  if (r === 'custom') throw new ValidationError('range: custom needs from (and optionally to)', { field: 'range' });
  if (!(RANGE_KEYS as readonly string[]).includes(r)) {
    throw new ValidationError(`range: '${r}' is not one of ${RANGE_KEYS.join(', ')} (or give from/to)`, { field: 'range' });
  }
  const key = r as (typeof RANGE_KEYS)[number];
  if (key === '24h') {
    const to = ceilHour(new Date(now.getTime() + 1));
    return { key, from: new Date(to.getTime() - DAY), to, unit: 'hour' };
  }
  const days = Number(key.slice(0, -1));
  const to = new Date(floorDay(now).getTime() + DAY);
  return { key, from: new Date(to.getTime() - days * DAY), to, unit: 'day' };
}

/** The window of the same length just before `range`. */
export function previousRange(range: TimeRange): TimeRange {
  const span = range.to.getTime() - range.from.getTime();
  return { key: range.key, from: new Date(range.from.getTime() - span), to: range.from, unit: range.unit };
}

/** Milliseconds in one bucket. */
export function unitMs(unit: BucketUnit): number {
  return unit === 'hour' ? HOUR : DAY;
}

/** The optional `brand` parameter (a brand name; existence is checked by the caller). */
export function parseBrand(query: Record<string, unknown>): string | null {
  return one(query, 'brand');
}

function enumParam<T extends string>(query: Record<string, unknown>, name: string, allowed: readonly T[]): T | null {
  const v = one(query, name);
  if (v === null) return null;
  if (!(allowed as readonly string[]).includes(v)) throw new ValidationError(`${name}: '${v}' is not one of ${allowed.join(', ')}`, { field: name });
  return v as T;
}

/**
 * Parses the explorer filters. Dates: `from`/`to` exactly as given (a date-only `to` is the end of that
 * day), or `range` (24h/7d/30d/90d), or no time limit at all.
 */
export function parseMentionFilters(query: Record<string, unknown>, now: Date): MentionFilters {
  let from: Date | null = null;
  let to: Date | null = null;
  const fromS = one(query, 'from');
  const toS = one(query, 'to');
  if (fromS || toS) {
    if (fromS) from = parseDate('from', fromS, false);
    if (toS) to = parseDate('to', toS, true);
    if (from && to && to <= from) throw new ValidationError('to: must be after from', { field: 'to' });
  } else if (one(query, 'range')) {
    const r = parseRange(query, now);
    from = r.from;
    to = r.to;
  }
  const stage = one(query, 'stage');
  if (stage !== null && !(JOURNEY_STAGES as readonly string[]).includes(stage) && stage !== 'none') {
    throw new ValidationError(`stage: '${stage}' is not one of ${JOURNEY_STAGES.join(', ')}, none`, { field: 'stage' });
  }
  const pain = one(query, 'pain');
  if (pain !== null && !/^[a-z0-9-]{1,60}$/.test(pain)) throw new ValidationError(`pain: '${pain}' is not a pain-point id (lower-case-with-dashes)`, { field: 'pain' });
  const language = one(query, 'language');
  if (language !== null && !/^[a-z]{2,3}$/.test(language)) throw new ValidationError(`language: '${language}' is not a 2 or 3 letter language code`, { field: 'language' });
  const cmp = one(query, 'comparison');
  if (cmp !== null && cmp !== 'yes' && cmp !== 'no') throw new ValidationError(`comparison: '${cmp}' is not yes or no`, { field: 'comparison' });
  return {
    brand: one(query, 'brand'),
    source: one(query, 'source'),
    sentiment: enumParam(query, 'sentiment', SENTIMENT_FILTERS),
    stage,
    painPoint: pain,
    language,
    author: one(query, 'author'),
    q: one(query, 'q'),
    comparison: cmp === 'yes',
    switchFrom: one(query, 'switch_from'),
    switchTo: one(query, 'switch_to'),
    from,
    to,
  };
}

/** The explorer's keyset cursor: `<published_at ISO>_<id>` of the last row shown. */
export interface MentionCursor {
  publishedAt: Date;
  id: number;
}

/** Parses `after`; throws ValidationError naming it. */
export function parseCursor(query: Record<string, unknown>): MentionCursor | null {
  const v = one(query, 'after');
  if (v === null) return null;
  const m = /^(.+)_(\d{1,15})$/.exec(v);
  const d = m ? new Date(m[1]!) : null;
  if (!m || !d || Number.isNaN(d.getTime())) throw new ValidationError(`after: '${v}' is not a page cursor`, { field: 'after' });
  return { publishedAt: d, id: Number(m[2]) };
}

/** Formats a keyset cursor for a URL. */
export function formatCursor(c: MentionCursor): string {
  return `${c.publishedAt.toISOString()}_${c.id}`;
}

/** Collects SQL conditions and their parameters: `where.add('m.author = ?', author)`. */
export class Conditions {
  readonly parts: string[] = [];
  readonly params: unknown[];
  constructor(params: unknown[] = []) {
    this.params = params;
  }
  /** Adds a parameter and returns its placeholder (`$n`). */
  param(v: unknown): string {
    this.params.push(v);
    return `$${this.params.length}`;
  }
  /** Adds a condition; each `?` becomes a new placeholder for the next value. */
  add(sql: string, ...values: unknown[]): this {
    let i = 0;
    this.parts.push(sql.replace(/\?/g, () => this.param(values[i++])));
    return this;
  }
  /** `where a and b` or the empty string. */
  where(): string {
    return this.parts.length ? `where ${this.parts.join(' and ')}` : '';
  }
}
