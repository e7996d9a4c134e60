import nock from 'nock';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { openTestDb, DB_KIND } from '../helpers/db.js';
import type { Db } from '../../db/index.js';
import { runSource } from '../../collectors/run.js';
import { configFrom, depsFor, fastHttp, fixtureJson } from './helpers.js';

const APP = fixtureJson<{ feed: { entry: Record<string, unknown>[]; updated: { label: string } } }>('appstore/customerreviews_us_id389801252_mostrecent_2019.json');
const YT = fixtureJson<{ items: Record<string, unknown>[]; nextPageToken: string }>('youtube/commentThreads_list_videoId_F1UP7wRCPH8_2019.json');
const SE = fixtureJson<{ items: Record<string, unknown>[] }>('stackexchange/search_advanced_q_model_context_protocol_2026.json');
let db: Db;
beforeAll(async () => {
  db = await openTestDb();
});
afterAll(async () => db.close());
afterEach(() => nock.cleanAll());

describe(`app store collector (${DB_KIND})`, () => {
  it('stores every review with its rating for the app brand, pages to rel=last, and resumes at the newest review', async () => {
    const config = configFrom(`brands:\n  - name: Instagram\n    query: instagram\nsources:\n  - name: ios\n    type: appstore\n    apps: [{id: 389801252, country: US, brand: Instagram}]\n`);
    const deps = await depsFor(db, config);
    const { opts } = fastHttp();
    const links = (last: number) => [{ attributes: { rel: 'last', href: `https://itunes.apple.com/us/rss/customerreviews/page=${last}/id=389801252/sortby=mostrecent/xml` } }];
    const p1 = { feed: { ...APP.feed, entry: APP.feed.entry.slice(0, 30), link: links(2) } };
    const p2 = { feed: { ...APP.feed, entry: APP.feed.entry.slice(30), link: links(2) } };
    nock('https://itunes.apple.com').get('/us/rss/customerreviews/page=1/id=389801252/sortby=mostrecent/json').reply(200, p1);
    nock('https://itunes.apple.com').get('/us/rss/customerreviews/page=2/id=389801252/sortby=mostrecent/json').reply(200, p2);
    const r = await runSource(deps, 'ios', opts);
    expect(r).toMatchObject({ status: 'ok', fetched: 50, inserted: 50, skipped: 0, filtered: 0 });
    const m = (await db.query<Record<string, unknown>>(`select * from mentions where external_id = '4251087763'`)).rows[0]!;
    expect(m).toMatchObject({ author: 'aurumrose', title: 'Images', text: 'The new update doesn’t allow connect to my photos.', rating: 2, brand_hint: 'Instagram' });
    // no per-review `updated` in this feed: the feed's own time is used
    expect((m.published_at as Date).toISOString()).toBe(new Date(APP.feed.updated.label).toISOString());
    const ratings = await db.query<{ rating: number; n: number }>(`select rating, count(*)::int as n from mentions m join sources s on s.id = m.source_id where s.name = 'ios' group by rating`);
    expect(ratings.rows.reduce((a, x) => a + x.n, 0)).toBe(50);

    nock('https://itunes.apple.com').get('/us/rss/customerreviews/page=1/id=389801252/sortby=mostrecent/json').reply(200, p1);
    expect(await runSource(deps, 'ios', opts)).toMatchObject({ status: 'ok', inserted: 0, fetched: 0 });
    expect(nock.isDone()).toBe(true);
  });

  it('skips the app metadata entry of older feeds, and a review without rating with a count', async () => {
    const config = configFrom(`brands:\n  - name: Instagram\n    query: instagram\nsources:\n  - name: ios2\n    type: appstore\n    brand: Instagram\n    apps: [{id: '389801252'}]\n`);
    const deps = await depsFor(db, config);
    const { opts } = fastHttp();
    const meta = { 'im:name': { label: 'Instagram' }, id: { label: 'https://apps.apple.com/us/app/instagram/id389801252' }, title: { label: 'Instagram - Instagram, Inc.' } };
    const broken = { ...APP.feed.entry[1], 'im:rating': { label: 'five' } };
    nock('https://itunes.apple.com').get('/us/rss/customerreviews/page=1/id=389801252/sortby=mostrecent/json').reply(200, { feed: { ...APP.feed, link: [], entry: [meta, APP.feed.entry[0], broken] } });
    const r = await runSource(deps, 'ios2', opts);
    expect(r).toMatchObject({ status: 'ok', fetched: 2, inserted: 1, skipped: 1 });
  });
});

