/**
 * The worker side: the only place (with collectors/run.ts) that wires collectors, analysis, db and
 * alerts together. `analyzePending` drains the analysis backlog in batches; `startWorker` runs the
 * scheduler, analyses what each collection stored, refreshes aggregates and evaluates alerts.
 */
import cron from 'node-cron';
import type { Deps } from './deps.js';
import { startScheduler } from './collectors/scheduler.js';
import { refreshRollups } from './db/stats.js';
import { runAlertCycle } from './alerts/service.js';
import { createAnalyser, ANALYSER_VERSION, type Analyser } from './analysis/index.js';
import { brandIdsByName, countPendingMentions, listPendingMentions, saveAnalyses, type AnalysedMention } from './db/analyses.js';

/** Figures of one analysis pass. */
export interface AnalyzeSummary {
  analysed: number;
  failed: number;
  durationMs: number;
}

/** Builds the analyser from the config (brands and extra pain-point words). */
export function analyserFor(deps: Pick<Deps, 'config'>): Analyser {
  return createAnalyser({ brands: deps.config.brands, painPoints: deps.config.analysis.painPoints });
}

/**
 * Analyses every mention not yet analysed by the current analyser version, in batches of
 * `batchSize`, logging progress. One mention that throws is logged, counted and skipped; it never
 * stops the batch. Re-analysis after an upgrade is the same loop: old versions count as pending.
 */
export async function analyzePending(
  deps: Deps,
  opts: { analyser?: Analyser; batchSize?: number; signal?: AbortSignal } = {},
): Promise<AnalyzeSummary> {
  const log = deps.logger.child({ module: 'analyze' });
  const analyser = opts.analyser ?? analyserFor(deps);
  const version = analyser.version ?? ANALYSER_VERSION;
  const batchSize = opts.batchSize ?? 500;
  const started = Date.now();
  const total = await countPendingMentions(deps.db, version);
  if (total === 0) return { analysed: 0, failed: 0, durationMs: 0 };
  log.info({ pending: total, analyser_version: version }, 'analyze: starting');
  const brandIds = await brandIdsByName(deps.db);
  let afterId = 0;
  let analysed = 0;
  let failed = 0;
  let lastLog = Date.now();
  for (;;) {
    if (opts.signal?.aborted) break;
    const batch = await listPendingMentions(deps.db, version, batchSize, afterId);
    if (batch.length === 0) break;
    afterId = batch[batch.length - 1]!.id;
    const out: AnalysedMention[] = [];
    for (const m of batch) {
      try {
        out.push({ mentionId: m.id, result: analyser.analyse({ text: m.text, title: m.title, languageHint: m.language, brandHint: m.brandHint }) });
      } catch (err) {
        failed++;
        log.warn({ mention_id: m.id, err: (err as Error).message }, 'analyze: mention failed, skipped');
      }
    }
    await deps.db.tx((q) => saveAnalyses(q, version, out, brandIds));
    analysed += out.length;
    if (Date.now() - lastLog > 2000) {
      lastLog = Date.now();
      log.info({ analysed, total, failed }, 'analyze: progress');
    }
  }
  // Dashboard aggregates: the triggers of migration 0004 marked the hours these analyses touched.
  if (analysed > 0) await refreshRollups(deps.db);
  const durationMs = Date.now() - started;
  log.info({ analysed, failed, duration_ms: durationMs }, 'analyze: done');
  return { analysed, failed, durationMs };
}

/** A running worker. */
export interface WorkerHandle {
  /** Stops scheduling, waits for the in-flight pipeline step, leaves stored data intact. */
  stop(): Promise<void>;
  /** Resolves when no pipeline step is running or queued (tests). */
  idle(): Promise<void>;
  /** Queues an analysis + rollups + alerts pass (coalesced with one already queued). */
  kick(reason: string): Promise<void>;
}

/**
 * Starts the worker: every source on its cron schedule (collectors/scheduler.ts); after each collection
 * that stored something, and once a minute as a safety net, one pipeline pass runs — analyse pending
 * mentions, refresh the dashboard aggregates, evaluate and deliver alerts. Passes never overlap: a
 * request that arrives while one runs is coalesced into one more pass after it.
 */
export async function startWorker(deps: Deps, opts: { schedule?: boolean } = {}): Promise<WorkerHandle> {
  const log = deps.logger.child({ module: 'worker' });
  const analyser = analyserFor(deps);
  const abort = new AbortController();
  let running: Promise<void> = Promise.resolve();
  let queued: Promise<void> | null = null;

  const pass = async (reason: string): Promise<void> => {
    if (abort.signal.aborted) return;
    const started = Date.now();
    try {
      const a = await analyzePending(deps, { analyser, signal: abort.signal });
      const alerts = await runAlertCycle(deps);
      log.debug({ reason, analysed: a.analysed, alerts, duration_ms: Date.now() - started }, 'worker: pipeline pass');
    } catch (err) {
      log.error({ reason, err: (err as Error).message }, 'worker: pipeline pass failed');
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

  const scheduler = opts.schedule === false ? null : startScheduler(deps, { onCollected: async (inserted: number) => void (inserted > 0 ? kick('collected') : undefined) });
  const alertTask = cron.schedule(deps.config.alerts.schedule, () => void kick('alert schedule'), { name: 'alerts', noOverlap: true });
  const safety = setInterval(() => void kick('tick'), 60_000);
  safety.unref();
  void kick('start');
  log.info({ sources: deps.config.sources.length }, 'worker: started');

  return {
    kick,
    idle: () => running,
    async stop() {
      abort.abort();
      clearInterval(safety);
      await alertTask.stop();
      await scheduler?.stop();
      await running;
      log.info('worker: stopped');
    },
  };
}
