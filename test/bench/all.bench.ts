/**
 * `npm run bench`: one table of the figures that say whether Earshot keeps up, with this machine's
 * core count so runs can be compared.
 *
 * | figure                              | how                                                                  |
 * |-------------------------------------|----------------------------------------------------------------------|
 * | ingest mentions/s (PGlite, PG)      | test/bench/ingest.bench.ts (spawned): a fake HN through runSource    |
 * | analysis mentions/s/core            | analyse() on one thread over 5,000 varied texts                      |
 * | 1 vs 2 workers                      | `earshot worker` processes draining 20,000 queued mentions (PG)      |
 * | page p95 at 1M mentions             | sequential requests to `earshot serve` over 1M seeded mentions       |
 * | load (rps, p50, p99, errors, memory)| autocannon, load.bench.ts runLoad: web + worker + 10 new mentions/s  |
 * | alert latency                       | mention stored (collected_at) → signed webhook received, real worker |
 *
 * DATABASE_URL (default postgres://postgres@127.0.0.1:5432/test); BENCH_MENTIONS for the page figures
 * (default 1,000,000); BENCH_SECONDS per page under load (default 5) and BENCH_ROUNDS after a warm-up
 * round (default 6; the memory verdict compares their halves); BENCH_WORKER_MENTIONS (default
 * 20,000), BENCH_WORKER_WARMUP (default 5,000) and BENCH_WORKER_ROUNDS (1, 2, 2, 1 runs each; default 1)
 * for the worker figures.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import http from 'node:http';
import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import type { AddressInfo } from 'node:net';
import pg from 'pg';
import { createAnalyser } from '../../analysis/index.js';
import { openDb } from '../../db/index.js';
import { refreshRollups } from '../../db/stats.js';
import { LOAD_PAGES, describeMemory, runLoad, seededSchema } from './load.bench.js';
import { startWebhookReceiver } from '../helpers/webhook-receiver.js';

process.env.DOTENV_CONFIG_QUIET = 'true';
process.env.LOG_LEVEL ??= 'warn';
const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const BIN = path.join(ROOT, 'bin/earshot.js');
const PG_URL = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const rows: [string, string, string][] = [];
const say = (m: string): void => console.error(m);

function row(figure: string, value: string, target = ''): void {
  rows.push([figure, value, target]);
  say(`  ${figure}: ${value} ${target}`);
}

// ------------------------------------------------------------------------------------------ ingest
function ingest(): void {
  say('ingest (test/bench/ingest.bench.ts)…');
  const r = spawnSync(process.execPath, ['--import', 'tsx', path.join(ROOT, 'test/bench/ingest.bench.ts')], {
    cwd: ROOT, env: { ...process.env, DATABASE_URL: PG_URL }, encoding: 'utf8', timeout: 600_000,
  });
  const out = `${r.stdout}\n${r.stderr}`;
  for (const m of out.matchAll(/^(\S+)\s+(\d+) mentions in ([\d.]+) s = ([\d,]+) mentions\/s/gm)) {
    const label = m[1]!;
    const rate = Number(m[4]!.replace(/,/g, ''));
    const isPg = /postgres|pg/i.test(label) && !/pglite/i.test(label);
    row(`ingest ${label} (mentions/s)`, rate.toLocaleString('en'), isPg ? (rate >= 8000 ? '≥ 8,000 ok' : '≥ 8,000 MISSED') : '');
  }
  if (!/mentions\/s/.test(out)) row('ingest', `failed: ${out.slice(-300)}`);
}

// ---------------------------------------------------------------------------------------- analysis
const WORDS = ['refund', 'delayed', 'flight', 'support', 'never', 'answered', 'great', 'crew', 'lost', 'luggage', 'app', 'crashes', 'login', 'price',
  'went', 'up', 'love', 'the', 'new', 'seats', 'terrible', 'customer', 'service', 'waited', 'hours', 'on', 'hold', 'switching', 'to', 'Nimbus', 'from', 'Acme'];

function corpus(n: number): string[] {
  const out: string[] = [];
  for (let i = 0; i < n; i++) {
    const len = 8 + ((i * 37) % 60);
    const w: string[] = [];
    for (let k = 0; k < len; k++) w.push(WORDS[(i * 7 + k * 13 + ((i * k) % 5)) % WORDS.length]!);
    out.push(`Acme ${w.join(' ')}${i % 4 === 0 ? ' 😡' : '.'}`);
  }
  return out;
}

function analysisPerCore(): number {
  const analyser = createAnalyser({ brands: [{ name: 'Acme', query: 'acme', own: true, aliases: [] }, { name: 'Nimbus', query: 'nimbus', own: false, aliases: [] }] as never, painPoints: {} });
  const texts = corpus(5000);
  for (const t of texts.slice(0, 500)) analyser.analyse({ text: t, title: null, languageHint: null, brandHint: null });
  const t0 = performance.now();
  for (const t of texts) analyser.analyse({ text: t, title: null, languageHint: null, brandHint: null });
  const rate = texts.length / ((performance.now() - t0) / 1000);
  row('analysis (mentions/s/core)', Math.round(rate).toLocaleString('en'));
  return rate;
}

// ------------------------------------------------------------------------------ workers 1 vs 2 (PG)
async function scratchSchema(prefix: string): Promise<{ url: string; client: pg.Client; drop(): Promise<void> }> {
  const schema = `${prefix}_${randomBytes(4).toString('hex')}`;
  const admin = new pg.Client({ connectionString: PG_URL, user: 'postgres' });
  await admin.connect();
  await admin.query(`create schema ${schema}`);
  await admin.end();
  const u = new URL(PG_URL);
  u.searchParams.set('options', `-c search_path=${schema},public`);
  const client = new pg.Client({ connectionString: u.toString(), user: 'postgres' });
  await client.connect();
  return {
    url: u.toString(), client,
    async drop() {
      await client.query(`drop schema ${schema} cascade`).catch(() => undefined);
      await client.end();
    },
  };
}

function startWorker(dir: string, url: string, extra: string[] = []): { child: ChildProcess; ready: Promise<void> } {
  const child = spawn(process.execPath, [BIN, 'worker', '--jitter-ms', '0', '--tick-ms', '200', ...extra], {
    cwd: dir, env: { ...process.env, DATABASE_URL: url, LOG_LEVEL: process.env.BENCH_WORKER_LOG ?? 'warn' }, stdio: ['ignore', 'pipe', 'inherit'],
  });
  const ready = new Promise<void>((resolve, reject) => {
    let out = '';
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      if (out.includes('Earshot worker')) resolve();
    });
    child.on('exit', (c) => reject(new Error(`bench: worker exited ${c}`)));
  });
  return { child, ready };
}

async function stopAll(children: ChildProcess[]): Promise<void> {
  await Promise.all(children.map((c) => new Promise<void>((r) => {
    if (c.exitCode !== null) return r();
    c.on('exit', () => r());
    c.kill('SIGTERM');
  })));
}

/**
 * 1 vs 2 `earshot worker` processes draining K queued mentions, in steady state. Each run starts from
 * the same state: no analyses, brand matches or queue rows, the rollups fresh for the stored mentions,
 * tables vacuumed and analysed; the workers are started, then warmed up on W other mentions (published
 * two days earlier, so no rollup hour is shared) until those are analysed and their rollups fresh —
 * process start-up, the tsx compile, the JIT and the analyser's first-use training (≈ 1 s of CPU per
 * process, which a worker pays once in its life) stay outside the clock. The clock starts when the K
 * mentions are queued in one statement (as the enqueue trigger does: id and published_at) and stops
 * when all K analyses are stored and, for the second figure, when the dashboard rollups are fresh again
 * (nothing queued, no hour marked): the work a worker does for a mention includes keeping the
 * dashboard's figures right. Runs go 1, 2, 2, 1 (BENCH_WORKER_ROUNDS times) so a change in the
 * machine's load during the bench weighs on both sides alike.
 */
