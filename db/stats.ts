/**
 * Dashboard figures: bucketed series, share of voice, net sentiment, pain-point, stage and source
 * counts — all read from the rollup tables of migration 0004 — plus the few figures that need single
 * mentions (top authors by reach, most engaged, switching flows), read from the base tables.
 *
 * Every count excludes cross-source duplicates and counts corrected values (see 0004 for the rules).
 * Buckets are UTC; the daily rollups are used when a window is day-aligned with daily buckets, the
 * hourly ones otherwise. Gaps are not filled here: web/charts/buckets.ts does that.
 *
 * `refreshRollups(db)` recomputes the hours writers marked (rollup_dirty, rollup_marks); the worker
 * calls it after each pass, and every function here calls it first (a no-op when nothing is marked).
 */
import type { Db, Queryable } from './index.js';
import { unitMs, type MentionFilters, type TimeRange } from './filters.js';
import { moduleLogger } from '../log.js';

const log = moduleLogger('stats');
const DAY = 86_400_000;
const LOCK_KEY = 4_752_114; // "earshot rollups"
/** brand_id used in the rollups for "all brands". */
export const ALL_BRANDS = 0;
/** Hours recomputed per transaction. */
const HOURS_PER_TX = 500;

/**
 * Takes a transaction-level advisory lock keyed by `key` and the current schema: advisory locks are
 * per database, and installations (or test schemas) sharing one database must not wait on each other.
 * `wait: false` returns false at once when another transaction holds it.
 */
export async function schemaXactLock(q: Queryable, key: number, wait = true): Promise<boolean> {
  if (wait) {
    await q.query('select pg_advisory_xact_lock(hashtext(current_schema()), $1::int)', [key]);
    return true;
  }
  const r = await q.query<{ ok: boolean }>('select pg_try_advisory_xact_lock(hashtext(current_schema()), $1::int) as ok', [key]);
  return r.rows[0]?.ok === true;
}

/** What to refresh: the hours of some mentions, everything written since a time, or a full rebuild. */
export type RefreshOptions = ({ mentionIds?: readonly number[] } | { since?: Date } | { full: true }) & {
  /**
   * true (default): on return, every hour marked before the call has been recomputed — by this call,
   * or by another process this call waited for (polling, without holding a connection). What a read
   * needs: figures no staler than the last write committed before it.
   * false: recompute what is marked and free, and leave at once the hours another process is
   * recomputing right now (a worker between batches: they are done by that process). Not for reads:
   * an hour another process is recomputing can be missing from the figures until it commits.
   */
  wait?: boolean;
  /**
   * A dashboard read's time budget (ms) for waiting on the refresh: past it, the read goes on with the
   * rollups as they are (the refresh carries on and later reads see it). Keeps pages answering while a
   * large backlog is recomputed — after an analyser upgrade re-analyses every stored mention, the marked
   * hours take minutes to recompute. Plain calls only; undefined: wait until done.
   */
  budgetMs?: number;
};

/** The budget dashboard reads give the rollup refresh (see RefreshOptions.budgetMs). */
export const READ_REFRESH_BUDGET_MS = 3000;

/**
 * Brings the rollup tables up to date. Marks the hours of `mentionIds`, or of every mention collected,
 * analysed or corrected since `since`, or all hours (`full`), then recomputes every marked hour.
 * Writers mark the hours they change (the triggers of 0004 on mentions in rollup_dirty, those of 0010
 * and the worker's store in rollup_marks), so `refreshRollups(db)` alone is enough after a batch.
 *
 * Never makes a writer wait for a recomputation: rollup_dirty is moved into rollup_marks in a
 * statement of its own, and a recomputation deletes exactly the marks it read (by id), so marks
 * committed while it runs stay for the next refresh. Several processes refresh different hours at
 * once (an advisory lock per hour and schema, see refreshSomeHours). A waiting call only waits for the
 * marks it saw at its start, so writes that keep coming cannot hold a read up. Returns the hours it
 * recomputed.
 */
