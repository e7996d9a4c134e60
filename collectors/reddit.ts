/**
 * Reddit: posts from `search.json` (each brand's terms OR-ed, `sort=new`), and comments from the
 * comment listings of the subreddits given in `subreddits` (Reddit has no public comment search, so
 * those comments are filtered by the brand queries locally). Pages by `after` (a fullname) until it is
 * null; stops once it reaches items at or before the cursor (the newest `created_utc` already stored)
 * or older than the backfill depth. `raw_json=1` so bodies are not entity-escaped.
 */
import { z } from 'zod';
import { ParseError } from '../errors.js';
import type { RawMention } from '../model.js';
import { paginate } from './paginate.js';
import { brandsToSearch, orQuery } from './query-terms.js';
import { engagementOf } from './text.js';
import type { Collector, CollectTask } from './types.js';

const DEFAULT_BASE = 'https://www.reddit.com';

const options = z.looseObject({
  /** Subreddits whose comment stream is read and filtered locally (comments). */
  subreddits: z.array(z.string().regex(/^[A-Za-z0-9_]+$/, 'a subreddit name without r/')).default([]),
  /** Search only these subreddits (restrict_sr); default all of Reddit. */
  restrictTo: z.string().regex(/^[A-Za-z0-9_+]+$/).optional(),
});
type Options = z.infer<typeof options>;

interface Cursor {
  /** Newest created_utc stored (seconds). */
  since: number;
}

interface Thing {
  kind?: unknown;
  data?: Record<string, unknown>;
}

const str = (v: unknown): string | null => (typeof v === 'string' && v !== '' ? v : null);

/** The Reddit collector. */
export const reddit: Collector<Options, Cursor> = {
  type: 'reddit',
  description: 'Reddit posts through search.json, and comments from chosen subreddits (no key needed; be gentle: Reddit rate-limits unauthenticated clients).',
  defaultSchedule: '*/20 * * * *',
  options,
  emits: 'id = fullname (t3_… post, t1_… comment); url = permalink; title (posts); text = selftext or comment body; engagement.score, replies = comments.',
  unhealthyWhen: 'a run fails, or Reddit answers 429/403 (unauthenticated limits)',
  plan(ctx) {
    const tasks: CollectTask[] = brandsToSearch(ctx.brands, ctx.source.brand).map((b) => {
      const q = orQuery(b.terms);
      return { key: `q:${q}`, params: { kind: 'search', q }, filter: { kind: 'brand', brand: b.name } };
    });
    for (const sub of ctx.source.options.subreddits) {
      tasks.push({ key: `comments:${sub}`, params: { kind: 'comments', sub }, filter: ctx.source.brand ? { kind: 'brand', brand: ctx.source.brand } : { kind: 'any' } });
    }
    return tasks;
  },
  async *fetch(ctx, task, cursor) {
    const base = ctx.source.baseUrl ?? DEFAULT_BASE;
    const floor = cursor?.since ?? ctx.now().getTime() / 1000 - ctx.source.backfillDays * 86400;
    const limit = Math.min(ctx.source.pageSize ?? 100, 100);
    const isSearch = task.params.kind === 'search';
    const url = isSearch
      ? `${base}${ctx.source.options.restrictTo ? `/r/${ctx.source.options.restrictTo}` : ''}/search.json`
      : `${base}/r/${String(task.params.sub)}/comments.json`;
    let newest = cursor?.since ?? 0;
    const created = (t: Thing): number => (typeof t.data?.created_utc === 'number' ? t.data.created_utc : 0);
    for await (const page of paginate<Thing, string>({
      maxPages: ctx.source.maxPages,
      log: ctx.log,
      label: task.key,
      stop: (items) => items.some((t) => created(t) > 0 && created(t) <= floor),
      fetchPage: async (after) => {
        const params: Record<string, string | number> = { limit, raw_json: 1 };
        if (isSearch) Object.assign(params, { q: String(task.params.q), sort: 'new', t: 'all', type: 'link', restrict_sr: ctx.source.options.restrictTo ? 1 : 0 });
        if (after) params.after = after;
        const { data } = await ctx.http.getJson<{ kind?: string; data?: { children?: unknown; after?: unknown } }>(url, { params });
        if (!data || data.kind !== 'Listing' || !Array.isArray(data.data?.children)) {
          throw new ParseError(ctx.source.name, `unexpected response from ${url}: not a Listing`);
        }
        return { items: data.data.children as Thing[], next: str(data.data.after) };
      },
    })) {
      const fresh = page.items.filter((t) => !(created(t) > 0 && created(t) <= floor));
      for (const t of fresh) newest = Math.max(newest, created(t));
      yield { items: fresh, cursor: newest > 0 ? { since: newest } : cursor };
    }
  },
  normalise(item): RawMention {
    const t = item as Thing;
    const d = t.data;
    if (!d || typeof d !== 'object') throw new ParseError('reddit', 'listing child without data');
    const name = str(d.name) ?? (str(d.id) ? `${String(t.kind)}_${String(d.id)}` : null);
    if (!name) throw new ParseError('reddit', 'item without name/id');
    if (typeof d.created_utc !== 'number') throw new ParseError('reddit', `${name}: no created_utc`);
    const permalink = str(d.permalink);
    const isComment = t.kind === 't1';
    const url = permalink
      ? `https://www.reddit.com${permalink.replace(/\?.*$/, '')}`
      : isComment && str(d.link_permalink)
        ? `${String(d.link_permalink).replace(/\/?$/, '/')}${String(d.id)}/`
        : str(d.url);
    const title = isComment ? null : str(d.title);
    const text = isComment ? (str(d.body) ?? '') : (str(d.selftext) ?? title ?? '');
    const author = str(d.author);
    return {
      externalId: name,
      url,
      author: author === '[deleted]' ? null : author,
      authorReach: null,
      title,
      text,
      language: null,
      publishedAt: new Date(d.created_utc * 1000),
      engagement: engagementOf({ score: d.score, replies: d.num_comments }),
      rating: null,
    };
  },
};
