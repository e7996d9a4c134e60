/**
 * The analysis queue as workers use it (db/jobs.ts claimAnalysisBatch, db/analyses.ts storeAnalyses):
 * what a claim hands out, what a store writes, and that nothing is stored under a lease another claim
 * holds. Both databases. Workers as processes, crashes and concurrency: test/scale/workers.test.ts.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Db } from '../../db/index.js';
import { DB_KIND, openTestDb } from '../helpers/db.js';
import { parseConfig } from '../../config.js';
import { syncBrandsAndSources } from '../../db/sources.js';
import { insertMentions } from '../../db/mentions.js';
import { claimAnalysisBatch, enqueueOutdatedAnalyses, newClaimToken } from '../../db/jobs.js';
import { brandIdsByName, storeAnalyses, type AnalysedMention } from '../../db/analyses.js';
import { saveCorrection } from '../../db/corrections.js';
import { ALL_BRANDS, refreshRollups, sumRollup } from '../../db/stats.js';
import type { AnalysisResult, RawMention } from '../../model.js';

const HOUR = 3_600_000;
const T0 = new Date('2026-11-20T10:00:00Z');
let db: Db;
let sourceId: number;
let brandIds: Map<string, number>;

function raw(n: number, at: Date): RawMention {
  return {
    externalId: `q-${n}`, url: `https://example.com/q/${n}`, author: `a${n}`, authorReach: null, title: null,
    text: `Acme order ${n} arrived late`, language: 'en', publishedAt: at, engagement: {}, rating: null,
  };
}

function result(label: 'positive' | 'negative', brands: [string, 'positive' | 'negative'][], pains: string[] = []): AnalysisResult {
  return {
    language: 'en',
    sentiment: { label, score: label === 'positive' ? 0.6 : -0.6, confidence: 0.8 },
    painPoints: pains.map((id) => ({ id, evidence: [id], score: 0.9 })),
    stage: null,
    brands: brands.map(([name, l]) => ({ name, sentiment: { label: l, score: l === 'positive' ? 0.5 : -0.5, confidence: 0.7 } })),
    comparison: false,
    switching: null,
  };
}

async function queued(): Promise<{ mention_id: number; published_at: Date }[]> {
  return (await db.query<{ mention_id: number; published_at: Date }>('select mention_id, published_at from analysis_queue order by mention_id')).rows;
}

describe(`analysis queue (${DB_KIND})`, () => {
  beforeAll(async () => {
    db = await openTestDb();
    await syncBrandsAndSources(db, parseConfig('brands: [{name: Acme, query: acme, own: true}, {name: Nimbus, query: nimbus}]\nsources: []\n'));
    sourceId = (await db.query<{ id: number }>(`insert into sources (name, type) values ('q', 'file') returning id`)).rows[0]!.id;
    brandIds = await brandIdsByName(db);
  });
  afterAll(async () => {
    await db?.close();
  });
  beforeEach(async () => {
    await db.query('delete from mentions');
    await db.query('delete from analysis_queue');
  });

  it('queues each stored mention with its published_at; an insert naming only the mention is completed, one for a mention that does not exist is skipped', async () => {
    const { ids } = await insertMentions(db, sourceId, [raw(1, T0), raw(2, new Date(T0.getTime() - 40 * 86_400_000))]);
    const q = await queued();
    expect(q.map((r) => r.mention_id)).toEqual([...ids].sort((a, b) => a - b));
    const published = await db.query<{ id: number; published_at: Date }>('select id, published_at from mentions');
    for (const m of published.rows) expect(q.find((r) => r.mention_id === m.id)?.published_at.getTime()).toBe(m.published_at.getTime());

    await db.query('delete from analysis_queue');
    await db.query('insert into analysis_queue (mention_id) values ($1), ($2)', [ids[0], 987_654_321]);
    const again = await queued();
    expect(again).toHaveLength(1);
    expect(again[0]!.mention_id).toBe(ids[0]);
    expect(again[0]!.published_at.getTime()).toBe(T0.getTime());
  });

  it('claims in id order after the cursor, with each mention as the analyser needs it, and never rows another claim holds', async () => {
    const { ids } = await insertMentions(db, sourceId, Array.from({ length: 6 }, (_, i) => raw(i, new Date(T0.getTime() + i * HOUR))));
    const sorted = [...ids].sort((a, b) => a - b);
    const first = await claimAnalysisBatch(db, newClaimToken(), 2, 60_000);
    expect(first.ids).toEqual(sorted.slice(0, 2));
    expect(first.mentions.map((m) => [m.id, m.publishedAt.getTime(), m.text])).toEqual(
      sorted.slice(0, 2).map((id, i) => [id, T0.getTime() + i * HOUR, `Acme order ${i} arrived late`]),
    );
    // from the start again: the first two are leased, so the next free ones come
    const second = await claimAnalysisBatch(db, newClaimToken(), 2, 60_000, 0);
    expect(second.ids).toEqual(sorted.slice(2, 4));
    const afterCursor = await claimAnalysisBatch(db, newClaimToken(), 10, 60_000, sorted[4]!);
    expect(afterCursor.ids).toEqual([sorted[5]]);
    const rest = await claimAnalysisBatch(db, newClaimToken(), 10, 60_000, 0);
    expect(rest.ids).toEqual([sorted[4]]);
    expect((await claimAnalysisBatch(db, newClaimToken(), 10, 60_000, 0)).ids).toEqual([]);
  });

  it('finds a queued mention by id when the published_at in its queue row is out of date', async () => {
    const { ids } = await insertMentions(db, sourceId, [raw(1, T0)]);
    await db.query(`update analysis_queue set published_at = published_at - interval '90 days'`);
    const c = await claimAnalysisBatch(db, newClaimToken(), 10, 60_000);
    expect(c.ids).toEqual(ids);
    expect(c.mentions.map((m) => [m.id, m.publishedAt.getTime()])).toEqual([[ids[0], T0.getTime()]]);
  });

  it('stores a batch: analyses, brand matches replaced, hours marked, queue rows gone; nothing under a lease another claim took over', async () => {
    const at = [T0, new Date(T0.getTime() + 5 * HOUR)];
    const { ids } = await insertMentions(db, sourceId, [raw(1, at[0]!), raw(2, at[1]!)]);
    const [a, b] = [...ids].sort((x, y) => x - y) as [number, number];
    await refreshRollups(db);
    await db.query('delete from rollup_marks');
    // an earlier analysis matched Nimbus, which the new one does not
    await db.query(`insert into mention_brands (mention_id, brand_id, sentiment_label) values ($1, $2, 'positive')`, [a, brandIds.get('Nimbus')]);
    await db.query('delete from rollup_marks');

    const token = newClaimToken();
    const c = await claimAnalysisBatch(db, token, 10, 60_000);
    expect(c.ids).toEqual([a, b]);
    // b's lease expired and another worker claimed it
    await db.query(`update analysis_queue set lease_owner = 'other', lease_until = now() + interval '1 minute' where mention_id = $1`, [b]);
    const items: AnalysedMention[] = [
      { mentionId: a, publishedAt: at[0]!, result: result('negative', [['Acme', 'negative']], ['delay']) },
      { mentionId: b, publishedAt: at[1]!, result: result('positive', [['Acme', 'positive']]) },
    ];
    const owned = await storeAnalyses(db, { token, done: c.ids }, 'v-test', items, brandIds);
    expect([...owned]).toEqual([a]);

    const stored = await db.query<{ mention_id: number; sentiment_label: string; pain_point_ids: string[]; times_analysed: number }>(
      'select mention_id, sentiment_label, pain_point_ids, times_analysed from analyses order by mention_id',
    );
    expect(stored.rows).toEqual([{ mention_id: a, sentiment_label: 'negative', pain_point_ids: ['delay'], times_analysed: 1 }]);
    const matches = await db.query<{ mention_id: number; brand_id: number; sentiment_label: string }>(
      'select mention_id, brand_id, sentiment_label from mention_brands order by mention_id, brand_id',
    );
    expect(matches.rows).toEqual([{ mention_id: a, brand_id: brandIds.get('Acme'), sentiment_label: 'negative' }]);
    expect((await queued()).map((r) => r.mention_id)).toEqual([b]);
    const marks = await db.query<{ hour: Date }>('select distinct hour from rollup_marks');
    expect(marks.rows.map((r) => r.hour.getTime())).toEqual([T0.getTime()]);

    // the figures count it once refreshed
    const range = { key: 'custom' as const, from: new Date(T0.getTime() - HOUR), to: new Date(T0.getTime() + 6 * HOUR), unit: 'hour' as const };
    const rows = await sumRollup(db, 'main', range, ALL_BRANDS, ['sentiment']);
    expect(Object.fromEntries(rows.map((r) => [r.sentiment, r.mentions]))).toEqual({ negative: 1, unscored: 1 });
  });

  it('after an analyser upgrade, mentions never analysed are claimed before the re-analysis of stored ones', async () => {
    const { ids: old } = await insertMentions(db, sourceId, Array.from({ length: 4 }, (_, i) => raw(20 + i, new Date(T0.getTime() + i * HOUR))));
    const t = newClaimToken();
    const c = await claimAnalysisBatch(db, t, 10, 60_000);
    await storeAnalyses(db, { token: t, done: c.ids }, 'v1', c.mentions.map((m) => ({ mentionId: m.id, publishedAt: m.publishedAt, result: result('negative', [['Acme', 'negative']]) })), brandIds);
    expect(await enqueueOutdatedAnalyses(db, 'v2')).toBe(4);
    const { ids: fresh } = await insertMentions(db, sourceId, Array.from({ length: 2 }, (_, i) => raw(30 + i, new Date(T0.getTime() + i * HOUR))));
    // the fresh mentions have the highest ids, and still come first
    expect((await claimAnalysisBatch(db, newClaimToken(), 10, 60_000, 0, 'new')).ids).toEqual([...fresh].sort((a, b) => a - b));
    expect((await claimAnalysisBatch(db, newClaimToken(), 10, 60_000, 0, 'new')).ids).toEqual([]);
    expect((await claimAnalysisBatch(db, newClaimToken(), 10, 60_000, 0)).ids).toEqual([...old].sort((a, b) => a - b));
  });

  it('a re-analysis replaces the analysis and is counted in times_analysed; a correction still wins in the figures', async () => {
    const { ids } = await insertMentions(db, sourceId, [raw(1, T0)]);
    const id = ids[0]!;
    const t1 = newClaimToken();
    const once = await claimAnalysisBatch(db, t1, 10, 60_000);
    await storeAnalyses(db, { token: t1, done: once.ids }, 'v1', [{ mentionId: id, publishedAt: T0, result: result('negative', [['Acme', 'negative']]) }], brandIds);
    await saveCorrection(db, id, { sentiment: 'neutral', stage: null, painPoints: null, by: 'test' });
    await db.query('insert into analysis_queue (mention_id) values ($1)', [id]);
    const t2 = newClaimToken();
    const twice = await claimAnalysisBatch(db, t2, 10, 60_000);
    await storeAnalyses(db, { token: t2, done: twice.ids }, 'v2', [{ mentionId: id, publishedAt: T0, result: result('positive', [['Acme', 'positive']]) }], brandIds);
    const r = await db.query<{ analyser_version: string; sentiment_label: string; times_analysed: number }>('select analyser_version, sentiment_label, times_analysed from analyses');
    expect(r.rows).toEqual([{ analyser_version: 'v2', sentiment_label: 'positive', times_analysed: 2 }]);
    const range = { key: 'custom' as const, from: T0, to: new Date(T0.getTime() + HOUR), unit: 'hour' as const };
    const all = await sumRollup(db, 'main', range, ALL_BRANDS, ['sentiment']);
    expect(all.map((x) => [x.sentiment, x.mentions])).toEqual([['neutral', 1]]);
    const acme = await sumRollup(db, 'main', range, brandIds.get('Acme')!, ['sentiment']);
    expect(acme.map((x) => [x.sentiment, x.mentions])).toEqual([['neutral', 1]]);
  });
});