export async function refreshRollups(db: Db, opts: RefreshOptions = {}): Promise<number> {
  // Plain calls (what every dashboard read makes) are coalesced per process: one refresh runs at a time,
  // and callers arriving while it runs share the one queued after it, which starts once it ends and so
  // sees every mark committed before they arrived. Ten concurrent page requests no longer make ten
  // transactions recompute hours side by side (at 1M mentions, during a re-analysis, they saturated the
  // database and every page timed out).
  if (opts.wait !== false && !('full' in opts) && !('mentionIds' in opts) && !('since' in opts)) {
    const p = coalesced(db, () => refreshNow(db, {}));
    if (opts.budgetMs === undefined) return p;
    p.catch(() => undefined); // abandoned past the budget: its failure is not the reader's
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<null>((resolve) => {
      timer = setTimeout(() => resolve(null), opts.budgetMs);
    });
    const r = await Promise.race([p, late]);
    clearTimeout(timer);
    if (r === null) log.info({ budget_ms: opts.budgetMs }, 'stats: rollups still refreshing, page served from the last refreshed figures');
    return r ?? 0;
  }
  return refreshNow(db, opts);
}

/** Per database handle: the plain refresh running now, and the one queued behind it. */
const plainRefresh = new WeakMap<Db, { running: Promise<number> | null; queued: Promise<number> | null }>();

function coalesced(db: Db, run: () => Promise<number>): Promise<number> {
  let slot = plainRefresh.get(db);
  if (!slot) plainRefresh.set(db, (slot = { running: null, queued: null }));
  const s = slot;
  const start = (): Promise<number> => {
    const p = run().finally(() => {
      if (s.running === p) s.running = null;
    });
    s.running = p;
    return p;
  };
  if (s.queued) return s.queued;
  if (!s.running) return start();
  const q = s.running.catch(() => 0).then(() => {
    s.queued = null;
    return start();
  });
  s.queued = q;
  return q;
}

async function refreshNow(db: Db, opts: RefreshOptions): Promise<number> {
  const wait = opts.wait !== false;
  if ('full' in opts && opts.full) {
    // Every hour with mentions or with rollup rows (so rows of hours whose mentions are gone go too).
    await db.query(
      `insert into rollup_marks (hour)
       select date_trunc('hour', published_at, 'UTC') from mentions
       union select bucket from rollup_hourly union select bucket from rollup_source_hourly
       union select bucket from rollup_pain_hourly union select bucket from rollup_switch_hourly
       union select hour from mention_effective`,
    );
  } else if ('mentionIds' in opts && opts.mentionIds && opts.mentionIds.length > 0) {
    await db.query(
      `insert into rollup_marks (hour) select distinct date_trunc('hour', published_at, 'UTC') from mentions where id = any($1::bigint[])`,
      [opts.mentionIds],
    );
  } else if ('since' in opts && opts.since) {
    await db.query(
      `insert into rollup_marks (hour)
       select distinct date_trunc('hour', m.published_at, 'UTC') from mentions m
        where m.collected_at >= $1
           or exists (select 1 from analyses a where a.mention_id = m.id and a.analysed_at >= $1)
           or exists (select 1 from corrections c where c.mention_id = m.id and c.corrected_at >= $1)`,
      [opts.since],
    );
  }
  const state = await db.query<{ dirty: boolean; marked: boolean }>(
    'select exists (select 1 from rollup_dirty) as dirty, exists (select 1 from rollup_marks) as marked',
  );
  const { dirty = false, marked = false } = state.rows[0] ?? {};
  if (!dirty && !marked) return 0;
  // One short statement: a writer of one of these hours waits for it only, never for a recomputation.
  if (dirty) await db.query('with d as (delete from rollup_dirty returning hour) insert into rollup_marks (hour) select hour from d');
  // What a waiting call answers for: the marks committed before it started.
  const mine = wait ? (await db.query<{ id: number }>('select id from rollup_marks')).rows.map((r) => r.id) : null;
  let total = 0;
  let pause = 10;
  const started = Date.now();
  for (;;) {
    const n = await db.tx((q) => refreshSomeHours(q, mine));
    if (n === DONE) break;
    if (n === BUSY) {
      if (!wait) break;
      await new Promise((r) => setTimeout(r, pause));
      pause = Math.min(200, pause * 2);
      continue;
    }
    if (n > 0) {
      total += n;
      pause = 10;
    }
  }
  if (total > 0) log.debug({ hours: total, duration_ms: Date.now() - started }, 'stats: rollups refreshed');
  return total;
}

