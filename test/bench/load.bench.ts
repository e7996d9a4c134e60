/**
 * `npm run bench:load`: load test of the dashboard at 1,000,000 stored mentions on PostgreSQL.
 *
 * Seeds a scratch schema (test/bench/seed.ts: 90 days, 5 brands, 8 sources, analyses, brand matches,
 * duplicates, corrections, run history — all in SQL), then starts two real processes over it:
 * `earshot serve` (web only) and `earshot worker` (2-second ticks), while the bench stores
 * BENCH_INGEST new mentions a second (default 10: 860k a day, ~80× the seed's average; one batch every
 * 10 s, as source runs store them) for the worker to analyse, roll up and evaluate alerts
 * on. autocannon (loopback, 10 connections) hits each dashboard page for a fixed time; per page it prints
 * requests/s, p50 / p95 / p99 latency over every response, and errors (must be 0).
 *
 * Memory: both processes are started with test/bench/mem-probe.mjs, which logs RSS and the V8 heap still
 * in use after each major GC (the live heap) every second, and runs a full GC every BENCH_GC_MS (default
 * 10 s, ~0.1 s of pause each; 0: only V8's own, which may be a handful in minutes). A warm-up round over every
 * page comes first (not measured: V8 grows its heap and the pg pool opens its connections), then
 * BENCH_ROUNDS identical rounds. Printed per process: RSS idle → after warm-up → end, each round's RSS
 * median and range and live-heap range, the RSS slope over the second half, and a verdict: FLAT when the
 * second half of the rounds holds the first half's RSS median and live-heap floor (within FLAT_FRACTION),
 * GROWING when not, NOT JUDGED when too few major GCs fell in a half — with the smallest steady leak the
 * run could have caught. Exit code 1 on errors or memory that is not flat.
 *
 * DATABASE_URL (default postgres://postgres@127.0.0.1:5432/test); BENCH_MENTIONS (default 1,000,000);
 * BENCH_SECONDS per page per round (default 10); BENCH_ROUNDS (default 4); BENCH_WARMUP_SECONDS per page
 * (default BENCH_SECONDS); BENCH_INGEST new mentions/s (default 10, a batch every 10 s); BENCH_GC_MS; BENCH_KEEP=1 keeps the schema;
 * BENCH_SCHEMA=name seeds that schema once and reuses it (never dropped); BENCH_MEM_OUT=dir keeps the
 * probes' samples (mem-web.jsonl, mem-worker.jsonl) there.
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
import { seedOrReuse } from './seed.js';

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


const PROBE = path.join(ROOT, 'test/bench/mem-probe.mjs');

/** One page's load figures over the measured rounds (latencies of every response, not per-round averages). */
export interface PageLoad {
  page: string;
  requests: number;
  requestsPerSec: number;
  p50: number;
  p95: number;
  p99: number;
  errors: number;
  non2xx: number;
}

/** Per measured round: RSS median and range, and the live heap after its major GCs (null: no major GC in it). */
export interface RoundMemory {
  rssMedian: number;
  rssMax: number;
  rssMin: number;
  liveFloor: number | null;
  liveMax: number | null;
}

/** A process's memory over the run, and whether it stayed flat. */
export interface MemVerdict {
  process: 'web' | 'worker';
  /** RSS before any load (the first sample after start-up), at the end of the warm-up, at the end. */
  idleRss: number;
  warmRss: number;
  endRss: number;
  rounds: RoundMemory[];
  /** First half of the rounds vs second half: median and highest RSS, lowest live heap after a major GC. */
  halves: { rssMedian: [number, number]; rssPeak: [number, number]; liveFloor: [number | null, number | null] };
  /** Least-squares slope of RSS over the second half, bytes per minute (noisy under a sawtooth: shown, not judged). */
  rssSlopePerMin: number;
  majorGcs: number;
  /** The smallest steady leak this run would have caught, bytes per minute (RSS, live heap). */
  detectable: { rssPerMin: number; livePerMin: number };
  /** flat: no growth; growing: a criterion failed; undetermined: too few major GCs to judge the live heap. */
  status: 'flat' | 'growing' | 'undetermined';
  flat: boolean;
  /** Why, in words. */
  reason: string;
}

