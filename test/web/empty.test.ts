/**
 * A fresh install (no mentions yet): the overview explains what is going on instead of empty charts:
 * the sources and when they are next checked, a link to /sources, and the commands that fill it sooner.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import request from 'supertest';
import * as cheerio from 'cheerio';
import { openTestDb, DB_KIND } from '../helpers/db.js';
import type { Db } from '../../db/index.js';
import { createApp } from '../../web/app.js';
import { NOW, testDeps } from './seed.js';

let db: Db;

beforeAll(async () => {
  db = await openTestDb();
});
afterAll(async () => {
  await db.close();
});

describe(`empty state (${DB_KIND})`, () => {
  it('says no sources are configured when there are none', async () => {
    const res = await request(createApp(testDeps(db))).get('/').expect(200);
    const $ = cheerio.load(res.text);
    expect($('#getting-started').text()).toMatch(/No sources are configured/);
    expect($('h1').text()).toBe('Welcome to Earshot');
    expect($('#getting-started a[href="/sources"]').length).toBe(1);
    expect($("svg.chart-svg").length).toBe(0);
  });

  it('lists the sources with their next check and the commands that fill the dashboard sooner', async () => {
    const next = new Date(NOW.getTime() + 10 * 60_000);
    await db.query(`insert into sources (name, type, schedule, next_check_at) values ('hn-brightwave', 'hackernews', '*/15 * * * *', $1), ('reviews', 'appstore', '0 * * * *', null)`, [next]);
    const res = await request(createApp(testDeps(db))).get('/').expect(200);
    const $ = cheerio.load(res.text);
    const box = $('#getting-started');
    expect(box.find('h2').text()).toBe('No mentions yet');
    expect(box.find('#waiting-sources tbody tr').length).toBe(2);
    expect(box.find('#waiting-sources tbody tr').first().text()).toContain('hn-brightwave');
    expect(box.text()).toContain(next.toISOString().slice(0, 10));
    expect(box.find('a[href="/sources"]').length).toBe(1);
    for (const cmd of ['earshot collect', 'earshot import', 'npm run demo']) expect(box.find('code').text()).toContain(cmd);
  });

  it('shows the normal overview once a mention exists', async () => {
    const src = await db.query<{ id: number }>(`select id from sources where name = 'reviews'`);
    await db.query(`insert into mentions (source_id, external_id, text, published_at) values ($1, 'x1', 'first one', $2)`, [src.rows[0]!.id, new Date(NOW.getTime() - 3_600_000)]);
    const res = await request(createApp(testDeps(db))).get('/').expect(200);
    const $ = cheerio.load(res.text);
    expect($('#getting-started').length).toBe(0);
    expect($('h1').text()).toMatch(/^Overview/);
    expect($('form.picker').length).toBe(1);
    expect($('[data-figure=mentions]').text()).toBe('1');
    expect($('svg.chart-svg').length).toBeGreaterThan(0);
  });
});
