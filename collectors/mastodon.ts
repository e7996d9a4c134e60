/**
 * Mastodon: public hashtag timelines (`/api/v1/timelines/tag/:tag`, no token needed) on the instance at
 * `baseUrl` (default mastodon.social), and — when MASTODON_TOKEN is set — full-text status search
 * (`/api/v2/search?type=statuses`) for each brand's terms. Content is HTML, turned into text. Timelines
 * page through the `Link` header (`rel="next"`, older posts); a run stops at the newest status id it
 * stored last time (`min_id` semantics) or at the backfill depth. The token is sent as a bearer header,
 * never in a URL, and never logged.
 */
import { z } from 'zod';
import { ParseError } from '../errors.js';
import type { RawMention } from '../model.js';
import { paginate } from './paginate.js';
import { brandsToSearch, compareIds } from './query-terms.js';
import { engagementOf, htmlToText } from './text.js';
import type { Collector, CollectTask } from './types.js';

const DEFAULT_BASE = 'https://mastodon.social';

const options = z.looseObject({
  /** Hashtags (without #) whose public timelines are read; default: one-word brand terms. */
  hashtags: z.array(z.string().regex(/^#?[\p{L}\p{N}_]+$/u, 'a hashtag is letters, digits or _')).default([]),
});
type Options = z.infer<typeof options>;

interface Cursor {
  /** Newest status id stored. */
  sinceId: string;
}

interface Status {
  id?: unknown;
  created_at?: unknown;
  url?: unknown;
  uri?: unknown;
  content?: unknown;
  spoiler_text?: unknown;
  language?: unknown;
  replies_count?: unknown;
  reblogs_count?: unknown;
  favourites_count?: unknown;
  reblog?: unknown;
  account?: { acct?: unknown; followers_count?: unknown };
}

/** The `rel="next"` URL of a Link header. */
export function nextLink(link: string | undefined): string | null {
  if (!link) return null;
  for (const part of link.split(/,\s*(?=<)/)) {
    const m = /<([^>]+)>\s*;(.*)/.exec(part.trim());
    if (m && /rel="?next"?/.test(m[2]!)) return m[1]!;
  }
  return null;
}

const str = (v: unknown): string | null => (typeof v === 'string' && v !== '' ? v : null);

/** The Mastodon collector. */
export const mastodon: Collector<Options, Cursor> = {
  type: 'mastodon',
  description: 'Mastodon public hashtag timelines on one instance; also full-text status search when MASTODON_TOKEN is set.',
  defaultSchedule: '*/10 * * * *',
  options,
  emits: 'id = status id; url; author = acct with followers as reach; text = content as plain text (spoiler as title); language; likes, replies, shares = boosts.',
  unhealthyWhen: 'a run fails, or the instance rate-limits (x-ratelimit-reset)',
  plan(ctx) {
    const brands = brandsToSearch(ctx.brands, ctx.source.brand);
    let tags = ctx.source.options.hashtags.map((t) => t.replace(/^#/, '').toLowerCase());
    if (tags.length === 0) tags = [...new Set(brands.flatMap((b) => b.terms).filter((t) => /^[\p{L}\p{N}_]+$/u.test(t)).map((t) => t.toLowerCase()))];
    const tasks: CollectTask[] = tags.map((tag) => ({
      key: `tag:${tag}`,
      params: { kind: 'tag', tag },
      filter: ctx.source.brand ? { kind: 'brand', brand: ctx.source.brand } : { kind: 'any' },
    }));
    if (ctx.env.MASTODON_TOKEN) {
      for (const b of brands) {
        const q = b.terms.join(' OR ');
        tasks.push({ key: `search:${q}`, params: { kind: 'search', q }, filter: { kind: 'brand', brand: b.name } });
      }
    }
    return tasks;
  },
  async *fetch(ctx, task, cursor) {
    const base = ctx.source.baseUrl ?? DEFAULT_BASE;
    const token = ctx.env.MASTODON_TOKEN;
    const headers: Record<string, string> = token && task.params.kind === 'search' ? { Authorization: `Bearer ${token}` } : {};
    const floorTime = ctx.now().getTime() - ctx.source.backfillDays * 86400_000;
    const isOld = (s: Status): boolean =>
      (cursor !== null && typeof s.id === 'string' && compareIds(s.id, cursor.sinceId) <= 0) ||
      (cursor === null && typeof s.created_at === 'string' && Date.parse(s.created_at) < floorTime);
    let newest = cursor?.sinceId ?? null;
    const limit = Math.min(ctx.source.pageSize ?? 40, 40);
    for await (const page of paginate<Status, string>({
      maxPages: ctx.source.maxPages,
      log: ctx.log,
      label: task.key,
      stop: (items) => items.some(isOld),
      fetchPage: async (next, index) => {
        if (task.params.kind === 'search') {
          const url = `${base}/api/v2/search`;
          const { data } = await ctx.http.getJson<{ statuses?: unknown }>(url, {
            params: { q: String(task.params.q), type: 'statuses', resolve: false, limit, offset: index * limit, ...(cursor ? { min_id: cursor.sinceId } : {}) },
            headers,
          });
          if (!data || !Array.isArray(data.statuses)) throw new ParseError(ctx.source.name, `unexpected response from ${url}: no 'statuses' array`);
          const statuses = data.statuses as Status[];
          return { items: statuses, next: statuses.length >= limit ? String(index + 1) : null };
        }
        const url = next ?? `${base}/api/v1/timelines/tag/${encodeURIComponent(String(task.params.tag))}?limit=${limit}`;
        const { data, response } = await ctx.http.getJson<unknown>(url, { headers });
        if (!Array.isArray(data)) throw new ParseError(ctx.source.name, `unexpected response from ${url}: not an array of statuses`);
        return { items: data as Status[], next: nextLink(response.headers.link) };
      },
    })) {
      const fresh = page.items.filter((s) => !isOld(s));
      for (const s of fresh) if (typeof s.id === 'string' && (newest === null || compareIds(s.id, newest) > 0)) newest = s.id;
      yield { items: fresh, cursor: newest ? { sinceId: newest } : null };
    }
  },
  normalise(item): RawMention {
    const outer = item as Status;
    const s = (outer.reblog && typeof outer.reblog === 'object' ? outer.reblog : outer) as Status;
    const id = str(s.id);
    if (!id) throw new ParseError('mastodon', 'status without id');
    const published = typeof s.created_at === 'string' ? new Date(s.created_at) : new Date(NaN);
    const followers = s.account?.followers_count;
    return {
      externalId: id,
      url: str(s.url) ?? str(s.uri),
      author: str(s.account?.acct),
      authorReach: typeof followers === 'number' ? followers : null,
      title: str(s.spoiler_text),
      text: htmlToText(str(s.content)),
      language: str(s.language),
      publishedAt: published,
      engagement: engagementOf({ likes: s.favourites_count, replies: s.replies_count, shares: s.reblogs_count }),
      rating: null,
    };
  },
};
