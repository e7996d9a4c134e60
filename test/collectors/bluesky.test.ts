import nock from 'nock';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { openTestDb, DB_KIND } from '../helpers/db.js';
import type { Db } from '../../db/index.js';
import { runSource } from '../../collectors/run.js';
import { configFrom, countRows, depsFor, fastHttp, fixtureHeaders, fixtureJson } from './helpers.js';

const SEARCH = fixtureJson<{ posts: Record<string, unknown>[]; cursor: string }>('bluesky/searchPosts_q_redistricting_2025.json');
const HEADERS = fixtureHeaders('bluesky/searchPosts_q_redistricting_2025.json');
const BASE = 'https://api.bsky.app';
let db: Db;
beforeAll(async () => {
  db = await openTestDb();
});
afterAll(async () => db.close());
afterEach(() => nock.cleanAll());

const yaml = (name: string) => `brands:\n  - name: Redistricting\n    query: redistricting\nsources:\n  - name: ${name}\n    type: bluesky\n    backfillDays: 3650\n`;

describe(`bluesky collector (${DB_KIND})`, () => {
  it('searches, pages by cursor to the end, normalises each field, and the next run asks only for newer posts', async () => {
    const deps = await depsFor(db, configFrom(yaml('bs')));
    const { opts } = fastHttp();
    const seen: Record<string, string>[] = [];
    nock(BASE).get('/xrpc/app.bsky.feed.searchPosts').query((q) => (seen.push(q as Record<string, string>), !q.cursor)).reply(200, SEARCH, HEADERS);
    nock(BASE).get('/xrpc/app.bsky.feed.searchPosts').query((q) => q.cursor === '25').reply(200, { posts: [] });
    const r = await runSource(deps, 'bs', opts);
    expect(seen[0]).toMatchObject({ q: 'redistricting', sort: 'latest', limit: '100' });
    expect(r).toMatchObject({ status: 'ok', fetched: 25, skipped: 0 });
    expect(r.inserted + r.filtered).toBe(25);
    expect(r.inserted).toBe(SEARCH.posts.filter((p) => /redistricting/i.test(String((p.record as { text: string }).text))).length);
    const m = (await db.query<Record<string, unknown>>(`select * from mentions where external_id = 'at://did:plc:kkergqgbhb56ptpwj2wenkje/app.bsky.feed.post/3lpk2u6qo222m'`)).rows[0]!;
    expect(m).toMatchObject({
      url: 'https://bsky.app/profile/socpaperbot.bsky.social/post/3lpk2u6qo222m',
      author: 'socpaperbot.bsky.social',
      title: null,
      language: null,
      engagement: { likes: 0, replies: 0, shares: 0 },
    });
    expect(m.text).toMatch(/^Ends Versus Means: Public Opinion on Congressional Redistricting https:\/\/osf\.io\/v87fn/);
    expect((m.published_at as Date).toISOString()).toBe('2025-05-19T17:10:09.561Z');

    const newest = SEARCH.posts.map((p) => String((p.record as { createdAt: string }).createdAt)).sort().at(-1);
    let since = '';
    nock(BASE).get('/xrpc/app.bsky.feed.searchPosts').query((q) => ((since = String(q.since)), true)).reply(200, SEARCH, HEADERS);
    nock(BASE).get('/xrpc/app.bsky.feed.searchPosts').query((q) => q.cursor === '25').reply(200, { posts: [] });
    const again = await runSource(deps, 'bs', opts);
    expect(since).toBe(newest);
    expect(again).toMatchObject({ status: 'ok', inserted: 0 });
  });

  it('stops when the service repeats its cursor, storing each post once', async () => {
    const deps = await depsFor(db, configFrom(yaml('bsrep')));
    const { opts } = fastHttp();
    nock(BASE).get('/xrpc/app.bsky.feed.searchPosts').query(true).times(2).reply(200, SEARCH, HEADERS);
    const r = await runSource(deps, 'bsrep', opts);
    expect(r.status).toBe('ok');
    expect(r.fetched).toBe(50);
    expect(r.duplicates).toBe(r.inserted);
  });

  it('a 429 with an epoch RateLimit-Reset moves the next check to that time', async () => {
    const deps = await depsFor(db, configFrom(yaml('bsrl')));
    const { opts } = fastHttp();
    const reset = Math.floor(deps.now().getTime() / 1000) + 3000;
    nock(BASE).get('/xrpc/app.bsky.feed.searchPosts').query(true).reply(429, { error: 'RateLimitExceeded' }, { 'RateLimit-Reset': String(reset), 'RateLimit-Policy': '3000;w=300' });
    const r = await runSource(deps, 'bsrl', opts);
    expect(r.status).toBe('error');
    expect(r.nextCheckAt!.getTime()).toBeGreaterThanOrEqual(reset * 1000);
  });

  it('refuses an oversized page: the run fails as partial, keeps the page stored before it, and leaves the cursor for a re-run', async () => {
    const deps = await depsFor(db, configFrom(yaml('bsbig')));
    const { opts } = fastHttp();
    const first = JSON.stringify(SEARCH);
    const cap = first.length + 1024;
    const huge = JSON.stringify({ posts: [...SEARCH.posts, ...SEARCH.posts, ...SEARCH.posts], cursor: '75' });
    expect(huge.length).toBeGreaterThan(cap);
    nock(BASE).get('/xrpc/app.bsky.feed.searchPosts').query((q) => !q.cursor).reply(200, first, { ...HEADERS, 'content-type': 'application/json' });
    nock(BASE).get('/xrpc/app.bsky.feed.searchPosts').query((q) => q.cursor === '25').reply(200, huge, { 'content-type': 'application/json' });
    const r = await runSource(deps, 'bsbig', { ...opts, http: { ...opts.http, maxBodyBytes: cap, retries: 0 } });
    expect(r.status).toBe('partial');
    expect(r.error).toMatch(new RegExp(`^bsbig: response from https://api\\.bsky\\.app/xrpc/app\\.bsky\\.feed\\.searchPosts\\?q=redistricting&.*cursor=25 is larger than ${cap} bytes: refused$`));
    expect(r.fetched).toBe(25);
    const expected = SEARCH.posts.filter((p) => /redistricting/i.test(String((p.record as { text: string }).text))).length;
    expect(r.inserted).toBe(expected);
    const src = (await db.query<{ id: number }>(`select id from sources where name = 'bsbig'`)).rows[0]!.id;
    expect(await countRows(db, 'mentions', 'source_id = $1', [src])).toBe(expected);
    expect(await countRows(db, 'source_cursors', 'source_id = $1', [src])).toBe(0);
  });
});
