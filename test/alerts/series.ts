/**
 * Generated mention time series for alert tests, inserted with SQL (sources, mentions,
 * mention_brands, analyses). Deterministic: a seeded PRNG.
 */
import type { Db } from '../../db/index.js';

/** mulberry32: a small seeded PRNG. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A Poisson draw (Knuth; fine for the small rates used here). */
export function poisson(rand: () => number, lambda: number): number {
  const L = Math.exp(-lambda);
  let k = 0;
  let p = 1;
  do {
    k++;
    p *= rand();
  } while (p > L);
  return k - 1;
}

/** One mention to insert. */
export interface GenMention {
  at: Date;
  text: string;
  label: 'positive' | 'neutral' | 'negative';
  pains?: string[];
  stage?: string;
  reach?: number;
}

const WORDS = 'flight seat crew gate lounge app booking meal upgrade points baggage check boarding terminal snack wifi price window aisle legroom service queue screen refund pilot coffee'.split(' ');

/** Background chatter: `rate(t)` mentions per hour, hourly Poisson, ~15% negative, varied texts. */
export function background(rand: () => number, from: Date, hours: number, rate: (t: Date) => number): GenMention[] {
  const out: GenMention[] = [];
  for (let h = 0; h < hours; h++) {
    const start = from.getTime() + h * 3_600_000;
    const n = poisson(rand, rate(new Date(start)));
    for (let i = 0; i < n; i++) {
      const w = () => WORDS[Math.floor(rand() * WORDS.length)]!;
      const r = rand();
      out.push({
        at: new Date(start + Math.floor(rand() * 3_600_000)),
        text: `the ${w()} and ${w()} ${r < 0.5 ? 'were fine' : 'again'} ${Math.floor(rand() * 1e6)}`,
        label: r < 0.15 ? 'negative' : r < 0.6 ? 'neutral' : 'positive',
        pains: r < 0.05 ? ['delay'] : [],
        stage: 'experience',
      });
    }
  }
  return out;
}

/** Creates a brand (own, so share of voice never compares test brands) and a source; returns their ids. */
export async function makeBrand(db: Db, name: string, own = true): Promise<{ brandId: number; sourceId: number }> {
  const b = await db.query<{ id: number }>(`insert into brands (name, own) values ($1, $2) returning id`, [name, own]);
  const s = await db.query<{ id: number }>(`insert into sources (name, type) values ($1, 'file') returning id`, [`src-${name}`]);
  return { brandId: Number(b.rows[0]!.id), sourceId: Number(s.rows[0]!.id) };
}

let seq = 0;
/** Inserts mentions with their brand match and analysis; returns the new ids. */
export async function insertMentions(db: Db, ids: { brandId: number; sourceId: number }, ms: GenMention[]): Promise<number[]> {
  if (ms.length === 0) return [];
  const r = await db.query<{ id: number }>(
    `insert into mentions (source_id, external_id, text, published_at, author, author_reach, url)
     select $1, x.ext, x.text, x.at, 'user' || x.ext, x.reach, 'https://example.test/m/' || x.ext
       from unnest($2::text[], $3::text[], $4::timestamptz[], $5::int[]) as x(ext, text, at, reach)
     returning id`,
    [ids.sourceId, ms.map(() => `g${++seq}`), ms.map((m) => m.text), ms.map((m) => m.at), ms.map((m) => m.reach ?? null)],
  );
  const mids = r.rows.map((x) => Number(x.id));
  await db.query(
    `insert into mention_brands (mention_id, brand_id, sentiment_label) select x.id, $1, x.label from unnest($2::bigint[], $3::text[]) as x(id, label)`,
    [ids.brandId, mids, ms.map((m) => m.label)],
  );
  await db.query(
    `insert into analyses (mention_id, analyser_version, sentiment_label, pain_point_ids, stage, language)
     select x.id, 'test', x.label, array(select jsonb_array_elements_text(x.pp::jsonb)), x.stage, 'en'
       from unnest($1::bigint[], $2::text[], $3::text[], $4::text[]) as x(id, label, pp, stage)`,
    [mids, ms.map((m) => m.label), ms.map((m) => JSON.stringify(m.pains ?? [])), ms.map((m) => m.stage ?? null)],
  );
  return mids;
}