async function workersScaling(): Promise<void> {
  say('analysis with 1 and 2 worker processes (PostgreSQL)…');
  const K = Number(process.env.BENCH_WORKER_MENTIONS ?? 20_000);
  const W = Number(process.env.BENCH_WORKER_WARMUP ?? 5_000);
  const rounds = Number(process.env.BENCH_WORKER_ROUNDS ?? 1);
  const s = await scratchSchema('bench_workers');
  const app = `earshot_bench_${randomBytes(4).toString('hex')}`;
  const u = new URL(s.url);
  u.searchParams.set('application_name', app);
  const url = u.toString();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'earshot-bench-'));
  fs.writeFileSync(path.join(dir, 'earshot.yaml'), 'brands: [{name: Acme, query: acme, own: true}, {name: Nimbus, query: nimbus}]\nsources: []\nalerts: {schedule: "0 0 1 1 *"}\n');
  const db = await openDb({ url: s.url });
  try {
    const mig = spawnSync(process.execPath, [BIN, 'migrate'], { cwd: dir, env: { ...process.env, DATABASE_URL: s.url }, encoding: 'utf8' });
    if (mig.status !== 0) throw new Error(mig.stderr);
    await s.client.query(`insert into sources (name, type) values ('bench', 'file')`);
    const texts = corpus(K + W);
    await s.client.query(
      `insert into mentions (source_id, external_id, text, published_at)
       select (select id from sources where name = 'bench'), 'w' || i, t,
              now() - i * interval '1 second' - case when i > $2 then interval '2 days' else interval '0' end
         from unnest($1::text[]) with ordinality as x(t, i)`,
      [texts, K],
    );
    const count = async (sql: string): Promise<number> => Number((await s.client.query<{ n: string }>(sql)).rows[0]!.n);
    // quiet: no query of the workers running for 3 polls in a row (their 200 ms ticks run short alert
    // passes), or 5 s at most on a busy machine
    const idle = async (): Promise<void> => {
      const until = Date.now() + 5000;
      for (let quiet = 0; quiet < 3 && Date.now() < until;) {
        await new Promise((r) => setTimeout(r, 100));
        const active = await count(`select count(*) as n from pg_stat_activity where application_name = '${app}' and state <> 'idle'`);
        quiet = active === 0 ? quiet + 1 : 0;
      }
    };
    const fresh = async (): Promise<boolean> =>
      (await count('select (select count(*) from analysis_queue) + (select count(*) from rollup_marks) + (select count(*) from rollup_dirty) as n')) === 0;
    const measured = `select id, published_at from mentions where published_at > now() - interval '1 day'`;
    const runs: { n: number; analysed: number; fresh: number; load: string }[] = [];
    const order = Array.from({ length: rounds }, () => [1, 2, 2, 1]).flat();
    for (const n of order) {
      await s.client.query('truncate analyses, mention_brands, analysis_queue, rollup_marks, rollup_dirty');
      await refreshRollups(db, { full: true });
      await s.client.query('vacuum analyze');
      const ws = Array.from({ length: n }, () => startWorker(dir, url));
      await Promise.all(ws.map((w) => w.ready));
      await idle();
      if (W > 0) {
        await s.client.query(`insert into analysis_queue (mention_id, published_at) select id, published_at from mentions where published_at <= now() - interval '1 day'`);
        while ((await count('select count(*) as n from analyses')) < W || !(await fresh())) await new Promise((r) => setTimeout(r, 100));
        await idle();
      }
      const load = fs.readFileSync('/proc/loadavg', 'utf8').split(' ')[0]!;
      const t0 = performance.now();
      await s.client.query(`insert into analysis_queue (mention_id, published_at) ${measured}`);
      let analysed = 0;
      for (;;) {
        if (!analysed && (await count('select count(*) as n from analyses')) >= K + W) analysed = (performance.now() - t0) / 1000;
        if (analysed && (await fresh())) break;
        await new Promise((res) => setTimeout(res, 50));
      }
      const freshAt = (performance.now() - t0) / 1000;
      await stopAll(ws.map((w) => w.child));
      const twice = await count('select count(*) as n from analyses where times_analysed <> 1');
      if (twice > 0) throw new Error(`bench: ${twice} mentions analysed more than once`);
      runs.push({ n, analysed, fresh: freshAt, load });
      say(`  ${n} worker${n > 1 ? 's' : ''}: analysed in ${analysed.toFixed(2)} s (${Math.round(K / analysed).toLocaleString('en')}/s), rollups fresh at ${freshAt.toFixed(2)} s (${Math.round(K / freshAt).toLocaleString('en')}/s), load ${load}`);
    }
    const rate = (n: number, k: 'analysed' | 'fresh'): number => {
      const mine = runs.filter((r) => r.n === n);
      return K / (mine.reduce((a, r) => a + r[k], 0) / mine.length);
    };
    const loads = runs.map((r) => r.load).join(' ');
    for (const n of [1, 2]) {
      row(`analysis, ${n} worker process${n > 1 ? 'es' : ''} (mentions/s, stored / stored + rollups fresh)`,
        `${Math.round(rate(n, 'analysed')).toLocaleString('en')} / ${Math.round(rate(n, 'fresh')).toLocaleString('en')}`);
    }
    const ratio = rate(2, 'analysed') / rate(1, 'analysed');
    const ratioFresh = rate(2, 'fresh') / rate(1, 'fresh');
    row('two workers ÷ one worker (stored / stored + rollups fresh)', `${ratio.toFixed(2)}× / ${ratioFresh.toFixed(2)}×`, Math.min(ratio, ratioFresh) >= 1.5 ? '≥ 1.5× ok' : '≥ 1.5× MISSED');
    row('load average at the start of each worker run', loads);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
    await db.close();
    await s.drop();
  }
}

