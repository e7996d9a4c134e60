/**
 * The overview page and /api/overview on seeded data: figures checked against the base tables, every
 * number links to its mentions, and the linked list holds exactly that many.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import request from 'supertest';
import * as cheerio from 'cheerio';
import type { Express } from 'express';
import { openTestDb, DB_KIND } from '../helpers/db.js';
import type { Db } from '../../db/index.js';
import { createApp } from '../../web/app.js';
import { DAY, expectedCounts, NOW, num, RANGE_END, seed, testDeps } from './seed.js';

let db: Db;
let app: Express;
const to = RANGE_END;
const from7 = new Date(to.getTime() - 7 * DAY);

beforeAll(async () => {
  db = await openTestDb();
  await seed(db);
  app = createApp(testDeps(db));
});
afterAll(async () => {
  await db.close();
});


describe(`overview (${DB_KIND})`, () => {
  it('shows mention and sentiment totals equal to the database for 7 days', async () => {
    const exp = await expectedCounts(db, { from: from7, to });
    const res = await request(app).get('/?range=7d').expect(200);
    const $ = cheerio.load(res.text);
    expect(num($('[data-figure=mentions]').text())).toBe(exp.total);
    expect(num($('[data-figure=positive]').text())).toBe(exp.positive);
    expect(num($('[data-figure=neutral]').text())).toBe(exp.neutral);
    expect(num($('[data-figure=negative]').text())).toBe(exp.negative);
    const net = (exp.positive! - exp.negative!) / (exp.positive! + exp.negative!);
    expect(num($('[data-figure=net]').text())).toBeCloseTo(net, 2);
    expect(exp.total).toBeGreaterThan(50);
  });

  it('counts per-brand entity sentiment and the brand filter', async () => {
    const exp = await expectedCounts(db, { from: from7, to, brand: 'Nimbus' });
    const api = await request(app).get('/api/overview?range=7d&brand=Nimbus').expect(200);
    expect(api.body.totals.mentions).toBe(exp.total);
    expect(api.body.totals.negative).toBe(exp.negative);
    expect(api.body.totals.positive).toBe(exp.positive);
    expect(api.body.brand).toBe('Nimbus');
  });

  it('links the total to a mentions list of exactly that size', async () => {
    const res = await request(app).get('/?range=7d&brand=Brightwave').expect(200);
    const $ = cheerio.load(res.text);
    const total = num($('[data-figure=mentions]').text());
    const href = $('[data-figure=mentions]').attr('href')!;
    expect(href).toMatch(/^\/mentions\?brand=Brightwave&from=/);
    const list = await request(app).get(href).expect(200);
    expect(Number(cheerio.load(list.text)('#mention-count').attr('data-count'))).toBe(total);
    const negHref = $('[data-figure=negative]').attr('href')!;
    const neg = await request(app).get(negHref).expect(200);
    expect(Number(cheerio.load(neg.text)('#mention-count').attr('data-count'))).toBe(num($('[data-figure=negative]').text()));
  });

  it('fills every daily bucket, marks the spike day, and bucket links carry the bucket window', async () => {
    const api = await request(app).get('/api/overview?range=7d').expect(200);
    expect(api.body.series).toHaveLength(7);
    const spikes = api.body.series.filter((b: { spike: boolean }) => b.spike);
    const spikeDay = new Date(Math.floor(NOW.getTime() / DAY) * DAY - 3 * DAY).toISOString();
    expect(spikes.map((s: { start: string }) => s.start)).toEqual([spikeDay]);
    const sum = api.body.series.reduce((a: number, b: { total: number }) => a + b.total, 0);
    expect(sum).toBe(api.body.totals.mentions);
    const res = await request(app).get('/?range=7d').expect(200);
    const $ = cheerio.load(res.text);
    expect($('#chart-volume svg title').first().text()).toContain('Mentions per day');
    expect($('#chart-volume .spikes a').length).toBe(1);
    expect($('#chart-volume table tbody tr').length).toBe(7);
    const spikeLink = $('#chart-volume .spikes a').attr('href')!;
    const day = await request(app).get(spikeLink).expect(200);
    const spikeBucket = spikes[0];
    expect(Number(cheerio.load(day.text)('#mention-count').attr('data-count'))).toBe(spikeBucket.total);
  });

  it('uses hourly buckets for 24h', async () => {
    const api = await request(app).get('/api/overview?range=24h').expect(200);
    expect(api.body.series).toHaveLength(24);
    expect(api.body.range.unit).toBe('hour');
    const exp = await expectedCounts(db, { from: new Date(api.body.range.from), to: new Date(api.body.range.to) });
    expect(api.body.totals.mentions).toBe(exp.total);
  });

  it('ranks pain points and sources with counts from the database and compares with the previous period', async () => {
    const api = await request(app).get('/api/overview?range=7d').expect(200);
    const top = api.body.painPoints[0];
    const exp = await expectedCounts(db, { from: from7, to, pain: top.id });
    expect(top.mentions).toBe(exp.total);
    expect(top.id).toBe('outage');
    const prev = await expectedCounts(db, { from: new Date(from7.getTime() - 7 * DAY), to: from7, pain: top.id });
    expect(top.previous).toBe(prev.total);
    const src = api.body.sources.find((s: { channel: string }) => s.channel === 'reddit');
    expect(src.mentions).toBe((await expectedCounts(db, { from: from7, to, channel: 'reddit' })).total);
    const prevAll = await expectedCounts(db, { from: new Date(from7.getTime() - 7 * DAY), to: from7 });
    expect(api.body.previous.mentions).toBe(prevAll.total);
  });

  it('lists top authors by reach and the most engaged mentions', async () => {
    const api = await request(app).get('/api/overview?range=7d').expect(200);
    expect(api.body.authors[0].reach).toBe(999_999);
    const reaches = api.body.authors.map((a: { reach: number }) => a.reach);
    expect([...reaches].sort((a, b) => b - a)).toEqual(reaches);
    expect(api.body.engaged[0].engagementTotal).toBe(5000);
  });

  it('counts a correction at once, everywhere', async () => {
    const before = (await request(app).get('/api/overview?range=90d').expect(200)).body.totals;
    const m = await db.query<{ id: number; s: string }>(
      `select m.id, coalesce(c.sentiment_label, a.sentiment_label) as s from mentions m join analyses a on a.mention_id = m.id left join corrections c on c.mention_id = m.id
        where m.duplicate_of is null and coalesce(c.sentiment_label, a.sentiment_label) = 'neutral' order by m.id limit 1`,
    );
    await db.query(`insert into corrections (mention_id, sentiment_label) values ($1, 'negative') on conflict (mention_id) do update set sentiment_label = 'negative'`, [m.rows[0]!.id]);
    const after = (await request(app).get('/api/overview?range=90d').expect(200)).body.totals;
    expect(after.neutral).toBe(before.neutral - 1);
    expect(after.negative).toBe(before.negative + 1);
  });
});
