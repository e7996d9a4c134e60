/**
 * Helpers for the scale and fault tests: a private PostgreSQL schema reachable by child processes, a
 * local fake source in the Hacker News (Algolia) shape, `earshot worker` processes, a TCP proxy that
 * can cut every connection to PostgreSQL, and polling.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import pg from 'pg';

export const ROOT = path.resolve(import.meta.dirname, '../..');
export const BIN = path.join(ROOT, 'bin/earshot.js');
export const PG_URL = process.env.DATABASE_URL;
/** Why a test is skipped without PostgreSQL. */
export const NEEDS_PG = 'needs PostgreSQL: set DATABASE_URL=postgres://postgres@127.0.0.1:5432/test';

/** A schema of its own on the server, with the URL child processes use to land in it. */
export interface Scratch {
  schema: string;
  /** DATABASE_URL with `options=-c search_path=<schema>,public`. */
  url: string;
  dir: string;
  /** One client on the schema, for assertions. */
  client: pg.Client;
  count(sql: string, params?: unknown[]): Promise<number>;
  drop(): Promise<void>;
}

/** Creates a schema and a scratch directory. */
export async function createScratch(baseUrl = PG_URL!): Promise<Scratch> {
  const schema = `scale_${randomBytes(5).toString('hex')}`;
  const admin = new pg.Client({ connectionString: baseUrl, user: 'postgres' });
  await admin.connect();
  await admin.query(`create schema ${schema}`);
  await admin.end();
  const u = new URL(baseUrl);
  u.searchParams.set('options', `-c search_path=${schema},public`);
  const url = u.toString();
  const client = new pg.Client({ connectionString: url, user: 'postgres' });
  await client.connect();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'earshot-scale-'));
  return {
    schema, url, dir, client,
    async count(sql, params) {
      const r = await client.query<{ n: string }>(sql, params);
      return Number(r.rows[0]?.n ?? 0);
    },
    async drop() {
      await client.end().catch(() => undefined);
      const c = new pg.Client({ connectionString: baseUrl, user: 'postgres' });
      await c.connect();
      await c.query(`drop schema if exists ${schema} cascade`);
      await c.end();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Replaces host:port of a URL (to go through a proxy). */
export function viaPort(url: string, port: number): string {
  const u = new URL(url);
  u.hostname = '127.0.0.1';
  u.port = String(port);
  return u.toString();
}

/** A fake Hacker News search API serving `perSource` stories for each path prefix (`/a`, `/b`, …). */
export interface FakeSource {
  url: string;
  /** Requests served, by "prefix page since" key. */
  served: Map<string, number>;
  close(): Promise<void>;
}

/**
 * Starts the fake source. Every story mentions "Acme"; ids are `<prefix>-<n>`; created within the last
 * hour, newest first; honours `numericFilters=created_at_i>X`, `hitsPerPage` and `page`. Each page
 * waits `delayMs` (a collection takes a while, so a worker can be killed in the middle of it).
 */
export async function startFakeSource(perSource: number, delayMs: number): Promise<FakeSource> {
  const now = Math.floor(Date.now() / 1000);
  const served = new Map<string, number>();
  const server = http.createServer((req, res) => {
    const u = new URL(req.url ?? '/', 'http://x');
    const m = /^\/([a-z]+)\/api\/v1\/search_by_date$/.exec(u.pathname);
    if (!m) {
      res.statusCode = 404;
      res.end('{}');
      return;
    }
    const prefix = m[1]!;
    const since = Number(/created_at_i>(\d+)/.exec(u.searchParams.get('numericFilters') ?? '')?.[1] ?? 0);
    const per = Number(u.searchParams.get('hitsPerPage') ?? 100);
    const page = Number(u.searchParams.get('page') ?? 0);
    const key = `${prefix} ${page} ${since}`;
    served.set(key, (served.get(key) ?? 0) + 1);
    // item n (0 = newest) was created n seconds before `now`
    const all: number[] = [];
    for (let n = 0; n < perSource; n++) if (now - 60 - n > since) all.push(n);
    const hits = all.slice(page * per, page * per + per).map((n) => ({
      objectID: `${prefix}-${n}`,
      created_at_i: now - 60 - n,
      title: `Acme story ${prefix} ${n}`,
      story_text: `<p>Acme support was ${n % 2 ? 'slow and unhelpful, refund still missing' : 'quick and friendly'} (#${n})</p>`,
      author: `user${n % 97}`,
      points: n % 50,
      num_comments: n % 7,
      _tags: ['story'],
    }));
    const body = JSON.stringify({ hits, page, nbPages: Math.ceil(all.length / per) });
    setTimeout(() => {
      res.setHeader('content-type', 'application/json');
      res.end(body);
    }, delayMs);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    served,
    close: () => new Promise<void>((r) => { server.closeAllConnections(); server.close(() => r()); }),
  };
}

/** Writes earshot.yaml with one Hacker News source per prefix, each ticking every second. */
export function writeWorkerConfig(dir: string, sourceUrl: string, prefixes: string[], pageSize = 100): string {
  const file = path.join(dir, 'earshot.yaml');
  const sources = prefixes
    .map((p) => `  - {name: hn-${p}, type: hackernews, schedule: '* * * * * *', baseUrl: '${sourceUrl}/${p}', maxPages: 1000, pageSize: ${pageSize}, backfillDays: 1, rateLimit: 20, tags: [story]}`)
    .join('\n');
  fs.writeFileSync(file, `brands:\n  - {name: Acme, query: acme, own: true}\nsources:\n${sources}\nalerts:\n  schedule: '0 0 1 1 *'\n`);
  return file;
}

/** A running `earshot worker` child process. */
export interface WorkerProc {
  child: ChildProcess;
  stdout: () => string;
  stderr: () => string;
  exited: Promise<number | null>;
  kill9(): Promise<void>;
  /** SIGTERM, wait for exit; returns the stats line the worker printed. */
  stop(): Promise<{ analysed: number; passes: number; failedPasses: number } | null>;
}

/** Starts `earshot worker` with short leases (fault tests). */
export function startWorkerProc(dir: string, url: string, extra: string[] = []): WorkerProc {
  const env: NodeJS.ProcessEnv = { ...process.env, DATABASE_URL: url, LOG_LEVEL: process.env.SCALE_LOG_LEVEL ?? 'warn', DOTENV_CONFIG_QUIET: 'true' };
  delete env.EARSHOT_TEST_TEMPLATE;
  const child = spawn(process.execPath, [BIN, 'worker', '--lease-ms', '2000', '--source-lease-ms', '2000', '--jitter-ms', '0', '--batch-size', '100',
    '--tick-ms', '1000', '--retry-ms', '300', ...extra], { cwd: dir, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (err += d.toString()));
  const exited = new Promise<number | null>((r) => child.on('exit', (code) => r(code)));
  return {
    child,
    stdout: () => out,
    stderr: () => err,
    exited,
    async kill9() {
      child.kill('SIGKILL');
      await exited;
    },
    async stop() {
      child.kill('SIGTERM');
      await exited;
      const line = out.split('\n').find((l) => l.startsWith('{"worker"'));
      return line ? (JSON.parse(line) as { analysed: number; passes: number; failedPasses: number }) : null;
    },
  };
}

/** Polls `check` every 100 ms until it returns true; throws with `what` after `timeoutMs`. */
export async function waitUntil(what: string, check: () => Promise<boolean>, timeoutMs: number): Promise<void> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    if (await check().catch(() => false)) return;
    if (Date.now() > end) throw new Error(`scale: timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** A TCP proxy on 127.0.0.1 in front of PostgreSQL that can cut every connection and refuse new ones. */
export interface CutProxy {
  port: number;
  /** Destroys every open connection and refuses new ones until `restore()`. */
  cut(): void;
  restore(): void;
  close(): Promise<void>;
}

/** Starts the proxy towards `target` (host:port of the real server). */
export async function startCutProxy(targetHost: string, targetPort: number): Promise<CutProxy> {
  const sockets = new Set<net.Socket>();
  let down = false;
  const server = net.createServer((client) => {
    if (down) {
      client.destroy();
      return;
    }
    const upstream = net.connect(targetPort, targetHost);
    sockets.add(client);
    sockets.add(upstream);
    const drop = (): void => {
      client.destroy();
      upstream.destroy();
      sockets.delete(client);
      sockets.delete(upstream);
    };
    client.on('error', drop).on('close', drop);
    upstream.on('error', drop).on('close', drop);
    client.pipe(upstream);
    upstream.pipe(client);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    port: (server.address() as AddressInfo).port,
    cut() {
      down = true;
      for (const s of sockets) s.destroy();
      sockets.clear();
    },
    restore() {
      down = false;
    },
    close: () =>
      new Promise<void>((r) => {
        for (const s of sockets) s.destroy();
        server.close(() => r());
      }),
  };
}
