/**
 * Gap filling for time series (umami `generateTimeSeries`): SQL returns only buckets that have rows;
 * this turns them into one entry per bucket of the window, zeros where nothing happened.
 */
import type { BucketUnit } from '../../db/filters.js';

const STEP: Record<BucketUnit, number> = { hour: 3_600_000, day: 86_400_000 };

/** One bucket of a filled series. */
export interface Bucket<K extends string> {
  start: Date;
  end: Date;
  values: Record<K, number>;
  total: number;
}

/**
 * Every bucket start in [from, to) for `unit` (UTC), the first one floored to the unit, with the
 * values summed from `rows` (rows outside the window are ignored).
 */
export function fillBuckets<K extends string>(
  rows: ReadonlyArray<{ bucket: Date; key: K; value: number }>,
  keys: readonly K[],
  from: Date,
  to: Date,
  unit: BucketUnit,
): Array<Bucket<K>> {
  const step = STEP[unit];
  const start = Math.floor(from.getTime() / step) * step;
  const out: Array<Bucket<K>> = [];
  const index = new Map<number, Bucket<K>>();
  for (let t = start; t < to.getTime(); t += step) {
    const values = Object.fromEntries(keys.map((k) => [k, 0])) as Record<K, number>;
    const b: Bucket<K> = { start: new Date(t), end: new Date(t + step), values, total: 0 };
    out.push(b);
    index.set(t, b);
  }
  for (const r of rows) {
    const t = Math.floor(r.bucket.getTime() / step) * step;
    const b = index.get(t);
    if (!b || !keys.includes(r.key)) continue;
    b.values[r.key] += r.value;
    b.total += r.value;
  }
  return out;
}
