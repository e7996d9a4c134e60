/**
 * The read side of mentions: the explorer list (filters, full-text search with highlighting, keyset
 * pagination on (published_at, id)), capped counts, and single mentions. Used by the dashboard, its
 * CSV export and `earshot export`.
 *
 * Counting rules match the rollups (migration 0004), so a figure's link shows exactly its mentions:
 * duplicates (`duplicate_of` set) are left out; sentiment, stage and pain points are the corrected
 * values; with a brand filter, sentiment is the brand's entity-level sentiment (correction first).
 * Filters read those effective values from `mention_effective` (migration 0007), which the rollup
 * refresh keeps current; so a list on a `Db` refreshes dirty hours first (a no-op when none).
 *
 * Highlighting: ts_headline marks matches with two private-use characters (stripped from the text
 * first), never with HTML; the view escapes every piece and adds the <mark> itself.
 */
import type { Db, Queryable } from './index.js';
import { ALL_BRANDS, countFromRollups, READ_REFRESH_BUDGET_MS, refreshRollups } from './stats.js';
import { Conditions, type MentionCursor, type MentionFilters } from './filters.js';
import type { Engagement } from '../model.js';

/** Start and stop markers ts_headline puts around matched words (private-use code points). */
export const HL_START = '\uE000';
export const HL_STOP = '\uE001';

/** A pain point on one mention with the words that triggered it (empty when added by a correction). */
export interface MentionPainPoint {
  id: string;
  evidence: string[];
}

/** One mention as the explorer shows it. */
export interface MentionView {
  id: number;
  /** The id within the source (the natural key with the source). */
  externalId: string;
  sourceName: string;
  sourceType: string;
  /** origin when set, else the source type. */
  channel: string;
  url: string | null;
  author: string | null;
  authorReach: number | null;
  title: string | null;
  text: string;
  /** Title / text with HL_START / HL_STOP around matched words (only with a `q` filter). */
  titleHighlighted: string | null;
  textHighlighted: string | null;
  language: string | null;
  publishedAt: Date;
  engagement: Engagement;
  engagementTotal: number;
  rating: number | null;
  /** Effective sentiment for the list: a label or 'unscored' (per brand when filtered by brand). */
  sentiment: string;
  /** The mention's own label (correction first), null when not scored. */
  sentimentLabel: 'positive' | 'neutral' | 'negative' | null;
  sentimentScore: number | null;
  sentimentConfidence: number | null;
  stage: string | null;
  stageConfidence: number | null;
  painPoints: MentionPainPoint[];
  brands: string[];
  comparison: boolean;
  switchFrom: string | null;
  switchTo: string | null;
  corrected: boolean;
}

interface Built {
  from: string;
  where: Conditions;
  /** ORDER BY of the page (the driving table's published_at, id). */
  order: string;
}

/**
 * The brand's row set in mention_effective: ALL_BRANDS (0) without a brand filter, the brand's id, or
 * null for an unknown brand (nothing matches).
 */
async function brandScope(db: Queryable, brand: string | null): Promise<number | null> {
  if (!brand) return ALL_BRANDS;
  const r = await db.query<{ id: number }>('select id from brands where name = $1', [brand]);
  return r.rows[0]?.id ?? null;
}

/**
 * FROM and WHERE of the explorer over mention_effective `f` (migration 0007): every filter but author
 * and full-text search reads a column of `f`, so the (brand, stage | sentiment, published_at, id)
 * indexes and the brand-scoped pain-point GIN index answer them. Duplicates have no row in `f`.
 * With search text or an author the list is driven from `mentions m` instead (its search GIN index,
 * author index and (published_at, id) index), each hit joined to its `f` row by primary key.
 */
