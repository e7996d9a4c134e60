/**
 * The explorer's filtered list reads mention_effective (migration 0007) through its indexes: a filter
 * on brand + stage + pain point, without search text, must never walk the whole table (it took ≈ 1 s
 * at 1M mentions when stage and pain point were coalesce() expressions over three tables). Checked
 * with EXPLAIN on a table big enough for the planner to prefer an index, and the rows checked against
 * the base tables, including after a correction.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openTestDb, DB_KIND } from '../helpers/db.js';
import type { Db } from '../../db/index.js';
import { explorerPageSql, listMentions } from '../../db/explore.js';
import { parseMentionFilters } from '../../db/filters.js';
import { saveCorrection } from '../../db/corrections.js';

const N = 20_000;
const NOW = new Date('2025-06-30T12:00:00Z');
let db: Db;

beforeAll(async () => {
  db = await openTestDb();
  await db.exec(`
    insert into brands (name, own) values ('Brightwave', true), ('Nimbus', false), ('Tellwire', false);
    insert into sources (name, type) values ('hn', 'hackernews'), ('apps', 'appstore');`);
  await db.query(
    `insert into mentions (source_id, external_id, text, published_at)
     select 1 + g % 2, 'p' || g, 'mention ' || g, $2::timestamptz - (g * 379 % (60 * 86400)) * interval '1 second'
       from generate_series(1, $1::int) g`,
    [N, NOW],
  );
  await db.exec(`
    insert into analyses (mention_id, analyser_version, sentiment_label, pain_point_ids, stage)
    select id, 't', (array['positive','neutral','negative'])[1 + id % 3],
           case when id % 4 = 0 then array[(array['delay','refund','billing','outage'])[1 + (id / 4) % 4]] else '{}' end,
           case when id % 9 = 0 then null else (array['awareness','consideration','purchase','experience','support','retention','advocacy'])[1 + id % 7] end
      from mentions;
    insert into mention_brands (mention_id, brand_id) select id, 1 + id % 3 from mentions;
    update mentions set duplicate_of = id - 1 where id % 500 = 0;`);
  await listMentions(db, parseMentionFilters({}, NOW), { limit: 1 }); // refreshes the rollups and mention_effective
  await db.exec('analyze');
}, 120_000);
afterAll(async () => {
  await db.close();
});

async function plan(q: Record<string, string>): Promise<string> {
  const page = await explorerPageSql(db, parseMentionFilters(q, NOW), 51);
  const r = await db.query<{ 'QUERY PLAN': string }>(`explain ${page!.sql}`, page!.params);
  return r.rows.map((x) => x['QUERY PLAN']).join('\n');
}

async function expectedIds(brand: string, stage: string, pain: string): Promise<number[]> {
  const r = await db.query<{ id: number }>(
    `select m.id from mentions m join mention_brands mb on mb.mention_id = m.id join brands b on b.id = mb.brand_id and b.name = $1
       left join analyses a on a.mention_id = m.id left join corrections c on c.mention_id = m.id
      where m.duplicate_of is null and coalesce(c.stage, a.stage) = $2 and $3 = any(coalesce(c.pain_point_ids, a.pain_point_ids))
      order by m.published_at desc, m.id desc limit 51`,
    [brand, stage, pain],
  );
  return r.rows.map((x) => x.id);
}

describe(`explorer plan (${DB_KIND})`, () => {
  it('filters brand + stage + pain point through mention_effective indexes, never a sequential scan', async () => {
    for (const q of [
      { brand: 'Tellwire', stage: 'support', pain: 'refund' },
      { brand: 'Tellwire', stage: 'support', pain: 'no-such-pain' },
      { stage: 'purchase' },
      { brand: 'Nimbus', stage: 'none' },
      { brand: 'Nimbus', sentiment: 'negative' },
      { pain: 'outage' },
    ]) {
      const p = await plan(q);
      expect(p, JSON.stringify(q)).toMatch(/mention_effective_(stage|pains|sentiment|time)/);
      expect(p, JSON.stringify(q)).not.toMatch(/Seq Scan on mention_effective/);
      expect(p, JSON.stringify(q)).not.toMatch(/Seq Scan on (mentions|analyses|corrections)/);
    }
  });

  it('returns exactly the mentions the base tables give, newest first, also after a correction', async () => {
    const f = parseMentionFilters({ brand: 'Tellwire', stage: 'support', pain: 'refund' }, NOW);
    const before = await listMentions(db, f, { limit: 50 });
    const exp = await expectedIds('Tellwire', 'support', 'refund');
    expect(exp.length).toBeGreaterThan(20);
    expect(before.items.map((m) => m.id)).toEqual(exp.slice(0, 50));
    // A correction moves one mention out of the list and another one in, at once.
    const out = before.items[0]!.id;
    await saveCorrection(db, out, { sentiment: null, stage: 'purchase', painPoints: null, by: 'test' });
    const other = await db.query<{ id: number }>(
      `select m.id from mentions m join mention_brands mb on mb.mention_id = m.id and mb.brand_id = (select id from brands where name = 'Tellwire')
         join analyses a on a.mention_id = m.id where m.duplicate_of is null and a.stage = 'awareness' order by m.published_at desc limit 1`,
    );
    await saveCorrection(db, other.rows[0]!.id, { sentiment: null, stage: 'support', painPoints: ['refund'], by: 'test' });
    const after = await listMentions(db, f, { limit: 50 });
    const exp2 = await expectedIds('Tellwire', 'support', 'refund');
    expect(after.items.map((m) => m.id)).toEqual(exp2.slice(0, 50));
    expect(after.items.map((m) => m.id)).not.toContain(out);
    expect(exp2).toContain(other.rows[0]!.id);
  });
});
