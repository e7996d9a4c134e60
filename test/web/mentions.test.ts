/**
 * The mentions explorer: filters narrow the list, full-text search highlights safely, keyset
 * pagination walks every row once, hostile text renders as text, corrections (CSRF-protected) are
 * kept and counted, CSV export.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import request from 'supertest';
import * as cheerio from 'cheerio';
import type { Express } from 'express';
import { openTestDb, DB_KIND } from '../helpers/db.js';
import type { Db } from '../../db/index.js';
import { createApp } from '../../web/app.js';
import { HOSTILE_TEXT, seed, testDeps } from './seed.js';

let db: Db;
let app: Express;
let ids: Awaited<ReturnType<typeof seed>>;

beforeAll(async () => {
  db = await openTestDb();
  ids = await seed(db);
  app = createApp(testDeps(db));
});
afterAll(async () => {
  await db.close();
});

async function csrfAgent(path = '/mentions'): Promise<{ agent: ReturnType<typeof request.agent>; token: string }> {
  const agent = request.agent(app);
  const res = await agent.get(path).expect(200);
  const token = cheerio.load(res.text)('input[name=_csrf]').first().val() as string;
  return { agent, token };
}

describe(`mentions explorer (${DB_KIND})`, () => {
  it('lists every non-duplicate mention, newest first, and pages through them with a keyset cursor', async () => {
    const total = (await db.query<{ n: number }>('select count(*)::int as n from mentions where duplicate_of is null')).rows[0]!.n;
    const seen: number[] = [];
    let url: string | null = '/mentions?limit=100';
    let count = -1;
    while (url) {
      const res = await request(app).get(url).expect(200);
      const $ = cheerio.load(res.text);
      count = Number($('#mention-count').attr('data-count'));
      $('#mention-list article').each((_, el) => {
        seen.push(Number($(el).attr('data-mention-id')));
      });
      url = $('#next-page').attr('href') ?? null;
    }
    expect(count).toBe(total);
    if (seen.length !== total) {
      // Name what went missing and where it sits in the full newest-first order (page boundaries are
      // at multiples of 100), so a failure says whether the cursor or the refresh lost it.
      const all = (await db.query<{ id: number; published_at: Date }>('select id, published_at from mentions where duplicate_of is null order by published_at desc, id desc')).rows;
      const missing = all.map((r, i) => ({ i, id: r.id, at: r.published_at.toISOString() })).filter((r) => !seen.includes(r.id));
      const effective = (await db.query<{ n: number }>('select count(*)::int as n from mention_effective where brand_id = 0')).rows[0]!.n;
      expect.fail(`saw ${seen.length} of ${total} mentions (mention_effective holds ${effective} for all brands); missing: ${JSON.stringify(missing)}`);
    }
    expect(seen).toHaveLength(total);
    expect(new Set(seen).size).toBe(total);
    expect(seen).not.toContain(ids.duplicateId);
  });

  it('narrows by brand, sentiment, stage, pain point, source, language and author', async () => {
    const exp = await db.query<{ n: number }>(
      `select count(*)::int as n from mentions m join mention_brands mb on mb.mention_id = m.id join brands b on b.id = mb.brand_id and b.name = 'Tellwire'
        left join analyses a on a.mention_id = m.id left join corrections c on c.mention_id = m.id
        where m.duplicate_of is null and coalesce(c.sentiment_label, mb.sentiment_label, a.sentiment_label) = 'negative'`,
    );
    const api = await request(app).get('/api/mentions?brand=Tellwire&sentiment=negative').expect(200);
    expect(api.body.count).toBe(exp.rows[0]!.n);
    expect(api.body.items.every((m: { brands: string[]; sentiment: string }) => m.brands.includes('Tellwire') && m.sentiment === 'negative')).toBe(true);
    const st = await request(app).get('/api/mentions?stage=support&pain=outage&limit=200').expect(200);
    const expSt = await db.query<{ n: number }>(
      `select count(*)::int as n from mentions m left join analyses a on a.mention_id = m.id left join corrections c on c.mention_id = m.id
        where m.duplicate_of is null and coalesce(c.stage, a.stage) = 'support' and 'outage' = any(coalesce(c.pain_point_ids, a.pain_point_ids))`,
    );
    expect(st.body.count).toBe(expSt.rows[0]!.n);
    expect(st.body.count).toBeGreaterThanOrEqual(36);
    expect(st.body.items.every((m: { stage: string; painPoints: Array<{ id: string }> }) => m.stage === 'support' && m.painPoints.some((p) => p.id === 'outage'))).toBe(true);
    const src = await request(app).get('/api/mentions?source=reddit&limit=200').expect(200);
    expect(src.body.items.every((m: { channel: string }) => m.channel === 'reddit')).toBe(true);
    const au = await request(app).get('/api/mentions?author=user3').expect(200);
    expect(au.body.items.every((m: { author: string }) => m.author === 'user3')).toBe(true);
    expect(au.body.count).toBeGreaterThan(0);
    const lang = await request(app).get('/api/mentions?language=de&limit=200').expect(200);
    expect(lang.body.count).toBe((await db.query<{ n: number }>(`select count(*)::int as n from mentions m left join analyses a on a.mention_id = m.id where m.duplicate_of is null and coalesce(a.language, m.language) = 'de'`)).rows[0]!.n);
  });

  it('searches with websearch syntax and highlights matches without trusting ts_headline HTML', async () => {
    const res = await request(app).get('/mentions?q=refund').expect(200);
    const $ = cheerio.load(res.text);
    const hostile = $(`#m-${ids.hostileId}`);
    expect(hostile.length).toBe(1);
    expect(hostile.find('script').length).toBe(0);
    expect(hostile.find('img').length).toBe(0);
    expect(hostile.find('mark').first().text().toLowerCase()).toBe('refund');
    expect(hostile.find('.mention-text').text()).toBe(HOSTILE_TEXT);
    expect($('#mention-list mark').length).toBeGreaterThan(1);
    const none = await request(app).get('/api/mentions?q=refund -refund').expect(200);
    expect(none.body.count).toBe(0);
  });

  it('renders hostile mention fields as text everywhere and never links a javascript: URL', async () => {
    for (const path of ['/mentions', '/?range=24h']) {
      const res = await request(app).get(path).expect(200);
      expect(res.text).not.toContain('<script>alert(1)</script>');
      expect(res.text).not.toContain('<img src=x onerror');
      expect(res.text).not.toContain('<b>bold title</b>');
      expect(res.text).not.toContain('javascript:');
      const $ = cheerio.load(res.text);
      const m = $(`#m-${ids.hostileId}`);
      expect(m.find('.mention-text').text()).toBe(HOSTILE_TEXT);
      expect(m.find('.author').text()).toBe('<i>evil</i>"\'');
    }
  });

  it('rejects a correction without a valid CSRF token', async () => {
    await request(app).post(`/mentions/${ids.hostileId}/correction`).type('form').send({ sentiment: 'positive' }).expect(403);
    const { agent } = await csrfAgent();
    await agent.post(`/mentions/${ids.hostileId}/correction`).type('form').send({ sentiment: 'positive', _csrf: 'forged' }).expect(403);
    const c = await db.query('select 1 from corrections where mention_id = $1', [ids.hostileId]);
    expect(c.rowCount).toBe(0);
  });

  it('stores a correction that survives re-analysis and is counted in the figures', async () => {
    const before = (await request(app).get('/api/overview?range=90d').expect(200)).body.totals;
    const { agent, token } = await csrfAgent();
    const res = await agent
      .post(`/mentions/${ids.hostileId}/correction`)
      .type('form')
      .send(`_csrf=${encodeURIComponent(token)}&sentiment=positive&stage=support&pain_before=&pain_points=refund&pain_points=billing&return_to=%2Fmentions%3Fq%3Drefund`)
      .expect(303);
    expect(res.headers.location).toBe(`/mentions?q=refund#m-${ids.hostileId}`);
    const after = (await request(app).get('/api/overview?range=90d').expect(200)).body.totals;
    expect(after.positive).toBe(before.positive + 1);
    expect(after.negative).toBe(before.negative - 1);
    // Re-analysis rewrites analyses; the correction still wins.
    await db.query(`update analyses set sentiment_label = 'neutral', analyser_version = 'test-2' where mention_id = $1`, [ids.hostileId]);
    const list = await request(app).get('/api/mentions?q=refund&sentiment=positive').expect(200);
    const m = list.body.items.find((x: { id: number }) => x.id === ids.hostileId);
    expect(m.corrected).toBe(true);
    expect(m.stage).toBe('support');
    expect(m.painPoints.map((p: { id: string }) => p.id).sort()).toEqual(['billing', 'refund']);
    const page = await agent.get('/mentions?q=refund').expect(200);
    expect(cheerio.load(page.text)(`#m-${ids.hostileId} .badge.corrected`).length).toBe(1);
  });

  it('answers 400 naming the bad parameter', async () => {
    const cases: Array<[string, string]> = [
      ['/mentions?sentiment=angry', 'sentiment'],
      ['/mentions?stage=lunch', 'stage'],
      ['/mentions?from=yesterday', 'from'],
      ['/mentions?after=nonsense', 'after'],
      ['/mentions?limit=5000', 'limit'],
      ['/mentions?brand=Nobody', 'brand'],
      ['/?range=2w', 'range'],
      ['/brands?from=2025-03-10&to=2025-03-01', 'to'],
    ];
    for (const [url, param] of cases) {
      const res = await request(app).get(url).expect(400);
      expect(cheerio.load(res.text)('.error-message').text()).toMatch(new RegExp(`^${param}:`));
    }
    const api = await request(app).get('/api/mentions?sentiment=angry').expect(400);
    expect(api.body.parameter).toBe('sentiment');
    await request(app).get('/nope').expect(404);
  });

  it('exports the filtered list as CSV with formula cells neutralised', async () => {
    const api = await request(app).get('/api/mentions?brand=Nimbus&limit=200').expect(200);
    const res = await request(app).get('/mentions.csv?brand=Nimbus').expect(200);
    expect(res.headers['content-type']).toMatch(/text\/csv/);
    const lines = res.text.trim().split('\n');
    expect(lines[0]).toMatch(/^id,published_at,source/);
    expect(lines.length - 1).toBe(api.body.count);
  });
});
