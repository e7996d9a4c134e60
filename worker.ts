/**
 * The worker side: the only place (with collectors/run.ts) that wires collectors, analysis, db and
 * alerts together. `analyzePending` drains the analysis backlog in batches; `startWorker` runs the
 * scheduler, analyses what each collection stored, refreshes aggregates and evaluates alerts.
 */
import type { Deps } from './deps.js';
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
  const durationMs = Date.now() - started;
  log.info({ analysed, failed, duration_ms: durationMs }, 'analyze: done');
  return { analysed, failed, durationMs };
}
