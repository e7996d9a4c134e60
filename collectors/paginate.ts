/**
 * The page loop every paged source shares: stops at the last page, at an empty page, at the page cap,
 * or when the service hands back a cursor it already gave (a loop that would never end).
 */
import type { Logger } from 'pino';

/** One fetched page: its items and the cursor of the next page (null: no more). */
export interface FetchedPage<T, P> {
  items: T[];
  next: P | null;
}

/** Why the page loop stopped (logged). */
export type StopReason = 'last-page' | 'empty-page' | 'page-cap' | 'repeated-cursor' | 'caller';

/**
 * Yields pages from `fetchPage(null)`, then `fetchPage(next)` … A page's items are yielded before the
 * next is fetched, so a failure later keeps what was already handed on. `stop(items)` lets the caller
 * end early (e.g. items older than the cursor).
 */
export async function* paginate<T, P>(opts: {
  maxPages: number;
  fetchPage: (page: P | null, index: number) => Promise<FetchedPage<T, P>>;
  /** Identity of a page cursor for the repeated-cursor guard (default JSON). */
  keyOf?: (page: P) => string;
  stop?: (items: T[]) => boolean;
  log?: Logger;
  label?: string;
}): AsyncGenerator<{ items: T[]; index: number; last: boolean }> {
  const seen = new Set<string>();
  const keyOf = opts.keyOf ?? ((p: P) => JSON.stringify(p));
  let cursor: P | null = null;
  let reason: StopReason = 'last-page';
  for (let index = 0; ; index++) {
    if (index >= opts.maxPages) {
      reason = 'page-cap';
      break;
    }
    const page = await opts.fetchPage(cursor, index);
    if (page.items.length === 0) {
      reason = 'empty-page';
      yield { items: [], index, last: true };
      break;
    }
    let next = page.next;
    if (next !== null) {
      const k = keyOf(next);
      if (seen.has(k) || (cursor !== null && keyOf(cursor) === k)) {
        reason = 'repeated-cursor';
        next = null;
      } else seen.add(k);
    }
    const stopNow = opts.stop?.(page.items) ?? false;
    const last = next === null || stopNow || index + 1 >= opts.maxPages;
    yield { items: page.items, index, last };
    if (stopNow) {
      reason = 'caller';
      break;
    }
    if (next === null) {
      if (reason !== 'repeated-cursor') reason = 'last-page';
      break;
    }
    cursor = next;
  }
  if (reason === 'repeated-cursor') opts.log?.warn({ task: opts.label }, 'paging stopped: the service repeated a cursor');
  else opts.log?.debug({ task: opts.label, reason }, 'paging stopped');
}