/** refreshSomeHours: nothing (left) to do. */
const DONE = 0;
/** refreshSomeHours: every hour left to do is being recomputed by another process right now. */
const BUSY = -2;
/** refreshSomeHours: the hours it locked had been done meanwhile; call again. */
const RACED = -1;

/**
 * One transaction of a refresh: locks some marked hours (only those of the marks `only`, when given),
 * reads their marks, recomputes them, deletes the marks it read, then rebuilds the days containing
 * them under the day lock. Each hour has an advisory lock of its own, only ever tried, so several
 * processes refresh different hours at once (a big backlog is shared between workers) and nobody
 * holds a connection while waiting. Returns the hours recomputed, DONE, BUSY or RACED.
 *
 * Days: the day lock is taken last and held to commit, so whichever transaction rebuilds a day last
 * sees the hourly rows every earlier one committed. The only lock waited for inside a transaction is
 * that one, and its holders wait for nothing: no deadlock.
 */
async function refreshSomeHours(q: Queryable, only: number[] | null): Promise<number> {
  const marked = only
    ? await q.query<{ hour: Date }>('select distinct hour from rollup_marks where id = any($1::bigint[]) order by hour limit 5000', [only])
    : await q.query<{ hour: Date }>('select distinct hour from rollup_marks order by hour limit 5000');
  if (marked.rows.length === 0) return DONE;
  const all = marked.rows.map((r) => r.hour.toISOString());
  // Few hours: one per transaction, so a second process takes the next hour; many: bigger slices.
  const perTx = Math.max(1, Math.min(HOURS_PER_TX, Math.floor(all.length / 8)));
  const locked = await q.query<{ hour: Date }>(
    `select h as hour from unnest($1::timestamptz[]) h
      where pg_try_advisory_xact_lock(hashtext(current_schema() || ':rollup-hour'), (extract(epoch from h) / 3600)::int)
      limit $2`,
    [all, perTx],
  );
  if (locked.rows.length === 0) return BUSY;
  const marks = await q.query<{ id: number; hour: Date }>(
    'select id, hour from rollup_marks where hour = any($1::timestamptz[])',
    [locked.rows.map((r) => r.hour.toISOString())],
  );
  if (marks.rows.length === 0) return RACED;
  const hours = [...new Map(marks.rows.map((r) => [r.hour.getTime(), r.hour])).values()];
  await recomputeHours(q, hours);
  await q.query('delete from rollup_marks where id = any($1::bigint[])', [marks.rows.map((r) => r.id)]);
  await schemaXactLock(q, LOCK_KEY);
  await rebuildDays(q, [...new Set(hours.map((d) => Math.floor(d.getTime() / DAY) * DAY))].map((t) => new Date(t)));
  return hours.length;
}

