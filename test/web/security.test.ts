/**
 * Security headers and CSP, token login off loopback, startWeb refusing an unprotected network
 * listen, graceful close.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import request from 'supertest';
import * as cheerio from 'cheerio';
import { openTestDb, DB_KIND } from '../helpers/db.js';
import type { Db } from '../../db/index.js';
import { createApp } from '../../web/app.js';
import { isLoopback, startWeb } from '../../server.js';
import { seed, testDeps } from './seed.js';

let db: Db;
beforeAll(async () => {
  db = await openTestDb();
  await seed(db);
});
afterAll(async () => {
  await db.close();
});

describe(`security (${DB_KIND})`, () => {
  it('sends a strict CSP and security headers on every page', async () => {
    const res = await request(createApp(testDeps(db))).get('/').expect(200);
    const csp = res.headers['content-security-policy'];
    expect(csp).toContain("script-src 'none'");
    expect(csp).toContain("default-src 'self'");
    expect(csp).toContain("frame-ancestors 'none'");
    expect(csp).not.toContain('unsafe-inline');
    expect(res.headers['x-content-type-options']).toBe('nosniff');
    expect(res.headers['x-powered-by']).toBeUndefined();
    expect(res.text).not.toMatch(/<script/i);
    expect(res.text).not.toMatch(/ style="/i);
  });

  it('requires the token when one is set: redirect for pages, 401 for the API, login sets a cookie', async () => {
    const app = createApp(testDeps(db), { authToken: 's3cret-token' });
    const page = await request(app).get('/brands?range=7d').expect(303);
    expect(page.headers.location).toBe('/login?next=%2Fbrands%3Frange%3D7d');
    await request(app).get('/api/overview').expect(401);
    await request(app).get('/api/overview').set('Authorization', 'Bearer s3cret-token').expect(200);
    const agent = request.agent(app);
    const form = await agent.get('/login').expect(200);
    const token = cheerio.load(form.text)('input[name=_csrf]').val() as string;
    await agent.post('/login').type('form').send({ _csrf: token, token: 'wrong', next: '/brands' }).expect(401);
    const ok = await agent.post('/login').type('form').send({ _csrf: token, token: 's3cret-token', next: '//evil.example/' }).expect(303);
    expect(ok.headers.location).toBe('/');
    await agent.get('/brands').expect(200);
  });

  it('answers health probes without the token, and nothing else', async () => {
    const app = createApp(testDeps(db), { authToken: 's3cret-token' });
    const h = await request(app).get('/healthz').expect(200);
    expect(h.body.status).toBe('ok');
    const m = await request(app).get('/metrics').expect(200);
    expect(m.text).toMatch(/^earshot_mentions_total \d+$/m);
    await request(app).get('/api/sources').expect(401);
  });

  it('startWeb refuses a non-loopback host without a token and serves loopback', async () => {
    const deps = testDeps(db);
    const prev = process.env.EARSHOT_TOKEN;
    delete process.env.EARSHOT_TOKEN;
    await expect(startWeb(deps, { host: '0.0.0.0', port: 0 })).rejects.toThrow(/refusing to listen on 0\.0\.0\.0.*token/);
    if (prev !== undefined) process.env.EARSHOT_TOKEN = prev;
    const web = await startWeb(deps, { host: '127.0.0.1', port: 0 });
    const res = await fetch(`${web.url}/api/sources`);
    expect(res.status).toBe(200);
    await web.close();
    await expect(fetch(`${web.url}/`)).rejects.toThrow();
  });

  it('requires the token when listening off loopback with one', async () => {
    const web = await startWeb(testDeps(db, { token: 'abc-token-123' }), { host: '0.0.0.0', port: 0 });
    const port = new URL(web.url).port;
    expect((await fetch(`http://127.0.0.1:${port}/api/overview`)).status).toBe(401);
    expect((await fetch(`http://127.0.0.1:${port}/api/overview`, { headers: { authorization: 'Bearer abc-token-123' } })).status).toBe(200);
    await web.close();
  });

  it('knows loopback hosts', () => {
    expect(['127.0.0.1', 'localhost', '::1', '[::1]', '127.1.2.3'].map(isLoopback)).toEqual([true, true, true, true, true]);
    expect(['0.0.0.0', '192.168.1.4', '::', 'example.com'].map(isLoopback)).toEqual([false, false, false, false]);
  });
});
