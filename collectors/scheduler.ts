/**
 * Runs every enabled source on its cron expression (node-cron), with a random delay (jitter) so sources
 * sharing a schedule do not hit the network at the same second. The jitter is at most maxJitterMs and
 * at most a tenth of the source's own period (JITTER_SHARE): a source checked every few seconds is not
 * held back by a delay meant for hourly ones.
 *
 * On each tick of a source:
 * | condition                                        | action                                   |
 * |--------------------------------------------------|------------------------------------------|
 * | the scheduler is stopping                        | nothing                                  |
 * | a run of this source is in flight (this process) | skip (node-cron noOverlap + run.ts flag) |
 * | next_check_at is in the future (backing off)     | skip; other sources are not affected     |
 * | another process holds the source's lease         | skip (runSource returns `busy`)          |
 * | otherwise                                        | runSource, then onCollected(inserted)    |
 *
 * Right after start (runNeverRunOnStart, default on), every enabled source that has never run gets one
 * tick of its own, through the same path (jitter, backoff check, lease), so a new user sees mentions in
 * the first minute instead of at the first cron tick, which may be an hour away. Sources that ran
 * before wait for their schedule as usual, so a restart does not hit every service at once.
 *
 * stop() stops the timers, then asks in-flight runs to end after the page they are storing (status
 * `abandoned`, everything stored so far kept, cursor not advanced) and waits for them.
 * node-cron's own console output goes to pino.
 */
import cron, { type ScheduledTask } from 'node-cron';
import type { Deps } from '../deps.js';
import { moduleLogger } from '../log.js';
import { getSourceByName } from '../db/sources.js';
import { runSource, type RunOptions, type RunSummary } from './run.js';
import { getCollector } from './registry.js';

/** A source's jitter is at most this share of its period (the time between two of its ticks). */
export const JITTER_SHARE = 0.1;

/** Options of the scheduler. */
export interface SchedulerOptions {
  /** Called after each run that finished (with the number of new mentions). */
  onCollected?: (inserted: number) => Promise<void>;
  /** Largest random delay before a run starts (default 30 s; tests use 0). */
  maxJitterMs?: number;
  /** Passed to every run (tests shrink HTTP delays). */
  runOptions?: Omit<RunOptions, 'signal'>;
  random?: () => number;
  /** Tick every enabled source that has never run as soon as the scheduler starts (default true). */
  runNeverRunOnStart?: boolean;
}

/** A running scheduler. */
export interface SchedulerHandle {
  /** Stops the timers and waits for in-flight runs to end (they keep what they stored). */
  stop(): Promise<void>;
  /** Runs one tick of a source now, as its timer would (tests, `earshot run` start-up). */
  tick(sourceName: string): Promise<RunSummary | null>;
  /**
   * Settles when the start-up ticks of never-run sources have ended (at once when there are none or
   * runNeverRunOnStart is false), with the name and result of each; never rejects.
   */
  readonly startup: Promise<{ source: string; summary: RunSummary | null }[]>;
}

let cronLoggerSet = false;

/** Routes node-cron's own messages to pino (once per process). */
function routeCronLogs(): void {
  if (cronLoggerSet) return;
  cronLoggerSet = true;
  const log = moduleLogger('cron');
  cron.setLogger({
    info: (m) => log.info(m),
    warn: (m) => log.warn(m),
    error: (m, e) => log.error({ err: e?.message ?? (m instanceof Error ? m.message : undefined) }, m instanceof Error ? m.message : m),
    debug: (m) => log.debug(m instanceof Error ? m.message : m),
  });
}

/** Starts one cron task per enabled source of the config. */
export function startScheduler(deps: Deps, opts: SchedulerOptions = {}): SchedulerHandle {
  routeCronLogs();
  const log = deps.logger.child({ module: 'scheduler' });
  const abort = new AbortController();
  const inflight = new Set<Promise<unknown>>();
  const timers = new Set<NodeJS.Timeout>();
  const random = opts.random ?? Math.random;
  const maxJitter = opts.maxJitterMs ?? 30_000;
  /** Largest jitter per source: maxJitter, or a tenth of its period when that is shorter. */
  const jitterCap = new Map<string, number>();

  const jitter = (cap: number): Promise<void> =>
    new Promise((resolve) => {
      const ms = Math.floor(random() * cap);
      if (ms <= 0) return resolve();
      const t = setTimeout(() => {
        timers.delete(t);
        resolve();
      }, ms);
      timers.add(t);
      abort.signal.addEventListener('abort', () => {
        clearTimeout(t);
        timers.delete(t);
        resolve();
      }, { once: true });
    });

  const tick = async (name: string): Promise<RunSummary | null> => {
    if (abort.signal.aborted) return null;
    await jitter(jitterCap.get(name) ?? maxJitter);
    if (abort.signal.aborted) return null;
    const source = await getSourceByName(deps.db, name);
    const now = deps.now();
    if (!source.enabled) return null;
    if (source.nextCheckAt && source.nextCheckAt.getTime() > now.getTime()) {
      log.debug({ source: name, next_check_at: source.nextCheckAt.toISOString() }, 'scheduler: backing off, tick skipped');
      return null;
    }
    const run = runSource(deps, name, { ...opts.runOptions, signal: abort.signal });
    inflight.add(run);
    try {
      const summary = await run;
      if (summary.status !== 'busy' && opts.onCollected) {
        await opts.onCollected(summary.inserted).catch((err: Error) => log.error({ source: name, err: err.message }, 'scheduler: onCollected failed'));
      }
      return summary;
    } finally {
      inflight.delete(run);
    }
  };

  const tasks: ScheduledTask[] = [];
  for (const s of deps.config.sources) {
    if (s.enabled === false) continue;
    const expr = s.schedule ?? getCollector(s.type).defaultSchedule;
    const task = cron.schedule(
      expr,
      async () => {
        try {
          await tick(s.name);
        } catch (err) {
          log.error({ source: s.name, err: (err as Error).message }, 'scheduler: tick failed');
        }
      },
      { name: `source:${s.name}`, noOverlap: true },
    );
    const [a, b] = task.getNextRuns(2);
    if (a && b) jitterCap.set(s.name, Math.min(maxJitter, (b.getTime() - a.getTime()) * JITTER_SHARE));
    tasks.push(task);
  }
  log.info({ sources: tasks.length }, 'scheduler: started');

  const startup = opts.runNeverRunOnStart === false ? Promise.resolve([]) : runNeverRun();
  async function runNeverRun(): Promise<{ source: string; summary: RunSummary | null }[]> {
    const names = deps.config.sources.filter((s) => s.enabled !== false).map((s) => s.name);
    const settled = await Promise.all(
      names.map(async (name) => {
        try {
          const source = await getSourceByName(deps.db, name);
          if (!source.enabled || source.lastRunAt !== null) return null;
          log.info({ source: name }, 'scheduler: first run of a source that has never run');
          return { source: name, summary: await tick(name) };
        } catch (err) {
          log.error({ source: name, err: (err as Error).message }, 'scheduler: start-up tick failed');
          return { source: name, summary: null };
        }
      }),
    );
    return settled.filter((x): x is { source: string; summary: RunSummary | null } => x !== null);
  }
  const startupTracked = startup.then(() => undefined);
  inflight.add(startupTracked);
  void startupTracked.finally(() => inflight.delete(startupTracked));

  return {
    tick,
    startup,
    async stop() {
      abort.abort();
      for (const t of timers) clearTimeout(t);
      for (const t of tasks) {
        await t.stop();
        await t.destroy();
      }
      await Promise.allSettled([...inflight]);
      log.info('scheduler: stopped');
    },
  };
}
