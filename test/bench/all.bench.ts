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
 * | load (rps, p50, p99, errors, RSS)   | autocannon, load.bench.ts runLoad, web + worker processes            |
 * | alert latency                       | mention stored (collected_at) → signed webhook received, real worker |
 *
 * DATABASE_URL (default postgres://postgres@127.0.0.1:5432/test); BENCH_MENTIONS for the page figures
 * (default 1,000,000); BENCH_SECONDS per page under load (default 5).
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
import { LOAD_PAGES, runLoad, seededSchema } from './load.bench.js';
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

async function workersScaling(): Promise<void> {
  say('analysis with 1 and 2 worker processes (PostgreSQL)…');
  const K = 20_000;
  const s = await scratchSchema('bench_workers');
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'earshot-bench-'));
  fs.writeFileSync(path.join(dir, 'earshot.yaml'), 'brands: [{name: Acme, query: acme, own: true}, {name: Nimbus, query: nimbus}]\nsources: []\nalerts: {schedule: "0 0 1 1 *"}\n');
  try {
    const mig = spawnSync(process.execPath, [BIN, 'migrate'], { cwd: dir, env: { ...process.env, DATABASE_URL: s.url }, encoding: 'utf8' });
    if (mig.status !== 0) throw new Error(mig.stderr);
    await s.client.query(`insert into sources (name, type) values ('bench', 'file')`);
    const texts = corpus(K);
    await s.client.query(
      `insert into mentions (source_id, external_id, text, published_at) select (select id from sources where name = 'bench'), 'w' || i, t, now() - i * interval '1 second'
         from unnest($1::text[]) with ordinality as x(t, i)`,
      [texts],
    );
    const rates: number[] = [];
    for (const n of [1, 2]) {
      await s.client.query('truncate analyses');
      await s.client.query('truncate analysis_queue');
      const ws = Array.from({ length: n }, () => startWorker(dir, s.url));
      await Promise.all(ws.map((w) => w.ready));
      await new Promise((r) => setTimeout(r, 500));
      const t0 = Date.now();
      await s.client.query('insert into analysis_queue (mention_id) select id from mentions');
      for (;;) {
        const r = await s.client.query<{ n: string }>('select count(*) as n from analyses');
        if (Number(r.rows[0]!.n) >= K) break;
        await new Promise((res) => setTimeout(res, 100));
      }
      const secs = (Date.now() - t0) / 1000;
      await stopAll(ws.map((w) => w.child));
      rates.push(K / secs);
      row(`analysis, ${n} worker process${n > 1 ? 'es' : ''} (mentions/s)`, Math.round(K / secs).toLocaleString('en'));
    }
    const ratio = rates[1]! / rates[0]!;
    row('two workers ÷ one worker', `${ratio.toFixed(2)}×`, ratio >= 1.5 ? '≥ 1.5× ok' : '≥ 1.5× MISSED');
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
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
    const r = await runLoad(s.url, Number(process.env.BENCH_SECONDS ?? 5), say);
    const rps = r.pages.reduce((a, x) => a + x.requestsPerSec, 0) / r.pages.length;
    const p50 = Math.max(...r.pages.map((x) => x.p50));
    const p99 = Math.max(...r.pages.map((x) => x.p99));
    const errors = r.pages.reduce((a, x) => a + x.errors + x.non2xx, 0);
    row('load, 10 connections: mean req/s per page', Math.round(rps).toLocaleString('en'));
    row('load: worst p50 / p99 (ms)', `${p50} / ${p99}`);
    row('load: errors', String(errors), errors === 0 ? '= 0 ok' : '= 0 MISSED');
    const mb = (b: number): string => `${(b / 1048576).toFixed(0)}`;
    row('RSS web first → last (max) MB', `${mb(r.rss.web.first)} → ${mb(r.rss.web.last)} (${mb(r.rss.web.max)})`);
    row('RSS worker first → last (max) MB', `${mb(r.rss.worker.first)} → ${mb(r.rss.worker.last)} (${mb(r.rss.worker.max)})`);
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
