/**
 * Storage at scale: monthly partitions of mentions (PostgreSQL), the dedupe key and the delete cascade
 * that replace what a partitioned table cannot enforce, retention, forgetting an author, indexes the
 * dashboard's queries use (EXPLAIN), and /healthz + /metrics. Partition tests need PostgreSQL; the rest
 * runs on both databases.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import express from 'express';
import request from 'supertest';
import type { Db } from '../../db/index.js';
import { DB_KIND, openTestDb } from '../helpers/db.js';
import { parseConfig } from '../../config.js';
import { logger } from '../../log.js';
import { insertMentions } from '../../db/mentions.js';
import { syncBrandsAndSources } from '../../db/sources.js';
import { analyzePending } from '../../worker.js';
import { applyRetention, ensureMentionPartitions, forgetAuthor, isMentionsPartitioned, listMentionPartitions } from '../../db/jobs.js';
import { registerHealth } from '../../web/routes/health.js';
import type { RawMention } from '../../model.js';
import type { Deps } from '../../deps.js';

const NOW = new Date('2026-11-15T12:00:00Z');
let db: Db;
let deps: Deps;
let sourceId: number;

function mention(i: number, at: Date, author = `author${i % 5}`): RawMention {
  return {
    externalId: `m-${i}`, url: `https://example.com/${i}`, author, authorReach: 10, title: null,
    text: `Acme ${i % 2 ? 'refund delayed again, terrible support' : 'great service, thanks'} number ${i}`,
    language: 'en', publishedAt: at, engagement: {}, rating: null,
  };
}

const monthsAgo = (n: number, day = 10): Date => new Date(Date.UTC(NOW.getUTCFullYear(), NOW.getUTCMonth() - n, day, 12));

async function count(sql: string, params: unknown[] = []): Promise<number> {
  const r = await db.query<{ n: number }>(sql, params);
  return Number(r.rows[0]?.n ?? 0);
}

describe(`storage at scale (${DB_KIND})`, () => {
  beforeAll(async () => {
    db = await openTestDb();
    const config = parseConfig('brands: [{name: Acme, query: acme, own: true}]\nsources: []\n');
    deps = { db, config, logger, now: () => NOW };
    await syncBrandsAndSources(db, config);
    sourceId = (await db.query<{ id: number }>(`insert into sources (name, type) values ('store', 'file') returning id`)).rows[0]!.id;
    // 10 mentions in each of the last 14 months, two authors of interest among them
    const items: RawMention[] = [];
    for (let m = 0; m < 14; m++) for (let k = 0; k < 10; k++) items.push(mention(m * 10 + k, monthsAgo(m, 1 + k)));
    await insertMentions(db, sourceId, items);
    await analyzePending(deps);
  });
  afterAll(async () => {
    await db?.close();
  });

  it('stores each (source, external id) once, also across months, and analyses each mention once', async () => {
    const again = await insertMentions(db, sourceId, [mention(3, monthsAgo(0)), mention(1000, monthsAgo(2))]);
    expect(again.inserted).toBe(1);
    expect(again.duplicates).toBe(1);
    expect(await count('select count(*) as n from mentions')).toBe(141);
    await analyzePending(deps);
    expect(await count('select count(*) as n from analyses')).toBe(141);
    expect(await count('select count(*) as n from analyses where times_analysed <> 1')).toBe(0);
  });

  it.skipIf(DB_KIND !== 'pg')('partitions mentions by month, creates the months ahead, and moves early arrivals out of the default partition', async () => {
    expect(await isMentionsPartitioned(db)).toBe(true);
    // months older than the migration's window wait in the default partition until maintenance runs
    expect(await count(`select count(*) as n from mentions_default`)).toBeGreaterThan(0);
    expect(await ensureMentionPartitions(db, NOW)).toBeGreaterThan(0);
    expect(await count(`select count(*) as n from mentions_default`)).toBe(0);
    expect(await count(`select count(*) as n from mentions_y2025m10`)).toBe(10);
    // a mention dated 8 months ahead lands in the default partition until its month is created
    await insertMentions(db, sourceId, [mention(2000, new Date(Date.UTC(2027, 6, 4)))]);
    expect(await count(`select count(*) as n from mentions_default`)).toBe(1);
    await ensureMentionPartitions(db, new Date('2027-06-20T00:00:00Z'), 1);
    expect(await count(`select count(*) as n from mentions_default`)).toBe(0);
    expect(await count(`select count(*) as n from mentions_y2027m07`)).toBe(1);
    // still one mention per key, and it is still found by id
    expect(await count(`select count(*) as n from mentions where external_id = 'm-2000'`)).toBe(1);
    const parts = await listMentionPartitions(db);
    expect(parts.some((p) => p.name === 'mentions_y2027m07' && p.from?.toISOString() === '2027-07-01T00:00:00.000Z')).toBe(true);
  });

  it.skipIf(DB_KIND !== 'pg')('uses the indexes and prunes partitions for the dashboard and explorer queries (EXPLAIN)', async () => {
    await db.tx(async (q) => {
      // the table is small here: tell the planner to prefer indexes as it would at 1M rows
      await q.query('set local enable_seqscan = off');
      const plan = async (sql: string, params: unknown[] = []): Promise<string> =>
        (await q.query<{ 'QUERY PLAN': string }>(`explain ${sql}`, params)).rows.map((r) => r['QUERY PLAN']).join('\n');
      const recent = await plan(`select id from mentions where published_at >= $1 order by published_at desc, id desc limit 50`, [monthsAgo(1, 1)]);
      expect(recent).toMatch(/Index (Only )?Scan.*mentions_y2026m1[01]_published/);
      expect(recent).not.toMatch(/mentions_y2025/); // older months pruned
      expect(await plan(`select id from mentions where author = 'author1'`)).toMatch(/mentions_y\d+m\d+_author_idx|author/);
      expect(await plan(`select id from mentions where search_tsv @@ websearch_to_tsquery('english', 'refund')`)).toMatch(/Bitmap Index Scan on mentions_y\d+m\d+_search_tsv_idx/);
      expect(await plan(`select id from mentions where source_id = $1 and published_at >= $2 order by published_at desc limit 20`, [sourceId, monthsAgo(0, 1)])).toMatch(/source_id_published_at_id_idx|source_published/);
    });
  });

  it('forgets an author: every mention by them and its analysis, nothing else', async () => {
    const before = await count('select count(*) as n from mentions');
    const theirs = await count(`select count(*) as n from mentions where author = 'author3'`);
    expect(theirs).toBeGreaterThan(0);
    const r = await forgetAuthor(db, 'author3');
    expect(r.deletedMentions).toBe(theirs);
    expect(await count(`select count(*) as n from mentions where author = 'author3'`)).toBe(0);
    expect(await count('select count(*) as n from mentions')).toBe(before - theirs);
    // no analysis, brand match or queue row points at a deleted mention
    for (const t of ['analyses', 'mention_brands', 'analysis_queue']) {
      expect(await count(`select count(*) as n from ${t} x where not exists (select 1 from mentions m where m.id = x.mention_id)`), t).toBe(0);
    }
    await expect(forgetAuthor(db, '  ')).rejects.toThrow(/empty/);
  });

  it('retention drops whole months older than the setting, with their analyses', async () => {
    const dry = await applyRetention(db, NOW, 6, { dryRun: true });
    const old = await count('select count(*) as n from mentions where published_at < $1', [dry.cutoff]);
    expect(dry.cutoff.toISOString()).toBe('2026-05-01T00:00:00.000Z');
    expect(dry.deletedMentions).toBe(old);
    expect(await count('select count(*) as n from mentions where published_at < $1', [dry.cutoff])).toBe(old);
    const r = await applyRetention(db, NOW, 6);
    expect(r.deletedMentions).toBe(old);
    expect(await count('select count(*) as n from mentions where published_at < $1', [r.cutoff])).toBe(0);
    expect(await count('select count(*) as n from mentions where published_at >= $1', [r.cutoff])).toBeGreaterThan(0);
    expect(await count('select count(*) as n from analyses a where not exists (select 1 from mentions m where m.id = a.mention_id)')).toBe(0);
    if (DB_KIND === 'pg') {
      expect(r.droppedPartitions).toContain('mentions_y2026m04');
      expect((await listMentionPartitions(db)).some((p) => p.name === 'mentions_y2026m04')).toBe(false);
      // a re-collected old key can be stored again (its key went with the partition)
      expect(await count(`select count(*) as n from mention_keys k where not exists (select 1 from mentions m where m.id = k.mention_id)`)).toBe(0);
    }
    await expect(applyRetention(db, NOW, 0)).rejects.toThrow(/months/);
  });

  it('/healthz answers ok with the schema version; /metrics exposes backlog, sources, alerts and memory', async () => {
    const app = express();
    registerHealth(app, { deps });
    const h = await request(app).get('/healthz');
    expect(h.status).toBe(200);
    expect(h.body.status).toBe('ok');
    await insertMentions(db, sourceId, [mention(5000, monthsAgo(0))]);
    const m = await request(app).get('/metrics');
    expect(m.status).toBe(200);
    expect(m.headers['content-type']).toMatch(/text\/plain/);
    expect(await count('select count(*) as n from analysis_queue')).toBeGreaterThan(0);
    expect(m.text).toMatch(new RegExp(`^earshot_analysis_backlog ${await count('select count(*) as n from analysis_queue')}$`, 'm'));
    expect(m.text).toMatch(new RegExp(`^earshot_mentions_total ${await count('select count(*) as n from mentions')}$`, 'm'));
    expect(m.text).toMatch(/^earshot_source_consecutive_errors\{source="store",type="file"\} 0$/m);
    expect(m.text).toMatch(/^process_resident_memory_bytes \d+$/m);
  });

  it('/healthz is 503 when the database is gone', async () => {
    const app = express();
    const broken: Deps = { ...deps, db: { ...db, query: () => Promise.reject(new Error('connection refused')) } as Db };
    registerHealth(app, { deps: broken });
    const h = await request(app).get('/healthz');
    expect(h.status).toBe(503);
    expect(h.body.error).toMatch(/connection refused/);
  });
});
