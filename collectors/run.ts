/**
 * Runs sources: fetch → normalise → filter by the brand query → store in batches → record the run.
 * With worker.ts, the one place that wires collectors, analysis (query matching), and db together.
 *
 * Guarantees:
 * - A source's tasks (brand searches, feeds, apps) run `concurrency` at a time (default 1), sharing its
 *   HTTP client and so its rate limit.
 * - Pages are stored in batches of up to INSERT_BATCH mentions (one COPY and one transaction each),
 *   written one after another in the order handed on, one batch written while the next is fetched and prepared; a failure on page 3, a stop request or the
 *   end of a task first stores what is buffered, so pages 1–2 are kept. Nothing is counted before it is
 *   stored, and a cursor is saved only after every batch of its task is stored.
 * - A task's cursor is saved only when the task ends without error (a failed task is fetched again next
 *   time; the (source, external id) key makes that harmless).
 * - On PostgreSQL a batch commits without waiting for its WAL flush (StoreOptions.asyncCommit): the
 *   cursor and the run record are committed synchronously after the batches they cover, and that flush
 *   takes every earlier commit with it. A server crash can lose only batches no saved cursor covers yet;
 *   the next run fetches them again.
 * - One malformed item is logged with its reason, counted as skipped, and never stops the batch.
 * - One source never runs twice at once: an in-process set plus a lease row in `sources` (for two
 *   processes on one PostgreSQL).
 */
import os from 'node:os';
import type { Deps } from '../deps.js';
import type { RawMention, SourceType } from '../model.js';
import { compileQuery } from '../analysis/index.js';
import { isRateLimitedError, isEarshotError } from '../errors.js';
import { INSERT_BATCH, prepareMentions, storePreparedMentions, writesOverlapWork, type PreparedMentions } from '../db/mentions.js';
import { getCursor, setCursor } from '../db/cursors.js';
import { abandonStaleRuns, finishRun, startRun, type RunStatus } from '../db/runs.js';
import {
  claimSourceLease,
  getSourceByName,
  markSourceFailure,
  markSourceSuccess,
  releaseSourceLease,
  renewSourceLease,
  type SourceRow,
} from '../db/sources.js';
import { createHttpClient, redactUrl, type HttpOptions } from './http.js';
import { getCollector } from './registry.js';
import { searchTermsOf } from './query-terms.js';
import { nextCheckAfterFailure } from './schedule.js';
import type { AnyCollector, BrandSearch, CollectTask, CollectorContext, SourceSettings } from './types.js';

/** What one run of one source did. */
export interface RunSummary {
  source: string;
  type: string;
  /** `busy`: another run of this source was in progress, nothing done. */
  status: Exclude<RunStatus, 'running'> | 'busy';
  runId: number | null;
  fetched: number;
  inserted: number;
  duplicates: number;
  skipped: number;
  /** Fetched by a search but rejected by the brand's full query. */
  filtered: number;
  durationMs: number;
  error: string | null;
  nextCheckAt: Date | null;
  /** Ids of the mentions stored by this run. */
  insertedIds: number[];
  /**
   * Where the run's wall time went: waiting for pages (HTTP + JSON parse, the part not overlapped with
   * anything else), normalising, filtering and preparing items, and waiting for the database to store a
   * batch (storeWaitMs). Those three plus bookkeeping (lease, cursors, run record) make durationMs.
   * storeMs is how long batches took to store (COPY, insert, duplicate links), overlapped or not: on
   * PostgreSQL the next batch is prepared while the previous one is written.
   */
  timings: { fetchWaitMs: number; normaliseMs: number; storeWaitMs: number; storeMs: number };
}

