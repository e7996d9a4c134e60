/**
 * Mentions, write side: idempotent batched insert. The natural key is (source, external id): a re-run
 * adds nothing. Cross-source duplicates (the same article URL, or the same text reposted) are stored,
 * but linked to the earliest copy through `duplicate_of`, so volumes count them once.
 *
 * One transaction per batch of up to INSERT_BATCH rows:
 * | given               | how the rows reach the database                                             |
 * |---------------------|-----------------------------------------------------------------------------|
 * | Db, kind 'pg'       | COPY … FROM STDIN (text format, pg-copy-streams) into a temp staging table  |
 * | Db, kind 'pglite'   | COPY … FROM '/dev/blob' (the `blob` query option) into the staging table    |
 * | a transaction       | one INSERT … SELECT FROM unnest(arrays) (the caller owns the transaction)   |
 * then one query finds earlier copies of the batch's url keys and content hashes, `INSERT INTO mentions …
 * SELECT … FROM staging ON CONFLICT DO NOTHING RETURNING id, external_id` gives the new ids, and one update
 * links the new rows to an earlier copy (only when there is one), in the same transaction. The staging
 * table is a temporary table of the connection whose rows vanish at commit (`on commit delete rows`):
 * nothing is left behind, and concurrent batches (several pool connections) never see each other's
 * rows. The transaction raises work_mem so the triggers' transition tables stay in memory, and, for a
 * caller that commits synchronously afterwards (runSource), may commit without waiting for the WAL
 * flush (StoreOptions.asyncCommit). `ON CONFLICT DO NOTHING` names no target, so it works on the
 * plain table (unique (source_id, external_id)) and on a partitioned one alike. On a partitioned table
 * (PostgreSQL after 0006), the COPY path claims the batch's keys in mention_keys in one statement with ids
 * drawn from the mentions sequence, and inserts only the claimed rows (INSERT_CLAIMED_FROM_STAGE), instead
 * of a trigger claiming each row's key with an insert of its own.
 */
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { hash } from 'node:crypto';
import { from as copyFrom } from 'pg-copy-streams';
import type { Db, Queryable } from './index.js';
import type { RawMention } from '../model.js';
import { DatabaseError } from '../errors.js';

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
/**
 * Rows per batch (one COPY + one INSERT … SELECT, one transaction). Large enough that the per-batch
 * cost (transaction, staging table, round trips, duplicate lookup) is small next to the rows; small
 * enough that a batch holds a few MB at most.
 */
export const INSERT_BATCH = 5000;

const TRACKING_PARAM = /^(utm_[a-z]+|fbclid|gclid|mc_cid|mc_eid|ref|ref_src|igshid|si|cmpid|ocid)$/i;

/**
 * The URL used to spot the same page reached through two sources: no scheme, no `www.`, lower-case host,
 * no tracking parameters, remaining parameters sorted, no trailing slash. Null for no URL. A fragment that
 * carries a number is kept: on review and comment pages it names the item (`…#review-1168`,
 * `#comment-42`), so two reviews on one page stay two mentions; navigation anchors (`#top`,
 * `#comments`) and browser text fragments (`#:~:text=…`) are dropped.
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
  const fragment = /\d/.test(u.hash) && !u.hash.startsWith('#:~:') ? u.hash : '';
  return `${host}${port}${p}${query}${fragment}`;
}

/**
 * Hash of the text used to spot reposts: lower case, URLs, @handles and punctuation dropped, whitespace
 * collapsed. Null when what is left is shorter than MIN_HASHED_TEXT.
 */
