/**
 * Work shared between worker processes, and the maintenance jobs of a large store.
 *
 * Analysis claims (table `analysis_queue`, migration 0006). Why `SELECT … FOR UPDATE SKIP LOCKED` and not
 * pg-boss: the work items already are rows (one per mention, enqueued by a trigger in the transaction that
 * stores the mention), so the queue is one small table we can claim from in batches of hundreds, join
 * against and count for /metrics; pg-boss would add a second copy of every mention id as a job, its own
 * schema and polling, and a job-per-batch shape that loses the "enqueued atomically with the insert"
 * property. The protocol, safe with any number of workers:
 *
 * | step     | statement                                                             | guarantees                          |
 * |----------|-----------------------------------------------------------------------|-------------------------------------|
 * | claim    | update … set lease_owner = token, lease_until = now()+lease where id  | two workers never claim the same    |
 * |          | = any(array(select … where lease free and id > cursor order by id     | row at once (row lock + re-check of |
 * |          | limit n for update skip locked)) returning id, published_at — joined  | the lease on the locked version)    |
 * |          | to the mentions by (id, published_at) in the same statement           |                                     |
 * | store    | one statement (db/analyses.ts storeAnalyses): delete from             | a row is stored only by the holder  |
 * |          | analysis_queue where id = any(batch) and lease_owner = token, and for | of its current lease: exactly once  |
 * |          | those ids only upsert analyses, replace brand matches, mark the hours |                                     |
 * | crash    | nothing: the lease expires                                            | another worker claims the rows      |
 * | failure  | lease_until = now() + retry, attempts + 1 (given up after 3)          | one bad mention never loops a pass  |
 *
 * The token is unique per claimed batch, so a worker whose lease expired and was taken over cannot
 * store (or release) the rows of the new holder. The cursor (the highest id the worker claimed last)
 * keeps a claim from walking the index entries of rows already done (deleted, but not yet vacuumed);
 * a pass ends only when a claim from the start of the queue finds nothing.
 *
 * Maintenance (PostgreSQL with partitioned mentions; plain deletes elsewhere): monthly partitions ahead,
 * retention by dropping whole partitions, and forgetting one author's mentions (privacy request).
 */
import { randomUUID } from 'node:crypto';
import os from 'node:os';
import type { Db, Queryable } from './index.js';
import type { PendingMention } from './analyses.js';
import { schemaXactLock } from './stats.js';
import { ValidationError } from '../errors.js';
import { moduleLogger } from '../log.js';

const log = moduleLogger('jobs');
const MAINTENANCE_LOCK = 4_752_115; // "earshot partitions / retention"

/** After this many failed analyses of one mention it leaves the queue (logged), so a pass always ends. */
export const MAX_ANALYSIS_ATTEMPTS = 3;

/** A claim token: host, pid, and a random part unique to this batch. */
export function newClaimToken(): string {
  return `${os.hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`;
}

/** A claimed batch: the queue rows now leased under the token, and their mentions. */
export interface ClaimedBatch {
  /** Every mention id claimed, ascending (a mention deleted since it was queued has no entry in `mentions`). */
  ids: number[];
  mentions: PendingMention[];
}

interface ClaimedRow {
  id: number;
  published_at: Date | null;
  text: string | null;
  title: string | null;
  language: string | null;
  brand_hint: string | null;
}

const MENTION_COLUMNS = 'm.published_at, m.text, m.title, m.language, coalesce(m.brand_hint, b.name) as brand_hint';

/**
 * Claims up to `limit` queued mentions with id > `afterId` whose lease is free or expired, for
 * `leaseMs`, under `token`, and reads them for the analyser in the same statement (each looked up by
 * id and published_at: one partition, not every month). Rows locked by another claimer at this moment
 * are skipped, not waited for. `only: 'new'` leaves re-analysis rows (0012) alone: workers claim
 * mentions never analysed first, so an analyser upgrade's re-analysis never holds back fresh mentions.
 */