// ------------------------------------------------------------------------------------ alert latency
async function alertLatency(): Promise<void> {
  say('alert latency (fake source → worker → webhook)…');
  const rx = await startWebhookReceiver({ secret: 'bench' });
  let serving = false;
  // a Mastodon hashtag timeline: one angry post by an account with 2M followers (a high-reach alert)
  const server = http.createServer((req, res) => {
    const statuses = serving
      ? [{ id: '1000001', created_at: new Date(Date.now() - 60_000).toISOString(), url: 'https://social.example/@famous/1000001', language: 'en',
           content: '<p>Acme lost my luggage and refused a refund. Worst airline ever, terrible service.</p>',
           account: { acct: 'famous', followers_count: 2_000_000 }, replies_count: 0, reblogs_count: 0, favourites_count: 0 }]
      : [];
    res.setHeader('content-type', 'application/json');
    res.end(JSON.stringify(req.url?.startsWith('/api/v1/timelines/tag/') ? statuses : []));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as AddressInfo).port;
  const s = await scratchSchema('bench_alert');
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'earshot-bench-'));
  // one scheduler tick = 10 s here (the default for Hacker News is 15 min)
  fs.writeFileSync(path.join(dir, 'earshot.yaml'),
    `brands: [{name: Acme, query: acme, own: true}]\nsources:\n  - {name: masto, type: mastodon, schedule: '*/10 * * * * *', baseUrl: 'http://127.0.0.1:${port}', hashtags: [acme], rateLimit: 100}\n` +
    `alerts:\n  schedule: '0 0 1 1 *'\n  webhooks: [{url: '${rx.url}', secret: bench, format: json}]\n`);
  const w = startWorker(dir, s.url, ['--tick-ms', '60000']);
  try {
    await w.ready;
    await new Promise((r) => setTimeout(r, 1500));
    serving = true;
    await rx.waitFor(1, 40_000);
    const got = Date.now();
    const r = await s.client.query<{ collected_at: Date }>(`select collected_at from mentions where external_id = '1000001'`);
    const ms = got - r.rows[0]!.collected_at.getTime();
    row('alert latency, stored → webhook (ms)', ms.toLocaleString('en'), ms < 10_000 ? '< 1 tick (10 s) ok' : '< 1 tick (10 s) MISSED');
  } finally {
    await stopAll([w.child]);
    server.close();
    await rx.close();
    fs.rmSync(dir, { recursive: true, force: true });
    await s.drop();
  }
}

