import nock from 'nock';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { openTestDb, DB_KIND } from '../helpers/db.js';
import type { Db } from '../../db/index.js';
import { runSource } from '../../collectors/run.js';
import { configFrom, depsFor, fastHttp, fixtureJson } from './helpers.js';

const SEARCH = fixtureJson<{ kind: string; data: { children: { kind: string; data: Record<string, unknown> }[]; after: string | null } }>('reddit/search_r_all_praw_oauth_2016.json');
const COMMENTS = fixtureJson<{ kind: string; data: { children: { data: Record<string, unknown> }[]; after: string | null } }>('reddit/subreddit_comments_kakapo_2017.json');
const BASE = 'https://www.reddit.com';
let db: Db;
beforeAll(async () => {
  db = await openTestDb();
});
afterAll(async () => db.close());
afterEach(() => nock.cleanAll());

describe(`reddit collector (${DB_KIND})`, () => {
  it('searches posts with the OR-ed brand terms, pages by after, normalises each field, and a second run adds nothing', async () => {
    const config = configFrom(`brands:\n  - name: PRAW\n    query: '(praw OR "oauth2util") NOT spam'\nsources:\n  - name: rd\n    type: reddit\n    backfillDays: 10000\n`);
    const deps = await depsFor(db, config);
    const { opts } = fastHttp();
    const queries: Record<string, string>[] = [];
    const [first, ...rest] = SEARCH.data.children;
    nock(BASE).get('/search.json').query((q) => (queries.push(q as Record<string, string>), !q.after)).reply(200, { kind: 'Listing', data: { ...SEARCH.data, children: [first], after: 't3_3gpbiu' } });
    nock(BASE).get('/search.json').query((q) => q.after === 't3_3gpbiu').reply(200, { kind: 'Listing', data: { ...SEARCH.data, children: rest, after: null } });
    const r = await runSource(deps, 'rd', opts);
    expect(queries[0]).toMatchObject({ q: 'praw OR oauth2util', sort: 'new', raw_json: '1', limit: '100' });
    expect(r).toMatchObject({ status: 'ok', fetched: 6, skipped: 0 });
    expect(r.inserted).toBe(6);
    expect(r.filtered).toBe(0);
    const m = (await db.query<Record<string, unknown>>(`select * from mentions where external_id = 't3_3gpbiu'`)).rows[0]!;
    expect(m).toMatchObject({
      url: 'https://www.reddit.com/r/redditdev/comments/3gpbiu/prawoauth2util_problem_using_get_banned_raise/',
      author: 'dClauzel',
      title: '[PRAW][OAuth2Util] Problem using get_banned() : raise Forbidden(_raw=response)',
      engagement: { score: 0, replies: 21 },
      rating: null,
    });
    expect((m.text as string).startsWith('# solved\n\nProblem solved with this:')).toBe(true);
    expect((m.published_at as Date).toISOString()).toBe('2015-08-12T09:08:34.000Z');

    nock(BASE).get('/search.json').query(true).reply(200, SEARCH);
    const again = await runSource(deps, 'rd', opts);
    expect(again).toMatchObject({ status: 'ok', fetched: 0, inserted: 0 });
  });

  it('reads a subreddit comment stream and keeps the comments a brand query matches', async () => {
    // "kakapo*": the one comment that names the bird says "kakaportrait"
    const config = configFrom(`brands:\n  - name: Kakapo\n    query: 'kakapo*'\nsources:\n  - name: rdc\n    type: reddit\n    subreddits: [kakapo]\n    backfillDays: 10000\n`);
    const deps = await depsFor(db, config);
    const { opts } = fastHttp();
    nock(BASE).get('/search.json').query(true).reply(200, { kind: 'Listing', data: { children: [], after: null } });
    nock(BASE).get('/r/kakapo/comments.json').query(true).reply(200, COMMENTS);
    const r = await runSource(deps, 'rdc', opts);
    expect(r).toMatchObject({ status: 'ok', fetched: 16, inserted: 1, filtered: 15 });
    const body = COMMENTS.data.children.find((c) => String(c.data.body).toLowerCase().includes('kakapo'))!.data;
    const m = (await db.query<Record<string, unknown>>(`select * from mentions where external_id = $1`, [body.name])).rows[0]!;
    expect(m).toMatchObject({ text: body.body, author: body.author, title: null });
    expect(m.url).toMatch(/^https:\/\/www\.reddit\.com\/r\/kakapo\/comments\//);
  });

  it('fails the run with a clear error when the body is not a Listing', async () => {
    const config = configFrom(`brands:\n  - name: PRAW\n    query: praw\nsources:\n  - name: rdbad\n    type: reddit\n`);
    const deps = await depsFor(db, config);
    const { opts } = fastHttp();
    nock(BASE).get('/search.json').query(true).reply(200, { error: 'nope' });
    const r = await runSource(deps, 'rdbad', opts);
    expect(r).toMatchObject({ status: 'error', error: 'rdbad: unexpected response from https://www.reddit.com/search.json: not a Listing' });
  });
});