export async function claimAnalysisBatch(db: Queryable, token: string, limit: number, leaseMs: number, afterId = 0, only: 'any' | 'new' = 'any'): Promise<ClaimedBatch> {
  const r = await db.query<ClaimedRow>(
    `with c as (
       update analysis_queue q set lease_owner = $1, lease_until = now() + $3 * interval '1 millisecond'
        where q.mention_id = any(array(
          select mention_id from analysis_queue
           where (lease_until is null or lease_until < now()) and mention_id > $4${only === 'new' ? ' and not reanalysis' : ''}
           order by mention_id
           limit $2
           for update skip locked))
       returning q.mention_id, q.published_at)
     select c.mention_id as id, ${MENTION_COLUMNS}
       from c
       left join mentions m on m.id = c.mention_id and m.published_at = c.published_at
       left join sources s on s.id = m.source_id
       left join brands b on b.id = s.brand_id
      order by c.mention_id`,
    [token, limit, leaseMs, afterId],
  );
  const ids = r.rows.map((x) => x.id);
  let rows = r.rows.filter((x) => x.published_at !== null);
  if (rows.length < ids.length) {
    // Not where the queue row says: deleted since it was queued (or moved by hand). Look it up by id.
    const missing = r.rows.filter((x) => x.published_at === null).map((x) => x.id);
    const found = await db.query<ClaimedRow>(
      `select m.id, ${MENTION_COLUMNS} from mentions m join sources s on s.id = m.source_id left join brands b on b.id = s.brand_id
        where m.id = any($1::bigint[])`,
      [missing],
    );
    rows = [...rows, ...found.rows].sort((a, b) => a.id - b.id);
  }
  return {
    ids,
    mentions: rows.map((x) => ({ id: x.id, publishedAt: x.published_at!, text: x.text ?? '', title: x.title, language: x.language, brandHint: x.brand_hint })),
  };
}

/**
 * Records failed analyses: retried after `retryMs` by any worker, dropped from the queue after
 * MAX_ANALYSIS_ATTEMPTS. Returns the ids given up on.
 */
export async function failAnalysisClaims(db: Queryable, token: string, failures: { id: number; error: string }[], retryMs: number): Promise<number[]> {
  if (failures.length === 0) return [];
  await db.query(
    `update analysis_queue q set attempts = q.attempts + 1, last_error = f.err, lease_owner = null,
            lease_until = now() + $3 * interval '1 millisecond'
       from unnest($1::bigint[], $2::text[]) as f(id, err)
      where q.mention_id = f.id and q.lease_owner = $4`,
    [failures.map((f) => f.id), failures.map((f) => f.error.slice(0, 500)), retryMs, token],
  );
  const r = await db.query<{ mention_id: number }>(
    'delete from analysis_queue where mention_id = any($1::bigint[]) and attempts >= $2 returning mention_id',
    [failures.map((f) => f.id), MAX_ANALYSIS_ATTEMPTS],
  );
  return r.rows.map((x) => x.mention_id);
}

/** Gives back the rows still leased under `token` (a worker stopping cleanly), so others need not wait. */
export async function releaseAnalysisClaims(db: Queryable, token: string): Promise<number> {
  const r = await db.query('update analysis_queue set lease_owner = null, lease_until = null where lease_owner = $1', [token]);
  return r.rowCount;
}

/**
 * Queues every mention whose stored analysis comes from another analyser version (after an upgrade).
 * Cheap when there is none: two range scans of the analyses_version index.
 */
export async function enqueueOutdatedAnalyses(db: Queryable, version: string): Promise<number> {
  const any = await db.query('select 1 from analyses where analyser_version < $1 or analyser_version > $1 limit 1', [version]);
  if (any.rowCount === 0) return 0;
  const r = await db.query(
    `insert into analysis_queue (mention_id, published_at, reanalysis)
     select a.mention_id, m.published_at, true from analyses a join mentions m on m.id = a.mention_id
      where a.analyser_version < $1 or a.analyser_version > $1
     on conflict do nothing`,
    [version],
  );
  return r.rowCount;
}

/** Mentions waiting for analysis, and how many of them some worker holds right now. */
export async function countAnalysisBacklog(db: Queryable): Promise<{ queued: number; leased: number }> {
  const r = await db.query<{ queued: number; leased: number }>(
    'select count(*)::int as queued, (count(*) filter (where lease_until > now()))::int as leased from analysis_queue',
  );
  return r.rows[0] ?? { queued: 0, leased: 0 };
}

// ---------------------------------------------------------------------------------------------------
// Partitions, retention, privacy

/** Whether `mentions` is partitioned (PostgreSQL after migration 0006). */
export async function isMentionsPartitioned(db: Queryable): Promise<boolean> {
  const r = await db.query<{ p: boolean }>(`select relkind = 'p' as p from pg_class where oid = 'mentions'::regclass`);
  return r.rows[0]?.p ?? false;
}

/** One monthly partition of mentions. */
export interface MentionPartition {
  name: string;
  /** First instant of the month (UTC); null for the default partition. */
  from: Date | null;
  to: Date | null;
  rows: number;
}