function build(filters: MentionFilters, brandId: number, after: MentionCursor | null = null): Built {
  const w = new Conditions();
  const viaMentions = Boolean(filters.author || filters.q);
  // Without a brand or any effective-value filter the join to `f` only supplies the sentiment, so it is
  // a left join the planner can drop from a count (a search count then reads only the search index).
  const needsF = brandId !== ALL_BRANDS || Boolean(filters.source || filters.sentiment || filters.stage || filters.painPoint || filters.language || filters.comparison || filters.switchFrom || filters.switchTo);
  const from = viaMentions
    ? `mentions m ${needsF ? 'join' : 'left join'} mention_effective f on f.brand_id = ${w.param(brandId)} and f.mention_id = m.id`
    : 'mention_effective f';
  const t = viaMentions ? { at: 'm.published_at', id: 'm.id' } : { at: 'f.published_at', id: 'f.mention_id' };
  if (viaMentions) w.add('m.duplicate_of is null');
  else w.add('f.brand_id = ?', brandId);
  if (filters.source) w.add('(f.channel = ? or f.source_id in (select id from sources where name = ?))', filters.source, filters.source);
  if (filters.sentiment) w.add('f.sentiment = ?', filters.sentiment);
  if (filters.stage === 'none') w.add('f.stage is null');
  else if (filters.stage) w.add('f.stage = ?', filters.stage);
  if (filters.painPoint) w.add('f.pain_keys @> array[?]::text[]', `${brandId}:${filters.painPoint}`);
  if (filters.language) w.add('f.language = ?', filters.language);
  if (filters.author) w.add('m.author = ?', filters.author);
  if (filters.q) w.add(`m.search_tsv @@ websearch_to_tsquery('english', ?)`, filters.q);
  if (filters.comparison) w.add('f.comparison');
  if (filters.switchFrom) w.add('f.switch_from = ?', filters.switchFrom);
  if (filters.switchTo) w.add('f.switch_to = ?', filters.switchTo);
  if (filters.from) w.add(`${t.at} >= ?`, filters.from);
  if (filters.to) w.add(`${t.at} < ?`, filters.to);
  if (after) w.add(`(${t.at}, ${t.id}) < (?, ?)`, after.publishedAt, after.id);
  return { from, where: w, order: `${t.at} desc, ${t.id} desc` };
}

/** The SQL of one explorer page (exported for the plan test: EXPLAIN must use the 0007 indexes). */
export async function explorerPageSql(db: Queryable, filters: MentionFilters, limit: number, after: MentionCursor | null = null): Promise<{ sql: string; params: unknown[] } | null> {
  const brandId = await brandScope(db, filters.brand);
  if (brandId === null) return null;
  const b = build(filters, brandId, after);
  const sql = `select ${b.order.startsWith('m.') ? 'm.id' : 'f.mention_id'} as id, coalesce(f.sentiment, 'unscored') as sentiment from ${b.from} ${b.where.where()}
                order by ${b.order} limit ${b.where.param(limit)}`;
  return { sql, params: b.where.params };
}

interface Row {
  id: number;
  external_id: string;
  sentiment_label: 'positive' | 'neutral' | 'negative' | null;
  sentiment_confidence: number | null;
  stage_confidence: number | null;
  source_name: string;
  source_type: string;
  channel: string;
  url: string | null;
  author: string | null;
  author_reach: number | null;
  title: string | null;
  text: string;
  title_hl: string | null;
  text_hl: string | null;
  language: string | null;
  published_at: Date;
  engagement: Engagement | null;
  engagement_total: number | null;
  rating: number | null;
  sentiment: string;
  sentiment_score: number | null;
  stage: string | null;
  pain_ids: string[] | null;
  pain_points: Array<{ id: string; evidence?: string[] }> | null;
  brands: string[] | null;
  comparison: boolean | null;
  switch_from: string | null;
  switch_to: string | null;
  corrected: boolean;
}

function toView(r: Row): MentionView {
  const evidence = new Map((r.pain_points ?? []).map((p) => [p.id, p.evidence ?? []]));
  return {
    id: r.id,
    externalId: r.external_id,
    sourceName: r.source_name,
    sourceType: r.source_type,
    channel: r.channel,
    url: r.url,
    author: r.author,
    authorReach: r.author_reach,
    title: r.title,
    text: r.text,
    titleHighlighted: r.title_hl,
    textHighlighted: r.text_hl,
    language: r.language,
    publishedAt: r.published_at,
    engagement: r.engagement ?? {},
    engagementTotal: r.engagement_total ?? 0,
    rating: r.rating,
    sentiment: r.sentiment,
    sentimentLabel: r.sentiment_label,
    sentimentScore: r.sentiment_score,
    sentimentConfidence: r.sentiment_confidence,
    stage: r.stage,
    stageConfidence: r.stage_confidence,
    painPoints: (r.pain_ids ?? []).map((id) => ({ id, evidence: evidence.get(id) ?? [] })),
    brands: r.brands ?? [],
    comparison: r.comparison ?? false,
    switchFrom: r.switch_from,
    switchTo: r.switch_to,
    corrected: r.corrected,
  };
}

