/**
 * The sources page's "collected in 24 h" and "total" figures come from counts the insert/delete
 * triggers keep (0008, 0011), not from counting mentions: they must still equal a plain count of the
 * mentions table, whatever the clock and however the rows sit around hour boundaries, after inserts in
 * several statements, deletes, a batch that fails and a truncate.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openTestDb, DB_KIND } from '../helpers/db.js';
import type { Db } from '../../db/index.js';
import { listSourceHealth } from '../../db/sources.js';

const H = Date.parse('2026-03-10T08:00:00Z'); // an hour boundary
const MIN = 60_000;
const HOUR = 3_600_000;
let db: Db;
let ids: { a: number; b: number };
let seq = 0;

/** Inserts one statement's worth of mentions of a source, collected at the given times. */
async function collect(sourceId: number, times: number[]): Promise<void> {
  const ext = times.map(() => `m-${++seq}`);
  await db.query(
    `insert into mentions (source_id, external_id, text, published_at, collected_at)
     select $1, e, 'a mention', t - interval '1 hour', t from unnest($2::text[], $3::timestamptz[]) as x(e, t)`,
    [sourceId, ext, times.map((t) => new Date(t))],
  );
}

/** What a plain count of the table says, per source: [24 h, total]. */
async function counted(now: Date): Promise<Record<string, [number, number]>> {
  const r = await db.query<{ name: string; day: number; total: number }>(
    `select s.name,
            (select count(*)::int from mentions m where m.source_id = s.id and m.collected_at > $1::timestamptz - interval '24 hours' and m.collected_at <= $1) as day,
            (select count(*)::int from mentions m where m.source_id = s.id) as total
       from sources s order by s.name`,
    [now],
  );
  return Object.fromEntries(r.rows.map((x) => [x.name, [x.day, x.total]]));
}

async function shown(now: Date): Promise<Record<string, [number, number]>> {
  return Object.fromEntries((await listSourceHealth(db, now)).map((s) => [s.name, [s.mentions24h, s.mentionsTotal]]));
}

/** Clocks on, just before and just after the hour boundaries the rows sit on, and in between. */
const CLOCKS = [0, 1, -1, 29 * MIN, 30 * MIN, 31 * MIN, HOUR - 1, HOUR, 24 * HOUR, 24 * HOUR + 1, 24 * HOUR - 1, 24 * HOUR + 29 * MIN, 24 * HOUR + 30 * MIN, 24 * HOUR + 31 * MIN, 25 * HOUR, 25 * HOUR + 1, 48 * HOUR + 7 * MIN]
  .map((d) => new Date(H + d));

describe(`source health counts (${DB_KIND})`, () => {
  beforeAll(async () => {
    db = await openTestDb();
    const r = await db.query<{ id: number; name: string }>(`insert into sources (name, type) values ('alpha', 'file'), ('beta', 'rss') returning id, name`);
    ids = { a: r.rows.find((x) => x.name === 'alpha')!.id, b: r.rows.find((x) => x.name === 'beta')!.id };
  });
  afterAll(async () => {
    await db?.close();
  });

  it('equal a plain count at every clock, with rows on, before and after hour boundaries', async () => {
    // rows on boundaries (exactly H, H + 1 h, H + 24 h …), 1 ms either side, and inside hours
    const around = (t: number) => [t - 1, t, t + 1];
    await collect(ids.a, [...around(H), ...around(H + HOUR), ...around(H + 24 * HOUR), ...around(H + 25 * HOUR), H + 30 * MIN, H + 30 * MIN]);
    await collect(ids.a, [H - 2 * HOUR, H + 23 * HOUR + 59 * MIN, H + 24 * HOUR + 30 * MIN, H + 24 * HOUR + 30 * MIN + 1, H + 47 * HOUR]);
    await collect(ids.b, [H + 10 * MIN, H + 10 * MIN, H + 24 * HOUR + 10 * MIN, H + 48 * HOUR + 7 * MIN, H + 48 * HOUR + 7 * MIN + 1]);
    // a second statement into hours that already have counts (the upsert path)
    await collect(ids.b, [H + 10 * MIN + 5, H + 24 * HOUR + 20 * MIN]);
    for (const now of CLOCKS) expect(await shown(now), now.toISOString()).toEqual(await counted(now));
    // the figures are not all zero: the clocks see different windows
    expect(new Set(await Promise.all(CLOCKS.map(async (c) => (await shown(c)).alpha![0]))).size).toBeGreaterThan(3);
  });

  it('follow deletes and ignore a batch that failed', async () => {
    await db.query(`delete from mentions where source_id = $1 and collected_at between $2 and $3`, [ids.a, new Date(H + 24 * HOUR - 1), new Date(H + 24 * HOUR + 30 * MIN)]);
    await expect(db.query(
      `insert into mentions (source_id, external_id, text, published_at, collected_at, rating)
       values ($1, 'bad-1', 'x', $2, $2, null), ($1, 'bad-2', 'x', $2, $2, 9)`,
      [ids.b, new Date(H + 24 * HOUR)],
    )).rejects.toThrow();
    for (const now of CLOCKS) expect(await shown(now), now.toISOString()).toEqual(await counted(now));
  });

  it('count a burst collected within one hour exactly, before, during and after it', async () => {
    const burst = Array.from({ length: 2000 }, (_, i) => H + 72 * HOUR + 5 * MIN + i * 1000); // 2,000 mentions in 33 minutes
    await collect(ids.b, burst);
    for (const d of [72 * HOUR, 72 * HOUR + 5 * MIN + 999_999, 72 * HOUR + 20 * MIN, 73 * HOUR, 96 * HOUR + 5 * MIN, 96 * HOUR + 20 * MIN, 97 * HOUR]) {
      const now = new Date(H + d);
      expect(await shown(now), now.toISOString()).toEqual(await counted(now));
    }
    expect((await shown(new Date(H + 80 * HOUR))).beta![0]).toBe(2000);
  });

  it('are zero after a truncate', async () => {
    await db.exec('truncate mentions cascade');
    for (const now of CLOCKS.slice(0, 4)) expect(await shown(now)).toEqual({ alpha: [0, 0], beta: [0, 0] });
  });
});