/** The partitions of mentions with their bounds and estimated row counts (empty when not partitioned). */
export async function listMentionPartitions(db: Queryable): Promise<MentionPartition[]> {
  if (!(await isMentionsPartitioned(db))) return [];
  const r = await db.query<{ name: string; bound: string; rows: number }>(
    `select c.relname as name, pg_get_expr(c.relpartbound, c.oid) as bound, greatest(c.reltuples, 0)::bigint as rows
       from pg_inherits i join pg_class c on c.oid = i.inhrelid
      where i.inhparent = 'mentions'::regclass order by c.relname`,
  );
  return r.rows.map((x) => {
    const m = /FROM \('([^']+)'\) TO \('([^']+)'\)/.exec(x.bound);
    return { name: x.name, from: m ? new Date(m[1]!) : null, to: m ? new Date(m[2]!) : null, rows: x.rows };
  });
}

/**
 * Creates the monthly partitions that are missing: every month from last month to `monthsAhead` months
 * after `now`, and every month (up to 10 years back) that has rows waiting in the default partition —
 * those rows move into their month, so retention can later drop it whole. One process at a time
 * (advisory lock). Returns how many were created; 0 when mentions is not partitioned.
 */
export async function ensureMentionPartitions(db: Db, now: Date, monthsAhead = 3): Promise<number> {
  if (!(await isMentionsPartitioned(db))) return 0;
  const from = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() - 1, 1));
  const to = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() + monthsAhead, 1));
  const day = (d: Date): string => d.toISOString().slice(0, 10);
  return db.tx(async (q) => {
    await schemaXactLock(q, MAINTENANCE_LOCK);
    const early = await q.query<{ m: string }>(
      `select distinct to_char(date_trunc('month', published_at at time zone 'UTC'), 'YYYY-MM-DD') as m from mentions_default
        where published_at >= $1::timestamptz - interval '10 years'`,
      [now],
    );
    let n = 0;
    for (const { m } of early.rows) n += (await q.query<{ n: number }>('select mentions_ensure_partitions($1::date, $1::date) as n', [m])).rows[0]?.n ?? 0;
    n += (await q.query<{ n: number }>('select mentions_ensure_partitions($1::date, $2::date) as n', [day(from), day(to)])).rows[0]?.n ?? 0;
    if (n > 0) log.info({ created: n }, 'jobs: monthly partitions created');
    return n;
  });
}

/** What a retention pass removed. */
export interface RetentionSummary {
  cutoff: Date;
  droppedPartitions: string[];
  /** Mentions removed: the rows of dropped partitions plus rows deleted one by one. */
  deletedMentions: number;
}

/**
 * Removes every mention published before the first day of the month `months` months before `now`
 * (UTC), with its analysis, brand matches, corrections and queue entry. On a partitioned table whole
 * monthly partitions are dropped (no row-by-row delete, no bloat); older rows in the default partition,
 * and every row on an unpartitioned table, are deleted. The dashboard rollups of those hours are marked
 * for recomputation. `dryRun` only reports.
 */
export async function applyRetention(db: Db, now: Date, months: number, opts: { dryRun?: boolean } = {}): Promise<RetentionSummary> {
  if (!Number.isInteger(months) || months < 1) throw new ValidationError(`retention: months must be a whole number ≥ 1, got ${months}`);
  const cutoff = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() - months, 1));
  const out: RetentionSummary = { cutoff, droppedPartitions: [], deletedMentions: 0 };
  const parts = (await listMentionPartitions(db)).filter((p) => p.to !== null && p.to.getTime() <= cutoff.getTime());
  if (opts.dryRun) {
    const r = await db.query<{ n: number }>('select count(*)::int as n from mentions where published_at < $1', [cutoff]);
    out.droppedPartitions = parts.map((p) => p.name);
    out.deletedMentions = r.rows[0]?.n ?? 0;
    return out;
  }
  for (const p of parts) {
    const n = await db.tx(async (q) => {
      await schemaXactLock(q, MAINTENANCE_LOCK);
      const ident = quoteIdent(p.name);
      // The hours whose figures change, then what the foreign keys of an unpartitioned table would cascade.
      await q.query(`insert into rollup_marks (hour) select distinct date_trunc('hour', published_at, 'UTC') from ${ident}`);
      const refs = await q.query<{ table_name: string; column_name: string; on_delete: string }>('select table_name, column_name, on_delete from mention_references');
      for (const ref of refs.rows) {
        const t = ref.table_name;
        const c = quoteIdent(ref.column_name);
        if (ref.on_delete === 'c') await q.query(`delete from ${t} where ${c} in (select id from ${ident})`);
        else if (ref.on_delete === 'n') await q.query(`update ${t} set ${c} = null where ${c} in (select id from ${ident})`);
      }
      await q.query(`delete from mention_keys k using ${ident} m where k.source_id = m.source_id and k.external_id = m.external_id and k.mention_id = m.id`);
      const c = await q.query<{ n: number }>(`select count(*)::int as n from ${ident}`);
      await q.query(`drop table ${ident}`);
      return c.rows[0]?.n ?? 0;
    });
    out.droppedPartitions.push(p.name);
    out.deletedMentions += n;
    log.info({ partition: p.name, mentions: n }, 'retention: partition dropped');
  }
  // Whatever is left before the cutoff (default partition, or the plain table), in slices.
  for (;;) {
    const r = await db.query(
      `delete from mentions where id in (select id from mentions where published_at < $1 limit 5000)`,
      [cutoff],
    );
    out.deletedMentions += r.rowCount;
    if (r.rowCount < 5000) break;
  }
  log.info({ cutoff: cutoff.toISOString(), partitions: out.droppedPartitions.length, mentions: out.deletedMentions }, 'retention: done');
  return out;
}

