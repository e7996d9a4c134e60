/**
 * The worker side: the only place (with collectors/run.ts) that wires collectors, analysis, db and
 * alerts together. `analyzePending` drains the analysis queue in claimed batches; `startWorker` runs the
 * scheduler, analyses what each collection stored, refreshes aggregates, evaluates alerts and keeps the
 * monthly partitions ahead.
 *
 * Several workers (processes, machines) can share one PostgreSQL: sources are claimed through their
 * lease row (collectors/run.ts), analysis batches through `analysis_queue` leases (db/jobs.ts), rollups
 * and partition maintenance through advisory locks. A worker killed mid-batch loses nothing: its
 * leases expire and another worker (or itself, restarted) claims the rows again.
 */
import cron from 'node-cron';
import type { Deps } from './deps.js';
import { startScheduler } from './collectors/scheduler.js';
import { refreshRollups } from './db/stats.js';
import { runAlertCycle } from './alerts/service.js';
import { createAnalyser, ANALYSER_VERSION, type Analyser } from './analysis/index.js';
import { brandIdsByName, storeAnalyses, type AnalysedMention } from './db/analyses.js';
import {
  claimAnalysisBatch, countAnalysisBacklog, enqueueOutdatedAnalyses, ensureMentionPartitions, failAnalysisClaims, newClaimToken,
  releaseAnalysisClaims,
} from './db/jobs.js';

/** Figures of one analysis pass. */
export interface AnalyzeSummary {
  analysed: number;
  failed: number;
  durationMs: number;
}

/** Options of one analysis pass. */
export interface AnalyzeOptions {
  analyser?: Analyser;
  /** Mentions claimed per batch (default 500). */
  batchSize?: number;
  /** Stops after the batch in progress. */
  signal?: AbortSignal;
  /** How long a claimed batch is ours (default 60 s): a crashed worker's batch waits this long. */
  leaseMs?: number;
  /** When a mention whose analysis threw is tried again (default 10 min). */
  retryMs?: number;
  /**
   * During a long pass, refresh the dashboard rollups at most this often (default 30 s), skipped when
   * another process is refreshing; the pass always ends with a refresh.
   */
  refreshEveryMs?: number;
  /**
   * Called after each batch that re-analysed mentions while no new mention was waiting (the worker runs
   * its alert cycle there, so a long re-analysis after an analyser upgrade does not hold alerts back).
   */
  betweenBatches?: () => Promise<void>;
}

/** Default analysis lease. Far above a batch's analysis time (≈ 0.1–0.5 s for 500 mentions). */
export const DEFAULT_ANALYSIS_LEASE_MS = 60_000;
/**
 * Longest text the analyser sees (characters, from the start): a pasted novel would otherwise hold a
 * worker for seconds; opinions about a brand are in the first screens of text. Stored text is untouched.
 */
export const MAX_ANALYSED_CHARS = 20_000;

/** Builds the analyser from the config (brands and extra pain-point words). */
export function analyserFor(deps: Pick<Deps, 'config'>): Analyser {
  return createAnalyser({ brands: deps.config.brands, painPoints: deps.config.analysis.painPoints });
}

/**
 * Analyses every queued mention (new ones, and those analysed by another analyser version), claiming
 * batches of `batchSize` with a lease so concurrent workers never analyse the same mention twice. One
 * mention that throws is logged, counted and retried later (given up after 3 attempts); it never stops
 * the batch. Each batch costs the database two statements: the claim (which reads the mentions too)
 * and the store (db/analyses.ts storeAnalyses). Refreshes the dashboard rollups when something was
 * stored: at the end of the pass, and every `refreshEveryMs` during a long one.
 */
