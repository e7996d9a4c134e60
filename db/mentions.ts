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
  const total = items.length;
  // a repeat inside one batch would make ON CONFLICT touch a row twice: keep the first of each id
  const seen = new Set<string>();
  const keep: number[] = [];
  for (let k = 0; k < total; k++) {
    const e = items[k]!.externalId;
    if (!seen.has(e)) {
      seen.add(e);
      keep.push(k);
    }
  }
  if (keep.length < total) {
    items = keep.map((k) => items[k]!);
    if (origins) origins = keep.map((k) => origins![k] ?? null);
  }
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
  const r = await db.query<{ id: number; external_id: string }>(
    `insert into mentions (source_id, external_id, url, author, author_reach, title, text, language, published_at, collected_at,
                           engagement, rating, origin, content_hash, url_key, brand_hint)
     select $1, t.ext, t.url, t.author, t.reach, t.title, t.body, t.lang, t.pub, coalesce($16::timestamptz, now()), t.eng::jsonb, t.rating,
            t.origin, t.hash, t.url_key, t.hint
       from unnest($2::text[], $3::text[], $4::text[], $5::int[], $6::text[], $7::text[], $8::text[], $9::timestamptz[],
                   $10::text[], $11::smallint[], $12::text[], $13::text[], $14::text[], $15::text[])
            as t(ext, url, author, reach, title, body, lang, pub, eng, rating, origin, hash, url_key, hint)
     on conflict (source_id, external_id) do nothing
     returning id, external_id`,
    [sourceId, ext, url, author, reach, title, text, lang, pub, eng, rating, origin, hash, urlKey, hint, collectedAt],
  );
  // back to input order (ids ascend in insert order, which is input order)
  const pos = new Map<string, number>();
  for (let k = 0; k < n; k++) pos.set(ext[k]!, k);
  const rows = r.rows.map((x) => ({ id: x.id, ord: pos.get(x.external_id)! })).sort((x, y) => x.ord - y.ord);
  const ids = rows.map((x) => x.id);
  if (ids.length > 0) {
    const ords = rows.map((x) => x.ord);
    await linkDuplicates(db, ids, ords.map((o) => hash[o] ?? null), ords.map((o) => urlKey[o] ?? null));
  }
  return { inserted: ids.length, duplicates: total - ids.length, ids };
}

/**
 * Points each new row that repeats an earlier mention (same url_key or content_hash, lower id, itself not
 * a duplicate) at that earliest copy. The earliest id per key comes from one indexed lookup per key kind
 * (`= any(array)`), so the cost grows with the matches, not with the table; rows are updated only when
 * there is something to link (most batches: none).
 */
async function linkDuplicates(db: Queryable, ids: number[], hashes: (string | null)[], urlKeys: (string | null)[]): Promise<void> {
  const firstOf = async (column: 'content_hash' | 'url_key', keys: (string | null)[]): Promise<Map<string, number>> => {
    const wanted = [...new Set(keys.filter((k): k is string => k !== null))];
    if (wanted.length === 0) return new Map();
    const r = await db.query<{ k: string; first: number }>(
      `select ${column} as k, min(id) as first from mentions where ${column} = any($1::text[]) and duplicate_of is null group by ${column}`,
      [wanted],
    );
    return new Map(r.rows.map((x) => [x.k, x.first]));
  };
  const byHash = await firstOf('content_hash', hashes);
  const byUrl = await firstOf('url_key', urlKeys);
  const dupIds: number[] = [];
  const origIds: number[] = [];
  for (let i = 0; i < ids.length; i++) {
    const id = ids[i]!;
    const h = hashes[i] ? byHash.get(hashes[i]!) : undefined;
    const u = urlKeys[i] ? byUrl.get(urlKeys[i]!) : undefined;
    const first = Math.min(h !== undefined && h < id ? h : Infinity, u !== undefined && u < id ? u : Infinity);
    if (first !== Infinity) {
      dupIds.push(id);
      origIds.push(first);
    }
  }
  if (dupIds.length === 0) return;
  await db.query(
    `update mentions m set duplicate_of = u.orig from unnest($1::bigint[], $2::bigint[]) as u(id, orig) where m.id = u.id`,
    [dupIds, origIds],
  );
}