export function contentHash(text: string): string | null {
  let norm = text.normalize('NFKC').toLowerCase();
  // the two patterns cannot match without these substrings: most texts skip the regular expressions
  if (norm.includes('http')) norm = norm.replace(/https?:\/\/\S+/g, ' ');
  if (norm.includes('@')) norm = norm.replace(/(^|\s)(rt|via)\s+@\w+:?/g, ' ');
  norm = norm.replace(/[^\p{L}\p{N}]+/gu, ' ').trim();
  if (norm.length < MIN_HASHED_TEXT) return null;
  return hash('sha1', norm);
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
 * source get `duplicate_of` set to that earlier mention. Large inputs are split into INSERT_BATCH rows,
 * each committed on its own when `db` is the database (COPY path); given a transaction, the rows join it.
 */
export async function insertMentions(db: Queryable | Db, sourceId: number, items: RawMention[], opts: InsertOptions = {}): Promise<InsertSummary> {
  const out: InsertSummary = { inserted: 0, duplicates: 0, ids: [] };
  for (let i = 0; i < items.length; i += INSERT_BATCH) {
    const slice = items.slice(i, i + INSERT_BATCH);
    const origins = opts.origins?.slice(i, i + INSERT_BATCH);
    const r = await storeBatch(db, sourceId, prepare(slice, origins), opts.collectedAt ?? null);
    out.inserted += r.inserted;
    out.duplicates += r.duplicates;
    out.ids.push(...r.ids);
  }
  return out;
}

/**
 * The CPU half of an insert (no I/O): keys, hashes, normalised URLs and the COPY payload of one batch
 * of at most INSERT_BATCH mentions. Split from storePreparedMentions so a collector can prepare the next
 * batch while the previous one is being written.
 */
export function prepareMentions(items: RawMention[], origins?: (string | null)[]): PreparedMentions {
  if (items.length > INSERT_BATCH) throw new RangeError(`mentions: a prepared batch holds at most ${INSERT_BATCH} mentions, got ${items.length}`);
  const p = prepare(items, origins);
  p.copy = copyText(p);
  return p;
}

/** How storePreparedMentions commits. */
export interface StoreOptions {
  /**
   * PostgreSQL: commit the batch with synchronous_commit = off (the commit does not wait for its WAL to
   * reach the disk; the WAL writer flushes it within a few hundred ms). Only for a caller that commits
   * something synchronously after the batch and before it reports or relies on it — runSource saves the
   * cursor and the run record that way. A synchronous commit flushes the whole WAL up to its own record,
   * so once it returns, every batch committed before it is on disk too; a server crash before then loses
   * the batch and, with it, that later write (the cursor stays where it was, the source is fetched
   * again and the (source, external id) key keeps the rest idempotent). Ignored on PGlite.
   */
  asyncCommit?: boolean;
}

/** Writes one prepared batch (one transaction on the COPY path); see insertMentions. */
export async function storePreparedMentions(
  db: Queryable | Db, sourceId: number, batch: PreparedMentions, collectedAt: Date | null = null, opts: StoreOptions = {},
): Promise<InsertSummary> {
  return storeBatch(db, sourceId, batch as Prepared, collectedAt, { asyncCommit: opts.asyncCommit === true });
}

/** A batch made ready by prepareMentions (opaque). */
export interface PreparedMentions {
  /** Mentions given, repeats included. */
  readonly total: number;
}

/** One batch, normalised for storage, first occurrence of each external id only. */
interface Prepared extends PreparedMentions {
  /** Items given, repeats included. */
  total: number;
  n: number;
  ext: string[];
  url: (string | null)[];
  author: (string | null)[];
  reach: (number | null)[];
  title: (string | null)[];
  text: string[];
  lang: (string | null)[];
  pub: string[];
  eng: string[];
  rating: (number | null)[];
  origin: (string | null)[];
  hash: (string | null)[];
  urlKey: (string | null)[];
  hint: (string | null)[];
  /** COPY text-format payload (built once, for the COPY path). */
  copy?: string;
}

function prepare(items: RawMention[], origins: (string | null)[] | undefined): Prepared {
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
  const p: Prepared = {
    total, n, ext: new Array(n), url: new Array(n), author: new Array(n), reach: new Array(n), title: new Array(n), text: new Array(n),
    lang: new Array(n), pub: new Array(n), eng: new Array(n), rating: new Array(n), origin: new Array(n), hash: new Array(n),
    urlKey: new Array(n), hint: new Array(n),
  };
  for (let k = 0; k < n; k++) {
    const m = items[k]!;
    p.ext[k] = m.externalId;
    p.url[k] = m.url;
    p.author[k] = m.author;
    p.reach[k] = m.authorReach === null || !Number.isFinite(m.authorReach) ? null : Math.min(Math.round(m.authorReach), 2_147_483_647);
    p.title[k] = m.title;
    p.text[k] = m.text;
    p.lang[k] = m.language;
    p.pub[k] = m.publishedAt.toISOString();
    p.eng[k] = JSON.stringify(m.engagement ?? {});
    p.rating[k] = m.rating === null ? null : Math.round(m.rating);
    p.origin[k] = origins?.[k] ?? null;
    p.hash[k] = contentHash(`${m.title ?? ''} ${m.text}`);
    p.urlKey[k] = normaliseUrl(m.url);
    p.hint[k] = m.brandHint ?? null;
  }
  return p;
}

/** Columns of the staging table, in COPY order. */
const STAGE_COLUMNS = 'ord, ext, url, author, reach, title, body, lang, pub, eng, rating, origin, hash, url_key, hint';

/**
 * The staging table: one per connection, created by the first batch written through it and kept (its rows
 * vanish at each commit), so a batch costs no catalog churn (creating and dropping a table per batch
 * wrote and deleted pg_class / pg_attribute rows, and on PGlite created and deleted files).
 */
const STAGE_DDL = `create temp table if not exists mention_stage (
  ord integer, ext text, url text, author text, reach integer, title text, body text, lang text, pub timestamptz,
  eng jsonb, rating smallint, origin text, hash text, url_key text, hint text
) on commit delete rows`;

/**
 * work_mem of an ingest transaction. The statement triggers on mentions (0004, 0006, 0008) read the batch's
 * rows from a transition table; at the default 4 MB a batch of INSERT_BATCH rows (≈ 1.3 kB each with their
 * tsvector) spills it to a temporary file, written and read back once per batch (EXPLAIN (ANALYZE,
 * BUFFERS): `temp written=608` pages per 5,000 rows). Held only while the batch is written.
 */
const INGEST_WORK_MEM = '64MB';

/** $1 source id, $2 collected_at (null: now()). Rows go in input order, so ids ascend in input order. */
const INSERT_FROM_STAGE = `insert into mentions (source_id, external_id, url, author, author_reach, title, text, language, published_at,
                         collected_at, engagement, rating, origin, content_hash, url_key, brand_hint)
   select $1, s.ext, s.url, s.author, s.reach, s.title, s.body, s.lang, s.pub, coalesce($2::timestamptz, now()), s.eng, s.rating,
          s.origin, s.hash, s.url_key, s.hint
     from mention_stage s
    order by s.ord
   on conflict do nothing
   returning id, external_id`;

/**
 * The same insert on a partitioned mentions table (PostgreSQL after 0006): the (source, external id) keys
 * of the whole batch are claimed in mention_keys in one statement, each with an id drawn from the mentions
 * id sequence ($2), and only the rows whose key was claimed are inserted, with those ids. The per-row
 * BEFORE INSERT trigger (mentions_claim_key) does not even fire: the transaction sets
 * earshot.keys_claimed = on, which its WHEN clause (0009) reads. Ids are drawn in input order (so they
 * ascend in input order); keys are claimed in external-id order, so two batches sharing keys lock them in
 * the same order (no deadlock), and the mention_keys primary key stores a key once whichever of two
 * concurrent batches gets there first.
 */
const INSERT_CLAIMED_FROM_STAGE = `with numbered as materialized (
     select s.ext, nextval($2::regclass) as id from mention_stage s order by s.ord
   ), claimed as (
     insert into mention_keys (source_id, external_id, mention_id)
     select $1, n.ext, n.id from numbered n order by n.ext
     on conflict do nothing
     returning external_id, mention_id
   )
   insert into mentions (id, source_id, external_id, url, author, author_reach, title, text, language, published_at,
                         collected_at, engagement, rating, origin, content_hash, url_key, brand_hint)
   select c.mention_id, $1, s.ext, s.url, s.author, s.reach, s.title, s.body, s.lang, s.pub, coalesce($3::timestamptz, now()), s.eng,
          s.rating, s.origin, s.hash, s.url_key, s.hint
     from claimed c join mention_stage s on s.ext = c.external_id
    order by c.mention_id
   returning id, external_id`;

/** Sequence of mentions.id when mentions is partitioned (keys in mention_keys), else null. */
const KEYED_SEQUENCE = `select pg_get_serial_sequence('mentions', 'id') as seq
  where (select relkind from pg_class where oid = 'mentions'::regclass) = 'p' and to_regclass('mention_keys') is not null`;

/** Per database: the mentions id sequence once mentions is known to be partitioned (a one-way change). */
const keyedSequence = new WeakMap<Db, string>();

const ESCAPED = /[\\\n\r\t\0]/;
const ESCAPED_G = /[\\\n\r\t\0]/g;
const ESCAPES: Record<string, string> = { '\\': '\\\\', '\n': '\\n', '\r': '\\r', '\t': '\\t', '\0': '' };

/** One value in COPY text format: `\N` for null; backslash, newline, CR and tab escaped; NUL dropped (Postgres text cannot hold it). */
function copyValue(v: string | number | null): string {
  if (v === null) return '\\N';
  if (typeof v === 'number') return String(v);
  return ESCAPED.test(v) ? v.replace(ESCAPED_G, (c) => ESCAPES[c]!) : v;
}

/** The batch as COPY text-format lines. */
function copyText(p: Prepared): string {
  const lines: string[] = new Array(p.n);
  for (let k = 0; k < p.n; k++) {
    lines[k] = [
      String(k), copyValue(p.ext[k]!), copyValue(p.url[k]!), copyValue(p.author[k]!), copyValue(p.reach[k]!), copyValue(p.title[k]!),
      copyValue(p.text[k]!), copyValue(p.lang[k]!), p.pub[k]!, copyValue(p.eng[k]!), copyValue(p.rating[k]!), copyValue(p.origin[k]!),
      copyValue(p.hash[k]!), copyValue(p.urlKey[k]!), copyValue(p.hint[k]!),
    ].join('\t');
  }
  return lines.length ? `${lines.join('\n')}\n` : '';
}

function isDb(db: Queryable | Db): db is Db {
  return 'kind' in db && (db.kind === 'pg' ? db.pool !== undefined : db.pglite !== undefined);
}

/** How one batch is committed (see StoreOptions). */
interface CommitMode {
  asyncCommit: boolean;
}

async function storeBatch(db: Queryable | Db, sourceId: number, p: Prepared, collectedAt: Date | null, mode: CommitMode = { asyncCommit: false }): Promise<InsertSummary> {
  if (p.total === 0) return { inserted: 0, duplicates: 0, ids: [] };
  if (!isDb(db)) return insertUnnest(db, sourceId, p, collectedAt);
  const payload = (p.copy ??= copyText(p));
  if (db.kind === 'pg') {
    const client = await db.pool!.connect();
    try {
      let seq = keyedSequence.get(db);
      if (seq === undefined) {
        const k = await client.query<{ seq: string | null }>(KEYED_SEQUENCE);
        const found = k.rows[0]?.seq;
        if (k.rows.length > 0 && !found) throw new DatabaseError('mentions: mentions is partitioned but pg_get_serial_sequence(\'mentions\', \'id\') finds no sequence for its ids');
        if (found) keyedSequence.set(db, (seq = found));
      }
      // one round trip: the transaction, its settings and the staging table (simple query protocol)
      await client.query(
        `begin; set local work_mem = '${INGEST_WORK_MEM}';${seq === undefined ? '' : " set local earshot.keys_claimed = 'on';"}` +
          `${mode.asyncCommit ? ' set local synchronous_commit = off;' : ''} ${STAGE_DDL}`,
      );
      await pipeline(Readable.from([payload]), client.query(copyFrom(`copy mention_stage (${STAGE_COLUMNS}) from stdin`)));
      const q: Queryable = {
        async query<R>(sql: string, params?: readonly unknown[]) {
          const x = await client.query(sql, params as unknown[] | undefined);
          return { rows: x.rows as R[], rowCount: x.rowCount ?? 0 };
        },
      };
      const earlier = await earlierCopies(q, p);
      const r = seq === undefined
        ? await client.query<{ id: number; external_id: string }>(INSERT_FROM_STAGE, [sourceId, collectedAt])
        : await client.query<{ id: number; external_id: string }>(INSERT_CLAIMED_FROM_STAGE, [sourceId, seq, collectedAt]);
      const out = await afterInsert(q, p, r.rows, earlier);
      await client.query('commit');
      return out;
    } catch (err) {
      await client.query('rollback').catch(() => undefined);
      throw err;
    } finally {
      client.release();
    }
  }
  return db.pglite!.transaction(async (tx) => {
    await tx.exec(`set local work_mem = '${INGEST_WORK_MEM}'; ${STAGE_DDL}`);
    await tx.query(`copy mention_stage (${STAGE_COLUMNS}) from '/dev/blob'`, [], { blob: new Blob([payload]) });
    const q: Queryable = {
      async query<R>(sql: string, params?: readonly unknown[]) {
        const x = await tx.query<R>(sql, params as unknown[] | undefined);
        return { rows: x.rows, rowCount: Math.max(x.rows.length, x.affectedRows ?? 0) };
      },
    };
    const earlier = await earlierCopies(q, p);
    const r = await tx.query<{ id: number; external_id: string }>(INSERT_FROM_STAGE, [sourceId, collectedAt]);
    return afterInsert(q, p, r.rows, earlier);
  });
}

/** The same insert as one statement over parallel arrays, inside the caller's transaction. */
async function insertUnnest(db: Queryable, sourceId: number, p: Prepared, collectedAt: Date | null): Promise<InsertSummary> {
  const earlier = await earlierCopies(db, p);
  const r = await db.query<{ id: number; external_id: string }>(
    `insert into mentions (source_id, external_id, url, author, author_reach, title, text, language, published_at, collected_at,
                           engagement, rating, origin, content_hash, url_key, brand_hint)
     select $1, t.ext, t.url, t.author, t.reach, t.title, t.body, t.lang, t.pub, coalesce($16::timestamptz, now()), t.eng::jsonb, t.rating,
            t.origin, t.hash, t.url_key, t.hint
       from unnest($2::text[], $3::text[], $4::text[], $5::int[], $6::text[], $7::text[], $8::text[], $9::timestamptz[],
                   $10::text[], $11::smallint[], $12::text[], $13::text[], $14::text[], $15::text[])
            as t(ext, url, author, reach, title, body, lang, pub, eng, rating, origin, hash, url_key, hint)
     on conflict do nothing
     returning id, external_id`,
    [sourceId, p.ext, p.url, p.author, p.reach, p.title, p.text, p.lang, p.pub, p.eng, p.rating, p.origin, p.hash, p.urlKey, p.hint, collectedAt],
  );
  return afterInsert(db, p, r.rows, earlier);
}

/** Puts the returned ids back in input order and links the new rows to earlier copies. */
async function afterInsert(q: Queryable, p: Prepared, returned: { id: number; external_id: string }[], earlier: EarlierCopies): Promise<InsertSummary> {
  // ids ascend in insert order, which is input order; sort by input position to be sure
  const pos = new Map<string, number>();
  for (let k = 0; k < p.n; k++) pos.set(p.ext[k]!, k);
  const rows = returned.map((x) => ({ id: Number(x.id), ord: pos.get(x.external_id)! })).sort((x, y) => x.ord - y.ord);
  const ids = rows.map((x) => x.id);
  if (ids.length > 0) {
    const ords = rows.map((x) => x.ord);
    await linkDuplicates(q, ids, ords.map((o) => p.hash[o] ?? null), ords.map((o) => p.urlKey[o] ?? null), earlier);
  }
  return { inserted: ids.length, duplicates: p.total - ids.length, ids };
}

/** The earliest stored copy (lowest id, itself not a duplicate) per content hash and per url key. */
interface EarlierCopies {
  byHash: Map<string, number>;
  byUrl: Map<string, number>;
}

/**
 * Looks up the batch's content hashes and url keys among the mentions stored before it, in one query
 * run before the batch's insert (in its transaction): every mention it can see drew its id before this
 * batch's ids were drawn, so each is an earlier copy, and the batch's own rows are never read back. One
 * indexed probe per distinct key: the WHERE clause names only the key, so the key's index is the only
 * one the planner can use (with `duplicate_of is null` there too, and no statistics on a freshly filled
 * table, it combined the partial indexes of 0004 and read every mention), and `array(select unnest(…))`
 * hands it the keys as an opaque parameter (given the array itself, it estimated each of thousands of
 * values against every partition: 20–70 ms of planning per batch). The cost follows the keys and their
 * stored copies, not the table.
 */
async function earlierCopies(db: Queryable, p: Prepared): Promise<EarlierCopies> {
  const distinct = (keys: (string | null)[]): string[] => [...new Set(keys.filter((k): k is string => k !== null))];
  const hashes = distinct(p.hash);
  const urls = distinct(p.urlKey);
  const out: EarlierCopies = { byHash: new Map(), byUrl: new Map() };
  if (hashes.length === 0 && urls.length === 0) return out;
  const r = await db.query<{ url: boolean; k: string; first: number | null }>(
    `select false as url, content_hash as k, min(id) filter (where duplicate_of is null) as first
       from mentions where content_hash = any(array(select unnest($1::text[]))) group by content_hash
     union all
     select true, url_key, min(id) filter (where duplicate_of is null)
       from mentions where url_key = any(array(select unnest($2::text[]))) group by url_key`,
    [hashes, urls],
  );
  for (const x of r.rows) if (x.first !== null) (x.url ? out.byUrl : out.byHash).set(x.k, Number(x.first));
  return out;
}

/**
 * Points each new row that repeats an earlier mention (same url_key or content_hash, lower id, itself not
 * a duplicate) at that earliest copy: one stored before the batch (`earlier`) or, for repeats inside the
 * batch, the batch's first row with the key. Rows are updated only when there is something to link
 * (most batches: none).
 */
async function linkDuplicates(db: Queryable, ids: number[], hashes: (string | null)[], urlKeys: (string | null)[], earlier: EarlierCopies): Promise<void> {
  const byHash = new Map(earlier.byHash);
  const byUrl = new Map(earlier.byUrl);
  // inside the batch, the first row with a key is the earliest copy (unless an earlier batch has one)
  for (let i = 0; i < ids.length; i++) {
    const h = hashes[i];
    if (h && !byHash.has(h)) byHash.set(h, ids[i]!);
    const u = urlKeys[i];
    if (u && !byUrl.has(u)) byUrl.set(u, ids[i]!);
  }
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

/**
 * Whether writing a batch leaves this process free to prepare the next one: true on PostgreSQL (the
 * server does the work), false on PGlite (the embedded database runs on this thread, so overlapping would
 * only blur where the time goes).
 */
export function writesOverlapWork(db: Queryable | Db): boolean {
  return isDb(db) && db.kind === 'pg';
}
