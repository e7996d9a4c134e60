/**
 * Sources (and the brands they refer to): synced from earshot.yaml, their health for `earshot sources`
 * and the dashboard, and the per-run bookkeeping the collectors need (lease, success, failure, next check).
 */
import type { Queryable } from './index.js';
import type { Config, SourceConfig } from '../config.js';
import { NotFoundError } from '../errors.js';
import { floorHour } from './filters.js';

/** A source as stored, with its type options. */
export interface SourceRow {
  id: number;
  name: string;
  type: string;
  brand: string | null;
  schedule: string | null;
  config: SourceConfig;
  enabled: boolean;
  nextCheckAt: Date | null;
  consecutiveErrors: number;
  /** When the source last ran (finished a run, success or failure); null: never. */
  lastRunAt: Date | null;
}

/** The figures of a source's last finished run. */
export interface LastRunFigures {
  fetched: number;
  inserted: number;
  duplicates: number;
  skipped: number;
  durationMs: number;
}

/** One source's health, as `earshot sources` and the sources page show it. */
export interface SourceHealth {
  id: number;
  name: string;
  type: string;
  brand: string | null;
  schedule: string | null;
  enabled: boolean;
  /**
   * | enabled | lease held | last_run_at | consecutive_errors | status    |
   * |---------|------------|-------------|--------------------|-----------|
   * | false   | any        | any         | any                | disabled  |
   * | true    | yes        | any         | any                | running   |
   * | true    | no         | null        | any                | never-run |
   * | true    | no         | set         | > 0                | failing   |
   * | true    | no         | set         | 0                  | ok        |
   */
  status: 'ok' | 'failing' | 'never-run' | 'running' | 'disabled';
  lastRunAt: Date | null;
  lastRunStatus: string | null;
  lastSuccessAt: Date | null;
  lastError: string | null;
  lastErrorAt: Date | null;
  consecutiveErrors: number;
  nextCheckAt: Date | null;
  /** Mentions collected in the 24 hours before `now`. */
  mentions24h: number;
  mentionsTotal: number;
  lastRun: LastRunFigures | null;
}

/** Keys of a source entry that are not type options (kept in columns, not in `config`). */
const BASE_KEYS = new Set(['name', 'type', 'schedule', 'enabled', 'brand']);

/** Marks sources created by `earshot import` (not in the config file, never disabled by a sync). */
export const IMPORT_MARKER = 'import';

/**
 * Upserts every brand and source of the config by name, and disables sources no longer in it (sources
 * made by `earshot import` are left alone: they never were in the config). Brands dropped from the config
 * are kept, because stored mentions and alerts refer to them.
 */
export async function syncBrandsAndSources(db: Queryable, config: Pick<Config, 'brands' | 'sources'>): Promise<void> {
  const brandIds = new Map<string, number>();
  for (const b of config.brands) {
    const r = await db.query<{ id: number }>(
      `insert into brands (name, own, query, aliases) values ($1, $2, $3, $4::jsonb)
       on conflict (name) do update set own = excluded.own, query = excluded.query, aliases = excluded.aliases,
         updated_at = case when (brands.own, brands.query, brands.aliases) is distinct from (excluded.own, excluded.query, excluded.aliases)
                           then now() else brands.updated_at end
       returning id`,
      [b.name, b.own, b.query, JSON.stringify(b.aliases)],
    );
    brandIds.set(b.name.toLowerCase(), r.rows[0]!.id);
  }
  const names: string[] = [];
  for (const s of config.sources) {
    names.push(s.name);
    const options: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(s)) if (!BASE_KEYS.has(k) && v !== undefined) options[k] = v;
    const brandId = s.brand ? (brandIds.get(s.brand.toLowerCase()) ?? null) : null;
    await db.query(
      `insert into sources (name, type, brand_id, schedule, config, enabled) values ($1, $2, $3, $4, $5::jsonb, $6)
       on conflict (name) do update set type = excluded.type, brand_id = excluded.brand_id, schedule = excluded.schedule,
         config = excluded.config, enabled = excluded.enabled, updated_at = now(),
         -- a source re-enabled or re-configured starts afresh from its schedule
         next_check_at = case when sources.enabled and excluded.enabled then sources.next_check_at else null end`,
      [s.name, s.type, brandId, s.schedule ?? null, JSON.stringify(options), s.enabled !== false],
    );
  }
  await db.query(
    `update sources set enabled = false, updated_at = now()
      where enabled and not (name = any($1::text[])) and coalesce(config ->> 'createdBy', '') <> $2`,
    [names, IMPORT_MARKER],
  );
}

const HOUR_MS = 3_600_000;

/**
 * How "collected in the 24 hours before `now`" is read: whole hours from source_collected_hourly
 * (0011), and the two partial hours at the window's ends from the (collected_at, source_id) index. For
 * each end, the smaller half is read: the part of the hour inside the window is counted, or the part
 * outside it is taken off the hour's count — so at most 30 minutes of rows at each end. Window (lo, hi].
 */