// ------------------------------------------------------------------------------- pages at 1M (PG)
async function pages(): Promise<void> {
  const n = Number(process.env.BENCH_MENTIONS ?? 1_000_000);
  say(`seeding ${n.toLocaleString('en')} mentions for the page figures…`);
  const s = await seededSchema(n, say);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'earshot-bench-'));
  fs.writeFileSync(path.join(dir, 'earshot.yaml'), 'brands: [{name: Brightwave, query: brightwave, own: true}, {name: Nimbus, query: nimbus}, {name: Tellwire, query: tellwire}]\nsources: []\n');
  try {
    // p95 of sequential requests (one user), per page
    const web = spawn(process.execPath, [BIN, 'serve', '--port', '0'], { cwd: dir, env: { ...process.env, DATABASE_URL: s.url, LOG_LEVEL: 'warn' }, stdio: ['ignore', 'pipe', 'inherit'] });
    const base = await new Promise<string>((resolve, reject) => {
      let out = '';
      web.stdout!.on('data', (d: Buffer) => {
        out += d.toString();
        const m = /dashboard: (http:\/\/\S+)/.exec(out);
        if (m) resolve(m[1]!.replace(/\/$/, ''));
      });
      web.on('exit', (c) => reject(new Error(`bench: serve exited ${c}`)));
    });
    let worst = 0;
    let worstPage = '';
    for (const [name, p] of LOAD_PAGES) {
      for (let i = 0; i < 3; i++) await (await fetch(base + p)).text();
      const times: number[] = [];
      for (let i = 0; i < 30; i++) {
        const t = performance.now();
        const res = await fetch(base + p);
        await res.text();
        if (res.status !== 200) throw new Error(`bench: ${p} answered ${res.status}`);
        times.push(performance.now() - t);
      }
      times.sort((a, b) => a - b);
      const p95 = times[Math.ceil(0.95 * times.length) - 1]!;
      say(`  ${name}: p95 ${p95.toFixed(0)} ms`);
      if (name === 'sources') {
        row(`page p95 at ${(n / 1e6).toFixed(1)}M mentions, /sources (ms)`, p95.toFixed(0), p95 < 150 ? '< 150 ok' : '< 150 MISSED');
        continue;
      }
      if (p95 > worst) {
        worst = p95;
        worstPage = name;
      }
    }
    await stopAll([web]);
    row(`page p95 at ${(n / 1e6).toFixed(1)}M mentions, slowest dashboard page (ms)`, `${worst.toFixed(0)} (${worstPage})`, worst < 150 ? '< 150 ok' : '< 150 MISSED');
    // under load: autocannon, serve + worker processes
    const r = await runLoad(s.url, { seconds: Number(process.env.BENCH_SECONDS ?? 5), rounds: Number(process.env.BENCH_ROUNDS ?? 6), log: say });
    const rps = r.pages.reduce((a, x) => a + x.requestsPerSec, 0) / r.pages.length;
    const p50 = Math.max(...r.pages.map((x) => x.p50));
    const p99 = Math.max(...r.pages.map((x) => x.p99));
    const errors = r.pages.reduce((a, x) => a + x.errors + x.non2xx, 0);
    row(`load, 10 connections, ${r.rounds} rounds after a warm-up: mean req/s per page`, Math.round(rps).toLocaleString('en'));
    row('load: worst p50 / p99 (ms)', `${p50.toFixed(0)} / ${p99.toFixed(0)}`);
    row('load: errors', String(errors), errors === 0 ? '= 0 ok' : '= 0 MISSED');
    const mb = (b: number | null): string => (b === null ? '–' : `${(b / 1048576).toFixed(0)}`);
    for (const v of [r.memory.web, r.memory.worker]) {
      for (const line of describeMemory(v)) say(`  ${line}`);
      row(`memory ${v.process}: RSS MB idle → after warm-up; median 1st → 2nd half (peaks)`, `${mb(v.idleRss)} → ${mb(v.warmRss)}; ${mb(v.halves.rssMedian[0])} → ${mb(v.halves.rssMedian[1])} (${mb(v.halves.rssPeak[0])} → ${mb(v.halves.rssPeak[1])})`, v.status === 'flat' ? 'flat ok' : v.status === 'growing' ? 'flat MISSED' : 'flat: not judged');
      row(`memory ${v.process}: live heap after GC MB, floor 1st → 2nd half`, `${mb(v.halves.liveFloor[0])} → ${mb(v.halves.liveFloor[1])}`);
    }
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
    await s.drop();
  }
}

