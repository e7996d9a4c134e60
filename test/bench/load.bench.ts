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
import { refreshRollups } from '../../db/stats.js';
import { ensureMentionPartitions } from '../../db/jobs.js';
import { ANALYSER_VERSION } from '../../analysis/index.js';

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

/**
 * Seeds `n` mentions ending at `now` into `db` (a migrated schema), with analyses, brand matches,
 * duplicates and corrections, and builds the rollups. The analysis queue is emptied (the seeded
 * analyses stand for the work done). Returns seconds per step.
 */
export async function seedMentions(db: Db, n: number, now: Date, log: (m: string) => void = () => undefined): Promise<void> {
  const t0 = Date.now();
  const lap = (m: string): void => log(`${((Date.now() - t0) / 1000).toFixed(1).padStart(6)} s  ${m}`);
  await db.exec(`
    insert into brands (name, own) values ('Brightwave', true), ('Nimbus', false), ('Tellwire', false), ('Orbitel', false), ('Skylane', false) on conflict do nothing;
    insert into sources (name, type) values ('hn','hackernews'), ('reddit','reddit'), ('masto','mastodon'), ('bsky','bluesky'), ('rss','rss'), ('apps','appstore'), ('yt','youtube'), ('import','file') on conflict do nothing;`);
  // 90 days; text from a small vocabulary so search terms have a realistic spread; in slices of 100k
  for (let lo = 1; lo <= n; lo += 100_000) {
    const hi = Math.min(n, lo + 99_999);
    await db.query(
      `insert into mentions (source_id, external_id, url, author, author_reach, title, text, language, published_at, engagement, rating, origin)
       select 1 + (g % 8), 'b' || g, 'https://example.com/' || g, 'user' || (g % 50000), (g * 7919) % 200000,
              case when g % 10 = 0 then 'Title ' || g else null end,
              (array['refund','delay','outage','billing','support','signal','roaming','upgrade','contract','coverage','app','login','invoice','price','router'])[1 + (g * 31) % 15]
                || ' ' || (array['terrible','great','slow','again','today','finally','never','love','hate','fine'])[1 + (g * 17) % 10]
                || ' ' || (array['brightwave','nimbus','tellwire','orbitel','skylane'])[1 + g % 5]
                || ' mention number ' || g || case when g % 997 = 0 then ' lost luggage nightmare' else '' end,
              case when g % 9 = 0 then 'de' else 'en' end,
              $3::timestamptz - ((g * 7777) % (90 * 86400)) * interval '1 second',
              jsonb_build_object('likes', (g * 13) % 500, 'replies', (g * 3) % 40),
              case when g % 8 = 5 then 1 + (g % 5) else null end,
              case when g % 8 = 7 then (array['twitter','reddit','facebook'])[1 + g % 3] else null end
         from generate_series($1::bigint, $2::bigint) g`,
      [lo, hi, now],
    );
  }
  lap(`inserted ${n.toLocaleString('en')} mentions`);
  // what a running worker does daily: months older than the migration's window leave the default partition
  await ensureMentionPartitions(db, now);
  lap('monthly partitions created');
  // analyses carry the current analyser version, so a worker started on this data has nothing to redo
  await db.query(`
    insert into analyses (mention_id, analyser_version, language, sentiment_label, sentiment_score, pain_points, pain_point_ids, stage, comparison, switch_from, switch_to)
    select id, $1, 'en', (array['positive','neutral','negative','negative'])[1 + (id * 7) % 4], 0.1,
           case when id % 3 = 0 then jsonb_build_array(jsonb_build_object('id', (array['delay','refund','billing','outage','customer-service','usability'])[1 + id % 6], 'evidence', jsonb_build_array('word'))) else '[]'::jsonb end,
           case when id % 3 = 0 then array[(array['delay','refund','billing','outage','customer-service','usability'])[1 + id % 6]] else '{}'::text[] end,
           case when id % 8 = 0 then null else (array['awareness','consideration','purchase','experience','support','retention','advocacy'])[1 + id % 7] end,
           id % 50 = 0, case when id % 101 = 0 then 'Nimbus' end, case when id % 101 = 0 then 'Brightwave' end
      from mentions where id % 20 <> 0`, [ANALYSER_VERSION]);
  await db.exec(`
    insert into mention_brands (mention_id, brand_id, sentiment_label)
    select id, (select min(id) from brands) + id % 5, case when id % 4 = 0 then 'negative' end from mentions;
    update mentions set duplicate_of = id - 1 where id % 200 = 0;
    insert into corrections (mention_id, sentiment_label) select id, 'positive' from mentions where id % 1000 = 1;
    truncate analysis_queue;`);
  lap('inserted analyses, brand matches, duplicates, corrections');
  await db.exec('analyze');
  const hours = await refreshRollups(db, { full: true });
  await db.exec('analyze');
  lap(`rollups built (${hours} hours)`);
}

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
