/**
 * Rollup refresh (db/stats.ts refreshRollups) against writers running at the same time, on PostgreSQL
 * (several connections): a store never waits for a refresh, an analysis committed while a refresh runs
 * is counted by the next one, refreshers share the marked hours instead of queueing behind each other,
 * and schemas sharing a database do not wait on each other's refresh. The figures themselves are covered by test/web.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type pg from 'pg';
import type { Db } from '../../db/index.js';
import { DB_KIND, openTestDb } from '../helpers/db.js';
import { parseConfig } from '../../config.js';
import { syncBrandsAndSources } from '../../db/sources.js';
import { insertMentions } from '../../db/mentions.js';
import { claimAnalysisBatch, newClaimToken } from '../../db/jobs.js';
import { brandIdsByName, storeAnalyses } from '../../db/analyses.js';
import { ALL_BRANDS, refreshRollups, sumRollup } from '../../db/stats.js';
import type { AnalysisResult, RawMention } from '../../model.js';

const HOUR = 3_600_000;
const T0 = new Date('2026-11-20T10:00:00Z');
const RANGE = { key: 'custom' as const, from: T0, to: new Date(T0.getTime() + HOUR), unit: 'hour' as const };
const ROLLUP_LOCK = 4_752_114;
const NEGATIVE: AnalysisResult = {
  language: 'en', sentiment: { label: 'negative', score: -0.7, confidence: 0.9 }, painPoints: [], stage: null,
  brands: [{ name: 'Acme', sentiment: { label: 'negative', score: -0.7, confidence: 0.9 } }], comparison: false, switching: null,
};

let db: Db;
let other: Db;
let sourceId: number;

function raw(n: number, minute: number): RawMention {
  return {
    externalId: `s-${n}`, url: null, author: null, authorReach: null, title: null, text: `Acme story ${n}`, language: 'en',
    publishedAt: new Date(T0.getTime() + minute * 60_000), engagement: {}, rating: null,
  };
}

/** Claims up to `limit` queued mentions and stores them analysed as negative (a worker's batch). */
async function analyseQueued(limit = 100): Promise<void> {
  const token = newClaimToken();
  const c = await claimAnalysisBatch(db, token, limit, 60_000);
  await storeAnalyses(db, { token, done: c.ids }, 'v', c.mentions.map((m) => ({ mentionId: m.id, publishedAt: m.publishedAt, result: NEGATIVE })), await brandIdsByName(db));
}

async function sentiments(): Promise<Record<string, number>> {
  return Object.fromEntries((await sumRollup(db, 'main', RANGE, ALL_BRANDS, ['sentiment'])).map((r) => [r.sentiment, r.mentions]));
}

/**
 * A connection of `d` inside a transaction holding the locks a refresh in progress holds: the lock of
 * each hour it recomputes and, at its end, the day lock.
 */
async function refreshInProgress(d: Db, hours: Date[], dayLock = false): Promise<pg.PoolClient> {
  const c = await d.pool!.connect();
  await c.query('begin');
  for (const h of hours) {
    await c.query(`select pg_advisory_xact_lock(hashtext(current_schema() || ':rollup-hour'), (extract(epoch from $1::timestamptz) / 3600)::int)`, [h.toISOString()]);
  }
  if (dayLock) await c.query('select pg_advisory_xact_lock(hashtext(current_schema()), $1::int)', [ROLLUP_LOCK]);
  return c;
}

function within<T>(ms: number, p: Promise<T>, what: string): Promise<T> {
  return Promise.race([p, new Promise<T>((_, reject) => setTimeout(() => reject(new Error(`${what}: still waiting after ${ms} ms`)), ms))]);
}

