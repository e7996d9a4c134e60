/**
 * Hacker News through the Algolia search API (`/api/v1/search_by_date`): stories and comments, newest
 * first. Each brand's terms go in as one query with every word optional (Algolia's way of saying OR);
 * the brand's full query is applied to each hit afterwards. Incremental with
 * `numericFilters=created_at_i>{cursor}`; pages by `page` until `nbPages`.
 */
import { z } from 'zod';
import { ParseError } from '../errors.js';
import type { RawMention } from '../model.js';
import { paginate } from './paginate.js';
import { engagementOf, htmlToText } from './text.js';
import type { Collector, CollectorContext, CollectTask } from './types.js';

const DEFAULT_BASE = 'https://hn.algolia.com';

const options = z.looseObject({
  /** `story`, `comment`, or both (default). */
  tags: z.array(z.enum(['story', 'comment'])).min(1).default(['story', 'comment']),
});
type Options = z.infer<typeof options>;

/** Newest `created_at_i` stored for one query. */
interface Cursor {
  since: number;
}

interface Hit {
  objectID?: unknown;
  created_at?: unknown;
  created_at_i?: unknown;
  title?: unknown;
  url?: unknown;
  author?: unknown;
  points?: unknown;
  story_text?: unknown;
  comment_text?: unknown;
  num_comments?: unknown;
  story_id?: unknown;
  story_title?: unknown;
  parent_id?: unknown;
  _tags?: unknown;
}

interface SearchPage {
  hits?: unknown;
  page?: unknown;
  nbPages?: unknown;
}

const str = (v: unknown): string | null => (typeof v === 'string' && v !== '' ? v : null);

/** The Hacker News collector. */
export const hackerNews: Collector<Options, Cursor> = {
  type: 'hackernews',
  description: 'Hacker News stories and comments, through the Algolia search API (no key needed).',
  defaultSchedule: '*/15 * * * *',
  options,
  emits: 'id = Algolia objectID; url = the HN item; title (stories); text = story or comment text as plain text; engagement.score = points, replies = comments.',
  unhealthyWhen: 'a run fails (HTTP error, malformed JSON) or hn.algolia.com rate-limits the host',
  plan(ctx) {
    const brands = ctx.source.brand ? ctx.brands.filter((b) => b.name === ctx.source.brand) : ctx.brands;
    return brands.map((b) => {
      const words = b.terms.join(' ');
      return { key: `q:${words}`, params: { query: words }, filter: { kind: 'brand', brand: b.name } } satisfies CollectTask;
    });
  },
  async *fetch(ctx, task, cursor) {
    const base = ctx.source.baseUrl ?? DEFAULT_BASE;
    const since = cursor?.since ?? Math.floor(ctx.now().getTime() / 1000 - ctx.source.backfillDays * 86400);
    const query = String(task.params.query);
    const tags = ctx.source.options.tags.length === 1 ? ctx.source.options.tags[0]! : `(${ctx.source.options.tags.join(',')})`;
    let newest = cursor?.since ?? 0;
    for await (const page of paginate<Hit, number>({
      maxPages: ctx.source.maxPages,
      log: ctx.log,
      label: task.key,
      fetchPage: async (p) => {
        const { data } = await ctx.http.getJson<SearchPage>(`${base}/api/v1/search_by_date`, {
          params: {
            query,
            optionalWords: query,
            tags,
            numericFilters: `created_at_i>${since}`,
            hitsPerPage: Math.min(ctx.source.pageSize ?? 100, 1000),
            page: p ?? 0,
          },
        });
        if (!data || typeof data !== 'object' || !Array.isArray(data.hits)) {
          throw new ParseError(ctx.source.name, `unexpected response from ${base}/api/v1/search_by_date: no 'hits' array`);
        }
        const current = typeof data.page === 'number' ? data.page : (p ?? 0);
        const nbPages = typeof data.nbPages === 'number' ? data.nbPages : 0;
        return { items: data.hits as Hit[], next: current + 1 < nbPages ? current + 1 : null };
      },
    })) {
      for (const h of page.items) if (typeof h?.created_at_i === 'number' && h.created_at_i > newest) newest = h.created_at_i;
      yield { items: page.items, cursor: newest > 0 ? { since: newest } : cursor };
    }
  },
  normalise(item, _ctx: CollectorContext<Options>): RawMention {
    const h = item as Hit;
    const id = typeof h.objectID === 'string' || typeof h.objectID === 'number' ? String(h.objectID) : null;
    if (!id) throw new ParseError('hackernews', 'hit without objectID');
    const tags = Array.isArray(h._tags) ? (h._tags as unknown[]) : [];
    const isComment = tags.includes('comment') || (typeof h.comment_text === 'string' && h.comment_text !== '');
    const publishedAt = typeof h.created_at_i === 'number' ? new Date(h.created_at_i * 1000) : new Date(String(h.created_at ?? ''));
    const title = isComment ? null : str(h.title);
    const body = htmlToText(str(isComment ? h.comment_text : h.story_text));
    return {
      externalId: id,
      url: `https://news.ycombinator.com/item?id=${id}`,
      author: str(h.author),
      authorReach: null,
      title,
      text: body || title || '',
      language: null,
      publishedAt,
      engagement: engagementOf({ score: h.points, replies: h.num_comments }),
      rating: null,
    };
  },
};