/** What forgetting an author removed. */
export interface ForgetSummary {
  author: string;
  deletedMentions: number;
}

/**
 * Deletes every stored mention whose author is exactly `author` (a privacy request), with its analysis,
 * brand matches, corrections and queue entry (foreign keys, or the cascade trigger of a partitioned
 * table), in one transaction; dashboard hours are marked for recomputation by the 0004 triggers.
 * Mentions collected later are stored again if the source still serves them.
 */
export async function forgetAuthor(db: Db, author: string): Promise<ForgetSummary> {
  if (!author.trim()) throw new ValidationError('forget-author: the author name is empty');
  const n = await db.tx(async (q) => {
    const r = await q.query('delete from mentions where author = $1', [author]);
    return r.rowCount;
  });
  log.info({ mentions: n }, 'forget-author: done');
  return { author, deletedMentions: n };
}

function quoteIdent(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}

// ---------------------------------------------------------------------------------------------------
// Figures for /metrics

/** Counters for the Prometheus-style /metrics endpoint (all cheap: counts of small tables or estimates). */
export interface PipelineMetrics {
  /** Mentions stored (planner estimate above 100k rows, exact below). */
  mentionsTotal: number;
  analysisQueued: number;
  analysisLeased: number;
  sources: { name: string; type: string; enabled: boolean; lastSuccessAt: Date | null; lastErrorAt: Date | null; consecutiveErrors: number; errorRuns: number; okRuns: number }[];
  alerts: { status: string; n: number }[];
  deliveries: { status: string; n: number }[];
}

/** Reads the pipeline figures exposed by /metrics. */
export async function readPipelineMetrics(db: Queryable): Promise<PipelineMetrics> {
  const est = await db.query<{ n: number }>(
    `select coalesce(sum(greatest(c.reltuples, 0)), 0)::bigint as n from pg_class c
      where c.oid = 'mentions'::regclass or c.oid in (select inhrelid from pg_inherits where inhparent = 'mentions'::regclass)`,
  );
  let mentionsTotal = est.rows[0]?.n ?? 0;
  if (mentionsTotal < 100_000) mentionsTotal = (await db.query<{ n: number }>('select count(*)::int as n from mentions')).rows[0]?.n ?? 0;
  const backlog = await countAnalysisBacklog(db);
  const sources = await db.query<{
    name: string; type: string; enabled: boolean; last_success_at: Date | null; last_error_at: Date | null; consecutive_errors: number; error_runs: number; ok_runs: number;
  }>(
    `select s.name, s.type, s.enabled, s.last_success_at, s.last_error_at, s.consecutive_errors,
            (select count(*)::int from collector_runs r where r.source_id = s.id and r.status = 'error') as error_runs,
            (select count(*)::int from collector_runs r where r.source_id = s.id and r.status in ('ok', 'partial')) as ok_runs
       from sources s order by s.name`,
  );
  const alerts = await db.query<{ status: string; n: number }>('select status, count(*)::int as n from alerts group by status order by status');
  const deliveries = await db.query<{ status: string; n: number }>('select status, count(*)::int as n from alert_deliveries group by status order by status');
  return {
    mentionsTotal,
    analysisQueued: backlog.queued,
    analysisLeased: backlog.leased,
    sources: sources.rows.map((s) => ({
      name: s.name, type: s.type, enabled: s.enabled, lastSuccessAt: s.last_success_at, lastErrorAt: s.last_error_at,
      consecutiveErrors: s.consecutive_errors, errorRuns: s.error_runs, okRuns: s.ok_runs,
    })),
    alerts: alerts.rows,
    deliveries: deliveries.rows,
  };
}
