/**
 * Collector runs: one row per run of a source, with its status, counts, duration and error, so every
 * figure on the sources page leads back to a recorded run.
 */
import type { Queryable } from './index.js';

/** Final status of a run: `partial` stored some pages, then failed. */
export type RunStatus = 'running' | 'ok' | 'partial' | 'error' | 'abandoned';

/** Counts of one run. */
export interface RunCounts {
  fetched: number;
  inserted: number;
  duplicates: number;
  skipped: number;
  filtered: number;
}

/** One recorded run. */
export interface CollectorRun extends RunCounts {
  id: number;
  sourceId: number;
  startedAt: Date;
  finishedAt: Date | null;
  status: RunStatus;
  durationMs: number | null;
  error: string | null;
}

/** Records the start of a run; returns its id. */
export async function startRun(db: Queryable, sourceId: number, at: Date): Promise<number> {
  const r = await db.query<{ id: number }>(`insert into collector_runs (source_id, started_at, status) values ($1, $2, 'running') returning id`, [sourceId, at]);
  return r.rows[0]!.id;
}

/** Records how a run ended. */
export async function finishRun(
  db: Queryable,
  runId: number,
  end: RunCounts & { status: Exclude<RunStatus, 'running'>; finishedAt: Date; durationMs: number; error: string | null },
): Promise<void> {
  await db.query(
    `update collector_runs set status = $2, finished_at = $3, duration_ms = $4, fetched = $5, inserted = $6, duplicates = $7,
            skipped = $8, filtered = $9, error = $10 where id = $1`,
    [runId, end.status, end.finishedAt, end.durationMs, end.fetched, end.inserted, end.duplicates, end.skipped, end.filtered, end.error],
  );
}

/** Marks runs left `running` by a process that died as abandoned (their stored mentions stay). */
export async function abandonStaleRuns(db: Queryable, sourceId: number, at: Date): Promise<number> {
  const r = await db.query(`update collector_runs set status = 'abandoned', finished_at = $2 where source_id = $1 and status = 'running' returning id`, [sourceId, at]);
  return r.rowCount;
}

/** The latest runs of a source, newest first. */
export async function listRuns(db: Queryable, sourceId: number, limit = 20): Promise<CollectorRun[]> {
  const r = await db.query<{
    id: number; source_id: number; started_at: Date; finished_at: Date | null; status: RunStatus; fetched: number; inserted: number;
    duplicates: number; skipped: number; filtered: number; duration_ms: number | null; error: string | null;
  }>(`select * from collector_runs where source_id = $1 order by started_at desc, id desc limit $2`, [sourceId, limit]);
  return r.rows.map((x) => ({
    id: x.id, sourceId: x.source_id, startedAt: x.started_at, finishedAt: x.finished_at, status: x.status, fetched: x.fetched,
    inserted: x.inserted, duplicates: x.duplicates, skipped: x.skipped, filtered: x.filtered, durationMs: x.duration_ms, error: x.error,
  }));
}