async function recomputeHours(q: Queryable, hours: Date[]): Promise<void> {
  const h = hours.map((d) => d.toISOString());
  for (const t of ['rollup_hourly', 'rollup_source_hourly', 'rollup_pain_hourly', 'rollup_switch_hourly']) {
    await q.query(`delete from ${t} where bucket = any($1::timestamptz[])`, [h]);
  }
  await q.query(
    `delete from mention_effective where hour = any($1::timestamptz[])`,
    [h],
  );
  await q.query('drop table if exists pg_temp.rollup_scope');
  await q.query(
    `create temp table rollup_scope on commit drop as
     with base as (
       select hr.hour as bucket, m.id, m.published_at, m.source_id, coalesce(a.language, m.language) as language,
              m.rating, coalesce(m.origin, s.type) as channel,
              c.sentiment_label as c_label, a.sentiment_label as a_label,
              coalesce(c.stage, a.stage, '') as stage,
              coalesce(c.pain_point_ids, a.pain_point_ids, '{}') as pps,
              case when a.comparison or a.switch_from is not null or a.switch_to is not null
                   then array[coalesce(a.switch_from, ''), coalesce(a.switch_to, '')] end as sw
         from unnest($1::timestamptz[]) hr(hour)
         join mentions m on m.published_at >= hr.hour and m.published_at < hr.hour + interval '1 hour'
         join sources s on s.id = m.source_id
         left join analyses a on a.mention_id = m.id
         left join corrections c on c.mention_id = m.id
        where m.duplicate_of is null
     )
     select bucket, ${ALL_BRANDS} as brand_id, id, published_at, source_id, language, rating, channel, stage, pps, sw,
            coalesce(c_label, a_label, 'unscored') as sentiment from base
     union all
     select b.bucket, mb.brand_id, b.id, b.published_at, b.source_id, b.language, b.rating, b.channel, b.stage, b.pps, b.sw,
            coalesce(b.c_label, mb.sentiment_label, b.a_label, 'unscored')
       from base b join mention_brands mb on mb.mention_id = b.id`,
    [h],
  );
  await q.query(
    `insert into rollup_hourly (bucket, brand_id, stage, sentiment, mentions, r1, r2, r3, r4, r5)
     select bucket, brand_id, stage, sentiment, count(*),
            count(*) filter (where rating = 1), count(*) filter (where rating = 2), count(*) filter (where rating = 3),
            count(*) filter (where rating = 4), count(*) filter (where rating = 5)
       from rollup_scope group by bucket, brand_id, stage, sentiment`,
  );
  await q.query(
    `insert into rollup_source_hourly (bucket, brand_id, channel, mentions)
     select bucket, brand_id, channel, count(*) from rollup_scope group by bucket, brand_id, channel`,
  );
  await q.query(
    `insert into rollup_pain_hourly (bucket, brand_id, pain_point, stage, mentions)
     select s.bucket, s.brand_id, p.pain_point, s.stage, count(*)
       from rollup_scope s cross join lateral (select distinct x from unnest(s.pps) x) p(pain_point)
      group by s.bucket, s.brand_id, p.pain_point, s.stage`,
  );
  await q.query(
    `insert into rollup_switch_hourly (bucket, brand_id, switch_from, switch_to, mentions)
     select bucket, brand_id, sw[1], sw[2], count(*) from rollup_scope where sw is not null group by bucket, brand_id, sw[1], sw[2]`,
  );
  // The explorer's per-mention effective values (migration 0007).
  await q.query(
    `insert into mention_effective (hour, brand_id, mention_id, published_at, source_id, channel, language, sentiment, stage, pain_ids, pain_keys, comparison, switch_from, switch_to)
     select bucket, brand_id, id, published_at, source_id, channel, language, sentiment, nullif(stage, ''), pps,
            array(select distinct brand_id::text || ':' || p from unnest(pps) p),
            sw is not null, nullif(sw[1], ''), nullif(sw[2], '')
       from rollup_scope`,
  );
}