export function sourceWindowPlan(now: Date): {
  sumFrom: Date; sumTo: Date;
  first: { sign: 1 | -1; from: Date; to: Date; sql: string };
  last: { sign: 1 | -1; from: Date; to: Date; sql: string };
} {
  const hi = now.getTime();
  const lo = hi - 24 * HOUR_MS;
  const fh = floorHour(new Date(lo)).getTime();
  const lh = floorHour(now).getTime();
  const first = lo - fh < HOUR_MS / 2
    ? { sign: -1 as const, from: new Date(fh), to: new Date(lo), sql: 'm.collected_at >= $3 and m.collected_at <= $4' } // [fh, lo] off
    : { sign: 1 as const, from: new Date(lo), to: new Date(fh + HOUR_MS), sql: 'm.collected_at > $3 and m.collected_at < $4' }; // (lo, fh + 1 h) on
  const last = hi - lh >= HOUR_MS / 2
    ? { sign: -1 as const, from: now, to: new Date(lh + HOUR_MS), sql: 'm.collected_at > $6 and m.collected_at < $7' } // (hi, lh + 1 h) off
    : { sign: 1 as const, from: new Date(lh), to: now, sql: 'm.collected_at >= $6 and m.collected_at <= $7' }; // [lh, hi] on
  return {
    sumFrom: new Date(first.sign < 0 ? fh : fh + HOUR_MS),
    sumTo: new Date(last.sign < 0 ? lh + HOUR_MS : lh),
    first,
    last,
  };
}

/**
 * Every source's health at `now`, ordered by name. Cheap at any table size and after any collection
 * burst: the total is kept on the source row by triggers (0008); the 24-hour figure adds the per-hour
 * counts the same triggers keep (0011) and corrects the partial hours at the window's ends from the
 * index (sourceWindowPlan), so it is exact and reads at most half an hour of rows at each end. (A range
 * scan of the whole day read a million index entries after a 1M-mention import: 300–400 ms.)
 */
export async function listSourceHealth(db: Queryable, now: Date): Promise<SourceHealth[]> {
  const w = sourceWindowPlan(now);
  const r = await db.query<{
    id: number; name: string; type: string; brand: string | null; schedule: string | null; enabled: boolean;
    lease_until: Date | null; last_run_at: Date | null; last_success_at: Date | null; last_error: string | null;
    last_error_at: Date | null; consecutive_errors: number; next_check_at: Date | null;
    mentions_24h: number; mentions_total: number;
    run_status: string | null; run_fetched: number | null; run_inserted: number | null; run_duplicates: number | null;
    run_skipped: number | null; run_duration_ms: number | null;
  }>(
    `with d as (
       select source_id, sum(n)::int as n from (
         select h.source_id, h.mentions as n from source_collected_hourly h where h.hour >= $1 and h.hour < $2
         union all
         select m.source_id, $5::int * count(*) from mentions m where ${w.first.sql} group by m.source_id
         union all
         select m.source_id, $8::int * count(*) from mentions m where ${w.last.sql} group by m.source_id
       ) x group by source_id)
     select s.id, s.name, s.type, b.name as brand, s.schedule, s.enabled, s.lease_until, s.last_run_at, s.last_success_at,
            s.last_error, s.last_error_at, s.consecutive_errors, s.next_check_at,
            coalesce(d.n, 0) as mentions_24h, s.mentions_total,
            lr.status as run_status, lr.fetched as run_fetched, lr.inserted as run_inserted, lr.duplicates as run_duplicates,
            lr.skipped as run_skipped, lr.duration_ms as run_duration_ms
       from sources s
       left join brands b on b.id = s.brand_id
       left join d on d.source_id = s.id
       left join lateral (select * from collector_runs cr where cr.source_id = s.id order by cr.started_at desc, cr.id desc limit 1) lr on true
      order by s.name`,
    [w.sumFrom, w.sumTo, w.first.from, w.first.to, w.first.sign, w.last.from, w.last.to, w.last.sign],
  );
  return r.rows.map((x) => {
    const running = x.lease_until !== null && x.lease_until.getTime() > now.getTime();
    const status: SourceHealth['status'] = !x.enabled
      ? 'disabled'
      : running
        ? 'running'
        : x.last_run_at === null
          ? 'never-run'
          : x.consecutive_errors > 0
            ? 'failing'
            : 'ok';
    const finished = x.run_status !== null && x.run_status !== 'running';
    return {
      id: x.id,
      name: x.name,
      type: x.type,
      brand: x.brand,
      schedule: x.schedule,
      enabled: x.enabled,
      status,
      lastRunAt: x.last_run_at,
      lastRunStatus: x.run_status,
      lastSuccessAt: x.last_success_at,
      lastError: x.last_error,
      lastErrorAt: x.last_error_at,
      consecutiveErrors: x.consecutive_errors,
      nextCheckAt: x.next_check_at,
      mentions24h: x.mentions_24h,
      mentionsTotal: x.mentions_total,
      lastRun: finished
        ? { fetched: x.run_fetched ?? 0, inserted: x.run_inserted ?? 0, duplicates: x.run_duplicates ?? 0, skipped: x.run_skipped ?? 0, durationMs: x.run_duration_ms ?? 0 }
        : null,
    };
  });
}

