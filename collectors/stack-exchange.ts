/**
 * Stack Exchange questions through `/2.3/search/advanced` on one `site` (default stackoverflow): each
 * brand's terms OR-ed in `q`, newest first (`sort=creation`), `fromdate` = the newest creation time
 * stored (or the backfill depth), paged by `page` while `has_more`. Titles and names are entity-encoded
 * and decoded here. The body's `backoff` (seconds) is obeyed before the next request; a quota_remaining of
 * 0 ends the run. STACKEXCHANGE_KEY, when set, raises the quota (sent as `key`, redacted in messages).
 */
import { z } from 'zod';
import { ParseError, RateLimitedError } from '../errors.js';
import type { RawMention } from '../model.js';
import { paginate } from './paginate.js';
import { brandsToSearch, orQuery } from './query-terms.js';
import { decodeEntities, engagementOf, htmlToText } from './text.js';
import type { Collector, CollectTask } from './types.js';

const DEFAULT_BASE = 'https://api.stackexchange.com';

const options = z.looseObject({
  site: z.string().regex(/^[a-z.]+$/, 'a Stack Exchange site name such as stackoverflow').default('stackoverflow'),
});
type Options = z.infer<typeof options>;

interface Cursor {
  /** Newest creation_date stored (seconds). */
  since: number;
}

interface Question {
  question_id?: unknown;
  title?: unknown;
  body?: unknown;
  link?: unknown;
  owner?: { display_name?: unknown; reputation?: unknown };
  creation_date?: unknown;
  score?: unknown;
  answer_count?: unknown;
  view_count?: unknown;
}

/** The Stack Exchange collector. */
export const stackExchange: Collector<Options, Cursor> = {
  type: 'stackexchange',
  description: 'Stack Exchange questions matching the brand terms on one site (search/advanced; optional STACKEXCHANGE_KEY for more quota).',
  defaultSchedule: '0 */2 * * *',
  options,
  emits: 'id = question id; url = link; author = display name with reputation as reach; title; text = body (or title); score, replies = answers, views.',
  unhealthyWhen: 'a run fails, or the quota is used up (quota_remaining 0) or the API sets backoff',
  plan(ctx) {
    return brandsToSearch(ctx.brands, ctx.source.brand).map((b): CollectTask => {
      const q = orQuery(b.terms);
      return { key: `q:${ctx.source.options.site}:${q}`, params: { q }, filter: { kind: 'brand', brand: b.name } };
    });
  },
  async *fetch(ctx, task, cursor) {
    const base = ctx.source.baseUrl ?? DEFAULT_BASE;
    const url = `${base}/2.3/search/advanced`;
    const from = cursor ? cursor.since + 1 : Math.floor(ctx.now().getTime() / 1000 - ctx.source.backfillDays * 86400);
    let newest = cursor?.since ?? 0;
    let backoffMs = 0;
    for await (const page of paginate<Question, number>({
      maxPages: ctx.source.maxPages,
      log: ctx.log,
      label: task.key,
      fetchPage: async (p) => {
        if (backoffMs > 0) {
          ctx.log.info({ backoff_ms: backoffMs }, 'stackexchange: obeying backoff');
          await ctx.http.options.sleep(backoffMs);
        }
        const { data } = await ctx.http.getJson<{ items?: unknown; has_more?: unknown; backoff?: unknown; quota_remaining?: unknown }>(url, {
          params: { order: 'desc', sort: 'creation', q: String(task.params.q), site: ctx.source.options.site, fromdate: from, pagesize: Math.min(ctx.source.pageSize ?? 100, 100), page: p ?? 1, filter: 'withbody', key: ctx.env.STACKEXCHANGE_KEY },
        });
        if (!data || !Array.isArray(data.items)) throw new ParseError(ctx.source.name, `unexpected response from ${url}: no 'items' array`);
        backoffMs = typeof data.backoff === 'number' ? data.backoff * 1000 : 0;
        const more = data.has_more === true && data.quota_remaining !== 0;
        if (data.has_more === true && data.quota_remaining === 0) {
          throw new RateLimitedError(ctx.source.name, url, new Date(ctx.now().getTime() + 24 * 3600_000));
        }
        return { items: data.items as Question[], next: more ? (p ?? 1) + 1 : null };
      },
    })) {
      for (const q of page.items) if (typeof q.creation_date === 'number' && q.creation_date > newest) newest = q.creation_date;
      yield { items: page.items, cursor: newest > 0 ? { since: newest } : cursor };
    }
  },
  normalise(item): RawMention {
    const q = item as Question;
    if (typeof q.question_id !== 'number') throw new ParseError('stackexchange', 'item without question_id');
    if (typeof q.creation_date !== 'number') throw new ParseError('stackexchange', `question ${q.question_id}: no creation_date`);
    const title = typeof q.title === 'string' ? decodeEntities(q.title) : null;
    const body = typeof q.body === 'string' ? htmlToText(q.body) : '';
    return {
      externalId: String(q.question_id),
      url: typeof q.link === 'string' ? q.link : null,
      author: typeof q.owner?.display_name === 'string' ? decodeEntities(q.owner.display_name) : null,
      authorReach: typeof q.owner?.reputation === 'number' ? q.owner.reputation : null,
      title,
      text: body || title || '',
      language: null,
      publishedAt: new Date(q.creation_date * 1000),
      engagement: engagementOf({ score: q.score, replies: q.answer_count, views: q.view_count }),
      rating: null,
    };
  },
};