/** Options of a run (tests and the scheduler). */
export interface RunOptions {
  /** HTTP tunables over the source's own (tests shrink delays). */
  http?: Partial<Omit<HttpOptions, 'source'>>;
  /** Stops between pages: the run ends `abandoned`, keeping what it stored. */
  signal?: AbortSignal;
  /** Lease length (default 30 min): a crashed run blocks its source at most this long. */
  leaseMs?: number;
  /** Environment for secrets (default process.env). */
  env?: Readonly<Record<string, string | undefined>>;
  /** Mentions buffered before one batch is stored (default INSERT_BATCH). */
  batchSize?: number;
}

/** Default page cap per task and run. */
export const DEFAULT_MAX_PAGES = 5;
/** Default backfill depth on a first run. */
export const DEFAULT_BACKFILL_DAYS = 7;

const running = new Set<string>();
const OWNER = `${os.hostname()}:${process.pid}`;

/** Builds the brand searches (terms + full local query) from the config. */
export function brandSearches(brands: Deps['config']['brands']): BrandSearch[] {
  return brands.map((b) => {
    const hasQuery = b.query.trim() !== '';
    const q = compileQuery(hasQuery ? b.query : '', hasQuery ? b.aliases : [b.name, ...b.aliases]);
    return { name: b.name, terms: searchTermsOf(b.query, b.aliases, b.name), match: (text: string) => q.match(text) };
  });
}

/** Checks what a collector returned; throws the reason an item is unusable. */
function checkMention(m: RawMention): void {
  if (typeof m.externalId !== 'string' || m.externalId === '') throw new Error('no id');
  if (typeof m.text !== 'string' || m.text.trim() === '') throw new Error('no text');
  if (!(m.publishedAt instanceof Date) || Number.isNaN(m.publishedAt.getTime())) throw new Error('no valid published time');
  if (m.rating !== null && (!Number.isFinite(m.rating) || m.rating < 1 || m.rating > 5)) throw new Error(`rating ${m.rating} outside 1–5`);
}

/** The settings a collector sees, from the stored source and its validated options. */
function settingsOf(source: SourceRow, options: Record<string, unknown>): SourceSettings {
  const c = source.config as Record<string, unknown>;
  return {
    id: source.id,
    name: source.name,
    type: source.type as SourceType,
    brand: source.brand,
    baseUrl: typeof c.baseUrl === 'string' ? c.baseUrl.replace(/\/+$/, '') : null,
    maxPages: typeof c.maxPages === 'number' ? c.maxPages : DEFAULT_MAX_PAGES,
    pageSize: typeof c.pageSize === 'number' ? c.pageSize : null,
    backfillDays: typeof c.backfillDays === 'number' ? c.backfillDays : DEFAULT_BACKFILL_DAYS,
    options,
  };
}

