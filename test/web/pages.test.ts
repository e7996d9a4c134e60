/**
 * Brands, journey, sources and alerts pages on seeded data, with figures checked against the database,
 * and the alert actions (CSRF-protected forms).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import request from 'supertest';
import * as cheerio from 'cheerio';
import type { Express } from 'express';
import { openTestDb, DB_KIND } from '../helpers/db.js';
import type { Db } from '../../db/index.js';
import { createApp } from '../../web/app.js';
import { DAY, expectedCounts, num, RANGE_END, seed, testDeps } from './seed.js';

let db: Db;
let app: Express;
const to = RANGE_END;
const from30 = new Date(to.getTime() - 30 * DAY);

beforeAll(async () => {
  db = await openTestDb();
  await seed(db);
  app = createApp(testDeps(db));
});
afterAll(async () => {
  await db.close();
});

describe(`brands page (${DB_KIND})`, () => {
  it('shows mentions, share of voice and net sentiment per brand from the database', async () => {
    const res = await request(app).get('/brands?range=30d').expect(200);
    const $ = cheerio.load(res.text);
    const exp: Record<string, Record<string, number>> = {};
    for (const b of ['Brightwave', 'Nimbus', 'Tellwire']) exp[b] = await expectedCounts(db, { from: from30, to, brand: b });
    const all = Object.values(exp).reduce((a, e) => a + e.total!, 0);
    for (const b of ['Brightwave', 'Nimbus', 'Tellwire']) {
      const row = $(`#brand-table tr[data-brand="${b}"]`);
      expect(num(row.find('[data-figure=brand-mentions]').text())).toBe(exp[b]!.total);
      expect(num(row.find('[data-figure=sov]').text())).toBeCloseTo((exp[b]!.total! / all) * 100, 0);
      const net = (exp[b]!.positive! - exp[b]!.negative!) / (exp[b]!.positive! + exp[b]!.negative!);
      expect(num(row.find('[data-figure=net]').text())).toBeCloseTo(net, 2);
    }
    expect($('#chart-sov svg path.line').length).toBe(3);
    expect($('#chart-sov table tbody tr').length).toBe(30);
  });

  it('fills the brand × pain-point matrix with counts and shares, each linking to its mentions', async () => {
    const api = await request(app).get('/api/brands?range=30d').expect(200);
    const row = api.body.painMatrix.rows.find((r: { brand: string }) => r.brand === 'Brightwave');
    const cell = row.cells.find((c: { pain: string }) => c.pain === 'outage');
    const exp = await expectedCounts(db, { from: from30, to, brand: 'Brightwave', pain: 'outage' });
    const brandTotal = (await expectedCounts(db, { from: from30, to, brand: 'Brightwave' })).total!;
    expect(cell.mentions).toBe(exp.total);
    expect(cell.share).toBeCloseTo(exp.total! / brandTotal, 6);
    const list = await request(app).get(cell.href).expect(200);
    expect(Number(cheerio.load(list.text)('#mention-count').attr('data-count'))).toBe(cell.mentions);
    const st = api.body.stageSentiment.rows.find((r: { brand: string }) => r.brand === 'Brightwave').cells.find((c: { stage: string }) => c.stage === 'support');
    expect(st.mentions).toBe((await expectedCounts(db, { from: from30, to, brand: 'Brightwave', stage: 'support' })).total);
  });

  it('counts comparison and switching mentions', async () => {
    const exp = await db.query<{ n: number }>(
      `select count(*)::int as n from analyses a join mentions m on m.id = a.mention_id
        where m.duplicate_of is null and m.published_at >= $1 and m.published_at < $2 and (a.comparison or a.switch_from is not null or a.switch_to is not null)`,
      [from30, to],
    );
    const api = await request(app).get('/api/brands?range=30d').expect(200);
    expect(api.body.switching.comparisons).toBe(exp.rows[0]!.n);
    const flow = api.body.switching.flows[0];
    expect(flow).toMatchObject({ from: 'Nimbus', to: 'Brightwave' });
    const list = await request(app).get(flow.href).expect(200);
    expect(Number(cheerio.load(list.text)('#mention-count').attr('data-count'))).toBe(flow.mentions);
  });
});

describe(`journey page (${DB_KIND})`, () => {
  it('shows each stage with volume, sentiment and CSAT/NPS proxies computed from star ratings', async () => {
    const res = await request(app).get('/journey?range=30d').expect(200);
    const $ = cheerio.load(res.text);
    expect($('#journey section.stage').length).toBe(7);
    for (const stage of ['support', 'purchase']) {
      const exp = await expectedCounts(db, { from: from30, to, stage });
      const col = $(`#journey section[data-stage=${stage}]`);
      expect(num(col.find('[data-figure=stage-mentions]').text())).toBe(exp.total);
      expect(num(col.find('[data-figure=stage-negative]').text())).toBe(exp.negative);
    }
    const r = await db.query<{ rating: number; n: number }>(
      `select rating, count(*)::int as n from mentions m where duplicate_of is null and rating is not null and published_at >= $1 and published_at < $2 group by rating`,
      [from30, to],
    );
    const by = Object.fromEntries(r.rows.map((x) => [x.rating, x.n]));
    const rated = r.rows.reduce((a, x) => a + x.n, 0);
    const api = await request(app).get('/api/journey?range=30d').expect(200);
    // Overall proxies cover staged and unstaged mentions alike.
    expect(api.body.overall.rated).toBe(rated);
    expect(api.body.overall.csat).toBeCloseTo(((by[4] ?? 0) + (by[5] ?? 0)) / rated, 6);
    expect(api.body.overall.nps).toBeCloseTo((((by[5] ?? 0) - (by[1] ?? 0) - (by[2] ?? 0) - (by[3] ?? 0)) / rated) * 100, 0);
    expect(num($('[data-figure=csat]').text())).toBeCloseTo(Math.round((((by[4] ?? 0) + (by[5] ?? 0)) / rated) * 100), 0);
  });

  it('counts every rated mention in the headline CSAT/NPS (with or without a stage), and per stage only that stage', async () => {
    // Make sure some rated mentions have no stage and some have one, for the brand under test.
    const rated = await db.query<{ id: number }>(
      `select m.id from mentions m join mention_brands mb on mb.mention_id = m.id join brands b on b.id = mb.brand_id and b.name = 'Brightwave'
        where m.duplicate_of is null and m.rating is not null and m.published_at >= $1 and m.published_at < $2 order by m.id`,
      [from30, to],
    );
    expect(rated.rows.length).toBeGreaterThan(6);
    const unstagedIds = rated.rows.slice(0, 3).map((r) => r.id);
    await db.query(`update analyses set stage = null where mention_id = any($1::bigint[])`, [unstagedIds]);
    await db.query(`update corrections set stage = null where mention_id = any($1::bigint[])`, [unstagedIds]);
    const byStage = await db.query<{ stage: string | null; rating: number; n: number }>(
      `select coalesce(c.stage, a.stage) as stage, m.rating, count(*)::int as n
         from mentions m join mention_brands mb on mb.mention_id = m.id join brands b on b.id = mb.brand_id and b.name = 'Brightwave'
         left join analyses a on a.mention_id = m.id left join corrections c on c.mention_id = m.id
        where m.duplicate_of is null and m.rating is not null and m.published_at >= $1 and m.published_at < $2
        group by 1, 2`,
      [from30, to],
    );
    const all = byStage.rows.reduce((a, x) => a + x.n, 0);
    const unstaged = byStage.rows.filter((x) => x.stage === null).reduce((a, x) => a + x.n, 0);
    expect(unstaged).toBeGreaterThanOrEqual(3);
    const top = byStage.rows.filter((x) => x.rating >= 4).reduce((a, x) => a + x.n, 0);
    const api = await request(app).get('/api/journey?range=30d&brand=Brightwave').expect(200);
    expect(api.body.overall.rated).toBe(all);
    expect(api.body.overall.csat).toBeCloseTo(top / all, 6);
    // The headline is more than the sum of the stage cells by exactly the unstaged rated mentions.
    const stageSum = api.body.stages.reduce((a: number, s: { rated: number }) => a + s.rated, 0);
    expect(stageSum).toBe(all - unstaged);
    for (const s of api.body.stages as Array<{ stage: string; rated: number }>) {
      expect(s.rated).toBe(byStage.rows.filter((x) => x.stage === s.stage).reduce((a, x) => a + x.n, 0));
    }
    const $ = cheerio.load((await request(app).get('/journey?range=30d&brand=Brightwave').expect(200)).text);
    expect($('[data-figure=csat-rated]').text()).toBe(String(all));
    expect($('[data-figure=few-ratings]').length).toBe(all < 20 ? 1 : 0);
    // A handful of ratings gets a caution next to the headline.
    const few = cheerio.load((await request(app).get('/journey?range=24h').expect(200)).text);
    const fewRated = Number(few('[data-figure=csat-rated]').text());
    expect(few('[data-figure=few-ratings]').length).toBe(fewRated > 0 && fewRated < 20 ? 1 : 0);
  });

  it('shows time to resolution from alerts', async () => {
    const api = await request(app).get('/api/journey?range=30d').expect(200);
    const refund = api.body.resolution.find((t: { painPoint: string }) => t.painPoint === 'refund');
    expect(refund).toMatchObject({ brand: 'Brightwave', alerts: 1, meanAckMinutes: 30, meanResolveMinutes: 180 });
  });
});

describe(`sources and alerts pages (${DB_KIND})`, () => {
  it('lists every source with its status', async () => {
    const res = await request(app).get('/sources').expect(200);
    const $ = cheerio.load(res.text);
    expect($('#source-health tbody tr').length).toBe(3);
    expect($('#source-health tr[data-source=hn] .status').text()).toBe('never-run');
    const api = await request(app).get('/api/sources').expect(200);
    expect(api.body.sources.map((s: { name: string }) => s.name).sort()).toEqual(['hn', 'import', 'reviews']);
  });

  it('moves an alert open → acknowledged → resolved through CSRF-protected forms', async () => {
    const agent = request.agent(app);
    const page = await agent.get('/alerts').expect(200);
    const $ = cheerio.load(page.text);
    const row = $('#alert-list tbody tr').first();
    const id = row.attr('data-alert')!;
    const token = row.find('input[name=_csrf]').first().val() as string;
    expect(row.find('.status').text()).toBe('open');
    await agent.post(`/alerts/${id}/acknowledge`).type('form').send({ _csrf: 'bad' }).expect(403);
    await agent.post(`/alerts/${id}/acknowledge`).type('form').send({ _csrf: token }).expect(303);
    let st = await db.query<{ status: string }>('select status from alerts where id = $1', [id]);
    expect(st.rows[0]!.status).toBe('acknowledged');
    await agent.post(`/alerts/${id}/acknowledge`).type('form').send({ _csrf: token }).expect(400);
    await agent.post(`/alerts/${id}/resolve`).type('form').send({ _csrf: token, note: 'fixed <b>now</b>' }).expect(303);
    st = await db.query<{ status: string }>('select status from alerts where id = $1', [id]);
    expect(st.rows[0]!.status).toBe('resolved');
    const all = await agent.get('/alerts?status=resolved').expect(200);
    expect(all.text).toContain('fixed &lt;b&gt;now&lt;/b&gt;');
    await agent.get('/alerts?status=weird').expect(400);
  });
});
