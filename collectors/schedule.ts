/**
 * Pure: when a source may be checked again. A success leaves the timing to its cron schedule
 * (next_check_at = null). A failure backs off exponentially with jitter, so one failing source slows only
 * itself; a rate limit waits at least until the time the service named.
 *
 * | consecutive errors | wait (before jitter ±20 %) |
 * |--------------------|----------------------------|
 * | 1                  | 2 min                      |
 * | 2                  | 4 min                      |
 * | n                  | 2^n min, at most 6 h       |
 * | ≥ STOP_AFTER       | 24 h (effectively paused; shown as failing) |
 */

/** After this many consecutive errors a source is polled only once a day. */
export const STOP_AFTER = 12;

/** The earliest next check after a failure. */
export function nextCheckAfterFailure(now: Date, consecutiveErrors: number, retryAt: Date | null = null, random: () => number = Math.random): Date {
  const n = Math.max(1, consecutiveErrors);
  const base = n >= STOP_AFTER ? 24 * 3600_000 : Math.min(6 * 3600_000, 2 ** n * 60_000);
  const jittered = base * (0.8 + 0.4 * random());
  const at = now.getTime() + jittered;
  return new Date(retryAt ? Math.max(at, retryAt.getTime()) : at);
}