/** The load run's figures. */
export interface LoadResult {
  pages: PageLoad[];
  memory: { web: MemVerdict; worker: MemVerdict };
  warmupSeconds: number;
  measuredSeconds: number;
  rounds: number;
  /** New mentions stored during the run, and how many of them the worker analysed by its end. */
  fed: { stored: number; analysed: number };
}

/** Options of runLoad. */
export interface LoadOptions {
  /** Seconds per page per round (default 10). */
  seconds?: number;
  /** Measured rounds over every page (default 4). */
  rounds?: number;
  /** Seconds per page of the warm-up round, not measured (default: `seconds`, a full round). */
  warmupSeconds?: number;
  connections?: number;
  /** A measurement GC in both processes every this many ms (default 10,000; 0: only V8's own). */
  gcEveryMs?: number;
  /** New mentions stored per second while the load runs, in one batch every 10 s as a source run stores them (default 10). */
  ingestPerSec?: number;
  log?: (m: string) => void;
}

type Sample = { t: number; rss: number; heapUsed: number; liveAfterGc: number | null; majorGcs: number };

function readSamples(file: string): Sample[] {
  if (!fs.existsSync(file)) return [];
  return fs.readFileSync(file, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l) as Sample);
}

/** Least-squares slope of (t ms, v) in v per minute; 0 with fewer than 3 points. */
export function slopePerMinute(points: Array<[number, number]>): number {
  if (points.length < 3) return 0;
  const n = points.length;
  const mt = points.reduce((a, p) => a + p[0], 0) / n;
  const mv = points.reduce((a, p) => a + p[1], 0) / n;
  let num = 0;
  let den = 0;
  for (const [t, v] of points) {
    num += (t - mt) * (v - mv);
    den += (t - mt) ** 2;
  }
  return den === 0 ? 0 : (num / den) * 60_000;
}

/**
 * Flat means: the same work repeated in the second half of the rounds keeps the process at the RSS it
 * had in the first half (median of the per-second samples within FLAT_FRACTION), and leaves no more heap
 * reachable after a major GC (the lowest live heap within FLAT_FRACTION). A leak lifts both with every
 * round; a heap that settled during the warm-up, or a sawtooth of work that is freed again, does not.
 * Medians and floors, not end values or peaks: one pass in flight (a worker's alert evaluation, ten
 * concurrent pages) moves a single sample by hundreds of MB. Peaks are printed too.
 */
export const FLAT_FRACTION = 0.05;
/** The live-heap floor of a half is its lowest value after a major GC: with fewer GCs it says little. */
export const MIN_GCS_PER_HALF = 3;

const MIB = 1048576;
const median = (xs: number[]): number => {
  if (xs.length === 0) return 0;
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
};

