/**
 * Mentions, write side: idempotent batched insert. The natural key is (source, external id): a re-run
 * adds nothing. Cross-source duplicates (the same article URL, or the same text reposted) are stored,
 * but linked to the earliest copy through `duplicate_of`, so volumes count them once.
 *
 * One statement per batch: the rows go in as parallel arrays through `unnest`, `ON CONFLICT DO NOTHING
 * RETURNING` gives the new ids, and one update links the new rows to an earlier copy.
 */
import { createHash } from 'node:crypto';
import type { Queryable } from './index.js';
import type { RawMention } from '../model.js';

/** What one insert did. */
export interface InsertSummary {
  /** Rows stored now. */
  inserted: number;
  /** Rows already stored for this source (same external id), including repeats inside the batch. */
  duplicates: number;
  /** Ids of the rows stored now, in input order. */
  ids: number[];
}

/** Texts shorter than this (after normalising) get no content hash: "thanks!" twice is no repost. */
export const MIN_HASHED_TEXT = 24;
/** Rows per INSERT statement (bounded by the 65,535-parameter limit only through arrays, so large is fine). */
export const INSERT_BATCH = 2000;

const TRACKING_PARAM = /^(utm_[a-z]+|fbclid|gclid|mc_cid|mc_eid|ref|ref_src|igshid|si|cmpid|ocid)$/i;

/**
 * The URL used to spot the same page reached through two sources: no scheme, no `www.`, lower-case host,
 * no fragment, no tracking parameters, remaining parameters sorted, no trailing slash. Null for no URL.
 */
export function normaliseUrl(url: string | null): string | null {
  if (!url) return null;
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    return null;
  }
  if (u.protocol !== 'http:' && u.protocol !== 'https:') return null;
  const params = [...u.searchParams.entries()].filter(([k]) => !TRACKING_PARAM.test(k)).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  const query = params.length ? `?${new URLSearchParams(params).toString()}` : '';
  const host = u.hostname.toLowerCase().replace(/^www\./, '');
  const port = u.port ? `:${u.port}` : '';
  const p = u.pathname.replace(/\/+$/, '');
  return `${host}${port}${p}${query}`;
}

/**
 * Hash of the text used to spot reposts: lower case, URLs, @handles and punctuation dropped, whitespace
 * collapsed. Null when what is left is shorter than MIN_HASHED_TEXT.
 */
export function contentHash(text: string): string | null {
  const norm = text
    .normalize('NFKC')
    .toLowerCase()
    .replace(/https?:\/\/\S+/g, ' ')
    .replace(/(^|\s)(rt|via)\s+@\w+:?/g, ' ')
    .replace(/[^\p{L}\p{N}]+/gu, ' ')
    .trim();
  if (norm.length < MIN_HASHED_TEXT) return null;
  return createHash('sha1').update(norm).digest('hex');
}

/** Options for one insert. */
export interface InsertOptions {
  /** collected_at of the new rows (the injected clock); default the database's now(). */
  collectedAt?: Date;
  /** mentions.origin: where an imported mention originally came from, one per item (or null). */
  origins?: (string | null)[];
}

/**
 * Stores mentions of one source; those already stored for it (same external id) are counted as
 * duplicates and left untouched. New rows whose normalised URL or text matches an earlier mention of any
 * source get `duplicate_of` set to that earlier mention. Large inputs are split into INSERT_BATCH rows.
 */
export async function insertMentions(db: Queryable, sourceId: number, items: RawMention[], opts: InsertOptions = {}): Promise<InsertSummary> {
  const out: InsertSummary = { inserted: 0, duplicates: 0, ids: [] };
  for (let i = 0; i < items.length; i += INSERT_BATCH) {
    const slice = items.slice(i, i + INSERT_BATCH);
    const origins = opts.origins?.slice(i, i + INSERT_BATCH);
    const r = await insertBatch(db, sourceId, slice, opts.collectedAt ?? null, origins);
    out.inserted += r.inserted;
    out.duplicates += r.duplicates;
    out.ids.push(...r.ids);
  }
  return out;
}