export async function analyzePending(deps: Deps, opts: AnalyzeOptions = {}): Promise<AnalyzeSummary> {
  const log = deps.logger.child({ module: 'analyze' });
  const analyser = opts.analyser ?? analyserFor(deps);
  const version = analyser.version ?? ANALYSER_VERSION;
  const batchSize = opts.batchSize ?? 500;
  const leaseMs = opts.leaseMs ?? DEFAULT_ANALYSIS_LEASE_MS;
  const retryMs = opts.retryMs ?? 600_000;
  const refreshEveryMs = opts.refreshEveryMs ?? 30_000;
  const started = Date.now();
  const outdated = await enqueueOutdatedAnalyses(deps.db, version);
  if (outdated > 0) log.info({ mentions: outdated, analyser_version: version }, 'analyze: re-analysis queued after an analyser change');
  const backlog = await countAnalysisBacklog(deps.db);
  if (backlog.queued === 0) return { analysed: 0, failed: 0, durationMs: 0 };
  log.info({ pending: backlog.queued, leased_elsewhere: backlog.leased, analyser_version: version }, 'analyze: starting');
  const brandIds = await brandIdsByName(deps.db);
  let analysed = 0;
  let failed = 0;
  let lastLog = Date.now();
  let lastRefresh = Date.now();
  let cursor = 0;
  let cursorNew = 0;
  for (;;) {
    if (opts.signal?.aborted) break;
    const token = newClaimToken();
    /** A batch after `after`; finding nothing there, once more from the start (expired leases, retries). */
    const claimAfter = async (after: number, only: 'new' | 'any') => {
      const c = await claimAnalysisBatch(deps.db, token, batchSize, leaseMs, after, only);
      return c.ids.length > 0 || after === 0 ? c : claimAnalysisBatch(deps.db, token, batchSize, leaseMs, 0, only);
    };
    // Mentions never analysed first (their own cursor), then the rest: re-analysis after an upgrade, retries.
    let claim = await claimAfter(cursorNew, 'new');
    cursorNew = claim.ids.at(-1) ?? 0;
    const fresh = claim.ids.length > 0;
    if (!fresh) {
      claim = await claimAfter(cursor, 'any');
      if (claim.ids.length === 0) break;
      cursor = claim.ids.at(-1)!;
    }
    try {
      const out: AnalysedMention[] = [];
      const failures: { id: number; error: string }[] = [];
      for (const m of claim.mentions) {
        try {
          const text = m.text.length > MAX_ANALYSED_CHARS ? m.text.slice(0, MAX_ANALYSED_CHARS) : m.text;
          const title = m.title !== null && m.title.length > MAX_ANALYSED_CHARS ? m.title.slice(0, MAX_ANALYSED_CHARS) : m.title;
          out.push({ mentionId: m.id, publishedAt: m.publishedAt, result: analyser.analyse({ text, title, languageHint: m.language, brandHint: m.brandHint }) });
        } catch (err) {
          failures.push({ id: m.id, error: (err as Error)?.message ?? String(err) });
          log.warn({ mention_id: m.id, err: (err as Error)?.message }, 'analyze: mention failed, retried later');
        }
      }
      const failedIds = new Set(failures.map((f) => f.id));
      // ids whose mention is gone (deleted since it was queued) leave the queue with the stored ones
      const done = claim.ids.filter((id) => !failedIds.has(id));
      const owned = await storeAnalyses(deps.db, { token, done }, version, out, brandIds);
      const stored = out.filter((o) => owned.has(o.mentionId)).length;
      if (stored < out.length) log.warn({ lost_lease: out.length - stored }, 'analyze: lease expired and taken over, those mentions are stored by their new holder');
      analysed += stored;
      if (failures.length > 0) {
        failed += failures.length;
        const dropped = await failAnalysisClaims(deps.db, token, failures, retryMs);
        if (dropped.length > 0) log.error({ mention_ids: dropped }, 'analyze: mentions given up after repeated failures');
      }
    } catch (err) {
      // Database trouble mid-batch: give the batch back when we can; otherwise its lease expires.
      await releaseAnalysisClaims(deps.db, token).catch(() => undefined);
      throw err;
    }
    if (!fresh && opts.betweenBatches) await opts.betweenBatches();
    if (Date.now() - lastRefresh > refreshEveryMs) {
      await refreshRollups(deps.db, { wait: false });
      lastRefresh = Date.now();
    }
    if (Date.now() - lastLog > 2000) {
      lastLog = Date.now();
      log.info({ analysed, total: backlog.queued, failed }, 'analyze: progress');
    }
  }
  // Dashboard aggregates: the store marked the hours these analyses touched.
  if (analysed > 0) await refreshRollups(deps.db);
  const durationMs = Date.now() - started;
  log.info({ analysed, failed, duration_ms: durationMs }, 'analyze: done');
  return { analysed, failed, durationMs };
}