function verdict(proc: 'web' | 'worker', samples: Sample[], from: number, to: number, roundEnds: number[]): MemVerdict {
  // one live-heap point per major GC (the probe repeats the last value until the next one)
  const livePts: Array<[number, number]> = [];
  let gcs = -1;
  for (const s of samples) {
    if (s.liveAfterGc !== null && s.majorGcs !== gcs) livePts.push([s.t, s.liveAfterGc]);
    gcs = s.majorGcs;
  }
  const starts = [from, ...roundEnds.slice(0, -1)];
  const rounds: RoundMemory[] = starts.map((t0, i) => {
    const t1 = roundEnds[i]!;
    const rss = samples.filter((x) => x.t > t0 && x.t <= t1).map((x) => x.rss);
    const live = livePts.filter(([t]) => t > t0 && t <= t1).map(([, v]) => v);
    return {
      rssMedian: median(rss), rssMax: Math.max(0, ...rss), rssMin: rss.length ? Math.min(...rss) : 0,
      liveFloor: live.length ? Math.min(...live) : null, liveMax: live.length ? Math.max(...live) : null,
    };
  });
  const h = Math.floor(rounds.length / 2);
  const [first, second] = [rounds.slice(0, Math.max(1, h)), rounds.slice(Math.max(1, h))];
  const floor = (rs: RoundMemory[]): number | null => {
    const xs = rs.map((r) => r.liveFloor).filter((x): x is number => x !== null);
    return xs.length ? Math.min(...xs) : null;
  };
  const rssIn = (rs: RoundMemory[], i: number): number[] => samples.filter((x) => x.t > starts[i]! && x.t <= roundEnds[i]! && rs.includes(rounds[i]!)).map((x) => x.rss);
  const halfRss = (rs: RoundMemory[]): number => median(rounds.flatMap((_, i) => rssIn(rs, i)));
  const halves = {
    rssMedian: [halfRss(first), halfRss(second)] as [number, number],
    rssPeak: [Math.max(0, ...first.map((r) => r.rssMax)), Math.max(0, ...second.map((r) => r.rssMax))] as [number, number],
    liveFloor: [floor(first), floor(second)] as [number | null, number | null],
  };
  const midT = roundEnds[Math.max(1, h) - 1] ?? from;
  const inRun = samples.filter((x) => x.t >= from && x.t <= to);
  const halfMinutes = Math.max(1 / 60, (to - midT) / 60_000);
  const MB = (b: number): string => `${(b / MIB).toFixed(1)} MB`;
  const problems: string[] = [];
  const unknown: string[] = [];
  if (second.length === 0) unknown.push('one round only: nothing to compare (BENCH_ROUNDS ≥ 2)');
  if (halves.rssMedian[1] > halves.rssMedian[0] * (1 + FLAT_FRACTION)) {
    problems.push(`RSS median rose from ${MB(halves.rssMedian[0])} (first half) to ${MB(halves.rssMedian[1])} (second half), more than ${FLAT_FRACTION * 100}%`);
  }
  const [f1, f2] = halves.liveFloor;
  const gcsIn = (rs: RoundMemory[]): number => livePts.filter(([t]) => rounds.some((r, i) => rs.includes(r) && t > starts[i]! && t <= roundEnds[i]!)).length;
  const [g1, g2] = [gcsIn(first), gcsIn(second)];
  if (f1 === null || f2 === null || Math.min(g1, g2) < MIN_GCS_PER_HALF) {
    unknown.push(`${g1} and ${g2} major GCs in the two halves (< ${MIN_GCS_PER_HALF}): the live heap cannot be judged (run longer)`);
  } else if (f2 > f1 * (1 + FLAT_FRACTION)) problems.push(`live heap after GC rose from ${MB(f1)} to ${MB(f2)}, more than ${FLAT_FRACTION * 100}%`);
  return {
    process: proc,
    idleRss: samples[0]?.rss ?? 0,
    warmRss: inRun[0]?.rss ?? 0,
    endRss: inRun[inRun.length - 1]?.rss ?? 0,
    rounds,
    halves,
    rssSlopePerMin: slopePerMinute(inRun.filter((x) => x.t >= midT).map((x) => [x.t, x.rss])),
    majorGcs: livePts.filter(([t]) => t >= from && t <= to).length,
    // a steady leak of L per minute lifts the second half's median (floor) by about L × the half's length
    detectable: { rssPerMin: (halves.rssMedian[0] * FLAT_FRACTION) / halfMinutes, livePerMin: ((f1 ?? 0) * FLAT_FRACTION) / halfMinutes },
    status: problems.length ? 'growing' : unknown.length ? 'undetermined' : 'flat',
    flat: problems.length === 0 && unknown.length === 0,
    reason: problems.length || unknown.length
      ? [...problems, ...unknown].join('; ')
      : `second half vs first: RSS median ${MB(halves.rssMedian[0])} → ${MB(halves.rssMedian[1])} (peak ${MB(halves.rssPeak[0])} → ${MB(halves.rssPeak[1])}), live heap floor ${MB(f1!)} → ${MB(f2!)}; each within ${FLAT_FRACTION * 100}%`
  };
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

interface Feeder {
  stop(): Promise<{ stored: number; analysed: number }>;
}

/**
 * Stores `perSec` × 10 new mentions every 10 seconds (collected now, published in the last hour, text from the
 * seed's vocabulary with a brand name, one in four a complaint), as a collector would: the insert
 * triggers queue them, the worker analyses them, refreshes the rollups and evaluates the alerts.
 */
function startFeeder(url: string, perSec: number): Feeder {
  const run = randomBytes(3).toString('hex');
  let next = 1;
  let stored = 0;
  let stopped = false;
  const dbp = openDb({ url, poolSize: 1 });
  const tick = async (): Promise<void> => {
    const db = await dbp;
    const lo = next;
    const n = perSec * 10;
    next += n;
    await db.query(
      `insert into mentions (source_id, external_id, url, author, author_reach, text, language, published_at, collected_at, engagement)
       select (select min(id) from sources) + g % 8, 'load-' || $1 || '-' || g, 'https://example.com/load/' || $1 || '/' || g, 'loaduser' || (g % 5000), (g * 7919) % 200000,
              (array['refund','delay','outage','billing','support','signal','roaming','upgrade','contract','coverage'])[1 + (g * 31) % 10]
                || ' ' || (array['terrible','great','slow','again','today','finally','never','love','hate','fine'])[1 + (g * 17) % 10]
                || ' ' || (array['brightwave','nimbus','tellwire','orbitel','skylane'])[1 + g % 5]
                || case when g % 4 = 0 then ' still waiting for my refund, nobody answers, worst service' else ' mention ' || g end,
              'en', now() - (g % 3600) * interval '1 second', now(), jsonb_build_object('likes', g % 50)
         from generate_series($2::bigint, $3::bigint) g`,
      [run, lo, lo + n - 1],
    );
    stored += n;
  };
  let timer: NodeJS.Timeout | null = null;
  let inFlight: Promise<void> = Promise.resolve();
  const loop = (): void => {
    if (stopped) return;
    inFlight = tick().catch((err: Error) => { console.error(`load: feeding mentions failed: ${err.message}`); });
    timer = setTimeout(loop, 10_000);
  };
  if (perSec > 0) loop();
  return {
    async stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
      await inFlight;
      const db = await dbp;
      const r = await db.query<{ n: number }>(
        `select count(*)::int as n from mentions m join analyses a on a.mention_id = m.id where m.external_id like $1`, [`load-${run}-%`],
      );
      await db.close();
      return { stored, analysed: r.rows[0]?.n ?? 0 };
    },
  };
}

