/**
 * Bluesky: `app.bsky.feed.searchPosts` on the AppView (default https://api.bsky.app; the public
 * `public.api.bsky.app` host is reported to refuse search). The search has no OR, so each brand term is
 * its own search (at most MAX_TERMS per brand); the brand's full query is applied locally. `sort=latest`,
 * `since` = the newest post time stored (or the backfill depth), paged by the opaque `cursor`.
 */
import { z } from 'zod';
import { ParseError } from '../errors.js';
import type { RawMention } from '../model.js';
import { paginate } from './paginate.js';
import { brandsToSearch } from './query-terms.js';
import { engagementOf } from './text.js';
import type { Collector, CollectTask } from './types.js';

const DEFAULT_BASE = 'https://api.bsky.app';
/** Searches per brand per run, at most. */
export const MAX_TERMS = 5;

const options = z.looseObject({
  /** Restrict to posts in this language (BCP 47), passed as `lang`. */
  lang: z.string().min(2).optional(),
});
type Options = z.infer<typeof options>;

interface Cursor {
  /** Newest record.createdAt stored (ISO). */
  since: string;
}

interface Post {
  uri?: unknown;
  author?: { handle?: unknown; followersCount?: unknown };
  record?: { text?: unknown; createdAt?: unknown; langs?: unknown };
  indexedAt?: unknown;
  replyCount?: unknown;
  repostCount?: unknown;
  likeCount?: unknown;
  quoteCount?: unknown;
}

const str = (v: unknown): string | null => (typeof v === 'string' && v !== '' ? v : null);

/** https://bsky.app URL of a post from its at:// uri and the author's handle. */
export function postUrl(uri: string, handle: string | null): string | null {
  const m = /^at:\/\/([^/]+)\/app\.bsky\.feed\.post\/([^/]+)$/.exec(uri);
  if (!m) return null;
  return `https://bsky.app/profile/${handle ?? m[1]}/post/${m[2]}`;
}

/** The Bluesky collector. */
export const bluesky: Collector<Options, Cursor> = {
  type: 'bluesky',
  description: 'Bluesky posts through app.bsky.feed.searchPosts (one search per brand term; no key needed on api.bsky.app).',
  defaultSchedule: '*/10 * * * *',
  options,
  emits: 'id = at:// uri; url = bsky.app post; author = handle; text; language = first of langs; likes, replies, shares = reposts + quotes.',
  unhealthyWhen: 'a run fails, or the AppView answers 403/429 (RateLimit-Reset)',
  plan(ctx) {
    const tasks: CollectTask[] = [];
    for (const b of brandsToSearch(ctx.brands, ctx.source.brand)) {
      for (const term of b.terms.slice(0, MAX_TERMS)) {
        const q = /\s/.test(term) ? `"${term}"` : term;
        tasks.push({ key: `q:${q}`, params: { q }, filter: { kind: 'brand', brand: b.name } });
      }
    }
    return tasks;
  },
  async *fetch(ctx, task, cursor) {
    const base = ctx.source.baseUrl ?? DEFAULT_BASE;
    const url = `${base}/xrpc/app.bsky.feed.searchPosts`;
    const since = cursor?.since ?? new Date(ctx.now().getTime() - ctx.source.backfillDays * 86400_000).toISOString();
    let newest = cursor?.since ?? null;
    for await (const page of paginate<Post, string>({
      maxPages: ctx.source.maxPages,
      log: ctx.log,
      label: task.key,
      fetchPage: async (next) => {
        const { data } = await ctx.http.getJson<{ posts?: unknown; cursor?: unknown }>(url, {
          params: { q: String(task.params.q), sort: 'latest', limit: Math.min(ctx.source.pageSize ?? 100, 100), since, cursor: next, lang: ctx.source.options.lang },
        });
        if (!data || !Array.isArray(data.posts)) throw new ParseError(ctx.source.name, `unexpected response from ${url}: no 'posts' array`);
        return { items: data.posts as Post[], next: str(data.cursor) };
      },
    })) {
      // `since` is inclusive: drop what the cursor already covers
      const fresh = cursor ? page.items.filter((p) => !(typeof p.record?.createdAt === 'string' && p.record.createdAt <= cursor.since)) : page.items;
      for (const p of fresh) {
        const t = str(p.record?.createdAt);
        if (t && !Number.isNaN(Date.parse(t)) && (newest === null || Date.parse(t) > Date.parse(newest))) newest = t;
      }
      yield { items: fresh, cursor: newest ? { since: newest } : null };
    }
  },
  normalise(item): RawMention {
    const p = item as Post;
    const uri = str(p.uri);
    if (!uri) throw new ParseError('bluesky', 'post without uri');
    if (!p.record || typeof p.record !== 'object') throw new ParseError('bluesky', `${uri}: no record`);
    const handle = str(p.author?.handle);
    const langs = Array.isArray(p.record.langs) ? (p.record.langs as unknown[]) : [];
    const created = str(p.record.createdAt) ?? str(p.indexedAt);
    const reposts = (typeof p.repostCount === 'number' ? p.repostCount : 0) + (typeof p.quoteCount === 'number' ? p.quoteCount : 0);
    return {
      externalId: uri,
      url: postUrl(uri, handle),
      author: handle,
      authorReach: typeof p.author?.followersCount === 'number' ? p.author.followersCount : null,
      title: null,
      text: typeof p.record.text === 'string' ? p.record.text : '',
      language: typeof langs[0] === 'string' ? langs[0] : null,
      publishedAt: created ? new Date(created) : new Date(NaN),
      engagement: engagementOf({ likes: p.likeCount, replies: p.replyCount, shares: p.repostCount === undefined && p.quoteCount === undefined ? undefined : reposts }),
      rating: null,
    };
  },
};