function selectPage(params: Conditions, pageSql: string, q: string | null): string {
  const hl = q
    ? `, ts_headline('english', regexp_replace(m.text, '[\uE000\uE001]', '', 'g'), websearch_to_tsquery('english', ${params.param(q)}), ${params.param(`StartSel=${HL_START}, StopSel=${HL_STOP}, HighlightAll=true`)}) as text_hl,
         case when m.title is null then null else ts_headline('english', regexp_replace(m.title, '[\uE000\uE001]', '', 'g'), websearch_to_tsquery('english', $${params.params.length - 1}), $${params.params.length}) end as title_hl`
    : ', null as text_hl, null as title_hl';
  return `with page as (${pageSql})
    select m.id, m.external_id, coalesce(c.sentiment_label, a.sentiment_label) as sentiment_label,
           a.sentiment_confidence, a.stage_confidence, s.name as source_name, s.type as source_type, coalesce(m.origin, s.type) as channel, m.url, m.author,
           m.author_reach, m.title, m.text, coalesce(a.language, m.language) as language, m.published_at, m.engagement,
           mention_engagement(m.engagement) as engagement_total, m.rating, p.sentiment, a.sentiment_score,
           coalesce(c.stage, a.stage) as stage, coalesce(c.pain_point_ids, a.pain_point_ids, '{}') as pain_ids, a.pain_points,
           (select array_agg(b.name order by b.name) from mention_brands x join brands b on b.id = x.brand_id where x.mention_id = m.id) as brands,
           a.comparison, a.switch_from, a.switch_to, (c.mention_id is not null) as corrected
           ${hl}
      from page p join mentions m on m.id = p.id join sources s on s.id = m.source_id
      left join analyses a on a.mention_id = m.id left join corrections c on c.mention_id = m.id
     order by m.published_at desc, m.id desc`;
}

/** A page of mentions and the cursor of the next page (null on the last page). */
export interface MentionPage {
  items: MentionView[];
  next: MentionCursor | null;
}

/**
 * Mentions matching `filters`, newest first, `limit` per page, after the keyset cursor `after`.
 * Given a `Db` (not a transaction), brings mention_effective up to date first (refreshRollups waits for
 * hours another process is recomputing without holding a connection, so the figures are no staler than
 * the last write committed before the read).
 */
export async function listMentions(db: Queryable | Db, filters: MentionFilters, opts: { limit: number; after?: MentionCursor | null }): Promise<MentionPage> {
  const limit = Math.max(1, Math.min(1000, Math.floor(opts.limit)));
  if ('tx' in db) await refreshRollups(db, { budgetMs: READ_REFRESH_BUDGET_MS });
  const page = await explorerPageSql(db, filters, limit + 1, opts.after ?? null);
  if (!page) return { items: [], next: null };
  const w = new Conditions(page.params);
  const r = await db.query<Row>(selectPage(w, page.sql, filters.q), w.params);
  const rows = r.rows.slice(0, limit).map(toView);
  const last = rows[rows.length - 1];
  return { items: rows, next: r.rows.length > limit && last ? { publishedAt: last.publishedAt, id: last.id } : null };
}

/** How many mentions match, counting at most `cap` (the page shows "cap+" beyond it). */
export async function countMentions(db: Queryable | Db, filters: MentionFilters, cap = 10_000): Promise<{ count: number; capped: boolean }> {
  if ('tx' in db) {
    const fast = await countFromRollups(db, filters);
    if (fast !== null) return { count: fast, capped: false };
    await refreshRollups(db, { budgetMs: READ_REFRESH_BUDGET_MS });
  }
  const brandId = await brandScope(db, filters.brand);
  if (brandId === null) return { count: 0, capped: false };
  const b = build(filters, brandId);
  const r = await db.query<{ n: number }>(
    `select count(*)::int as n from (select 1 from ${b.from} ${b.where.where()} limit ${b.where.param(cap + 1)}) x`,
    b.where.params,
  );
  const n = r.rows[0]?.n ?? 0;
  return { count: Math.min(n, cap), capped: n > cap };
}

/** Mentions by id, in the order given (unknown ids are skipped); mention-level sentiment. */
export async function getMentionsByIds(db: Queryable, ids: readonly number[]): Promise<MentionView[]> {
  if (ids.length === 0) return [];
  const w = new Conditions();
  const pageSql = `select m.id, coalesce(c.sentiment_label, a.sentiment_label, 'unscored') as sentiment
                     from mentions m left join analyses a on a.mention_id = m.id left join corrections c on c.mention_id = m.id
                    where m.id = any(${w.param(ids)}::bigint[])`;
  const r = await db.query<Row>(selectPage(w, pageSql, null), w.params);
  const byId = new Map(r.rows.map((x) => [x.id, toView(x)]));
  return ids.flatMap((id) => (byId.has(id) ? [byId.get(id)!] : []));
}

/** Distinct values for the filter menus: channels, source names, languages and pain points in use. */
export async function listFilterOptions(db: Queryable): Promise<{ channels: string[]; sources: string[]; languages: string[] }> {
  const [ch, src, lang] = await Promise.all([
    db.query<{ v: string }>(`select distinct channel as v from rollup_source_daily order by 1`),
    db.query<{ v: string }>('select name as v from sources order by name'),
    db.query<{ v: string }>(`select distinct language as v from analyses where language is not null order by 1 limit 50`),
  ]);
  return { channels: ch.rows.map((r) => r.v), sources: src.rows.map((r) => r.v), languages: lang.rows.map((r) => r.v) };
}
