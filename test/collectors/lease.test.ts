import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { openTestDb, DB_KIND } from '../helpers/db.js';
import { openDb, type Db } from '../../db/index.js';
import { runSource } from '../../collectors/run.js';
import { getSourceByName } from '../../db/sources.js';
import { listRuns } from '../../db/runs.js';
import { configFrom, countRows, depsFor, fastHttp, fixtureJson } from './helpers.js';

const MCP = fixtureJson<{ hits: Record<string, unknown>[] }>('hackernews/search_story_query_model_context_protocol_2026.json');
let db: Db;
let server: http.Server;
let port = 0;
beforeAll(async () => {
  db = await openTestDb();
  server = http.createServer((req, res) => {
    const p = Number(new URL(req.url!, 'http://x').searchParams.get('page') ?? 0);
    // slow pages, so the first run still holds the source when the second one starts
    setTimeout(() => {
      res.setHeader('Content-Type', 'application/json');
      res.end(JSON.stringify({ hits: MCP.hits.slice(p * 5, p * 5 + 5), page: p, nbPages: 2 }));
    }, 400);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  port = (server.address() as AddressInfo).port;
});
afterAll(async () => {
  server.close();
  await db.close();
});

describe(`run lease across processes (${DB_KIND})`, () => {
  // Two processes = two connection pools and two copies of the run module (each with its own in-process
  // "running" set), so only the lease row in `sources` can keep them apart.
  it.skipIf(!process.env.DATABASE_URL)('two runs of one source from two pools on PostgreSQL: one runs, the other returns busy', async () => {
    const config = configFrom(
      `brands:\n  - name: MCP\n    query: '"model context protocol" OR mcp OR protocol'\nsources:\n  - name: shared\n    type: hackernews\n    baseUrl: http://127.0.0.1:${port}\n    backfillDays: 5000\n`,
    );
    const depsA = await depsFor(db, config, new Date());
    const schema = (await db.query<{ s: string }>('select current_schema() as s')).rows[0]!.s;
    const other = await openDb({ url: process.env.DATABASE_URL, schema, poolSize: 2 });
    try {
      vi.resetModules();
      const second = (await import('../../collectors/run.js')) as { runSource: typeof runSource };
      expect(second.runSource).not.toBe(runSource);
      const depsB = { ...depsA, db: other };
      const { opts } = fastHttp();
      const src = await getSourceByName(db, 'shared');

      const a = runSource(depsA, 'shared', opts);
      for (let i = 0; i < 100; i++) {
        const r = await other.query<{ lease_until: Date | null }>('select lease_until from sources where id = $1', [src.id]);
        if (r.rows[0]!.lease_until) break;
        await new Promise((res) => setTimeout(res, 20));
      }
      const b = await second.runSource(depsB, 'shared', opts);
      expect(b).toMatchObject({ status: 'busy', runId: null, fetched: 0, inserted: 0 });
      const ra = await a;
      expect(ra.status).toBe('ok');
      expect(ra.inserted).toBeGreaterThan(0);
      expect((await listRuns(db, src.id)).length).toBe(1);
      expect(await countRows(db, 'mentions', 'source_id = $1', [src.id])).toBe(ra.inserted);

      // the lease is released at the end: the other process may run it now
      const again = await second.runSource(depsB, 'shared', opts);
      expect(again).toMatchObject({ status: 'ok', inserted: 0 });
      expect((await listRuns(db, src.id)).length).toBe(2);
    } finally {
      await other.close();
    }
  });

  it('renews the lease while a run outlasts it, so no other run can start the source meanwhile', async () => {
    const config = configFrom(
      `brands:\n  - name: MCP\n    query: '"model context protocol" OR mcp OR protocol'\nsources:\n  - name: long\n    type: hackernews\n    baseUrl: http://127.0.0.1:${port}\n    backfillDays: 5000\n`,
    );
    const deps = await depsFor(db, config, new Date());
    deps.now = () => new Date();
    const { opts } = fastHttp();
    const src = await getSourceByName(db, 'long');
    // Two slow pages (0.4 s each) against a 0.6 s lease renewed every 0.2 s.
    const started = Date.now();
    const run = runSource(deps, 'long', { ...opts, leaseMs: 600 });
    await new Promise((res) => setTimeout(res, 700));
    const mid = (await db.query<{ lease_until: Date | null }>('select lease_until from sources where id = $1', [src.id])).rows[0]!.lease_until;
    const r = await run;
    expect(r.status).toBe('ok');
    expect(Date.now() - started).toBeGreaterThan(600); // the run outlived its first lease…
    expect(mid!.getTime()).toBeGreaterThan(started + 900); // …and the heartbeat had pushed it well past 0.6 s
    const after = (await db.query<{ lease_until: Date | null }>('select lease_until from sources where id = $1', [src.id])).rows[0]!.lease_until;
    expect(after).toBeNull();
  });
});
