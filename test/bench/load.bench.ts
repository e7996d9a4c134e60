/**
 * `tsx test/bench/load.bench.ts`: load test of the dashboard at 1,000,000 stored mentions on PostgreSQL.
 *
 * Seeds a scratch schema (same generator as web.bench.ts: 90 days, 5 brands, 8 sources, analyses,
 * brand matches, duplicates, corrections — all in SQL), builds the rollups, then starts two real
 * processes over it: `earshot serve` (web only) and `earshot worker` (no sources due, so it runs its
 * idle pipeline passes). autocannon (loopback, 10 connections) hits each dashboard page for a fixed
 * time; it prints requests/s, p50 / p99 latency and errors (must be 0), and the RSS of both processes
 * sampled every second over the run (first, last, max: flat means no leak).
 *
 * DATABASE_URL (default postgres://postgres@127.0.0.1:5432/test); BENCH_MENTIONS (default 1,000,000);
 * BENCH_SECONDS per page (default 10); BENCH_KEEP=1 keeps the schema.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
// autocannon ships no types
// @ts-expect-error no declaration file
import autocannon from 'autocannon';
import { openDb, type Db } from '../../db/index.js';
import { migrate } from '../../db/migrate.js';
import { seedMentions } from './seed.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const BIN = path.join(ROOT, 'bin/earshot.js');
const PG = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

/** The pages loaded, with the p99 latency we aim for. */
export const LOAD_PAGES: [string, string][] = [
  ['overview 7d', '/?range=7d'],
  ['overview 30d', '/?range=30d'],
  ['brands 30d', '/brands?range=30d'],
  ['mentions (no filter)', '/mentions'],
  ['mentions search', '/mentions?q=refund'],
  ['mentions filters', '/mentions?brand=Tellwire&stage=support&pain=refund'],
  ['sources', '/sources'],
];


/** Resident set size of a process in bytes (Linux /proc), null when it is gone. */
function rssOf(pid: number): number | null {
  try {
    const m = /VmRSS:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) * 1024 : null;
  } catch {
    return null;
  }
}

/** One page's load figures. */
export interface PageLoad {
  page: string;
  requestsPerSec: number;
  p50: number;
  p95: number;
  p99: number;
  errors: number;
  non2xx: number;
}

/** The load run's figures. */
export interface LoadResult {
  pages: PageLoad[];
  rss: { web: { first: number; last: number; max: number }; worker: { first: number; last: number; max: number } };
}

async function waitForLine(child: ChildProcess, re: RegExp, timeoutMs: number): Promise<RegExpExecArray> {
  return new Promise((resolve, reject) => {
    let out = '';
    const t = setTimeout(() => reject(new Error(`load: no '${re}' from the child within ${timeoutMs} ms: ${out}`)), timeoutMs);
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      const m = re.exec(out);
      if (m) {
        clearTimeout(t);
        resolve(m);
      }
    });
    child.on('exit', (code) => reject(new Error(`load: child exited with ${code}: ${out}`)));
  });
}

/**
 * Starts `earshot serve` and `earshot worker` on the schema behind `url`, runs autocannon against each
 * page for `seconds`, samples both processes' RSS every second, stops them.
 */