/** One collection run of the source named `sourceName`. Never throws for a source failure: it is recorded. */
export async function runSource(deps: Deps, sourceName: string, opts: RunOptions = {}): Promise<RunSummary> {
  const source = await getSourceByName(deps.db, sourceName);
  const collector = getCollector(source.type);
  const log = deps.logger.child({ module: 'collect', source: source.name, source_id: source.id });
  const startedAt = deps.now();
  const t0 = Date.now();
  const summary: Summary = {
    source: source.name, type: source.type, status: 'ok', runId: null, fetched: 0, inserted: 0, duplicates: 0, skipped: 0,
    filtered: 0, durationMs: 0, error: null, nextCheckAt: null, insertedIds: [],
    timings: { fetchWaitMs: 0, normaliseMs: 0, storeWaitMs: 0, storeMs: 0 },
  };
  if (running.has(source.name)) return { ...summary, status: 'busy' };
  running.add(source.name);
  try {
    const leaseMs = opts.leaseMs ?? 30 * 60_000;
    const leaseUntil = new Date(startedAt.getTime() + leaseMs);
    if (!(await claimSourceLease(deps.db, source.id, OWNER, startedAt, leaseUntil))) {
      log.info('collect: source is already running elsewhere, skipped');
      return { ...summary, status: 'busy' };
    }
    // Heartbeat: a run longer than its lease keeps it, so no other worker starts the source meanwhile;
    // a crashed process stops renewing and its lease runs out.
    const heartbeat = setInterval(() => {
      renewSourceLease(deps.db, source.id, OWNER, new Date(deps.now().getTime() + leaseMs)).catch((err: Error) => log.warn({ err: err.message }, 'collect: lease renewal failed'));
    }, Math.max(100, Math.floor(leaseMs / 3)));
    heartbeat.unref();
    try {
      const stale = await abandonStaleRuns(deps.db, source.id, startedAt);
      if (stale > 0) log.warn({ runs: stale }, 'collect: marked runs of a dead process as abandoned');
      summary.runId = await startRun(deps.db, source.id, startedAt);
      await collectInto(deps, source, collector, summary, opts, log);
    } finally {
      summary.durationMs = Date.now() - t0;
      for (const k of ['fetchWaitMs', 'normaliseMs', 'storeWaitMs', 'storeMs'] as const) summary.timings[k] = Math.round(summary.timings[k]);
      const finishedAt = deps.now();
      if (summary.status === 'ok' || summary.status === 'abandoned') {
        await markSourceSuccess(deps.db, source.id, finishedAt, null);
      } else {
        const errors = source.consecutiveErrors + 1;
        summary.nextCheckAt = nextCheckAfterFailure(finishedAt, errors, summary.retryAt ?? null);
        await markSourceFailure(deps.db, source.id, finishedAt, summary.error ?? 'unknown error', summary.nextCheckAt);
      }
      if (summary.runId !== null) {
        await finishRun(deps.db, summary.runId, {
          status: summary.status === 'busy' ? 'ok' : summary.status,
          finishedAt, durationMs: summary.durationMs, fetched: summary.fetched, inserted: summary.inserted,
          duplicates: summary.duplicates, skipped: summary.skipped, filtered: summary.filtered, error: summary.error,
        });
      }
      clearInterval(heartbeat);
      await releaseSourceLease(deps.db, source.id, OWNER);
      delete summary.retryAt;
      log.info(
        { run_id: summary.runId, status: summary.status, fetched: summary.fetched, inserted: summary.inserted, duplicates: summary.duplicates,
          skipped: summary.skipped, filtered: summary.filtered, duration_ms: summary.durationMs, err: summary.error ?? undefined },
        `collect: ${source.name} ${summary.status}`,
      );
    }
    return summary;
  } finally {
    running.delete(source.name);
  }
}

type Summary = RunSummary & { retryAt?: Date };