/**
 * autocannon against one URL for `seconds`; every response's latency is kept. A request gets at most
 * min(10 s, the window) before it counts as an error (timeout); a window in which no request at all
 * completed counts its connections as errors, so requests that hang past its end are never lost.
 */
async function hit(url: string, seconds: number, connections: number): Promise<{ latencies: number[]; errors: number; non2xx: number; elapsedS: number }> {
  const latencies: number[] = [];
  const t0 = Date.now();
  const inst = autocannon({ url, connections, duration: seconds, timeout: Math.min(10, seconds) });
  inst.on('response', (_c: unknown, _status: number, _bytes: number, ms: number) => latencies.push(ms));
  const r = await inst;
  const stuck = latencies.length === 0 && r.errors + r.timeouts === 0 ? connections : 0;
  return { latencies, errors: r.errors + r.timeouts + stuck, non2xx: r.non2xx, elapsedS: (Date.now() - t0) / 1000 };
}

const pct = (sorted: number[], q: number): number => (sorted.length ? sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)]! : 0);

/**
 * Starts `earshot serve` and `earshot worker` on the schema behind `url` with the memory probe, runs a
 * warm-up round (every page `warmupSeconds`, not measured: V8 and the pg pool reach their working size),
 * then `rounds` measured rounds (every page `seconds`, 10 connections), and returns each page's
 * latencies over the measured rounds and both processes' memory verdicts. Stops both processes.
 */
