/**
 * The mention write path after 0009: what the cheaper path must keep. Keys claimed once also by writers
 * that do not claim them in bulk, a source's deletion leaving no key behind, a failed batch leaving
 * nothing in the per-connection staging table, duplicate links to the earliest copy that is not itself
 * a duplicate, and content hashes equal to those already stored.
 */
import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openTestDb, DB_KIND } from '../helpers/db.js';
import type { Db } from '../../db/index.js';
import type { RawMention } from '../../model.js';
import { contentHash, insertMentions, prepareMentions, storePreparedMentions } from '../../db/mentions.js';

let db: Db;
const NOW = new Date('2026-11-20T12:00:00Z');
const base: Omit<RawMention, 'externalId' | 'text'> = {
  url: null, author: null, authorReach: null, title: null, language: null, publishedAt: new Date('2026-11-01T00:00:00Z'), engagement: {}, rating: null,
};
const mk = (prefix: string, n: number, extra: Partial<RawMention> = {}): RawMention[] =>
  Array.from({ length: n }, (_, i) => ({ ...base, externalId: `${prefix}-${i}`, text: `Acme ingest path mention ${prefix} number ${i}`, ...extra }));
const count = async (sql: string, params: unknown[] = []): Promise<number> => (await db.query<{ n: number }>(`select count(*)::int as n from ${sql}`, params)).rows[0]!.n;
const sourceId = async (name: string): Promise<number> =>
  (await db.query<{ id: number }>(`insert into sources (name, type) values ($1, 'hackernews') on conflict (name) do update set type = excluded.type returning id`, [name])).rows[0]!.id;
const partitioned = async (): Promise<boolean> => (await db.query<{ t: string | null }>(`select to_regclass('mention_keys')::text as t`)).rows[0]!.t !== null;

beforeAll(async () => {
  db = await openTestDb();
});
afterAll(async () => {
  await db.close();
});