/** Rebuilds the daily rollups of `days` (UTC midnights) from the hourly rows. Under the day lock. */
async function rebuildDays(q: Queryable, dayStarts: Date[]): Promise<void> {
  const days = dayStarts.map((d) => d.toISOString());
  const shapes: Array<[string, string, string, string]> = [
    ['rollup_daily', 'rollup_hourly', 'stage, sentiment', 'sum(mentions), sum(r1), sum(r2), sum(r3), sum(r4), sum(r5)'],
    ['rollup_source_daily', 'rollup_source_hourly', 'channel', 'sum(mentions)'],
    ['rollup_pain_daily', 'rollup_pain_hourly', 'pain_point, stage', 'sum(mentions)'],
    ['rollup_switch_daily', 'rollup_switch_hourly', 'switch_from, switch_to', 'sum(mentions)'],
  ];
  for (const [daily, hourly, keys, sums] of shapes) {
    await q.query(`delete from ${daily} where bucket = any($1::timestamptz[])`, [days]);
    await q.query(
      `insert into ${daily} (bucket, brand_id, ${keys}, ${sums.includes('r1') ? 'mentions, r1, r2, r3, r4, r5' : 'mentions'})
       select d.day, r.brand_id, ${keys.split(', ').map((k) => `r.${k}`).join(', ')}, ${sums}
         from unnest($1::timestamptz[]) d(day)
         join ${hourly} r on r.bucket >= d.day and r.bucket < d.day + interval '1 day'
        group by d.day, r.brand_id, ${keys.split(', ').map((k) => `r.${k}`).join(', ')}`,
      [days],
    );
  }
}

/** Rollup shapes and the columns each may be grouped by (a whitelist: these go into SQL). */
const SHAPES = {
  main: { hourly: 'rollup_hourly', daily: 'rollup_daily', cols: ['brand_id', 'stage', 'sentiment'], sums: 'sum(mentions)::int as mentions, sum(r1)::int as r1, sum(r2)::int as r2, sum(r3)::int as r3, sum(r4)::int as r4, sum(r5)::int as r5' },
  source: { hourly: 'rollup_source_hourly', daily: 'rollup_source_daily', cols: ['brand_id', 'channel'], sums: 'sum(mentions)::int as mentions' },
  pain: { hourly: 'rollup_pain_hourly', daily: 'rollup_pain_daily', cols: ['brand_id', 'pain_point', 'stage'], sums: 'sum(mentions)::int as mentions' },
  switch: { hourly: 'rollup_switch_hourly', daily: 'rollup_switch_daily', cols: ['brand_id', 'switch_from', 'switch_to'], sums: 'sum(mentions)::int as mentions' },
} as const;
type Shape = keyof typeof SHAPES;

/** One grouped rollup row. Absent group columns are undefined. */
export interface RollupRow {
  bucket?: Date;
  brand_id?: number;
  stage?: string;
  sentiment?: string;
  channel?: string;
  pain_point?: string;
  switch_from?: string;
  switch_to?: string;
  mentions: number;
  r1?: number;
  r2?: number;
  r3?: number;
  r4?: number;
  r5?: number;
}

/** Which brands a query covers: one id, several, every named brand (`'each'`), or all mentions (ALL_BRANDS). */
export type BrandScope = number | readonly number[] | 'each';

/**
 * Sums one rollup over a window, grouped by `group` (whitelisted columns, plus `bucket` for a time
 * series in `range.unit` buckets). Refreshes dirty hours first.
 */
export async function sumRollup(db: Db, shape: Shape, range: TimeRange, brands: BrandScope, group: readonly string[]): Promise<RollupRow[]> {
  await refreshRollups(db, { budgetMs: READ_REFRESH_BUDGET_MS });
  const s = SHAPES[shape];
  const dayAligned = range.from.getTime() % DAY === 0 && range.to.getTime() % DAY === 0;
  const table = range.unit === 'day' && dayAligned ? s.daily : s.hourly;
  const sel: string[] = [];
  const grp: string[] = [];
  for (const g of group) {
    if (g === 'bucket') {
      const expr = range.unit === 'day' && table === s.hourly ? `date_trunc('day', bucket, 'UTC')` : 'bucket';
      sel.push(`${expr} as bucket`);
      grp.push(expr);
    } else if ((s.cols as readonly string[]).includes(g)) {
      sel.push(g);
      grp.push(g);
    } else {
      throw new Error(`stats: cannot group ${shape} by '${g}'`);
    }
  }
  const params: unknown[] = [range.from, range.to];
  let brandCond: string;
  if (brands === 'each') brandCond = `brand_id <> ${ALL_BRANDS}`;
  else if (typeof brands === 'number') {
    params.push(brands);
    brandCond = 'brand_id = $3';
  } else {
    params.push(brands);
    brandCond = 'brand_id = any($3::int[])';
  }
  const sql = `select ${[...sel, s.sums].join(', ')} from ${table}
                where bucket >= $1 and bucket < $2 and ${brandCond}
                ${grp.length ? `group by ${grp.join(', ')}` : ''}`;
  const r = await db.query<RollupRow>(sql, params);
  return r.rows;
}