const GUARDED = Symbol('earshot.errorGuard');

/**
 * pg-pool removes its error listener from a client while it is checked out, so a connection that dies
 * then (PostgreSQL restarted, a proxy cut) emits an unhandled 'error' and kills the process. Every
 * client handed out gets a listener of its own: the query in flight still fails (and is retried by the
 * next pass), and pg-pool discards the broken client when it is released.
 */
function guardCheckedOutClients(deps: Deps, log: Deps['logger']): void {
  const pool = deps.db.pool;
  if (!pool) return;
  pool.on('acquire', (client) => {
    const c = client as typeof client & { [GUARDED]?: true };
    if (c[GUARDED]) return;
    c[GUARDED] = true;
    client.on('error', (err: Error) => log.warn({ err: err.message }, 'worker: database connection lost, will reconnect'));
  });
}

/** What a worker did since it started. */
export interface WorkerStats {
  passes: number;
  failedPasses: number;
  analysed: number;
  failed: number;
  alertsDelivered: number;
}

/** A running worker. */
export interface WorkerHandle {
  /** Stops scheduling, waits for the in-flight pipeline step, leaves stored data intact. */
  stop(): Promise<void>;
  /** Resolves when no pipeline step is running or queued (tests). */
  idle(): Promise<void>;
  /** Queues an analysis + rollups + alerts pass (coalesced with one already queued). */
  kick(reason: string): Promise<void>;
  /** Totals since start. */
  stats(): WorkerStats;
}

/** Options of a worker. */
export interface WorkerOptions {
  /** Run the collection scheduler (default true). */
  schedule?: boolean;
  /** Analysis lease (default 60 s). */
  leaseMs?: number;
  /** Source run lease (default 30 min, collectors/run.ts): a crashed run blocks its source this long. */
  sourceLeaseMs?: number;
  /** Mentions a source run buffers before storing them in one batch (default: collectors' INSERT_BATCH). */
  collectBatch?: number;
  /** Largest random delay before a source run (default 30 s). */
  maxJitterMs?: number;
  /** Analysis batch size (default 500). */
  batchSize?: number;
  /** Delay before a failed pass (database unreachable…) is tried again (default 5 s). */
  retryMs?: number;
  /** Safety-net pass interval (default 60 s). */
  tickMs?: number;
  /**
   * During a long re-analysis (after an analyser upgrade), alerts are evaluated and delivered between
   * batches at most this often (default 60 s), once the new mentions are analysed.
   */
  alertEveryMs?: number;
}

/**
 * Starts the worker: every source on its cron schedule (collectors/scheduler.ts); after each collection
 * that stored something, and every `tickMs` as a safety net, one pipeline pass runs — analyse queued
 * mentions, refresh the dashboard aggregates, evaluate and deliver alerts. Passes never overlap: a
 * request that arrives while one runs is coalesced into one more pass after it. A pass that fails (the
 * database went away) is retried after `retryMs`; the pg pool reconnects by itself. On PostgreSQL the
 * monthly partitions are kept three months ahead (at start and daily).
 */