export async function runLoad(url: string, opts: LoadOptions = {}): Promise<LoadResult> {
  const seconds = opts.seconds ?? 10;
  const rounds = opts.rounds ?? 4;
  const warmupSeconds = opts.warmupSeconds ?? seconds;
  const connections = opts.connections ?? 10;
  const ingestPerSec = opts.ingestPerSec ?? 10;
  const log = opts.log ?? console.log;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'earshot-load-'));
  fs.writeFileSync(path.join(dir, 'earshot.yaml'), `brands:\n  - {name: Brightwave, query: brightwave, own: true}\n  - {name: Nimbus, query: nimbus}\n  - {name: Tellwire, query: tellwire}\n  - {name: Orbitel, query: orbitel}\n  - {name: Skylane, query: skylane}\nsources: []\n`);
  const probe = { web: path.join(dir, 'mem-web.jsonl'), worker: path.join(dir, 'mem-worker.jsonl') };
  const env = { ...process.env, DATABASE_URL: url, LOG_LEVEL: 'warn', DOTENV_CONFIG_QUIET: 'true', EARSHOT_MEM_PROBE_GC_MS: String(opts.gcEveryMs ?? 10_000) };
  const web = spawn(process.execPath, ['--import', PROBE, BIN, 'serve', '--port', '0'], { cwd: dir, env: { ...env, EARSHOT_MEM_PROBE: probe.web }, stdio: ['ignore', 'pipe', 'inherit'] });
  const worker = spawn(process.execPath, ['--import', PROBE, BIN, 'worker', '--tick-ms', '2000'], { cwd: dir, env: { ...env, EARSHOT_MEM_PROBE: probe.worker }, stdio: ['ignore', 'pipe', 'inherit'] });
  let feeder: Feeder | null = null;
  try {
    const [, base] = await waitForLine(web, /dashboard: (http:\/\/\S+)/, 60_000);
    await waitForLine(worker, /Earshot worker/, 60_000);
    const root = base!.replace(/\/$/, '');
    feeder = startFeeder(url, ingestPerSec);
    log(`warm-up: every page ${warmupSeconds} s (not measured); ${ingestPerSec * 10} new mentions stored every 10 s for the worker throughout`);
    for (const [, p] of LOAD_PAGES) await hit(root + p, warmupSeconds, connections);
    const from = Date.now();
    const roundEnds: number[] = [];
    const acc = new Map<string, { latencies: number[]; errors: number; non2xx: number; elapsedS: number }>();
    for (let r = 1; r <= rounds; r++) {
      for (const [name, p] of LOAD_PAGES) {
        const x = await hit(root + p, seconds, connections);
        const a = acc.get(name) ?? { latencies: [], errors: 0, non2xx: 0, elapsedS: 0 };
        a.latencies.push(...x.latencies);
        a.errors += x.errors;
        a.non2xx += x.non2xx;
        a.elapsedS += x.elapsedS;
        acc.set(name, a);
      }
      roundEnds.push(Date.now());
      const rss = (f: string): string => { const s = readSamples(f); return s.length ? `${(s[s.length - 1]!.rss / 1048576).toFixed(0)} MB` : '?'; };
      log(`round ${r}/${rounds} done: RSS web ${rss(probe.web)}, worker ${rss(probe.worker)}`);
    }
    const to = Date.now();
    const fed = await feeder.stop();
    feeder = null;
    await new Promise((res) => setTimeout(res, 1200)); // the probes' last samples
    const pages: PageLoad[] = LOAD_PAGES.map(([name]) => {
      const a = acc.get(name)!;
      const sorted = [...a.latencies].sort((x, y) => x - y);
      return {
        page: name, requests: sorted.length, requestsPerSec: sorted.length / a.elapsedS,
        p50: pct(sorted, 0.5), p95: pct(sorted, 0.95), p99: pct(sorted, 0.99), errors: a.errors, non2xx: a.non2xx,
      };
    });
    for (const row of pages) {
      log(`${row.page.padEnd(22)} ${row.requestsPerSec.toFixed(0).padStart(6)} req/s  p50 ${row.p50.toFixed(0).padStart(5)} ms  p95 ${row.p95.toFixed(0).padStart(5)} ms  p99 ${row.p99.toFixed(0).padStart(5)} ms  errors ${row.errors + row.non2xx}`);
    }
    log(`stored ${fed.stored.toLocaleString('en')} new mentions while loaded; the worker analysed ${fed.analysed.toLocaleString('en')} of them`);
    return {
      pages, rounds, warmupSeconds: warmupSeconds * LOAD_PAGES.length, measuredSeconds: (to - from) / 1000, fed,
      memory: { web: verdict('web', readSamples(probe.web), from, to, roundEnds), worker: verdict('worker', readSamples(probe.worker), from, to, roundEnds) },
    };
  } finally {
    await feeder?.stop().catch(() => undefined);
    web.kill('SIGTERM');
    worker.kill('SIGTERM');
    const out = process.env.BENCH_MEM_OUT;
    if (out) for (const f of Object.values(probe)) if (fs.existsSync(f)) fs.copyFileSync(f, path.join(out, path.basename(f)));
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/** The memory verdict as printed lines. */
export function describeMemory(v: MemVerdict): string[] {
  const mb = (b: number | null): string => (b === null ? '–' : (b / MIB).toFixed(0));
  const p = v.process.padEnd(6);
  return [
    `${p} RSS MB: idle ${mb(v.idleRss)}, after warm-up ${mb(v.warmRss)}, end ${mb(v.endRss)}; per round median (min–max) ${v.rounds.map((r) => `${mb(r.rssMedian)} (${mb(r.rssMin)}–${mb(r.rssMax)})`).join(' | ')}; second-half slope ${(v.rssSlopePerMin / MIB).toFixed(1)} MB/min`,
    `${p} live heap after major GC, MB, per round (floor–max): ${v.rounds.map((r) => `${mb(r.liveFloor)}–${mb(r.liveMax)}`).join(' | ')}; ${v.majorGcs} major GCs`,
    `${p} ${v.status === 'flat' ? 'FLAT' : v.status === 'growing' ? 'GROWING' : 'NOT JUDGED'}: ${v.reason}; this run would catch a steady leak of ≥ ${(v.detectable.rssPerMin / MIB).toFixed(1)} MB/min in RSS, ≥ ${(v.detectable.livePerMin / MIB).toFixed(1)} MB/min in the live heap`,
  ];
}

/**
 * Opens a scratch schema, migrates and seeds it (or, with BENCH_SCHEMA, reuses that schema's earlier
 * seed of the same size); returns the db, the URL for child processes, and a drop (a BENCH_SCHEMA
 * schema is kept).
 */
export async function seededSchema(n: number, log: (m: string) => void): Promise<{ db: Db; url: string; now: Date; drop(): Promise<void> }> {
  const reuse = process.env.BENCH_SCHEMA ?? '';
  const schema = reuse || `bench_load_${randomBytes(4).toString('hex')}`;
  const db = await openDb({ url: PG, schema, poolSize: 8 });
  const seeded = await seedOrReuse(db, n, new Date(), Boolean(reuse), log);
  const u = new URL(PG);
  u.searchParams.set('options', `-c search_path=${schema},public`);
  return {
    db,
    url: u.toString(),
    now: seeded.now,
    async drop() {
      if (process.env.BENCH_KEEP || reuse) log(`kept schema ${schema}`);
      else await db.query(`drop schema if exists ${schema} cascade`).catch(() => undefined);
      await db.close();
    },
  };
}

async function main(): Promise<void> {
  const n = Number(process.env.BENCH_MENTIONS ?? 1_000_000);
  const seconds = Number(process.env.BENCH_SECONDS ?? 10);
  const rounds = Number(process.env.BENCH_ROUNDS ?? 4);
  const warmupSeconds = Number(process.env.BENCH_WARMUP_SECONDS ?? seconds);
  console.log(`load bench: ${n.toLocaleString('en')} mentions, warm-up ${warmupSeconds} s per page, then ${rounds} rounds of ${seconds} s per page, ${os.cpus().length} cores, load average ${os.loadavg().map((x) => x.toFixed(2)).join(' ')}`);
  const s = await seededSchema(n, console.log);
  try {
    const migrateOk = spawnSync(process.execPath, [BIN, 'migrate'], { env: { ...process.env, DATABASE_URL: s.url, LOG_LEVEL: 'warn' }, encoding: 'utf8' });
    if (migrateOk.status !== 0) throw new Error(`load: migrate failed: ${migrateOk.stderr}`);
    const r = await runLoad(s.url, { seconds, rounds, warmupSeconds, ingestPerSec: Number(process.env.BENCH_INGEST ?? 10), gcEveryMs: Number(process.env.BENCH_GC_MS ?? 10_000) });
    for (const v of [r.memory.web, r.memory.worker]) for (const line of describeMemory(v)) console.log(line);
    const errors = r.pages.reduce((a, p) => a + p.errors + p.non2xx, 0);
    console.log(errors === 0 ? 'errors: 0' : `errors: ${errors} (MISSED: must be 0)`);
    console.log(`load average at the end ${os.loadavg().map((x) => x.toFixed(2)).join(' ')}`);
    if (errors || !r.memory.web.flat || !r.memory.worker.flat) process.exitCode = 1;
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