describe(`youtube collector (${DB_KIND})`, () => {
  it('says clearly that YOUTUBE_API_KEY is missing', async () => {
    const config = configFrom(`brands:\n  - name: X\n    query: x\nsources:\n  - name: ytnokey\n    type: youtube\n    videoIds: [F1UP7wRCPH8]\n`);
    const deps = await depsFor(db, config);
    const r = await runSource(deps, 'ytnokey', fastHttp().opts);
    expect(r).toMatchObject({ status: 'error', error: 'config: ytnokey: YOUTUBE_API_KEY is not set: the YouTube Data API needs a key (set it in the environment)' });
  });

  it('stores comment threads with plain text, pages by nextPageToken, and never shows the key', async () => {
    const config = configFrom(`brands:\n  - name: Google\n    query: google\nsources:\n  - name: yt\n    type: youtube\n    brand: Google\n    videoIds: [F1UP7wRCPH8]\n    backfillDays: 5000\n`);
    const deps = await depsFor(db, config);
    const { opts } = fastHttp();
    const env = { YOUTUBE_API_KEY: 'AIzaSECRET' };
    nock('https://www.googleapis.com').get('/youtube/v3/commentThreads').query((q) => q.videoId === 'F1UP7wRCPH8' && q.key === 'AIzaSECRET' && !q.pageToken).reply(200, YT);
    nock('https://www.googleapis.com').get('/youtube/v3/commentThreads').query((q) => q.pageToken === YT.nextPageToken).reply(200, { items: [] });
    const r = await runSource(deps, 'yt', { ...opts, env });
    expect(r).toMatchObject({ status: 'ok', fetched: 5, inserted: 5 });
    const m = (await db.query<Record<string, unknown>>(`select * from mentions where external_id = 'UgyZ1jqkHKYvi1-ruOZ4AaABAg'`)).rows[0]!;
    expect(m).toMatchObject({ text: 'Google.com', author: 'himani agarwal', url: 'https://www.youtube.com/watch?v=F1UP7wRCPH8&lc=UgyZ1jqkHKYvi1-ruOZ4AaABAg', engagement: { likes: 0, replies: 0 }, brand_hint: 'Google' });
    expect((m.published_at as Date).toISOString()).toBe('2019-11-26T15:51:44.000Z');
    nock('https://www.googleapis.com').get('/youtube/v3/commentThreads').query(true).reply(403, { error: { message: 'quota' } });
    const bad = await runSource(deps, 'yt', { ...opts, env });
    expect(bad.error).toMatch(/HTTP 403 for https:\/\/www\.googleapis\.com\/youtube\/v3\/commentThreads\?.*key=\*\*\*/);
    expect(bad.error).not.toContain('AIzaSECRET');
  });
});

describe(`stack exchange collector (${DB_KIND})`, () => {
  it('decodes entities, pages while has_more, obeys backoff, and resumes from the newest creation date', async () => {
    const config = configFrom(`brands:\n  - name: MCP\n    query: '"model context protocol" OR mcp'\nsources:\n  - name: se\n    type: stackexchange\n    site: stackoverflow\n    backfillDays: 5000\n`);
    const deps = await depsFor(db, config);
    const { opts, sleeps } = fastHttp();
    const seen: Record<string, string>[] = [];
    nock('https://api.stackexchange.com').get('/2.3/search/advanced').query((q) => (seen.push(q as Record<string, string>), q.page === '1')).reply(200, { ...SE, has_more: true, backoff: 3 });
    nock('https://api.stackexchange.com').get('/2.3/search/advanced').query((q) => q.page === '2').reply(200, { items: [], has_more: false, quota_remaining: 297 });
    const r = await runSource(deps, 'se', opts);
    expect(seen[0]).toMatchObject({ q: '"model context protocol" OR mcp', site: 'stackoverflow', sort: 'creation', order: 'desc' });
    expect(sleeps).toContain(3000);
    expect(r).toMatchObject({ status: 'ok', fetched: SE.items.length, skipped: 0 });
    expect(r.inserted + r.filtered).toBe(SE.items.length);
    const m = (await db.query<Record<string, unknown>>(`select * from mentions where external_id = '79646317'`)).rows[0]!;
    expect(m).toMatchObject({
      title: 'Model Context Protocol (MCP) server exits unexpectedly after initial response when integrating with Claude desktop',
      author: 'Masood Ahmad',
      author_reach: 68,
      url: 'https://stackoverflow.com/questions/79646317/model-context-protocol-mcp-server-exits-unexpectedly-after-initial-response-wh',
      engagement: { score: 2, replies: 1, views: 1320 },
    });
    expect((m.published_at as Date).toISOString()).toBe(new Date(1748665466 * 1000).toISOString());
    const encoded = SE.items.find((i) => /&#39;|&quot;|&amp;/.test(String(i.title)));
    if (encoded) {
      const t = (await db.query<{ title: string }>(`select title from mentions where external_id = $1`, [String(encoded.question_id)])).rows[0];
      if (t) expect(t.title).not.toMatch(/&#39;|&quot;|&amp;/);
    }
    const newest = Math.max(...SE.items.map((i) => i.creation_date as number));
    let from = '';
    nock('https://api.stackexchange.com').get('/2.3/search/advanced').query((q) => ((from = String(q.fromdate)), true)).reply(200, { items: [], has_more: false });
    expect(await runSource(deps, 'se', opts)).toMatchObject({ status: 'ok', inserted: 0 });
    expect(from).toBe(String(newest + 1));
  });
});