export async function runLoad(url: string, seconds: number, log: (m: string) => void = console.log): Promise<LoadResult> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'earshot-load-'));
  fs.writeFileSync(path.join(dir, 'earshot.yaml'), `brands:\n  - {name: Brightwave, query: brightwave, own: true}\n  - {name: Nimbus, query: nimbus}\n  - {name: Tellwire, query: tellwire}\n  - {name: Orbitel, query: orbitel}\n  - {name: Skylane, query: skylane}\nsources: []\n`);
  const env = { ...process.env, DATABASE_URL: url, LOG_LEVEL: 'warn', DOTENV_CONFIG_QUIET: 'true' };
  const web = spawn(process.execPath, [BIN, 'serve', '--port', '0'], { cwd: dir, env, stdio: ['ignore', 'pipe', 'inherit'] });
  const worker = spawn(process.execPath, [BIN, 'worker', '--tick-ms', '2000'], { cwd: dir, env, stdio: ['ignore', 'pipe', 'inherit'] });
  try {
    const [, base] = await waitForLine(web, /dashboard: (http:\/\/\S+)/, 60_000);
    await waitForLine(worker, /Earshot worker/, 60_000);
    const samples = { web: [] as number[], worker: [] as number[] };
    const sampler = setInterval(() => {
      const a = rssOf(web.pid!);
      const b = rssOf(worker.pid!);
      if (a) samples.web.push(a);
      if (b) samples.worker.push(b);
    }, 1000);
    const pages: PageLoad[] = [];
    try {
      for (const [name, p] of LOAD_PAGES) {
        const r = await autocannon({ url: base!.replace(/\/$/, '') + p, connections: 10, duration: seconds, timeout: 10 });
        const row: PageLoad = {
          page: name, requestsPerSec: r.requests.average, p50: r.latency.p50, p95: r.latency.p97_5 ?? r.latency.p90, p99: r.latency.p99,
          errors: r.errors + r.timeouts, non2xx: r.non2xx,
        };
        pages.push(row);
        log(`${name.padEnd(22)} ${row.requestsPerSec.toFixed(0).padStart(7)} req/s  p50 ${String(row.p50).padStart(5)} ms  p99 ${String(row.p99).padStart(5)} ms  errors ${row.errors + row.non2xx}`);
      }
    } finally {
      clearInterval(sampler);
    }
    const sum = (xs: number[]) => ({ first: xs[0] ?? 0, last: xs[xs.length - 1] ?? 0, max: Math.max(0, ...xs) });
    return { pages, rss: { web: sum(samples.web), worker: sum(samples.worker) } };
  } finally {
    web.kill('SIGTERM');
    worker.kill('SIGTERM');
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/** Opens a scratch schema, migrates and seeds it; returns the db, the URL for child processes, and a drop. */
export async function seededSchema(n: number, log: (m: string) => void): Promise<{ db: Db; url: string; drop(): Promise<void> }> {
  const schema = `bench_load_${randomBytes(4).toString('hex')}`;
  const db = await openDb({ url: PG, schema, poolSize: 8 });
  await migrate(db);
  await seedMentions(db, n, new Date(), log);
  const u = new URL(PG);
  u.searchParams.set('options', `-c search_path=${schema},public`);
  return {
    db,
    url: u.toString(),
    async drop() {
      if (process.env.BENCH_KEEP) log(`kept schema ${schema}`);
      else await db.query(`drop schema if exists ${schema} cascade`).catch(() => undefined);
      await db.close();
    },
  };
}

const MB = (b: number): string => `${(b / 1048576).toFixed(0)} MB`;

async function main(): Promise<void> {
  const n = Number(process.env.BENCH_MENTIONS ?? 1_000_000);
  const seconds = Number(process.env.BENCH_SECONDS ?? 10);
  console.log(`load bench: ${n.toLocaleString('en')} mentions, ${seconds} s per page, ${os.cpus().length} cores`);
  const s = await seededSchema(n, console.log);
  try {
    const migrateOk = spawnSync(process.execPath, [BIN, 'migrate'], { env: { ...process.env, DATABASE_URL: s.url, LOG_LEVEL: 'warn' }, encoding: 'utf8' });
    if (migrateOk.status !== 0) throw new Error(`load: migrate failed: ${migrateOk.stderr}`);
    const r = await runLoad(s.url, seconds);
    console.log(`RSS web    first ${MB(r.rss.web.first)}  last ${MB(r.rss.web.last)}  max ${MB(r.rss.web.max)}`);
    console.log(`RSS worker first ${MB(r.rss.worker.first)}  last ${MB(r.rss.worker.last)}  max ${MB(r.rss.worker.max)}`);
    const errors = r.pages.reduce((a, p) => a + p.errors + p.non2xx, 0);
    console.log(errors === 0 ? 'errors: 0' : `errors: ${errors} (MISSED: must be 0)`);
    if (errors) process.exitCode = 1;
  } finally {
    await s.drop();
  }
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  main().catch((err: Error) => {
    console.error(`load bench failed: ${err.stack ?? err.message}`);
    process.exitCode = 1;
  });
}
