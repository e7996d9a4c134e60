/**
 * A source's `concurrency`: that many of its tasks (here: feeds) are fetched at once, never more; the
 * default is one after another. Lanes share the source's rate limit, every item is stored once whatever
 * lane fetched it, and a failing task fails alone. A local server on 127.0.0.1 serves slow RSS feeds and
 * counts the requests in flight.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openTestDb, DB_KIND } from '../helpers/db.js';
import type { Db } from '../../db/index.js';
import { runSource } from '../../collectors/run.js';
import { configFrom, countRows, depsFor, fastHttp } from './helpers.js';

const FEEDS = 6;
const ITEMS = 3;
let db: Db;
let server: http.Server;
let base = '';
let inFlight = 0;
let maxInFlight = 0;
const starts: number[] = [];

function feed(name: string): string {
  const items = Array.from({ length: ITEMS }, (_, i) => `<item><title>Acme news ${name} ${i}</title><link>https://news.example/${name}/${i}</link>` +
    `<guid>https://news.example/${name}/${i}</guid><pubDate>Thu, 19 Nov 2026 1${i}:00:00 GMT</pubDate>` +
    `<description>Acme shipped release ${i} of ${name}, customers say the update is quick</description></item>`).join('');
  return `<?xml version="1.0"?><rss version="2.0"><channel><title>${name}</title><link>https://news.example/${name}</link><description>d</description>${items}</channel></rss>`;
}

beforeAll(async () => {
  db = await openTestDb();
  server = http.createServer((req, res) => {
    inFlight++;
    maxInFlight = Math.max(maxInFlight, inFlight);
    starts.push(Date.now());
    const name = (req.url ?? '/').slice(1);
    setTimeout(() => {
      inFlight--;
      if (name.startsWith('broken')) {
        res.writeHead(404, { 'Content-Type': 'text/plain' }).end('no such feed');
        return;
      }
      res.writeHead(200, { 'Content-Type': 'application/rss+xml' }).end(feed(name));
    }, 120);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  await new Promise<void>((resolve) => server.close(() => resolve()));
  await db.close();
});

const urls = (prefix: string, n = FEEDS): string => `[${Array.from({ length: n }, (_, i) => `${base}/${prefix}${i}`).join(', ')}]`;
const reset = (): void => {
  inFlight = 0;
  maxInFlight = 0;
  starts.length = 0;
};

describe(`source concurrency (${DB_KIND})`, () => {
  it('fetches `concurrency` feeds at once and never more; every item is stored once, and a re-run stores nothing new', async () => {
    const config = configFrom(`brands:\n  - name: Acme\n    query: acme\nsources:\n  - name: wide\n    type: rss\n    concurrency: 3\n    urls: ${urls('wide')}\n`);
    const deps = await depsFor(db, config);
    const { opts } = fastHttp();
    reset();
    const r = await runSource(deps, 'wide', opts);
    expect(r).toMatchObject({ status: 'ok', fetched: FEEDS * ITEMS, inserted: FEEDS * ITEMS, duplicates: 0, skipped: 0 });
    expect(maxInFlight).toBe(3);
    expect(starts).toHaveLength(FEEDS);
    expect(await countRows(db, 'mentions', `url like 'https://news.example/wide%'`)).toBe(FEEDS * ITEMS);
    expect(new Set(r.insertedIds).size).toBe(FEEDS * ITEMS);

    const again = await runSource(deps, 'wide', opts);
    expect(again).toMatchObject({ status: 'ok', inserted: 0 });
    expect(await countRows(db, 'mentions', `url like 'https://news.example/wide%'`)).toBe(FEEDS * ITEMS);
  });

  it('without `concurrency`, fetches one feed at a time', async () => {
    const config = configFrom(`brands:\n  - name: Acme\n    query: acme\nsources:\n  - name: narrow\n    type: rss\n    urls: ${urls('narrow', 3)}\n`);
    const deps = await depsFor(db, config);
    const { opts } = fastHttp();
    reset();
    const r = await runSource(deps, 'narrow', opts);
    expect(r).toMatchObject({ status: 'ok', inserted: 3 * ITEMS });
    expect(maxInFlight).toBe(1);
  });

  it('lanes share the source rate limit: requests start at least 1/rateLimit apart', async () => {
    const config = configFrom(`brands:\n  - name: Acme\n    query: acme\nsources:\n  - name: polite\n    type: rss\n    concurrency: 4\n    rateLimit: 10\n    urls: ${urls('polite', 4)}\n`);
    const deps = await depsFor(db, config);
    reset();
    const r = await runSource(deps, 'polite', { env: {}, http: { random: () => 0.5 } });
    expect(r).toMatchObject({ status: 'ok', inserted: 4 * ITEMS });
    const sorted = [...starts].sort((a, b) => a - b);
    const gaps = sorted.slice(1).map((t, i) => t - sorted[i]!);
    // 10 requests/s to one host: 100 ms apart (a few ms of timer slack)
    for (const g of gaps) expect(g).toBeGreaterThanOrEqual(90);
    // and still overlapped: each response takes 120 ms, so a second request starts before the first ends
    expect(maxInFlight).toBeGreaterThanOrEqual(2);
  });

  it('a failing feed fails alone: the other lanes store theirs and the run is partial', async () => {
    const config = configFrom(`brands:\n  - name: Acme\n    query: acme\nsources:\n  - name: mixed\n    type: rss\n    concurrency: 2\n    urls: [${base}/mixed0, ${base}/broken1, ${base}/mixed2, ${base}/mixed3]\n`);
    const deps = await depsFor(db, config);
    const { opts } = fastHttp();
    reset();
    const r = await runSource(deps, 'mixed', opts);
    expect(r.status).toBe('partial');
    expect(r.inserted).toBe(3 * ITEMS);
    expect(r.error).toMatch(/broken1/);
    expect(await countRows(db, 'mentions', `url like 'https://news.example/mixed%'`)).toBe(3 * ITEMS);
  });
});
