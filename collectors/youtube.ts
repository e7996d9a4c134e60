/**
 * YouTube comments through the Data API v3 `commentThreads.list`: by `videoIds`, or every thread on a
 * channel (`channelId` → `allThreadsRelatedToChannelId`). The API key comes only from YOUTUBE_API_KEY
 * (never from the config, never logged: URLs in messages have `key=***`). `textOriginal` is the plain
 * text (`textDisplay` is HTML). Pages by `nextPageToken`; ordered by time, stopping at the newest comment
 * time stored. A source with `brand` (own channel) attributes every comment to it; without, the brand
 * queries are applied locally.
 */
import { z } from 'zod';
import { ConfigError, ParseError } from '../errors.js';
import type { RawMention } from '../model.js';
import { paginate } from './paginate.js';
import { engagementOf, htmlToText } from './text.js';
import type { Collector, CollectTask } from './types.js';

const DEFAULT_BASE = 'https://www.googleapis.com';

const options = z
  .looseObject({
    videoIds: z.array(z.string().regex(/^[\w-]{6,20}$/, 'a YouTube video id')).default([]),
    channelId: z.string().regex(/^UC[\w-]{10,}$/, 'a YouTube channel id (UC…)').optional(),
  })
  .refine((o) => o.videoIds.length > 0 || o.channelId !== undefined, { message: 'give videoIds or channelId' });
type Options = z.infer<typeof options>;

interface Cursor {
  /** Newest comment publishedAt stored (ISO). */
  since: string;
}

interface Thread {
  id?: unknown;
  snippet?: {
    videoId?: unknown;
    totalReplyCount?: unknown;
    topLevelComment?: { id?: unknown; snippet?: Record<string, unknown> };
  };
}

const str = (v: unknown): string | null => (typeof v === 'string' && v !== '' ? v : null);
const publishedOf = (t: Thread): string | null => str(t.snippet?.topLevelComment?.snippet?.publishedAt);

/** The YouTube comments collector. */
export const youtube: Collector<Options, Cursor> = {
  type: 'youtube',
  description: 'YouTube comment threads on given videos or on a whole channel (Data API v3; needs YOUTUBE_API_KEY).',
  defaultSchedule: '0 * * * *',
  options,
  emits: 'id = comment id; url = video link with the comment; author = channel name; text = textOriginal; likes, replies.',
  unhealthyWhen: 'YOUTUBE_API_KEY is missing, the quota is exhausted (403), or a run fails',
  plan(ctx) {
    if (!ctx.env.YOUTUBE_API_KEY) throw new ConfigError(`${ctx.source.name}: YOUTUBE_API_KEY is not set: the YouTube Data API needs a key (set it in the environment)`);
    const filter: CollectTask['filter'] = ctx.source.brand ? { kind: 'none' } : { kind: 'any' };
    const tasks: CollectTask[] = ctx.source.options.videoIds.map((v) => ({ key: `video:${v}`, params: { videoId: v }, filter }));
    if (ctx.source.options.channelId) tasks.push({ key: `channel:${ctx.source.options.channelId}`, params: { allThreadsRelatedToChannelId: ctx.source.options.channelId }, filter });
    return tasks;
  },
  async *fetch(ctx, task, cursor) {
    const base = ctx.source.baseUrl ?? DEFAULT_BASE;
    const url = `${base}/youtube/v3/commentThreads`;
    const floor = cursor?.since ?? new Date(ctx.now().getTime() - ctx.source.backfillDays * 86400_000).toISOString();
    const isOld = (t: Thread): boolean => {
      const p = publishedOf(t);
      return p !== null && Date.parse(p) <= Date.parse(floor) && (cursor !== null || Date.parse(p) < Date.parse(floor));
    };
    let newest = cursor?.since ?? null;
    for await (const page of paginate<Thread, string>({
      maxPages: ctx.source.maxPages,
      log: ctx.log,
      label: task.key,
      stop: (items) => items.some(isOld),
      fetchPage: async (token) => {
        const { data } = await ctx.http.getJson<{ items?: unknown; nextPageToken?: unknown }>(url, {
          params: { part: 'snippet', order: 'time', textFormat: 'plainText', maxResults: Math.min(ctx.source.pageSize ?? 100, 100), ...(task.params as Record<string, string>), pageToken: token, key: ctx.env.YOUTUBE_API_KEY },
        });
        if (!data || !Array.isArray(data.items)) throw new ParseError(ctx.source.name, `unexpected response from ${url}: no 'items' array`);
        return { items: data.items as Thread[], next: str(data.nextPageToken) };
      },
    })) {
      const fresh = page.items.filter((t) => !isOld(t));
      for (const t of fresh) {
        const p = publishedOf(t);
        if (p && (newest === null || Date.parse(p) > Date.parse(newest))) newest = p;
      }
      yield { items: fresh, cursor: newest ? { since: newest } : null };
    }
  },
  normalise(item): RawMention {
    const t = item as Thread;
    const c = t.snippet?.topLevelComment;
    const s = c?.snippet;
    const id = str(c?.id) ?? str(t.id);
    if (!id || !s) throw new ParseError('youtube', 'comment thread without a top-level comment');
    const videoId = str(s.videoId) ?? str(t.snippet?.videoId);
    const text = str(s.textOriginal) ?? htmlToText(str(s.textDisplay));
    return {
      externalId: id,
      url: videoId ? `https://www.youtube.com/watch?v=${videoId}&lc=${id}` : null,
      author: str(s.authorDisplayName),
      authorReach: null,
      title: null,
      text,
      language: null,
      publishedAt: new Date(str(s.publishedAt) ?? NaN),
      engagement: engagementOf({ likes: s.likeCount, replies: t.snippet?.totalReplyCount }),
      rating: null,
    };
  },
};
