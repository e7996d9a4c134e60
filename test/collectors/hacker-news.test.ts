import http from 'node:http';
import type { AddressInfo } from 'node:net';
import nock from 'nock';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { openTestDb, DB_KIND } from '../helpers/db.js';
import type { Db } from '../../db/index.js';
import { runSource, collectAll } from '../../collectors/run.js';
import { listSourceHealth } from '../../db/sources.js';
import { configFrom, countRows, depsFor, fastHttp, fixtureJson } from './helpers.js';

const BASE = 'https://hn.algolia.com';
const MCP = fixtureJson<{ hits: Record<string, unknown>[] }>('hackernews/search_story_query_model_context_protocol_2026.json');
const STORY = fixtureJson<{ hits: Record<string, unknown>[] }>('hackernews/search_by_date_story_query_apple_2014.json');
const COMMENT = fixtureJson<{ hits: Record<string, unknown>[] }>('hackernews/search_by_date_comment_query_apple_2014.json');
const page = (hits: unknown[], p: number, nbPages: number) => ({ hits, page: p, nbPages, hitsPerPage: 100 });

let db: Db;
let n = 0;
beforeAll(async () => {
  db = await openTestDb();
});
afterAll(async () => {
  await db.close();
});
afterEach(() => {
  nock.cleanAll();
});

/** A fresh config with one HN source (unique name per test, so cursors and counts are separate). */
function setup(brandYaml: string, extra = '') {
  const name = `hn${++n}`;
  const config = configFrom(`brands:\n${brandYaml}\nsources:\n  - name: ${name}\n    type: hackernews\n    backfillDays: 5000\n${extra}`);
  return { name, config };
}

const MCP_BRAND = `  - name: MCP\n    query: '"model context protocol" OR mcp'`;