async function insertBatch(db: Queryable, sourceId: number, items: RawMention[], collectedAt: Date | null, origins: (string | null)[] | undefined): Promise<InsertSummary> {
  if (items.length === 0) return { inserted: 0, duplicates: 0, ids: [] };
  const n = items.length;
  const ext: string[] = new Array(n);
  const url: (string | null)[] = new Array(n);
  const author: (string | null)[] = new Array(n);
  const reach: (number | null)[] = new Array(n);
  const title: (string | null)[] = new Array(n);
  const text: string[] = new Array(n);
  const lang: (string | null)[] = new Array(n);
  const pub: string[] = new Array(n);
  const eng: string[] = new Array(n);
  const rating: (number | null)[] = new Array(n);
  const origin: (string | null)[] = new Array(n);
  const hash: (string | null)[] = new Array(n);
  const urlKey: (string | null)[] = new Array(n);
  const hint: (string | null)[] = new Array(n);
  for (let k = 0; k < n; k++) {
    const m = items[k]!;
    ext[k] = m.externalId;
    url[k] = m.url;
    author[k] = m.author;
    reach[k] = m.authorReach === null || !Number.isFinite(m.authorReach) ? null : Math.min(Math.round(m.authorReach), 2_147_483_647);
    title[k] = m.title;
    text[k] = m.text;
    lang[k] = m.language;
    pub[k] = m.publishedAt.toISOString();
    eng[k] = JSON.stringify(m.engagement ?? {});
    rating[k] = m.rating === null ? null : Math.round(m.rating);
    origin[k] = origins?.[k] ?? null;
    hash[k] = contentHash(`${m.title ?? ''} ${m.text}`);
    urlKey[k] = normaliseUrl(m.url);
    hint[k] = m.brandHint ?? null;
  }
  // `ord` keeps input order so ids come back in it; `distinct on` drops repeats inside the batch.
  const r = await db.query<{ id: number; ord: number }>(
    `with input as (
       select distinct on (t.ext) t.*
         from unnest($2::text[], $3::text[], $4::text[], $5::int[], $6::text[], $7::text[], $8::text[], $9::timestamptz[],
                     $10::text[], $11::smallint[], $12::text[], $13::text[], $14::text[], $15::text[])
              with ordinality as t(ext, url, author, reach, title, body, lang, pub, eng, rating, origin, hash, url_key, hint, ord)
        order by t.ext, t.ord
     ), ins as (
       insert into mentions (source_id, external_id, url, author, author_reach, title, text, language, published_at, collected_at,
                             engagement, rating, origin, content_hash, url_key, brand_hint)
       select $1, ext, url, author, reach, title, body, lang, pub, coalesce($16::timestamptz, now()), eng::jsonb, rating, origin, hash, url_key, hint
         from input order by ord
       on conflict (source_id, external_id) do nothing
       returning id, external_id
     )
     select ins.id, input.ord::int as ord from ins join input on input.ext = ins.external_id order by input.ord`,
    [sourceId, ext, url, author, reach, title, text, lang, pub, eng, rating, origin, hash, urlKey, hint, collectedAt],
  );
  const ids = r.rows.map((x) => x.id);
  if (ids.length > 0) await linkDuplicates(db, ids);
  return { inserted: ids.length, duplicates: n - ids.length, ids };
}

/**
 * Points each of `ids` that repeats an earlier mention (same url_key or content_hash, lower id, itself
 * not a duplicate) at that earliest copy.
 */
async function linkDuplicates(db: Queryable, ids: number[]): Promise<void> {
  await db.query(
    `update mentions m set duplicate_of = d.orig
       from (
         select n.id,
                least(
                  (select min(o.id) from mentions o where n.url_key is not null and o.url_key = n.url_key and o.id < n.id and o.duplicate_of is null),
                  (select min(o.id) from mentions o where n.content_hash is not null and o.content_hash = n.content_hash and o.id < n.id and o.duplicate_of is null)
                ) as orig
           from mentions n
          where n.id = any($1::bigint[]) and (n.url_key is not null or n.content_hash is not null)
       ) d
      where m.id = d.id and d.orig is not null`,
    [ids],
  );
}
