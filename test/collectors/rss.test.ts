import nock from 'nock';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { openTestDb, DB_KIND } from '../helpers/db.js';
import type { Db } from '../../db/index.js';
import { runSource } from '../../collectors/run.js';
import { configFrom, depsFor, fastHttp, fixtureText } from './helpers.js';

const GUARDIAN = fixtureText('rss/guardian_us_rss2_2018.rss');
const HEISE = fixtureText('rss/heise_developer_atom_2016.atom');
let db: Db;
beforeAll(async () => {
  db = await openTestDb();
});
afterAll(async () => db.close());
afterEach(() => nock.cleanAll());

describe(`rss collector (${DB_KIND})`, () => {
  it('applies the brand query to every RSS 2.0 item, normalises fields, and a 304 on the next run adds nothing', async () => {
    const config = configFrom(`brands:\n  - name: Trump\n    query: trump\nsources:\n  - name: guardian\n    type: rss\n    urls: [https://www.theguardian.com/us/rss]\n    backfillDays: 5000\n`);
    const deps = await depsFor(db, config);
    const { opts } = fastHttp();
    nock('https://www.theguardian.com').get('/us/rss').reply(200, GUARDIAN, { 'Content-Type': 'application/rss+xml', ETag: '"g1"' });
    const r = await runSource(deps, 'guardian', opts);
    expect(r).toMatchObject({ status: 'ok', fetched: 55, skipped: 0 });
    expect(r.inserted).toBeGreaterThan(0);
    expect(r.inserted + r.filtered).toBe(55);
    const m = (await db.query<Record<string, unknown>>(`select * from mentions where title = 'Trump State of the Union address promised unity but emphasized discord'`)).rows[0]!;
    expect(m.url).toBe(m.external_id);
    expect(String(m.url)).toMatch(/^https:\/\/www\.theguardian\.com\/us-news\/2018\/jan\/31\/donald-trump-state-of-the-union-ad/);
    expect(m.language).toBe('en');
    expect(m.text).not.toMatch(/<[a-z]|&lt;|&amp;/);
    expect((m.published_at as Date).getUTCFullYear()).toBe(2018);

    let etag = '';
    nock('https://www.theguardian.com').get('/us/rss').reply(function () {
      etag = String(this.req.headers['if-none-match']);
      return [304, ''];
    });
    const again = await runSource(deps, 'guardian', opts);
    expect(etag).toBe('"g1"');
    expect(again).toMatchObject({ status: 'ok', fetched: 0, inserted: 0 });
  });

  it('reads Atom, and decodes an ISO-8859-1 feed by its XML declaration', async () => {
    const config = configFrom(`brands:\n  - name: WildFly\n    query: wildfly OR java\nsources:\n  - name: heise\n    type: rss\n    brand: WildFly\n    urls: [http://www.heise.de/developer/rss/news-atom.xml, http://www.heise.de/latin1.xml]\n    backfillDays: 5000\n`);
    const deps = await depsFor(db, config);
    const { opts } = fastHttp();
    const latin1 = Buffer.from(HEISE.replace('encoding="utf-8"', 'encoding="ISO-8859-1"').replace(/http:\/\/heise\.de\/-/g, 'http://heise.de/l1-'), 'latin1');
    nock('http://www.heise.de').get('/developer/rss/news-atom.xml').reply(200, HEISE, { 'Content-Type': 'application/atom+xml' });
    nock('http://www.heise.de').get('/latin1.xml').reply(200, latin1, { 'Content-Type': 'application/xml' });
    const r = await runSource(deps, 'heise', opts);
    // a source with a brand keeps every item, attributed to that brand
    expect(r).toMatchObject({ status: 'ok', fetched: 30, inserted: 30, filtered: 0 });
    const m = (await db.query<Record<string, unknown>>(`select * from mentions where external_id = 'http://heise.de/-3088438'`)).rows[0]!;
    expect(m).toMatchObject({
      title: 'Java-Anwendungsserver: Red Hat gibt WildFly 10 frei',
      url: 'http://www.heise.de/developer/meldung/Java-Anwendungsserver-Red-Hat-gibt-WildFly-10-frei-3088438.html?wt_mc=rss.developer.beitrag.atom',
      brand_hint: 'WildFly',
    });
    expect((m.published_at as Date).toISOString()).toBe('2016-02-01T16:22:00.000Z');
    const l1 = (await db.query<{ text: string; title: string }>(`select text, title from mentions where external_id = 'http://heise.de/l1-3088438'`)).rows[0]!;
    expect(l1.text).toContain('Die nun verfügbare Version 10');
    expect(l1.text).toContain('größere');
    // the same article in both feeds: linked as a duplicate, not counted twice
    const dup = await db.query<{ n: number }>(`select count(*)::int as n from mentions where external_id like 'http://heise.de/l1-%' and duplicate_of is not null`);
    expect(dup.rows[0]!.n).toBe(15);
  });

  it('fails on malformed XML with a clear error, and keeps the other feeds', async () => {
    const config = configFrom(`brands:\n  - name: Trump\n    query: trump\nsources:\n  - name: badfeed\n    type: rss\n    urls: [https://example.com/broken.rss, https://www.theguardian.com/us/rss]\n    backfillDays: 5000\n`);
    const deps = await depsFor(db, config);
    const { opts } = fastHttp();
    nock('https://example.com').get('/broken.rss').reply(200, GUARDIAN.slice(0, 5000));
    nock('https://www.theguardian.com').get('/us/rss').reply(200, GUARDIAN);
    const r = await runSource(deps, 'badfeed', opts);
    expect(r.status).toBe('partial');
    expect(r.error).toMatch(/^badfeed: malformed XML from https:\/\/example\.com\/broken\.rss: .+ \(line \d+\)$/);
    expect(r.inserted + r.duplicates).toBeGreaterThan(0);
  });

  it('points a feed at baseUrl (local server) by replacing its origin', async () => {
    const config = configFrom(`brands:\n  - name: Trump\n    query: trump\nsources:\n  - name: mirror\n    type: rss\n    baseUrl: http://127.0.0.1:1\n    urls: [https://www.theguardian.com/us/rss]\n`);
    const deps = await depsFor(db, config);
    const { opts } = fastHttp();
    const r = await runSource(deps, 'mirror', { ...opts, http: { ...opts.http, retries: 0 } });
    expect(r.error).toMatch(/^mirror: GET http:\/\/127\.0\.0\.1:1\/us\/rss ECONNREFUSED/);
  });
});