/** A brand as the dashboard lists it. */
export interface BrandRow {
  id: number;
  name: string;
  own: boolean;
}

/** Every brand, own brand first, then by name. */
export async function listBrands(db: Queryable): Promise<BrandRow[]> {
  const r = await db.query<BrandRow>('select id, name, own from brands order by own desc, name');
  return r.rows;
}

/** An author with their reach in a window. */
export interface AuthorFigure {
  author: string;
  reach: number;
  mentions: number;
  source: string;
}

/**
 * Authors with the largest reach who posted in the window (each once), with how many of their
 * mentions fall in it. Walks the reach index from the top, so it stays fast on large tables.
 */
export async function topAuthorsByReach(db: Queryable, brandId: number, range: TimeRange, limit = 5): Promise<AuthorFigure[]> {
  const params: unknown[] = [range.from, range.to, limit * 20];
  const brandJoin = brandId === ALL_BRANDS ? '' : `and exists (select 1 from mention_brands mb where mb.mention_id = m.id and mb.brand_id = $4)`;
  if (brandId !== ALL_BRANDS) params.push(brandId);
  const r = await db.query<{ author: string; reach: number; source: string }>(
    `select m.author, m.author_reach as reach, coalesce(m.origin, s.type) as source
       from mentions m join sources s on s.id = m.source_id
      where m.duplicate_of is null and m.author is not null and m.author_reach is not null
        and m.published_at >= $1 and m.published_at < $2 ${brandJoin}
      order by m.author_reach desc nulls last, m.id
      limit $3`,
    params,
  );
  const seen = new Map<string, { author: string; reach: number; source: string }>();
  for (const row of r.rows) if (!seen.has(row.author) && seen.size < limit) seen.set(row.author, row);
  if (seen.size === 0) return [];
  const names = [...seen.keys()];
  const cp: unknown[] = [range.from, range.to, names];
  if (brandId !== ALL_BRANDS) cp.push(brandId);
  const counts = await db.query<{ author: string; n: number }>(
    `select m.author, count(*)::int as n from mentions m
      where m.author = any($3::text[]) and m.duplicate_of is null and m.published_at >= $1 and m.published_at < $2
        ${brandId === ALL_BRANDS ? '' : 'and exists (select 1 from mention_brands mb where mb.mention_id = m.id and mb.brand_id = $4)'}
      group by m.author`,
    cp,
  );
  const byAuthor = new Map(counts.rows.map((x) => [x.author, x.n]));
  return names.map((a) => ({ author: a, reach: seen.get(a)!.reach, source: seen.get(a)!.source, mentions: byAuthor.get(a) ?? 0 }));
}

/** The ids of the most engaged mentions in a window (likes + replies + shares + score), best first. */
export async function mostEngagedMentionIds(db: Queryable, brandId: number, range: TimeRange, limit = 5): Promise<Array<{ id: number; engagement: number }>> {
  const params: unknown[] = [range.from, range.to, limit];
  if (brandId !== ALL_BRANDS) params.push(brandId);
  const r = await db.query<{ id: number; engagement: number }>(
    `select m.id, mention_engagement(m.engagement) as engagement from mentions m
      where m.duplicate_of is null and m.published_at >= $1 and m.published_at < $2
        ${brandId === ALL_BRANDS ? '' : 'and exists (select 1 from mention_brands mb where mb.mention_id = m.id and mb.brand_id = $4)'}
        and mention_engagement(m.engagement) > 0
      order by mention_engagement(m.engagement) desc, m.id desc
      limit $3`,
    params,
  );
  return r.rows;
}

