/**
 * The collector plug-in interface. A collector describes itself (type, description, default schedule,
 * options schema, what it emits, when it is unhealthy), turns the brands into the service's searches
 * (`plan`), pages through one search (`fetch`), and maps each raw item to one RawMention (`normalise`).
 * Everything else — HTTP politeness, paging guards, storage, dedupe, run records, cursors, local query
 * filtering, brand attribution — lives in http.ts, paginate.ts and run.ts, shared by every source.
 */
import type { Logger } from 'pino';
import type { z } from 'zod';
import type { RawMention, SourceType } from '../model.js';
import type { HttpClient } from './http.js';

/** A brand as collectors see it: the search terms a service can take, and the full query to apply locally. */
export interface BrandSearch {
  name: string;
  /** Positive terms of the query plus aliases (operators, NOT-branches, @/# prefixes removed). */
  terms: string[];
  /** The brand's full query (with aliases) applied to the text of an item. */
  match(text: string): boolean;
}

/** The source a collector runs for: its base settings and its validated type options. */
export interface SourceSettings<O = Record<string, unknown>> {
  id: number;
  name: string;
  type: SourceType;
  /** Set when the source belongs to one brand: every item is that brand's mention. */
  brand: string | null;
  baseUrl: string | null;
  maxPages: number;
  pageSize: number | null;
  /** How far back the first run reaches. */
  backfillDays: number;
  options: O;
}

/** What a collector gets to do its work. */
export interface CollectorContext<O = Record<string, unknown>> {
  source: SourceSettings<O>;
  /** The shared, polite HTTP client for this source (timeouts, retries, rate limit, size cap). */
  http: HttpClient;
  log: Logger;
  now: () => Date;
  brands: BrandSearch[];
  /** Environment (secrets such as YOUTUBE_API_KEY are read only from here, never from the config). */
  env: Readonly<Record<string, string | undefined>>;
}

/**
 * One search or feed a source runs: it has its own cursor (key), and optionally a brand whose full query
 * is applied to each item locally (`filter`), or a brand every item belongs to (`brandHint`).
 */
export interface CollectTask {
  /** Cursor key, stable across runs (e.g. `q:spotify OR deezer` or `url:https://…`). */
  key: string;
  /** Collector-specific parameters of this task (the service query, the feed URL, the app id …). */
  params: Record<string, unknown>;
  /**
   * How items are kept:
   * | filter         | kept when                                   |
   * |----------------|---------------------------------------------|
   * | 'brand' (name) | that brand's full query matches the item    |
   * | 'any'          | any brand's full query matches the item     |
   * | 'none'         | always (the source or task names the brand) |
   */
  filter: { kind: 'brand'; brand: string } | { kind: 'any' } | { kind: 'none' };
  /** Every item of this task belongs to this brand (App Store app of a brand). */
  brandHint?: string;
}

/** One page of raw items and the cursor to store if the task ends after this page. */
export interface CollectPage<C = unknown> {
  items: unknown[];
  /** Cursor to store when the whole task finishes (the last page's value wins). */
  cursor: C | null;
}

/** A source type. One file per type in collectors/, listed in registry.ts. */
export interface Collector<O = Record<string, unknown>, C = unknown> {
  type: SourceType;
  /** One sentence for the sources page and `earshot sources --types`. */
  description: string;
  /** Cron expression used when the config gives none. */
  defaultSchedule: string;
  /** The type options (top-level keys of the source entry besides the base fields). */
  options: z.ZodType<O>;
  /** What a mention from this source carries, for the docs. */
  emits: string;
  /** When the source counts as unhealthy (shown with its status). */
  unhealthyWhen: string;
  /** The tasks of one run (one per search or feed). */
  plan(ctx: CollectorContext<O>): CollectTask[];
  /** Pages through one task, newest first, starting after `cursor` (null on the first run: backfill). */
  fetch(ctx: CollectorContext<O>, task: CollectTask, cursor: C | null): AsyncIterable<CollectPage<C>>;
  /**
   * Maps one raw item to a mention. Throws (any error; ParseError preferred) when the item is malformed:
   * the run logs the reason, counts it as skipped and goes on. Returns null for an item that is not a
   * mention at all (App Store feed metadata entry).
   */
  normalise(item: unknown, ctx: CollectorContext<O>, task: CollectTask): RawMention | null;
}

/** A collector with its option and cursor types erased, as the registry holds it. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type AnyCollector = Collector<any, any>;