describe(`hacker news collector (${DB_KIND})`, () => {
  it('stores every story of the real response with its fields normalised, and a second run adds nothing', async () => {
    const { name, config } = setup(MCP_BRAND);
    const deps = await depsFor(db, config);
    const { opts } = fastHttp();
    const seen: URLSearchParams[] = [];
    nock(BASE)
      .get('/api/v1/search_by_date')
      .query((q) => (seen.push(new URLSearchParams(q as Record<string, string>)), true))
      .reply(200, { ...MCP, page: 0, nbPages: 1 });
    const r = await runSource(deps, name, opts);
    expect(r).toMatchObject({ status: 'ok', fetched: 10, skipped: 0, error: null });
    expect(r.inserted + r.filtered).toBe(10);
    expect(seen[0]!.get('query')).toBe('model context protocol mcp');
    expect(seen[0]!.get('optionalWords')).toBe('model context protocol mcp');
    expect(seen[0]!.get('tags')).toBe('(story,comment)');
    expect(seen[0]!.get('numericFilters')).toMatch(/^created_at_i>\d+$/);

    const row = (await db.query<Record<string, unknown>>(
      `select m.* from mentions m join sources s on s.id = m.source_id where s.name = $1 and external_id = '42237424'`, [name])).rows[0]!;
    expect(row).toMatchObject({
      url: 'https://news.ycombinator.com/item?id=42237424',
      author: 'benocodes',
      author_reach: null,
      title: 'Model Context Protocol',
      text: 'Model Context Protocol',
      language: null,
      rating: null,
      engagement: { score: 872, replies: 258 },
    });
    expect((row.published_at as Date).toISOString()).toBe('2024-11-25T16:14:22.000Z');

    // second run: the cursor asks only for newer items
    const newest = Math.max(...MCP.hits.map((h) => h.created_at_i as number));
    let filter = '';
    nock(BASE).get('/api/v1/search_by_date').query((q) => ((filter = String(q.numericFilters)), true)).reply(200, page([], 0, 0));
    const again = await runSource(deps, name, opts);
    expect(filter).toBe(`created_at_i>${newest}`);
    expect(again).toMatchObject({ status: 'ok', inserted: 0 });
    expect(await countRows(db, 'mentions m join sources s on s.id = m.source_id', 's.name = $1', [name])).toBe(r.inserted);
  });

  it('turns comment HTML into text, keeps only hits the full brand query matches, and pages to the end', async () => {
    // "applauded" made Algolia return the comment for "apple"; the brand query rejects it locally.
    const { name, config } = setup(`  - name: Apple\n    query: 'apple'\n  - name: Starbucks\n    query: 'starbucks'`);
    const deps = await depsFor(db, config);
    const { opts } = fastHttp();
    nock(BASE).get('/api/v1/search_by_date').query((q) => q.query === 'apple' && q.page === '0').reply(200, { ...STORY, page: 0, nbPages: 2 });
    nock(BASE).get('/api/v1/search_by_date').query((q) => q.query === 'apple' && q.page === '1').reply(200, { ...COMMENT, page: 1, nbPages: 2 });
    nock(BASE).get('/api/v1/search_by_date').query((q) => q.query === 'starbucks' && q.page === '0').reply(200, { ...COMMENT, page: 0, nbPages: 1 });
    const [r] = await collectAll(deps, { source: name, ...opts });
    expect(r).toMatchObject({ status: 'ok', fetched: 3, inserted: 2, filtered: 1, duplicates: 0 });
    const c = (await db.query<{ text: string; title: string | null; author: string }>(`select text, title, author from mentions where external_id = '7919418'`)).rows[0]!;
    expect(c.title).toBeNull();
    expect(c.author).toBe('fleitz');
    expect(c.text).toContain("they aren't contributing to the scholarship they do pay tuition");
    expect(c.text).toContain('Starbucks/Wal-Mart than Lockheed Martin.');
    expect(c.text).not.toMatch(/<|&#x/);
  });

  it('waits out a 429 with Retry-After, retries a 500, and stores each mention once', async () => {
    const { name, config } = setup(MCP_BRAND);
    const deps = await depsFor(db, config);
    const { opts, sleeps } = fastHttp();
    nock(BASE).get('/api/v1/search_by_date').query(true).reply(429, 'slow down', { 'Retry-After': '2' });
    nock(BASE).get('/api/v1/search_by_date').query(true).reply(500, 'oops');
    nock(BASE).get('/api/v1/search_by_date').query(true).reply(200, { ...MCP, page: 0, nbPages: 1 });
    const r = await runSource(deps, name, opts);
    expect(r.status).toBe('ok');
    expect(sleeps[0]).toBe(2000);
    expect(sleeps[1]).toBe(500); // backoff after the 2nd attempt: jitter 0.5 × (500 ms × 2)
    expect(r.inserted).toBeGreaterThan(0);
    expect(nock.isDone()).toBe(true);
  });

  it('a long Retry-After ends the run and moves next_check_at past it, without waiting', async () => {
    const { name, config } = setup(MCP_BRAND);
    const deps = await depsFor(db, config);
    const { opts, sleeps } = fastHttp();
    nock(BASE).get('/api/v1/search_by_date').query(true).reply(429, '', { 'Retry-After': '3600' });
    const r = await runSource(deps, name, opts);
    expect(r.status).toBe('error');
    expect(r.error).toMatch(new RegExp(`^${name}: rate limited for https://hn.algolia.com/api/v1/search_by_date\\?.* retry in \\d+ s$`));
    expect(sleeps).toEqual([]);
    expect(r.nextCheckAt!.getTime()).toBeGreaterThanOrEqual(deps.now().getTime() + 3600_000);
    const h = (await listSourceHealth(db, deps.now())).find((x) => x.name === name)!;
    expect(h).toMatchObject({ status: 'failing', consecutiveErrors: 1, lastRunStatus: 'error' });
    expect(h.lastError).toContain('rate limited');
  });

  it('retries a timeout, and reports one that persists', async () => {
    const { name, config } = setup(MCP_BRAND, '    timeoutMs: 100\n');
    const deps = await depsFor(db, config);
    const { opts } = fastHttp();
    nock(BASE).get('/api/v1/search_by_date').query(true).delay(400).reply(200, { ...MCP, page: 0, nbPages: 1 });
    nock(BASE).get('/api/v1/search_by_date').query(true).reply(200, { ...MCP, page: 0, nbPages: 1 });
    expect(await runSource(deps, name, opts)).toMatchObject({ status: 'ok' });
    nock(BASE).get('/api/v1/search_by_date').query(true).times(4).delay(400).reply(200, {});
    const r = await runSource(deps, name, opts);
    expect(r.status).toBe('error');
    expect(r.error).toMatch(/timed out after 100 ms/);
  });

  it('keeps page 1 when page 2 is malformed JSON, does not advance the cursor, and the next run completes', async () => {
    const { name, config } = setup(`  - name: Apple\n    query: 'apple OR starbucks'`);
    const deps = await depsFor(db, config);
    const { opts } = fastHttp();
    nock(BASE).get('/api/v1/search_by_date').query((q) => q.page === '0').reply(200, { ...STORY, page: 0, nbPages: 2 });
    nock(BASE).get('/api/v1/search_by_date').query((q) => q.page === '1').reply(200, '{"hits": [', { 'Content-Type': 'application/json' });
    const r = await runSource(deps, name, opts);
    expect(r).toMatchObject({ status: 'partial', inserted: 1 });
    expect(r.error).toMatch(new RegExp(`^${name}: malformed JSON from https://hn.algolia.com/api/v1/search_by_date`));
    expect(await countRows(db, 'source_cursors c join sources s on s.id = c.source_id', 's.name = $1', [name])).toBe(0);
    let filter = '';
    nock(BASE).get('/api/v1/search_by_date').query((q) => q.page === '0' && ((filter = String(q.numericFilters)), true)).reply(200, { ...STORY, page: 0, nbPages: 2 });
    nock(BASE).get('/api/v1/search_by_date').query((q) => q.page === '1').reply(200, { ...COMMENT, page: 1, nbPages: 2 });
    const r2 = await runSource(deps, name, opts);
    expect(filter).not.toBe('created_at_i>1403235346');
    expect(r2).toMatchObject({ status: 'ok', inserted: 1, duplicates: 1 });
  });

  it('stops on an empty page, on a repeated page, and skips a malformed hit with a count', async () => {
    const { name, config } = setup(`  - name: Apple\n    query: 'apple OR starbucks'`);
    const deps = await depsFor(db, config);
    const { opts } = fastHttp();
    const broken = { ...COMMENT.hits[0], objectID: undefined };
    // the service keeps answering "page 0 of 5": the loop must not spin
    nock(BASE).get('/api/v1/search_by_date').query(true).times(2).reply(200, { hits: [STORY.hits[0], broken], page: 0, nbPages: 5 });
    const r = await runSource(deps, name, opts);
    expect(r).toMatchObject({ status: 'ok', fetched: 4, inserted: 1, duplicates: 1, skipped: 2 });
    nock(BASE).get('/api/v1/search_by_date').query(true).reply(200, page([], 0, 0));
    expect(await runSource(deps, name, opts)).toMatchObject({ status: 'ok', fetched: 0 });
  });

  it('refuses an oversized body', async () => {
    const { name, config } = setup(MCP_BRAND);
    const deps = await depsFor(db, config);
    const { opts } = fastHttp();
    nock(BASE).get('/api/v1/search_by_date').query(true).reply(200, { ...MCP, page: 0, nbPages: 1 });
    const r = await runSource(deps, name, { ...opts, http: { ...opts.http, maxBodyBytes: 4096 } });
    expect(r.status).toBe('error');
    expect(r.error).toMatch(/larger than 4096 bytes: refused/);
  });

  it('stores what a local server on 127.0.0.1 returns when baseUrl points at it', async () => {
    const server = http.createServer((req, res) => {
      const u = new URL(req.url!, 'http://x');
      res.setHeader('Content-Type', 'application/json');
      res.end(JSON.stringify(u.pathname === '/api/v1/search_by_date' ? { ...MCP, page: 0, nbPages: 1 } : {}));
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const port = (server.address() as AddressInfo).port;
    try {
      const { name, config } = setup(MCP_BRAND, `    baseUrl: http://127.0.0.1:${port}\n`);
      const deps = await depsFor(db, config);
      const { opts } = fastHttp();
      const r = await runSource(deps, name, opts);
      expect(r.status).toBe('ok');
      expect(r.inserted).toBe(MCP.hits.filter((h) => /model context protocol|mcp/i.test(String(h.title))).length);
    } finally {
      server.close();
    }
  });
});