async function main(): Promise<void> {
  const only = process.env.BENCH_ONLY?.split(',') ?? ['ingest', 'analysis', 'workers', 'alerts', 'pages'];
  if (only.includes('ingest')) ingest();
  if (only.includes('analysis')) analysisPerCore();
  if (only.includes('workers')) await workersScaling();
  if (only.includes('alerts')) await alertLatency();
  if (only.includes('pages')) await pages();
  const head: [string, string, string] = ['figure', 'value', 'target'];
  const w = [0, 1, 2].map((i) => Math.max(head[i]!.length, ...rows.map((r) => r[i]!.length)));
  const line = (r: [string, string, string]): string => `| ${r.map((c, i) => c.padEnd(w[i]!)).join(' | ')} |`;
  console.log(`\nEarshot benchmarks — ${os.cpus().length} cores (${os.cpus()[0]?.model ?? 'unknown cpu'}), Node ${process.version}, ${new Date().toISOString().slice(0, 10)}\n`);
  console.log(line(head));
  console.log(`|${w.map((x) => '-'.repeat(x + 2)).join('|')}|`);
  for (const r of rows) console.log(line(r));
}

main().catch((err: Error) => {
  console.error(`bench failed: ${err.stack ?? err.message}`);
  process.exitCode = 1;
});