export async function startWorker(deps: Deps, opts: WorkerOptions = {}): Promise<WorkerHandle> {
  const log = deps.logger.child({ module: 'worker' });
  guardCheckedOutClients(deps, log);
  const analyser = analyserFor(deps);
  const abort = new AbortController();
  const stats: WorkerStats = { passes: 0, failedPasses: 0, analysed: 0, failed: 0, alertsDelivered: 0 };
  const retryMs = opts.retryMs ?? 5000;
  const alertEveryMs = opts.alertEveryMs ?? 60_000;
  let running: Promise<void> = Promise.resolve();
  let queued: Promise<void> | null = null;
  let retryTimer: NodeJS.Timeout | null = null;

  const pass = async (reason: string): Promise<void> => {
    if (abort.signal.aborted) return;
    const started = Date.now();
    stats.passes++;
    let lastAlerts = Date.now();
    // A re-analysis of every stored mention can take hours: new mentions are analysed first (0012), and
    // their alerts go out between its batches instead of after it.
    const alertsMidPass = async (): Promise<void> => {
      if (Date.now() - lastAlerts < alertEveryMs) return;
      const alerts = await runAlertCycle(deps);
      lastAlerts = Date.now();
      stats.alertsDelivered += alerts.delivered;
    };
    try {
      const a = await analyzePending(deps, {
        analyser, signal: abort.signal, betweenBatches: alertsMidPass,
        ...(opts.leaseMs !== undefined ? { leaseMs: opts.leaseMs } : {}),
        ...(opts.batchSize !== undefined ? { batchSize: opts.batchSize } : {}),
      });
      stats.analysed += a.analysed;
      stats.failed += a.failed;
      const alerts = await runAlertCycle(deps);
      stats.alertsDelivered += alerts.delivered;
      log.debug({ reason, analysed: a.analysed, alerts, duration_ms: Date.now() - started }, 'worker: pipeline pass');
    } catch (err) {
      stats.failedPasses++;
      log.error({ reason, err: (err as Error).message, retry_in_ms: retryMs }, 'worker: pipeline pass failed');
      if (!abort.signal.aborted && !retryTimer) {
        retryTimer = setTimeout(() => {
          retryTimer = null;
          void kick('retry');
        }, retryMs);
        retryTimer.unref();
      }
    }
  };

  const kick = (reason: string): Promise<void> => {
    if (queued) return queued;
    const next = running.then(() => {
      queued = null;
      return pass(reason);
    });
    queued = next;
    running = next;
    return next;
  };

  const maintain = async (): Promise<void> => {
    if (deps.db.kind !== 'pg') return;
    try {
      await ensureMentionPartitions(deps.db, deps.now());
    } catch (err) {
      log.warn({ err: (err as Error).message }, 'worker: partition maintenance failed, retried tomorrow');
    }
  };

  const scheduler = opts.schedule === false
    ? null
    : startScheduler(deps, {
        onCollected: async (inserted: number) => void (inserted > 0 ? kick('collected') : undefined),
        ...(opts.maxJitterMs !== undefined ? { maxJitterMs: opts.maxJitterMs } : {}),
        runOptions: {
          ...(opts.sourceLeaseMs !== undefined ? { leaseMs: opts.sourceLeaseMs } : {}),
          ...(opts.collectBatch !== undefined ? { batchSize: opts.collectBatch } : {}),
        },
      });
  const alertTask = cron.schedule(deps.config.alerts.schedule, () => void kick('alert schedule'), { name: 'alerts', noOverlap: true });
  const safety = setInterval(() => void kick('tick'), opts.tickMs ?? 60_000);
  safety.unref();
  const daily = setInterval(() => void maintain(), 24 * 3600_000);
  daily.unref();
  await maintain();
  void kick('start');
  log.info({ sources: deps.config.sources.length }, 'worker: started');

  return {
    kick,
    idle: () => running,
    stats: () => ({ ...stats }),
    async stop() {
      abort.abort();
      clearInterval(safety);
      clearInterval(daily);
      if (retryTimer) clearTimeout(retryTimer);
      await alertTask.stop();
      await scheduler?.stop();
      await running;
      log.info({ ...stats }, 'worker: stopped');
    },
  };
}