async function collectInto(deps: Deps, source: SourceRow, collector: AnyCollector, summary: Summary, opts: RunOptions, log: Deps['logger']): Promise<void> {
  const parsed = collector.options.safeParse(source.config);
  if (!parsed.success) {
    summary.status = 'error';
    summary.error = `${source.name}: invalid options: ${parsed.error.issues.map((i) => `${i.path.join('.') || '(source)'}: ${i.message}`).join('; ')}`;
    return;
  }
  const c = source.config as Record<string, unknown>;
  const http = createHttpClient({
    source: source.name,
    ...(typeof c.userAgent === 'string' ? { userAgent: c.userAgent } : {}),
    ...(typeof c.timeoutMs === 'number' ? { timeoutMs: c.timeoutMs } : {}),
    ...(typeof c.rateLimit === 'number' ? { rateLimit: c.rateLimit } : {}),
    now: deps.now,
    logger: log,
    ...opts.http,
  });
  const brands = brandSearches(deps.config.brands);
  const ctx: CollectorContext = {
    source: settingsOf(source, parsed.data as Record<string, unknown>),
    http, log, now: deps.now, brands, env: opts.env ?? process.env,
  };
  let tasks: CollectTask[];
  try {
    tasks = collector.plan(ctx);
  } catch (err) {
    summary.status = 'error';
    summary.error = messageOf(err);
    return;
  }
  const errors: string[] = [];
  let tasksOk = 0;
  const batchSize = Math.min(opts.batchSize ?? INSERT_BATCH, INSERT_BATCH);
  const overlap = writesOverlapWork(deps.db);
  // Batches of every lane are written one after another, in the order they were handed on (so duplicate
  // linking sees every earlier batch, and two batches of one source never race for the same keys).
  let writes: Promise<unknown> = Promise.resolve();
  /** Queues one prepared batch behind every batch handed on before it. */
  const write = (prepared: PreparedMentions): Promise<void> => {
    const ts = performance.now();
    const done = writes.then(() => storePreparedMentions(deps.db, source.id, prepared, deps.now(), { asyncCommit: true })).then(
      (r) => {
        summary.inserted += r.inserted;
        summary.duplicates += r.duplicates;
        summary.insertedIds.push(...r.ids);
        summary.timings.storeMs += performance.now() - ts;
      },
      (err: unknown) => {
        summary.timings.storeMs += performance.now() - ts;
        throw err;
      },
    );
    writes = done.catch(() => undefined);
    return done;
  };
  /** A host answered 429: no lane starts another task (the same host will refuse those too). */
  let rateLimited = false;

  /**
   * One lane: takes the next task until none is left. A lane buffers its own items and has at most one
   * batch of its own being written while it fetches on (on PostgreSQL; on PGlite each batch is written
   * before going on, the database shares this thread), so a failed batch fails the lane's task only.
   */
  const lane = async (queue: CollectTask[]): Promise<void> => {
    let pending: RawMention[] = [];
    let storing: Promise<void> = Promise.resolve();
    /** Waits for the lane's batch being written; its failure is thrown once (then forgotten). */
    const settle = async (): Promise<void> => {
      const tw = performance.now();
      try {
        await storing;
      } catch (err) {
        storing = Promise.resolve();
        throw err;
      } finally {
        summary.timings.storeWaitMs += performance.now() - tw;
      }
    };
    /** Hands what is buffered to the database; with `wait`, returns once everything handed on is stored. */
    const flush = async (wait: boolean): Promise<void> => {
      if (pending.length > 0) {
        const tp = performance.now();
        const prepared = prepareMentions(pending);
        summary.timings.normaliseMs += performance.now() - tp;
        pending = [];
        await settle(); // a failed earlier batch fails the task; this one is dropped with it (not counted, cursor kept)
        storing = write(prepared);
        storing.catch(() => undefined); // awaited below or by the next flush; never unhandled
      }
      if (wait) await settle();
    };
    for (let task = queue.shift(); task !== undefined; task = queue.shift()) {
      if (opts.signal?.aborted || rateLimited) break;
      const tlog = log.child({ task: redactUrl(task.key) });
      try {
        const cursor = await getCursor(deps.db, source.id, task.key);
        let lastCursor: unknown = null;
        let aborted = false;
        // The next page is fetched while this one is normalised and stored (the two overlap); a failure
        // discards the prefetched page. Pages are buffered up to one batch before they are stored.
        const it = collector.fetch(ctx, task, cursor)[Symbol.asyncIterator]();
        let nextPage = it.next();
        for (;;) {
          const tw = performance.now();
          const step = await nextPage;
          summary.timings.fetchWaitMs += performance.now() - tw;
          if (step.done) break;
          const page = step.value;
          nextPage = opts.signal?.aborted ? Promise.resolve({ done: true, value: undefined }) : it.next();
          // a prefetch that fails while this page is stored is reported when awaited, not as unhandled
          nextPage.catch(() => undefined);
          summary.fetched += page.items.length;
          const tn = performance.now();
          const batch = normaliseAll(page.items, ctx, collector, task, summary, tlog);
          summary.timings.normaliseMs += performance.now() - tn;
          for (const m of batch) {
            pending.push(m);
            if (pending.length >= batchSize) await flush(!overlap);
          }
          if (page.cursor !== null && page.cursor !== undefined) lastCursor = page.cursor;
          if (opts.signal?.aborted) {
            aborted = true;
            await it.return?.(undefined);
            break;
          }
        }
        await flush(true);
        if (aborted) break;
        if (lastCursor !== null) await setCursor(deps.db, source.id, task.key, lastCursor, deps.now());
        tasksOk++;
      } catch (err) {
        const msg = messageOf(err);
        errors.push(msg);
        tlog.warn({ err: msg }, 'collect: task failed');
        // keep what the failed task already fetched (its cursor stays, so a re-run costs only duplicates)
        try {
          await flush(true);
        } catch (storeErr) {
          errors.push(messageOf(storeErr));
        }
        if (isRateLimitedError(err)) {
          summary.retryAt = err.retryAt;
          rateLimited = true;
          break;
        }
      }
    }
  };
  // `concurrency` tasks (brand searches, feeds, apps) of the source at once, sharing its HTTP client and
  // so its rate limit; default one after another.
  const queue = [...tasks];
  const lanes = Math.max(1, Math.min(queue.length, typeof c.concurrency === 'number' ? c.concurrency : 1));
  await Promise.all(Array.from({ length: lanes }, () => lane(queue)));
  if (opts.signal?.aborted) {
    summary.status = 'abandoned';
    summary.error = errors[0] ?? null;
    return;
  }
  if (errors.length > 0) {
    summary.error = errors.length === 1 ? errors[0]! : `${errors[0]} (and ${errors.length - 1} more)`;
    summary.status = summary.inserted > 0 || summary.duplicates > 0 || tasksOk > 0 ? 'partial' : 'error';
  }
}

