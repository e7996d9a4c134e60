import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openTestDb, DB_KIND } from '../helpers/db.js';
import type { Db } from '../../db/index.js';
import type { RawMention } from '../../model.js';
import { INSERT_BATCH, insertMentions } from '../../db/mentions.js';
import { listSourceHealth } from '../../db/sources.js';
import { configFrom, countRows, depsFor } from './helpers.js';

let db: Db;
let sourceId = 0;
const NOW = new Date('2026-11-20T12:00:00Z');
beforeAll(async () => {
  db = await openTestDb();
  await depsFor(db, configFrom(`brands:\n  - name: Acme\n    query: acme\nsources:\n  - {name: s1, type: hackernews}\n  - {name: s2, type: hackernews}\n`));
  sourceId = (await db.query<{ id: number }>(`select id from sources where name = 's1'`)).rows[0]!.id;
});
afterAll(async () => {
  await db.close();
});

const base: Omit<RawMention, 'externalId' | 'text'> = {
  url: null, author: null, authorReach: null, title: null, language: null, publishedAt: new Date('2026-11-01T00:00:00Z'), engagement: {}, rating: null,
};
const health = async (name: string, now = NOW) => (await listSourceHealth(db, now)).find((x) => x.name === name)!;

describe(`mention ingest through COPY (${DB_KIND})`, () => {
  it('stores every field byte for byte, whatever characters the text holds (tabs, newlines, backslashes, \\N, quotes, emoji)', async () => {
    const tricky: RawMention[] = [
      {
        ...base, externalId: 'tab\there', url: 'https://example.com/a?b=1&c="x"', author: 'O\'Brien, "Bob"', authorReach: 12_345, title: 'Title\\with\\backslashes',
        text: 'line one\nline two\r\nthird\tcol \\N not null \\. end', language: 'en', publishedAt: new Date('2026-11-02T03:04:05.678Z'),
        engagement: { likes: 3, replies: 1 }, rating: 4, brandHint: 'Acme',
      },
      { ...base, externalId: '\\N', text: 'Acme 🚀 ünïcödé — “quotes”, commas; and a NUL\u0000 char' },
      { ...base, externalId: 'empty-ish', title: '', text: '\\' },
    ];
    const r = await insertMentions(db, sourceId, tricky, { collectedAt: NOW, origins: ['zendesk', null, null] });
    expect(r).toMatchObject({ inserted: 3, duplicates: 0 });
    const rows = (await db.query<Record<string, unknown>>(
      `select external_id, url, author, author_reach, title, text, language, published_at, collected_at, engagement, rating, origin, brand_hint
         from mentions where id = any($1::bigint[]) order by id`, [r.ids],
    )).rows;
    expect(rows[0]).toEqual({
      external_id: 'tab\there', url: 'https://example.com/a?b=1&c="x"', author: 'O\'Brien, "Bob"', author_reach: 12_345, title: 'Title\\with\\backslashes',
      text: 'line one\nline two\r\nthird\tcol \\N not null \\. end', language: 'en', published_at: new Date('2026-11-02T03:04:05.678Z'),
      collected_at: NOW, engagement: { likes: 3, replies: 1 }, rating: 4, origin: 'zendesk', brand_hint: 'Acme',
    });
    expect(rows[1]).toMatchObject({ external_id: '\\N', text: 'Acme 🚀 ünïcödé — “quotes”, commas; and a NUL char', author: null, title: null, origin: null, rating: null });
    expect(rows[2]).toMatchObject({ external_id: 'empty-ish', title: '', text: '\\' });
    // full-text index is fed from the stored text
    expect(await countRows(db, 'mentions', `search_tsv @@ to_tsquery('english', 'backslashes') and source_id = $1`, [sourceId])).toBe(1);
  });

  it('splits a large input into batches, returns ids in input order, and counts repeats and stored rows as duplicates', async () => {
    const n = INSERT_BATCH + 3;
    const items: RawMention[] = [];
    for (let i = 0; i < n; i++) items.push({ ...base, externalId: `big-${i}`, text: `Acme mention number ${i} in a large batch` });
    items.push({ ...base, externalId: 'big-7', text: 'a repeat of big-7 in the same input' });
    const r = await insertMentions(db, sourceId, items, { collectedAt: NOW });
    expect(r).toMatchObject({ inserted: n, duplicates: 1 });
    expect(r.ids).toEqual([...r.ids].sort((a, b) => a - b));
    const firstAndLast = (await db.query<{ id: number; external_id: string }>(`select id, external_id from mentions where id = any($1::bigint[])`, [[r.ids[0], r.ids[n - 1]]])).rows;
    expect(new Map(firstAndLast.map((x) => [x.id, x.external_id]))).toEqual(new Map([[r.ids[0], 'big-0'], [r.ids[n - 1], `big-${n - 1}`]]));
    expect((await db.query<{ text: string }>(`select text from mentions where source_id = $1 and external_id = 'big-7'`, [sourceId])).rows[0]!.text).toBe('Acme mention number 7 in a large batch');
    const again = await insertMentions(db, sourceId, items.slice(0, 10), { collectedAt: NOW });
    expect(again).toEqual({ inserted: 0, duplicates: 10, ids: [] });
  });

  it('stores a key repeated inside one batch once (the first copy), and a re-run stores nothing', async () => {
    const items: RawMention[] = [
      { ...base, externalId: 'rep-a', text: 'Acme first copy of rep-a' },
      { ...base, externalId: 'rep-b', text: 'Acme rep-b' },
      { ...base, externalId: 'rep-a', text: 'Acme second copy of rep-a' },
      { ...base, externalId: 'rep-c', text: 'Acme rep-c' },
      { ...base, externalId: 'rep-b', text: 'Acme second copy of rep-b' },
    ];
    const r = await insertMentions(db, sourceId, items, { collectedAt: NOW });
    expect(r).toMatchObject({ inserted: 3, duplicates: 2 });
    const rows = (await db.query<{ id: number; external_id: string; text: string }>(
      `select id, external_id, text from mentions where source_id = $1 and external_id like 'rep-%' order by id`, [sourceId],
    )).rows;
    expect(rows.map((x) => [Number(x.id), x.external_id, x.text])).toEqual([
      [r.ids[0], 'rep-a', 'Acme first copy of rep-a'], [r.ids[1], 'rep-b', 'Acme rep-b'], [r.ids[2], 'rep-c', 'Acme rep-c'],
    ]);
    expect(await insertMentions(db, sourceId, items, { collectedAt: NOW })).toEqual({ inserted: 0, duplicates: 5, ids: [] });
  });

  it('two batches written at once with shared keys (in opposite orders) store each key once', async () => {
    const mk = (from: number, to: number) => Array.from({ length: to - from }, (_, i) => ({ ...base, externalId: `cc-${from + i}`, text: `Acme concurrent mention ${from + i}` }));
    const a = mk(0, 3000);
    const b = mk(1000, 4000).reverse();
    const [ra, rb] = await Promise.all([insertMentions(db, sourceId, a, { collectedAt: NOW }), insertMentions(db, sourceId, b, { collectedAt: NOW })]);
    expect(ra.inserted + rb.inserted).toBe(4000);
    expect(ra.duplicates + rb.duplicates).toBe(2000);
    expect(new Set([...ra.ids, ...rb.ids]).size).toBe(4000);
    expect(await countRows(db, 'mentions', `source_id = $1 and external_id like 'cc-%'`, [sourceId])).toBe(4000);
    const keys = (await db.query<{ t: string | null }>(`select to_regclass('mention_keys')::text as t`)).rows[0]!.t;
    if (keys) {
      // partitioned (PostgreSQL): every key points at the stored mention, none at a row that is not there
      expect(await countRows(db, 'mention_keys', `source_id = $1 and external_id like 'cc-%'`, [sourceId])).toBe(4000);
      expect(await countRows(db, 'mention_keys k', `not exists (select 1 from mentions m where m.id = k.mention_id and m.source_id = k.source_id and m.external_id = k.external_id)`)).toBe(0);
    }
  });

  it('links reposts inside one batch to the first copy, and across batches to the earliest stored copy', async () => {
    const text = 'Acme lost my luggage and nobody answers the phone';
    const a = await insertMentions(db, sourceId, [
      { ...base, externalId: 'rp-1', text: 'Something else entirely about Acme pricing today' },
      { ...base, externalId: 'rp-2', text },
      { ...base, externalId: 'rp-3', text: `RT @someone: ${text}!` },
      { ...base, externalId: 'rp-4', url: 'https://example.com/x?utm_source=a', text: 'Acme article shared here, one' },
      { ...base, externalId: 'rp-5', url: 'https://www.example.com/x', text: 'Acme article shared here, two' },
    ], { collectedAt: NOW });
    const b = await insertMentions(db, sourceId, [{ ...base, externalId: 'rp-6', text: text.toUpperCase() }], { collectedAt: NOW });
    const rows = (await db.query<{ external_id: string; duplicate_of: number | null }>(
      `select external_id, duplicate_of from mentions where id = any($1::bigint[]) order by id`, [[...a.ids, ...b.ids]],
    )).rows;
    expect(rows.map((r) => [r.external_id, r.duplicate_of])).toEqual([
      ['rp-1', null], ['rp-2', null], ['rp-3', a.ids[1]], ['rp-4', null], ['rp-5', a.ids[3]], ['rp-6', a.ids[1]],
    ]);
  });

  it('keeps source health figures without counting: total on the source row (inserts, deletes, a failed batch), 24 h by collected time', async () => {
    const s2 = (await db.query<{ id: number }>(`select id from sources where name = 's2'`)).rows[0]!.id;
    const before = await health('s1');
    expect(before.mentionsTotal).toBe(await countRows(db, 'mentions', 'source_id = $1', [sourceId]));
    const mk = (p: string, k: number) => Array.from({ length: k }, (_, i) => ({ ...base, externalId: `${p}-${i}`, text: `Acme health check mention ${p} ${i}` }));
    await insertMentions(db, s2, mk('old', 4), { collectedAt: new Date(NOW.getTime() - 30 * 3600_000) });
    await insertMentions(db, s2, mk('new', 6), { collectedAt: new Date(NOW.getTime() - 2 * 3600_000) });
    await insertMentions(db, s2, mk('future', 1), { collectedAt: new Date(NOW.getTime() + 3600_000) });
    expect(await health('s2')).toMatchObject({ mentionsTotal: 11, mentions24h: 6 });
    expect(await health('s2', new Date(NOW.getTime() + 2 * 3600_000))).toMatchObject({ mentionsTotal: 11, mentions24h: 7 });

    // a batch that fails (rating out of range) stores nothing and counts nothing
    await expect(insertMentions(db, s2, [...mk('bad', 3), { ...base, externalId: 'bad-rating', text: 'Acme five stars plus two', rating: 7 }], { collectedAt: NOW })).rejects.toThrow();
    expect(await health('s2')).toMatchObject({ mentionsTotal: 11, mentions24h: 6 });
    expect(await countRows(db, 'mentions', `source_id = $1 and external_id like 'bad-%'`, [s2])).toBe(0);
    if ((await db.query<{ t: string | null }>(`select to_regclass('mention_keys')::text as t`)).rows[0]!.t) {
      expect(await countRows(db, 'mention_keys', `source_id = $1 and external_id like 'bad-%'`, [s2])).toBe(0);
    }

    await db.query(`delete from mentions where source_id = $1 and external_id like 'new-%' and external_id <> 'new-0'`, [s2]);
    expect(await health('s2')).toMatchObject({ mentionsTotal: 6, mentions24h: 1 });
    expect((await health('s1')).mentionsTotal).toBe(before.mentionsTotal);
  });

  it('uses the (collected_at, source_id) index for the 24-hour counts', async () => {
    await db.exec('analyze mentions');
    // enable_seqscan off only makes the plan deterministic on tiny tables (one connection: a transaction)
    const plan = await db.tx(async (q) => {
      await q.query('set local enable_seqscan = off');
      const r = await q.query<Record<string, string>>(
        `explain select m.source_id, count(*) from mentions m
          where m.collected_at > $1::timestamptz - interval '24 hours' and m.collected_at <= $1::timestamptz group by m.source_id`,
        [NOW],
      );
      return r.rows.map((x) => Object.values(x)[0]).join('\n');
    });
    expect(plan).toMatch(/mentions_collected_source|collected_at_source_id_idx/); // partitions name their copy of the index
  });
});