describe.skipIf(DB_KIND !== 'pg')('rollup refresh with concurrent writers (PostgreSQL)', () => {
  beforeAll(async () => {
    db = await openTestDb();
    other = await openTestDb();
    await syncBrandsAndSources(db, parseConfig('brands: [{name: Acme, query: acme, own: true}]\nsources: []\n'));
    sourceId = (await db.query<{ id: number }>(`insert into sources (name, type) values ('s', 'file') returning id`)).rows[0]!.id;
  });
  afterAll(async () => {
    await db?.close();
    await other?.close();
  });

  it('a store never waits for a refresh of its hour, and what it stored is counted by the next refresh', async () => {
    await insertMentions(db, sourceId, [raw(1, 5), raw(2, 10), raw(3, 20)]);
    expect(await sentiments()).toEqual({ unscored: 3 });
    await analyseQueued(1);
    // a refresh has read the hour's mark, recomputed the hour and deleted the mark it read, not committed yet
    const r = await refreshInProgress(db, [T0]);
    const read = await r.query<{ id: string }>('select id from rollup_marks');
    expect(read.rows.length).toBeGreaterThan(0);
    await r.query('delete from rollup_marks where id = any($1::bigint[])', [read.rows.map((x) => x.id)]);
    await within(5000, analyseQueued(1), 'storing an analysis while its hour is being refreshed');
    await r.query('commit');
    r.release();
    // the store's own mark, committed meanwhile, survived: the next refresh counts both analyses
    expect(await sentiments()).toEqual({ negative: 2, unscored: 1 });
    await analyseQueued();
  });

  it('refreshers share the marked hours; with wait: false a worker leaves an hour being refreshed to its refresher', async () => {
    const later = new Date(T0.getTime() + 2 * HOUR);
    await insertMentions(db, sourceId, [raw(4, 30), raw(6, 125)]);
    await analyseQueued();
    const r = await refreshInProgress(db, [T0]);
    try {
      // the other marked hour is free: recomputed; the one being refreshed elsewhere is left, marked
      expect(await within(5000, refreshRollups(db, { wait: false }), 'refresh without waiting')).toBe(1);
      const left = await db.query<{ hour: Date }>('select distinct hour from rollup_marks');
      expect(left.rows.map((x) => x.hour.getTime())).toEqual([T0.getTime()]);
      // (read directly: sumRollup would refresh first, and wait for the hour held here)
      const hourly = await db.query<{ sentiment: string; n: number }>(
        'select sentiment, sum(mentions)::int as n from rollup_hourly where bucket = $1 and brand_id = $2 group by sentiment', [later, ALL_BRANDS]);
      expect(hourly.rows).toEqual([{ sentiment: 'negative', n: 1 }]);
    } finally {
      await r.query('rollback');
      r.release();
    }
    expect(await sentiments()).toEqual({ negative: 4 });
  });

  it('a read waits for an hour another process is refreshing, then counts what was written before it', async () => {
    await insertMentions(db, sourceId, [raw(7, 50)]);
    await analyseQueued();
    const r = await refreshInProgress(db, [T0]);
    let done = false;
    const read = sentiments().then((x) => {
      done = true;
      return x;
    });
    try {
      await new Promise((res) => setTimeout(res, 500));
      expect(done).toBe(false);
      // the pool is not held up while the read waits
      expect((await within(2000, db.query<{ n: number }>('select 1 as n'), 'a query while a read waits')).rows[0]!.n).toBe(1);
    } finally {
      await r.query('rollback');
      r.release();
    }
    expect(await within(10_000, read, 'the read after the other refresh ended')).toEqual({ negative: 5 });
  });

  it('a refresh in one schema does not wait for one in another schema of the same database', async () => {
    await insertMentions(db, sourceId, [raw(5, 40)]);
    const r = await refreshInProgress(other, [T0], true);
    try {
      await within(5000, refreshRollups(db), 'refresh while another schema refreshes');
    } finally {
      await r.query('rollback');
      r.release();
    }
    expect(await sentiments()).toEqual({ negative: 5, unscored: 1 });
  });

  it('a dashboard read waits at most its budget for a long refresh, then answers from the figures as they are', async () => {
    const before = await sentiments();
    await insertMentions(db, sourceId, [raw(8, 55)]);
    await analyseQueued();
    const r = await refreshInProgress(db, [T0]);
    try {
      const t = Date.now();
      // the refresh cannot finish while the other process holds the hour: the budget ends the wait
      await within(2000, refreshRollups(db, { budgetMs: 300 }), 'a read with a 300 ms budget');
      expect(Date.now() - t).toBeGreaterThanOrEqual(290);
      expect(await sentiments()).toEqual(before);
    } finally {
      await r.query('rollback');
      r.release();
    }
    // the refresh carried on: once the other process let go, the figures include the new mention
    await within(10_000, refreshRollups(db), 'the refresh after the other process let go');
    const after = await sentiments();
    const total = (x: Record<string, number>): number => Object.values(x).reduce((a, b) => a + b, 0);
    expect(total(after)).toBe(total(before) + 1);
    expect(after.negative).toBeGreaterThan(before.negative ?? 0);
  });
});

describe.skipIf(DB_KIND === 'pg')('rollup refresh with concurrent writers', () => {
  it.skip('needs PostgreSQL: set DATABASE_URL=postgres://postgres@127.0.0.1:5432/test', () => undefined);
});