function normaliseAll(items: unknown[], ctx: CollectorContext, collector: AnyCollector, task: CollectTask, summary: Summary, log: Deps['logger']): RawMention[] {
  const out: RawMention[] = [];
  const hint = task.brandHint ?? ctx.source.brand ?? null;
  const filterBrand = task.filter.kind === 'brand' ? ctx.brands.find((b) => b.name === (task.filter as { brand: string }).brand) : undefined;
  for (let i = 0; i < items.length; i++) {
    let m: RawMention | null;
    try {
      m = collector.normalise(items[i], ctx, task);
      if (m === null) {
        summary.fetched--; // not a mention at all (feed metadata)
        continue;
      }
      checkMention(m);
    } catch (err) {
      summary.skipped++;
      log.warn({ item: itemId(items[i]), reason: (err as Error).message }, 'collect: malformed item skipped');
      continue;
    }
    if (task.filter.kind !== 'none') {
      const text = m.title ? `${m.title}\n${m.text}` : m.text;
      const keep = filterBrand ? filterBrand.match(text) : task.filter.kind === 'any' ? ctx.brands.some((b) => b.match(text)) : true;
      if (!keep) {
        summary.filtered++;
        continue;
      }
    }
    if (hint) m.brandHint = hint;
    out.push(m);
  }
  return out;
}

function itemId(item: unknown): string | undefined {
  if (item && typeof item === 'object') {
    const o = item as Record<string, unknown>;
    for (const k of ['objectID', 'id', 'uri', 'name', 'guid', 'question_id']) if (typeof o[k] === 'string' || typeof o[k] === 'number') return String(o[k]);
  }
  return undefined;
}

function messageOf(err: unknown): string {
  if (isEarshotError(err)) return err.message;
  return `collect: ${(err as Error)?.message ?? String(err)}`;
}

/**
 * One pass over every enabled source of the config (or only `source`), one after another; a failing
 * source is recorded and the pass goes on. `source` must name a configured source.
 */
export async function collectAll(deps: Deps, opts: { source?: string } & RunOptions = {}): Promise<RunSummary[]> {
  const { source: only, ...runOpts } = opts;
  const names = only !== undefined ? [only] : deps.config.sources.filter((s) => s.enabled !== false).map((s) => s.name);
  const out: RunSummary[] = [];
  for (const name of names) {
    if (runOpts.signal?.aborted) break;
    out.push(await runSource(deps, name, runOpts));
  }
  return out;
}
