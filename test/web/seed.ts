/**
 * Seeded data for the web tests, inserted with plain SQL (no collectors or analysis needed):
 * three brands, three sources, ~260 mentions over 20 days before NOW (some duplicates, ratings,
 * engagement, entity-level sentiment that differs from the mention's, corrections, a spike day,
 * comparison/switching mentions, one hostile mention) and a few alerts.
 */
import { pino } from 'pino';
import type { Db } from '../../db/index.js';
import type { Deps } from '../../deps.js';
import type { Config } from '../../config.js';
import { JOURNEY_STAGES } from '../../model.js';
import { refreshRollups } from '../../db/stats.js';

/** The test clock. */
export const NOW = new Date('2025-03-15T12:30:00Z');
/** One day in ms. */
export const DAY = 86_400_000;
/** The end of NOW's UTC day: where the named ranges (7d, 30d…) end. */
export const RANGE_END = new Date(Math.floor(NOW.getTime() / DAY) * DAY + DAY);
/** Reads a figure as shown on a page ("1,234", "−0.51", "12%"). */
export const num = (s: string): number => Number(s.replace(/[^\d.−-]/g, '').replace('−', '-'));
export const HOSTILE_TEXT = 'Hello <script>alert(1)</script> and <img src=x onerror=alert(1)> refund please';
export const HOSTILE_AUTHOR = '<i>evil</i>"\'';