describe(`mention write path (${DB_KIND})`, () => {
  it('hashes text exactly as before (stored hashes keep matching new mentions)', () => {
    const sha1 = (s: string) => createHash('sha1').update(s).digest('hex');
    expect(contentHash('Acme lost my luggage and nobody answers the phone')).toBe(sha1('acme lost my luggage and nobody answers the phone'));
    expect(contentHash('RT @someone: Acme lost my luggage and nobody answers the phone!')).toBe(sha1('acme lost my luggage and nobody answers the phone'));
    // full-width letters and ligatures fold (NFKC), punctuation and URLs go, "via @handle:" goes
    expect(contentHash('ＡＣＭＥ　ｌｏｓｔ my luggage — café naïve “quotes” ﬁne')).toBe(sha1('acme lost my luggage café naïve quotes fine'));
    expect(contentHash('Read this https://example.com/a?b=1 Acme support never answers via @bob: ok')).toBe(sha1('read this acme support never answers ok'));
    expect(contentHash('short text')).toBeNull();
  });

  it('a plain INSERT into mentions (no bulk claim) still stores each (source, external id) once', async () => {
    const s = await sourceId('plain-insert');
    const insert = () => db.query(
      `insert into mentions (source_id, external_id, text, published_at) values ($1, 'p-1', 'Acme by hand', $2), ($1, 'p-2', 'Acme by hand too', $2)
       on conflict do nothing`, [s, NOW],
    );
    await insert();
    await insert();
    expect(await count('mentions where source_id = $1', [s])).toBe(2);
    // and the bulk path sees those keys as taken
    const r = await insertMentions(db, s, [{ ...base, externalId: 'p-1', text: 'Acme p-1 again' }, { ...base, externalId: 'p-3', text: 'Acme p-3' }], { collectedAt: NOW });
    expect(r).toMatchObject({ inserted: 1, duplicates: 1 });
    expect(await count('mentions where source_id = $1', [s])).toBe(3);
    if (await partitioned()) expect(await count('mention_keys where source_id = $1', [s])).toBe(3);
  });

  it('deleting a source deletes its mentions, their keys and queue rows; its external ids can be stored again under a new source', async () => {
    const s = await sourceId('to-delete');
    const r = await insertMentions(db, s, mk('del', 40), { collectedAt: NOW });
    expect(r.inserted).toBe(40);
    await db.query('delete from sources where id = $1', [s]);
    expect(await count('mentions where source_id = $1', [s])).toBe(0);
    expect(await count('analysis_queue where mention_id = any($1::bigint[])', [r.ids])).toBe(0);
    if (await partitioned()) expect(await count('mention_keys where source_id = $1', [s])).toBe(0);
    const again = await sourceId('to-delete');
    expect((await insertMentions(db, again, mk('del', 40), { collectedAt: NOW })).inserted).toBe(40);
  });

  it('a failed batch leaves nothing behind in the staging table: the next batches store exactly their own rows', async () => {
    const s = await sourceId('after-failure');
    const bad = prepareMentions(mk('fail', 25));
    // no such source: the foreign key refuses the batch after its rows reached the staging table
    await expect(storePreparedMentions(db, 987_654, bad, NOW)).rejects.toThrow();
    for (let i = 0; i < 3; i++) {
      const r = await storePreparedMentions(db, s, prepareMentions(mk(`ok${i}`, 10)), NOW, { asyncCommit: true });
      expect(r).toMatchObject({ inserted: 10, duplicates: 0 });
    }
    expect(await count('mentions where source_id = $1', [s])).toBe(30);
    expect(await count(`mentions where external_id like 'fail-%'`)).toBe(0);
    expect(await count('analysis_queue q join mentions m on m.id = q.mention_id where m.source_id = $1', [s])).toBe(30);
  });

  it('links a repost to the earliest copy that is not itself a duplicate, across batches and sources', async () => {
    const a = await sourceId('link-a');
    const b = await sourceId('link-b');
    const text = 'Acme cancelled my flight twice and the refund never came';
    const first = await insertMentions(db, a, [
      { ...base, externalId: 'l-1', url: 'https://news.example.com/story-1', text: 'Acme news story about the cancellations this week' },
      { ...base, externalId: 'l-2', text },
    ], { collectedAt: NOW });
    // l-3 repeats l-1 by URL (so it is a duplicate) and carries a new text hash
    const second = await insertMentions(db, b, [
      { ...base, externalId: 'l-3', url: 'https://www.news.example.com/story-1/?utm_source=x', text: 'Shared: a different comment on the Acme cancellations story' },
    ], { collectedAt: NOW });
    // l-4 repeats l-2 by text; l-5 repeats only l-3's text, whose stored copies are all duplicates: not linked by text
    const third = await insertMentions(db, a, [
      { ...base, externalId: 'l-4', text: `RT @traveller: ${text}` },
      { ...base, externalId: 'l-5', text: 'shared: a different comment on the ACME cancellations story!' },
    ], { collectedAt: NOW });
    const rows = (await db.query<{ external_id: string; duplicate_of: number | null }>(
      `select external_id, duplicate_of from mentions where id = any($1::bigint[]) order by external_id`, [[...first.ids, ...second.ids, ...third.ids]],
    )).rows;
    expect(rows.map((r) => [r.external_id, r.duplicate_of === null ? null : Number(r.duplicate_of)])).toEqual([
      ['l-1', null], ['l-2', null], ['l-3', first.ids[0]], ['l-4', first.ids[1]], ['l-5', null],
    ]);
  });

  it('a batch of several UTC hours marks each hour for the rollups once', async () => {
    const s = await sourceId('hours');
    await db.query('delete from rollup_dirty');
    const items = mk('h', 12).map((m, i) => ({ ...m, publishedAt: new Date(Date.UTC(2026, 10, 3, i % 4, (7 * i) % 60)) }));
    await insertMentions(db, s, items, { collectedAt: NOW });
    const hours = (await db.query<{ hour: Date }>('select hour from rollup_dirty order by hour')).rows.map((r) => r.hour.toISOString());
    expect(hours).toEqual([0, 1, 2, 3].map((h) => new Date(Date.UTC(2026, 10, 3, h)).toISOString()));
  });
});
