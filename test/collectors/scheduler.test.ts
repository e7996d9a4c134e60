import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openTestDb, DB_KIND } from '../helpers/db.js';
import type { Db } from '../../db/index.js';
import { startScheduler } from '../../collectors/scheduler.js';
import { listRuns } from '../../db/runs.js';
import { claimSourceLease, getSourceByName, markSourceSuccess } from '../../db/sources.js';
import { configFrom, countRows, depsFor, fastHttp, fixtureJson } from './helpers.js';

const MCP = fixtureJson<{ hits: Record<string, unknown>[] }>('hackernews/search_story_query_model_context_protocol_2026.json');
let db: Db;
let server: http.Server;
let port = 0;
let slowPage2 = 0;
beforeAll(async () => {
  db = await openTestDb();
  server = http.createServer((req, res) => {
    const u = new URL(req.url!, 'http://x');
    if (u.pathname.startsWith('/fail')) {
      res.statusCode = 500;
      return res.end('down');
    }
    const p = Number(u.searchParams.get('page') ?? 0);
    const hits = MCP.hits.slice(p * 5, p * 5 + 5);
    const send = () => {
      res.setHeader('Content-Type', 'application/json');
      res.end(JSON.stringify({ hits, page: p, nbPages: 2 }));
    };
    if (p === 1 && slowPage2 > 0) setTimeout(send, slowPage2);
    else send();
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  port = (server.address() as AddressInfo).port;
});
afterAll(async () => {
  server.close();
  await db.close();
});

const yaml = () => `brands:\n  - name: MCP\n    query: '"model context protocol" OR mcp OR protocol'\nsources:\n  - name: good\n    type: hackernews\n    schedule: '* * * * * *'\n    baseUrl: http://127.0.0.1:${port}\n    backfillDays: 5000\n  - name: bad\n    type: hackernews\n    schedule: '0 0 1 1 *'\n    baseUrl: http://127.0.0.1:${port}/fail\n`;

describe(`scheduler (${DB_KIND})`, () => {
  it('runs each source on its cron schedule and reports what it stored; a failing source backs off alone', async () => {
    const deps = await depsFor(db, configFrom(yaml()), new Date());
    const collected: number[] = [];
    const { opts } = fastHttp();
    const s = startScheduler(deps, {
      maxJitterMs: 0, runNeverRunOnStart: false, runOptions: { ...opts, http: { ...opts.http, retries: 0 } }, onCollected: async (n) => void collected.push(n),
    });
    try {
      const bad = await s.tick('bad');
      expect(bad?.status).toBe('error');
      const src = await getSourceByName(db, 'bad');
      expect(src.nextCheckAt!.getTime()).toBeGreaterThan(Date.now() + 60_000);
      expect(await s.tick('bad')).toBeNull(); // backing off: no request
      // the every-second cron of "good" fires by itself
      const t0 = Date.now();
      while (!collected.some((n) => n > 0) && Date.now() - t0 < 5000) await new Promise((r) => setTimeout(r, 50));
      expect(collected.some((n) => n > 0)).toBe(true);
    } finally {
      await s.stop();
    }
    const stored = await countRows(db, 'mentions m join sources s on s.id = m.source_id', `s.name = 'good'`);
    expect(stored).toBeGreaterThan(0);
  });

  it('stop() during a run ends it after the page being stored, keeping that page, and never runs a source twice at once', async () => {
    const config = configFrom(yaml().replace('- name: good', '- name: slow').replace("'* * * * * *'", "'0 0 1 1 *'"));
    const deps = await depsFor(db, config, new Date());
    const { opts } = fastHttp();
    slowPage2 = 800;
    const s = startScheduler(deps, { maxJitterMs: 0, runNeverRunOnStart: false, runOptions: opts });
    const run = s.tick('slow');
    await new Promise((r) => setTimeout(r, 300));
    expect(await s.tick('slow')).toMatchObject({ status: 'busy' });
    await s.stop();
    const summary = await run;
    slowPage2 = 0;
    expect(summary?.status).toBe('abandoned');
    const src = await getSourceByName(db, 'slow');
    const runs = await listRuns(db, src.id);
    expect(runs[0]).toMatchObject({ status: 'abandoned' });
    expect(runs[0]!.inserted).toBeGreaterThan(0);
    expect(await countRows(db, 'mentions', 'source_id = $1', [src.id])).toBe(runs[0]!.inserted);
    expect(await countRows(db, 'source_cursors', 'source_id = $1', [src.id])).toBe(0);
  });

  it('the jitter is at most a tenth of the source\'s period: a source checked every 2 s is not held up to 30 s', async () => {
    const config = configFrom(yaml().replace('- name: good', '- name: brisk').replace("'* * * * * *'", "'*/2 * * * * *'"));
    const deps = await depsFor(db, config, new Date());
    const { opts } = fastHttp();
    const s = startScheduler(deps, { maxJitterMs: 30_000, random: () => 0.99, runNeverRunOnStart: false, runOptions: opts });
    try {
      const t0 = Date.now();
      await s.tick('brisk');
      // 0.99 of the 30 s maximum would be 29.7 s; a tenth of 2 s is the cap (198 ms), plus the run itself.
      expect(Date.now() - t0).toBeLessThan(5_000);
      expect(Date.now() - t0).toBeGreaterThanOrEqual(190);
    } finally {
      await s.stop();
    }
  });

  it('on start, runs each enabled source that has never run (with jitter, respecting leases), and only those', async () => {
    const yearly = `'0 0 1 1 *'`;
    const src = (name: string, extra = '') => `  - name: ${name}\n    type: hackernews\n    schedule: ${yearly}\n    baseUrl: http://127.0.0.1:${port}\n    backfillDays: 5000\n${extra}`;
    const config = configFrom(
      `brands:\n  - name: MCP\n    query: '"model context protocol" OR mcp OR protocol'\nsources:\n` +
        src('fresh') + src('veteran') + src('taken') + src('off', '    enabled: false\n'),
    );
    const deps = await depsFor(db, config, new Date());
    const veteran = await getSourceByName(db, 'veteran');
    await markSourceSuccess(db, veteran.id, new Date(Date.now() - 3600_000), null);
    const taken = await getSourceByName(db, 'taken');
    expect(await claimSourceLease(db, taken.id, 'other-host:1', new Date(), new Date(Date.now() + 60_000))).toBe(true);

    // the default (what worker.ts gets): start-up ticks for never-run sources, each after its jitter
    const { opts } = fastHttp();
    const collected: number[] = [];
    const t0 = Date.now();
    const s = startScheduler(deps, { maxJitterMs: 400, random: () => 0.5, runOptions: opts, onCollected: async (n) => void collected.push(n) });
    let startup: Awaited<typeof s.startup>;
    try {
      startup = await s.startup;
    } finally {
      await s.stop();
    }
    expect(Date.now() - t0).toBeGreaterThanOrEqual(190); // half of maxJitterMs, as random() said
    const byName = new Map(startup.map((x) => [x.source, x.summary]));
    expect([...byName.keys()].sort()).toEqual(['fresh', 'taken']); // not the one that ran, not the disabled one
    expect(byName.get('fresh')).toMatchObject({ status: 'ok' });
    expect(byName.get('fresh')!.inserted).toBeGreaterThan(0);
    expect(collected).toEqual([byName.get('fresh')!.inserted]);
    expect(byName.get('taken')).toMatchObject({ status: 'busy', fetched: 0 }); // another process holds its lease
    expect(await countRows(db, 'collector_runs', 'source_id = $1', [veteran.id])).toBe(0);
    expect(await countRows(db, 'mentions', 'source_id = $1', [taken.id])).toBe(0);

    // a restart leaves a source that has run to its schedule; switched off, nothing runs at start
    const again = startScheduler(deps, { maxJitterMs: 0, runOptions: opts });
    const second = await again.startup;
    await again.stop();
    expect(second.map((x) => x.source)).toEqual(['taken']);
    const fresh = await getSourceByName(db, 'fresh');
    expect(await countRows(db, 'collector_runs', 'source_id = $1', [fresh.id])).toBe(1);
    const off = startScheduler(deps, { maxJitterMs: 0, runNeverRunOnStart: false, runOptions: opts });
    expect(await off.startup).toEqual([]);
    await off.stop();
    expect(await countRows(db, 'collector_runs', 'source_id = $1', [taken.id])).toBe(0);
  });
});
