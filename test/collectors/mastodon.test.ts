import nock from 'nock';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { openTestDb, DB_KIND } from '../helpers/db.js';
import type { Db } from '../../db/index.js';
import { runSource } from '../../collectors/run.js';
import { configFrom, depsFor, fastHttp, fixtureHeaders, fixtureJson } from './helpers.js';

const TIMELINE = fixtureJson<Record<string, unknown>[]>('mastodon/timelines_tag_localhost_testinstance_2026.json');
const TL_HEADERS = fixtureHeaders('mastodon/timelines_tag_localhost_testinstance_2026.json');
const SEARCH = fixtureJson<{ statuses: Record<string, unknown>[] }>('mastodon/search_v2_q_halcy_mastodon_social_2025.json');
const TAG = 'fgiztsshwiaqqiztpmmjbtvmescsculuvmgjgopwoeidbcrixp';
let db: Db;
beforeAll(async () => {
  db = await openTestDb();
});
afterAll(async () => db.close());
afterEach(() => nock.cleanAll());

describe(`mastodon collector (${DB_KIND})`, () => {
  it('reads a hashtag timeline, follows the Link header to the end, turns HTML into text, and resumes at the newest id', async () => {
    const config = configFrom(`brands:\n  - name: Toots\n    query: '#${TAG}'\nsources:\n  - name: md\n    type: mastodon\n    baseUrl: http://localhost:3000\n    hashtags: [${TAG}]\n    backfillDays: 3650\n`);
    const deps = await depsFor(db, config);
    const { opts } = fastHttp();
    nock('http://localhost:3000').get(`/api/v1/timelines/tag/${TAG}`).query({ limit: '40' }).reply(200, TIMELINE, TL_HEADERS);
    nock('http://localhost:3000').get(`/api/v1/timelines/tag/${TAG}`).query({ limit: '10', max_id: '117020582177108552' }).reply(200, []);
    const r = await runSource(deps, 'md', opts);
    expect(r).toMatchObject({ status: 'ok', fetched: 10, inserted: 10, skipped: 0 });
    expect(nock.isDone()).toBe(true);
    const m = (await db.query<Record<string, unknown>>(`select * from mentions where external_id = '117020582251615632'`)).rows[0]!;
    expect(m).toMatchObject({
      url: 'http://localhost:3000/@mastodonpy_test_2/117020582251615632',
      author: 'mastodonpy_test_2',
      author_reach: 0,
      title: null,
      text: `Toot number 29! #${TAG}`,
      language: 'ja',
      engagement: { likes: 0, replies: 0, shares: 0 },
    });
    expect((m.published_at as Date).toISOString()).toBe('2026-08-01T13:53:00.550Z');

    nock('http://localhost:3000').get(`/api/v1/timelines/tag/${TAG}`).query(true).reply(200, TIMELINE, TL_HEADERS);
    const again = await runSource(deps, 'md', opts);
    expect(again).toMatchObject({ status: 'ok', fetched: 0, inserted: 0 });
    expect(nock.isDone()).toBe(true); // stopped at the stored id: page 2 was not asked for
  });

  it('searches statuses with MASTODON_TOKEN as a bearer header, never in the URL or the error', async () => {
    const config = configFrom(`brands:\n  - name: halcy\n    query: halcy\nsources:\n  - name: mds\n    type: mastodon\n    hashtags: [halcytag]\n    backfillDays: 3650\n`);
    const deps = await depsFor(db, config);
    const { opts } = fastHttp();
    let auth = '';
    nock('https://mastodon.social').get('/api/v1/timelines/tag/halcytag').query(true).reply(200, []);
    nock('https://mastodon.social')
      .get('/api/v2/search')
      .query((q) => q.q === 'halcy' && q.type === 'statuses')
      .reply(function () {
        auth = String(this.req.headers.authorization);
        return [200, SEARCH];
      });
    const r = await runSource(deps, 'mds', { ...opts, env: { MASTODON_TOKEN: 's3cret-token' } });
    expect(auth).toBe('Bearer s3cret-token');
    expect(r.status).toBe('ok');
    expect(r.inserted).toBe(SEARCH.statuses.filter((s) => /halcy/i.test(String(s.content))).length);
    nock('https://mastodon.social').get('/api/v1/timelines/tag/halcytag').query(true).reply(200, []);
    nock('https://mastodon.social').get('/api/v2/search').query(true).reply(401, { error: 'The access token is invalid' });
    const bad = await runSource(deps, 'mds', { ...opts, env: { MASTODON_TOKEN: 's3cret-token' } });
    expect(bad.status).toBe('partial');
    expect(bad.error).toMatch(/^mds: HTTP 401 for https:\/\/mastodon\.social\/api\/v2\/search\?/);
    expect(bad.error).not.toContain('s3cret');
  });

  it('honours an ISO x-ratelimit-reset on a 429', async () => {
    const config = configFrom(`brands:\n  - name: halcy\n    query: halcy\nsources:\n  - name: mdrl\n    type: mastodon\n    hashtags: [halcy]\n`);
    const deps = await depsFor(db, config);
    const { opts } = fastHttp();
    const reset = new Date(deps.now().getTime() + 2 * 3600_000).toISOString();
    nock('https://mastodon.social').get('/api/v1/timelines/tag/halcy').query(true).reply(429, { error: 'Too many requests' }, { 'x-ratelimit-reset': reset });
    const r = await runSource(deps, 'mdrl', opts);
    expect(r.status).toBe('error');
    expect(r.nextCheckAt!.getTime()).toBeGreaterThanOrEqual(Date.parse(reset));
  });
});
