/**
 * Apple App Store customer reviews: the public JSON feed
 * `/{country}/rss/customerreviews/page={n}/id={app}/sortby=mostrecent/json`, one task per
 * `apps: [{id, country, brand}]` entry. Every value in the feed is wrapped as `{label}`; in older feeds
 * `entry[0]` is the app's own metadata, not a review (skipped); per-review `updated` can be missing (the
 * feed's `updated` is used then). Star rating kept. Pages until `rel="last"`, stopping at the newest
 * review id stored (ids grow with time).
 */
import { z } from 'zod';
import { ParseError } from '../errors.js';
import type { RawMention } from '../model.js';
import { paginate } from './paginate.js';
import { compareIds } from './query-terms.js';
import { count, parseTime } from './text.js';
import type { Collector, CollectTask } from './types.js';

const DEFAULT_BASE = 'https://itunes.apple.com';

const options = z.looseObject({
  apps: z
    .array(
      z.strictObject({
        id: z.union([z.string().regex(/^\d+$/, 'an App Store app id is digits'), z.number().int().positive()]).transform(String),
        country: z.string().regex(/^[a-z]{2}$/i, 'a two-letter country code').default('us').transform((s) => s.toLowerCase()),
        brand: z.string().optional(),
      }),
    )
    .min(1, 'give at least one app: apps: [{id, country, brand}]'),
});
type Options = z.infer<typeof options>;

interface Cursor {
  /** Newest review id stored. */
  lastId: string;
}

type Label = { label?: unknown; attributes?: Record<string, unknown> } | undefined;
interface Entry {
  id?: Label;
  title?: Label;
  content?: Label;
  'im:rating'?: Label;
  'im:version'?: Label;
  'im:voteSum'?: Label;
  'im:voteCount'?: Label;
  'im:name'?: Label;
  updated?: Label;
  author?: { name?: Label; uri?: Label };
  link?: unknown;
}
/** An entry with the app and feed context normalise needs. */
interface ReviewItem {
  entry: Entry;
  appId: string;
  country: string;
  feedUpdated: string | null;
}

const label = (v: Label): string | null => (v && typeof v === 'object' && (typeof v.label === 'string' || typeof v.label === 'number') ? String(v.label) : null);

function lastPage(links: unknown): number {
  const ls = Array.isArray(links) ? links : links ? [links] : [];
  for (const l of ls as { attributes?: { rel?: string; href?: string } }[]) {
    if (l?.attributes?.rel === 'last') {
      const m = /page=(\d+)/.exec(l.attributes.href ?? '');
      if (m) return Number(m[1]);
    }
  }
  return 1;
}

/** The App Store reviews collector. */
export const appStore: Collector<Options, Cursor> = {
  type: 'appstore',
  description: 'Apple App Store customer reviews of given apps in given countries (public JSON feed, newest first); the star rating is kept.',
  defaultSchedule: '0 */6 * * *',
  options,
  emits: 'id = review id; author; title; text = review; rating 1–5; language none; url = the app review page; engagement.score = vote sum.',
  unhealthyWhen: 'a run fails or the feed is not the expected JSON',
  plan(ctx) {
    return ctx.source.options.apps.map((a): CollectTask => {
      const brand = a.brand ?? ctx.source.brand ?? undefined;
      return { key: `app:${a.country}:${a.id}`, params: { id: a.id, country: a.country }, filter: brand ? { kind: 'none' } : { kind: 'any' }, ...(brand ? { brandHint: brand } : {}) };
    });
  },
  async *fetch(ctx, task, cursor) {
    const base = ctx.source.baseUrl ?? DEFAULT_BASE;
    const id = String(task.params.id);
    const country = String(task.params.country);
    const seenBefore = (it: ReviewItem): boolean => {
      const rid = label(it.entry.id);
      return cursor !== null && rid !== null && it.entry['im:rating'] !== undefined && compareIds(rid, cursor.lastId) <= 0;
    };
    let newest = cursor?.lastId ?? null;
    for await (const page of paginate<ReviewItem, number>({
      maxPages: ctx.source.maxPages,
      log: ctx.log,
      label: task.key,
      stop: (items) => items.some(seenBefore),
      fetchPage: async (p) => {
        const n = p ?? 1;
        const url = `${base}/${country}/rss/customerreviews/page=${n}/id=${id}/sortby=mostrecent/json`;
        const { data } = await ctx.http.getJson<{ feed?: { entry?: unknown; updated?: Label; link?: unknown } }>(url);
        if (!data || typeof data.feed !== 'object' || data.feed === null) throw new ParseError(ctx.source.name, `unexpected response from ${url}: no 'feed'`);
        const raw = data.feed.entry;
        const entries = (Array.isArray(raw) ? raw : raw ? [raw] : []) as Entry[];
        const feedUpdated = label(data.feed.updated);
        return { items: entries.map((entry) => ({ entry, appId: id, country, feedUpdated })), next: n < lastPage(data.feed.link) ? n + 1 : null };
      },
    })) {
      const fresh = page.items.filter((it) => !seenBefore(it));
      for (const it of fresh) {
        const rid = label(it.entry.id);
        if (rid && it.entry['im:rating'] !== undefined && (newest === null || compareIds(rid, newest) > 0)) newest = rid;
      }
      yield { items: fresh, cursor: newest ? { lastId: newest } : null };
    }
  },
  normalise(item): RawMention | null {
    const { entry, appId, country, feedUpdated } = item as ReviewItem;
    // the app's own metadata entry (older feeds put it first): no rating, has im:name
    if (entry['im:rating'] === undefined && entry['im:name'] !== undefined) return null;
    const id = label(entry.id);
    if (!id) throw new ParseError('appstore', 'review without id');
    const rating = Number(label(entry['im:rating']));
    if (!Number.isInteger(rating)) throw new ParseError('appstore', `review ${id}: no star rating`);
    const published = parseTime(label(entry.updated)) ?? parseTime(feedUpdated);
    const votes = count(label(entry['im:voteSum']));
    return {
      externalId: id,
      url: `https://apps.apple.com/${country}/app/id${appId}?see-all=reviews#review-${id}`,
      author: label(entry.author?.name),
      authorReach: null,
      title: label(entry.title),
      text: label(entry.content) ?? '',
      language: null,
      publishedAt: published ?? new Date(NaN),
      engagement: votes === undefined ? {} : { score: votes },
      rating,
    };
  },
};
