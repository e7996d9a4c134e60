/**
 * Per (source, query) cursors: where the last successful run of one query stopped, so the next run asks
 * only for what is new. The value is collector-specific JSON.
 */
import type { Queryable } from './index.js';

/** The stored cursor of one query of a source, or null before its first successful run. */
export async function getCursor<T = unknown>(db: Queryable, sourceId: number, key: string): Promise<T | null> {
  const r = await db.query<{ cursor: T }>('select cursor from source_cursors where source_id = $1 and key = $2', [sourceId, key]);
  return r.rows[0]?.cursor ?? null;
}

/** Stores (replaces) the cursor of one query of a source. */
export async function setCursor(db: Queryable, sourceId: number, key: string, cursor: unknown, at: Date): Promise<void> {
  await db.query(
    `insert into source_cursors (source_id, key, cursor, updated_at) values ($1, $2, $3::jsonb, $4)
     on conflict (source_id, key) do update set cursor = excluded.cursor, updated_at = excluded.updated_at`,
    [sourceId, key, JSON.stringify(cursor), at],
  );
}