type SourceDbRow = {
  id: number; name: string; type: string; brand: string | null; schedule: string | null; config: Record<string, unknown>;
  enabled: boolean; next_check_at: Date | null; consecutive_errors: number; last_run_at: Date | null;
};

function toSourceRow(x: SourceDbRow): SourceRow {
  const config = { ...x.config, name: x.name, type: x.type, enabled: x.enabled } as Record<string, unknown>;
  if (x.schedule) config.schedule = x.schedule;
  if (x.brand) config.brand = x.brand;
  return {
    id: x.id, name: x.name, type: x.type, brand: x.brand, schedule: x.schedule, config: config as SourceConfig,
    enabled: x.enabled, nextCheckAt: x.next_check_at, consecutiveErrors: x.consecutive_errors, lastRunAt: x.last_run_at,
  };
}

const SOURCE_SELECT = `select s.id, s.name, s.type, b.name as brand, s.schedule, s.config, s.enabled, s.next_check_at, s.consecutive_errors,
       s.last_run_at
  from sources s left join brands b on b.id = s.brand_id`;

/** The source named `name`; throws NotFoundError naming it. */
export async function getSourceByName(db: Queryable, name: string): Promise<SourceRow> {
  const r = await db.query<SourceDbRow>(`${SOURCE_SELECT} where s.name = $1`, [name]);
  if (!r.rows[0]) throw new NotFoundError(`collect: no source named '${name}' (see 'earshot sources')`);
  return toSourceRow(r.rows[0]);
}

/** Every enabled source, by name. */
export async function listEnabledSources(db: Queryable): Promise<SourceRow[]> {
  const r = await db.query<SourceDbRow>(`${SOURCE_SELECT} where s.enabled order by s.name`);
  return r.rows.map(toSourceRow);
}

/**
 * The `file` source that `earshot import` stores under (created on first use, marked as made by the
 * import so a config sync never disables it). Returns its id.
 */
export async function ensureImportSource(db: Queryable, name: string): Promise<number> {
  const r = await db.query<{ id: number; type: string }>(
    `insert into sources (name, type, schedule, config, enabled) values ($1, 'file', null, $2::jsonb, true)
     on conflict (name) do update set updated_at = sources.updated_at
     returning id, type`,
    [name, JSON.stringify({ createdBy: IMPORT_MARKER })],
  );
  return r.rows[0]!.id;
}

/**
 * Takes the run lease of a source until `until` unless another run holds it. Returns false when the
 * source is already running (in this process or another one sharing the database).
 */
export async function claimSourceLease(db: Queryable, sourceId: number, owner: string, now: Date, until: Date): Promise<boolean> {
  const r = await db.query(
    `update sources set lease_until = $3, lease_owner = $4
      where id = $1 and (lease_until is null or lease_until <= $2)
      returning id`,
    [sourceId, now, until, owner],
  );
  return r.rowCount > 0;
}

/** Extends the run lease `owner` still holds (a long run must not be started again elsewhere). */
export async function renewSourceLease(db: Queryable, sourceId: number, owner: string, until: Date): Promise<boolean> {
  const r = await db.query(`update sources set lease_until = $3 where id = $1 and lease_owner = $2 returning id`, [sourceId, owner, until]);
  return r.rowCount > 0;
}

/** Releases the run lease taken by `owner`. */
export async function releaseSourceLease(db: Queryable, sourceId: number, owner: string): Promise<void> {
  await db.query(`update sources set lease_until = null, lease_owner = null where id = $1 and lease_owner = $2`, [sourceId, owner]);
}

/** Records a successful run: clears the error count and sets the next check. */
export async function markSourceSuccess(db: Queryable, sourceId: number, at: Date, nextCheckAt: Date | null): Promise<void> {
  await db.query(
    `update sources set last_run_at = $2, last_success_at = $2, consecutive_errors = 0, next_check_at = $3 where id = $1`,
    [sourceId, at, nextCheckAt],
  );
}

/** Records a failed run: the error, one more consecutive error, and when to try again. Returns the new error count. */
export async function markSourceFailure(db: Queryable, sourceId: number, at: Date, error: string, nextCheckAt: Date | null): Promise<number> {
  const r = await db.query<{ n: number }>(
    `update sources set last_run_at = $2, last_error = $3, last_error_at = $2, consecutive_errors = consecutive_errors + 1,
            next_check_at = $4 where id = $1 returning consecutive_errors as n`,
    [sourceId, at, error, nextCheckAt],
  );
  return r.rows[0]?.n ?? 0;
}