/** A small deterministic PRNG (mulberry32). */
function rng(seed: number): () => number {
  let a = seed;
  return () => {
    a |= 0;
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Deps for createApp over a seeded db. */
export function testDeps(db: Db, over: Partial<Config['server']> = {}): Deps {
  const config = {
    brands: [
      { name: 'Brightwave', aliases: [], query: '', own: true },
      { name: 'Nimbus', aliases: [], query: '', own: false },
      { name: 'Tellwire', aliases: [], query: '', own: false },
    ],
    sources: [],
    analysis: { painPoints: {} },
    alerts: { webhooks: [], schedule: '*/5 * * * *' },
    server: { host: '127.0.0.1', port: 0, ...over },
    file: null,
  } as unknown as Config;
  return { db, config, logger: pino({ level: 'silent' }), now: () => NOW };
}

const PAINS = ['delay', 'refund', 'billing', 'customer-service', 'outage', 'usability'];
const SENTS = ['positive', 'neutral', 'negative'] as const;

/** Inserts the data set; returns ids worth asserting on. */
export async function seed(db: Db): Promise<{ hostileId: number; correctedId: number; duplicateId: number; brandIds: Record<string, number> }> {
  const r = rng(42);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(r() * xs.length)]!;
  await db.query(`insert into brands (name, own) values ('Brightwave', true), ('Nimbus', false), ('Tellwire', false)`);
  const brands = await db.query<{ id: number; name: string }>('select id, name from brands');
  const brandIds = Object.fromEntries(brands.rows.map((b) => [b.name, b.id]));
  await db.query(`insert into sources (name, type, schedule) values ('hn', 'hackernews', '*/15 * * * *'), ('reviews', 'appstore', '0 * * * *'), ('import', 'file', null)`);
  const srcs = await db.query<{ id: number; name: string }>('select id, name from sources');
  const src = Object.fromEntries(srcs.rows.map((s) => [s.name, s.id]));

  type M = { source: number; ext: string; published: Date; text: string; title: string | null; author: string | null; reach: number | null; rating: number | null; origin: string | null; engagement: Record<string, number>; url: string | null; lang: string };
  const ms: M[] = [];
  for (let i = 0; i < 240; i++) {
    // Spread over 20 days; day 3 before NOW gets a spike (extra mentions below).
    const published = new Date(NOW.getTime() - Math.floor(r() * 20 * DAY));
    const s = pick(['hn', 'reviews', 'import']);
    ms.push({
      source: src[s]!,
      ext: `m${i}`,
      published,
      text: `Mention ${i} about ${pick(['refund', 'flight', 'bill', 'app', 'support'])} ${pick(['today', 'again', 'finally'])}`,
      title: i % 7 === 0 ? `Title ${i}` : null,
      author: `user${i % 37}`,
      reach: i % 5 === 0 ? null : Math.floor(r() * 50_000),
      rating: s === 'reviews' ? 1 + Math.floor(r() * 5) : null,
      origin: s === 'import' ? pick(['reddit', 'twitter']) : null,
      engagement: { likes: Math.floor(r() * 100), replies: Math.floor(r() * 10) },
      url: `https://example.com/m/${i}`,
      lang: i % 9 === 0 ? 'de' : 'en',
    });
  }
  const spikeDay = new Date(Math.floor(NOW.getTime() / DAY) * DAY - 3 * DAY);
  for (let i = 0; i < 40; i++) {
    ms.push({ source: src.hn!, ext: `spike${i}`, published: new Date(spikeDay.getTime() + i * 60_000 * 30), text: `Outage again ${i}, the app is down`, title: null, author: `spiker${i}`, reach: 10, rating: null, origin: null, engagement: {}, url: null, lang: 'en' });
  }
  ms.push({ source: src.hn!, ext: 'hostile', published: new Date(NOW.getTime() - 2 * 3_600_000), text: HOSTILE_TEXT, title: '<b>bold title</b>', author: HOSTILE_AUTHOR, reach: 999_999, rating: null, origin: null, engagement: { likes: 5000 }, url: 'javascript:alert(1)', lang: 'en' });
  const ins = await db.query<{ id: number; external_id: string }>(
    `insert into mentions (source_id, external_id, url, author, author_reach, title, text, language, published_at, engagement, rating, origin)
     select * from unnest($1::int[], $2::text[], $3::text[], $4::text[], $5::int[], $6::text[], $7::text[], $8::text[], $9::timestamptz[], $10::jsonb[], $11::smallint[], $12::text[])
     returning id, external_id`,
    [
      ms.map((m) => m.source), ms.map((m) => m.ext), ms.map((m) => m.url), ms.map((m) => m.author), ms.map((m) => m.reach), ms.map((m) => m.title),
      ms.map((m) => m.text), ms.map((m) => m.lang), ms.map((m) => m.published.toISOString()), ms.map((m) => JSON.stringify(m.engagement)), ms.map((m) => m.rating), ms.map((m) => m.origin),
    ],
  );
  const idOf = new Map(ins.rows.map((x) => [x.external_id, x.id]));
  const ids = ms.map((m) => idOf.get(m.ext)!);

  // Analyses: ~90% analysed; the rest stay unscored.
  const an = { id: [] as number[], label: [] as (string | null)[], stage: [] as (string | null)[], pains: [] as string[], cmp: [] as boolean[], from: [] as (string | null)[], to: [] as (string | null)[] };
  ms.forEach((m, i) => {
    if (i % 10 === 9) return;
    const isSpike = m.ext.startsWith('spike');
    const pp = isSpike ? ['outage'] : r() < 0.5 ? [pick(PAINS)] : r() < 0.3 ? [pick(PAINS), 'delay'].filter((v, k, a) => a.indexOf(v) === k) : [];
    an.id.push(ids[i]!);
    an.label.push(isSpike ? 'negative' : m.ext === 'hostile' ? 'negative' : pick(SENTS));
    an.stage.push(isSpike ? 'support' : r() < 0.15 ? null : pick(JOURNEY_STAGES));
    an.pains.push(JSON.stringify(pp.map((p) => ({ id: p, evidence: [`${p} words`], score: 1 }))));
    const sw = i % 23 === 0;
    an.cmp.push(i % 17 === 0 || sw);
    an.from.push(sw ? 'Nimbus' : null);
    an.to.push(sw ? 'Brightwave' : null);
  });
  await db.query(
    `insert into analyses (mention_id, analyser_version, language, sentiment_label, sentiment_score, pain_points, pain_point_ids, stage, comparison, switch_from, switch_to)
     select t.id, 'test-1', 'en', t.label, 0.5, t.pp::jsonb, array(select jsonb_array_elements(t.pp::jsonb) ->> 'id'), t.stage, t.cmp, t.sf, t.st
       from unnest($1::bigint[], $2::text[], $3::text[], $4::text[], $5::boolean[], $6::text[], $7::text[]) as t(id, label, stage, pp, cmp, sf, st)`,
    [an.id, an.label, an.stage, an.pains, an.cmp, an.from, an.to],
  );
  // Brand matches: one or two brands per mention; entity sentiment sometimes differs.
  const mb = { m: [] as number[], b: [] as number[], label: [] as (string | null)[] };
  ms.forEach((m, i) => {
    const first = m.ext.startsWith('spike') || m.ext === 'hostile' ? 'Brightwave' : pick(['Brightwave', 'Brightwave', 'Nimbus', 'Tellwire']);
    const set = new Set([first]);
    if (r() < 0.2) set.add(pick(['Brightwave', 'Nimbus', 'Tellwire']));
    for (const b of set) {
      mb.m.push(ids[i]!);
      mb.b.push(brandIds[b]!);
      mb.label.push(r() < 0.25 ? pick(SENTS) : null);
    }
  });
  await db.query(`insert into mention_brands (mention_id, brand_id, sentiment_label) select * from unnest($1::bigint[], $2::int[], $3::text[])`, [mb.m, mb.b, mb.label]);
  // Duplicates: 5 mentions marked as copies of others (left out of every figure).
  const dupIds = ids.slice(200, 205);
  for (const d of dupIds) await db.query('update mentions set duplicate_of = $1 where id = $2', [ids[0], d]);
  // Corrections: flip a few sentiments and stages.
  const correctedId = ids[10]!;
  await db.query(`insert into corrections (mention_id, sentiment_label, stage, pain_point_ids, corrected_by) values ($1, 'positive', 'advocacy', '{billing}', 'test'), ($2, 'negative', null, null, 'test'), ($3, null, 'purchase', null, 'test')`, [correctedId, ids[11], ids[12]]);
  // Alerts for the alert page and time to resolution.
  await db.query(
    `insert into alerts (rule, key, brand_id, status, title, window_start, window_end, observed, expected, score, pain_point, opened_at, acknowledged_at, acknowledged_by, resolved_at, resolved_by)
     values ('volume-spike', 'bw', $1, 'open', 'Mentions of Brightwave surged', $2, $3, 40, 8, 5, 'outage', $3, null, null, null, null),
            ('pain-point', 'bw:refund', $1, 'resolved', 'Refund complaints up', $2, $3, 12, 3, 4, 'refund', $2, $2::timestamptz + interval '30 minutes', 'ana', $2::timestamptz + interval '3 hours', 'ana')`,
    [brandIds.Brightwave, new Date(spikeDay.getTime()), new Date(spikeDay.getTime() + DAY)],
  );
  // The dashboard's reads give the rollup refresh a time budget and then answer from the figures as
  // last refreshed; a loaded CI machine can take longer than that for every seeded hour, and the page
  // tests are about the pages, so the figures are made fresh here.
  await refreshRollups(db);
  return { hostileId: idOf.get('hostile')!, correctedId, duplicateId: dupIds[0]!, brandIds };
}

/** Counts from the base tables (independent of the rollups) for checking page figures. */
export async function expectedCounts(db: Db, opts: { from: Date; to: Date; brand?: string | null; stage?: string; pain?: string; channel?: string }): Promise<Record<string, number>> {
  const params: unknown[] = [opts.from, opts.to];
  let join = '';
  let sent = `coalesce(c.sentiment_label, a.sentiment_label, 'unscored')`;
  if (opts.brand) {
    params.push(opts.brand);
    join = `join mention_brands mb on mb.mention_id = m.id join brands b on b.id = mb.brand_id and b.name = $${params.length}`;
    sent = `coalesce(c.sentiment_label, mb.sentiment_label, a.sentiment_label, 'unscored')`;
  }
  const conds: string[] = [];
  if (opts.stage) {
    params.push(opts.stage);
    conds.push(`coalesce(c.stage, a.stage) = $${params.length}`);
  }
  if (opts.pain) {
    params.push(opts.pain);
    conds.push(`$${params.length} = any(coalesce(c.pain_point_ids, a.pain_point_ids, '{}'))`);
  }
  if (opts.channel) {
    params.push(opts.channel);
    conds.push(`coalesce(m.origin, s.type) = $${params.length}`);
  }
  const rows = await db.query<{ s: string; n: number }>(
    `select ${sent} as s, count(*)::int as n from mentions m join sources s on s.id = m.source_id
       left join analyses a on a.mention_id = m.id left join corrections c on c.mention_id = m.id ${join}
      where m.duplicate_of is null and m.published_at >= $1 and m.published_at < $2 ${conds.map((c) => `and ${c}`).join(' ')}
      group by 1`,
    params,
  );
  const out: Record<string, number> = { positive: 0, neutral: 0, negative: 0, unscored: 0, total: 0 };
  for (const x of rows.rows) {
    out[x.s] = x.n;
    out.total! += x.n;
  }
  return out;
}