/** How many mentions in a window tell of switching from one brand to another, or compare brands. */
export interface SwitchFlow {
  from: string | null;
  to: string | null;
  mentions: number;
}

/**
 * Switching flows (from → to, either may be unknown) and the count of comparison mentions in a window,
 * for one brand (or ALL_BRANDS), from the switch rollup.
 */
export async function switchingFlows(db: Db, brandId: number, range: TimeRange): Promise<{ flows: SwitchFlow[]; comparisons: number }> {
  const rows = await sumRollup(db, 'switch', range, brandId, ['switch_from', 'switch_to']);
  let comparisons = 0;
  const flows: SwitchFlow[] = [];
  for (const r of rows) {
    comparisons += r.mentions;
    if (r.switch_from || r.switch_to) flows.push({ from: r.switch_from || null, to: r.switch_to || null, mentions: r.mentions });
  }
  flows.sort((a, b) => b.mentions - a.mentions || String(a.from).localeCompare(String(b.from)));
  return { flows, comparisons };
}

/** Bucket start times of a window (for gap filling). */
export function bucketStarts(range: TimeRange): Date[] {
  const step = unitMs(range.unit);
  const start = Math.floor(range.from.getTime() / step) * step;
  const out: Date[] = [];
  for (let t = start; t < range.to.getTime(); t += step) out.push(new Date(t));
  return out;
}

/**
 * The number of mentions matching explorer filters, from the rollups, when the filters are ones the
 * rollups can answer exactly (brand, sentiment, stage, pain point, channel and hour-aligned dates, in
 * the combinations the rollup shapes hold); null otherwise (the caller counts in SQL). This is what
 * keeps a figure's link fast on large tables while showing the same number as the figure.
 */
export async function countFromRollups(db: Db, f: MentionFilters): Promise<number | null> {
  const HOUR = 3_600_000;
  if (f.q || f.language || f.author || f.comparison || f.switchFrom || f.switchTo) return null;
  if ((f.from && f.from.getTime() % HOUR !== 0) || (f.to && f.to.getTime() % HOUR !== 0)) return null;
  if (f.sentiment && f.painPoint) return null;
  if (f.source && (f.sentiment || f.stage || f.painPoint)) return null;
  let brandId = ALL_BRANDS;
  if (f.brand) {
    const b = await db.query<{ id: number }>('select id from brands where name = $1', [f.brand]);
    if (!b.rows[0]) return 0;
    brandId = b.rows[0].id;
  }
  if (f.source) {
    const named = await db.query('select 1 from sources where name = $1', [f.source]);
    if (named.rowCount > 0) return null;
  }
  const from = f.from ?? new Date(0);
  const to = f.to ?? new Date(Date.UTC(3000, 0, 1));
  const range: TimeRange = { key: 'custom', from, to, unit: from.getTime() % DAY === 0 && to.getTime() % DAY === 0 ? 'day' : 'hour' };
  const stage = f.stage === 'none' ? '' : f.stage;
  let rows: RollupRow[];
  if (f.source) {
    rows = (await sumRollup(db, 'source', range, brandId, ['channel'])).filter((r) => r.channel === f.source);
  } else if (f.painPoint) {
    rows = (await sumRollup(db, 'pain', range, brandId, ['pain_point', 'stage'])).filter((r) => r.pain_point === f.painPoint && (stage === null || r.stage === stage));
  } else {
    rows = (await sumRollup(db, 'main', range, brandId, ['stage', 'sentiment'])).filter((r) => (stage === null || r.stage === stage) && (!f.sentiment || r.sentiment === f.sentiment));
  }
  return rows.reduce((a, r) => a + r.mentions, 0);
}
