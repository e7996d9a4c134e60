/**
 * The one CLI: earshot init | migrate | collect | analyze | import | score | export | serve | run | demo |
 * sources | alerts | worker. Global flags: --config PATH, --data DIR (PGlite directory; ignored when
 * DATABASE_URL is set). Every command exits non-zero with a one-line message on failure.
 */
import fs from 'node:fs';
import { once } from 'node:events';
import path from 'node:path';
import readline from 'node:readline';
import { Readable } from 'node:stream';
import { Command, Option } from 'commander';
import { CsvError, parse as parseCsv } from 'csv-parse';
import { stringify as stringifyCsv } from 'csv-stringify/sync';
import { logger } from './log.js';
import { isEarshotError, ValidationError, ConfigError } from './errors.js';
import { loadConfig, parseConfig, DEFAULT_CONFIG_FILE, STARTER_CONFIG_PATH, PACKAGE_ROOT, type Config } from './config.js';
import { openDb, type Db } from './db/index.js';
import { migrate } from './db/migrate.js';
import type { Deps } from './deps.js';
import { analyzePending, startWorker } from './worker.js';
import { applyRetention, forgetAuthor } from './db/jobs.js';
import { toScoreRecord, createAnalyser } from './analysis/index.js';
import { validateSource } from './collectors/registry.js';
import { syncBrandsAndSources, listSourceHealth } from './db/sources.js';
import { collectAll } from './collectors/run.js';
import { importFile } from './collectors/file-import.js';
import { startWeb } from './server.js';
import { registerAlertCommands } from './alerts/cli.js';
import { runAlertCycle, recordBacktest } from './alerts/service.js';
import { parseMentionFilters } from './db/filters.js';
import { listMentions } from './db/explore.js';

/** Default PGlite data directory, relative to the working directory. */
export const DEFAULT_DATA_DIR = '.earshot/data';
const DEMO_DIR = path.join(PACKAGE_ROOT, 'demo');

interface GlobalOpts {
  config?: string;
  data?: string;
}

/** What a command needs opened: config and database, migrated and synced. */
export interface Context extends Deps {
  close(): Promise<void>;
}

/** Reads the config the way every command does: --config, else ./earshot.yaml, else (when allowed) the starter. */
export function resolveConfig(opts: GlobalOpts, fallback: 'starter' | 'none' | 'required'): Config {
  const file = opts.config ?? DEFAULT_CONFIG_FILE;
  if (opts.config || fs.existsSync(file)) return loadConfig(file, { validateSource });
  if (fallback === 'starter') {
    logger.info({ config: STARTER_CONFIG_PATH }, `no ${file} here: using the bundled starter config (run 'earshot init' to write your own)`);
    return loadConfig(STARTER_CONFIG_PATH, { validateSource });
  }
  if (fallback === 'none') return parseConfig('brands: [{name: "(none)", query: "__earshot_no_brand__"}]', { validateSource });
  throw new ConfigError(`${file}: file not found (run 'earshot init' to write a starter config, or pass --config PATH)`);
}

/** Opens the database for `opts`, migrates it and syncs brands/sources from the config. */
export async function openContext(opts: GlobalOpts, config: Config, owner: string): Promise<Context> {
  const url = process.env.DATABASE_URL;
  const dataDir = opts.data ?? process.env.EARSHOT_DATA ?? DEFAULT_DATA_DIR;
  const db: Db = await openDb({ url, dataDir, owner });
  try {
    await migrate(db);
    await syncBrandsAndSources(db, config);
  } catch (err) {
    await db.close();
    throw err;
  }
  const ctx: Context = { db, config, logger, now: () => new Date(), close: () => db.close() };
  return ctx;
}

function parsePort(v: string): number {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0 || n > 65535) throw new ValidationError(`--port: '${v}' is not a port number (0–65535)`);
  return n;
}

function listenOptions(o: { port?: number; host?: string }, config: Config): { host: string; port: number } {
  const envPort = process.env.PORT ? parsePort(process.env.PORT) : undefined;
  return { host: o.host ?? config.server.host, port: o.port ?? envPort ?? config.server.port };
}

/** Parses a whole, non-negative number option (milliseconds, counts). */
function parseMs(v: string): number {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0) throw new ValidationError(`'${v}' is not a whole number ≥ 0`);
  return n;
}

/** Parses `--map field=column` pairs. */
function parseMap(pairs: string[] | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const p of pairs ?? []) {
    const i = p.indexOf('=');
    if (i <= 0 || i === p.length - 1) throw new ValidationError(`--map: '${p}' is not field=column`);
    out[p.slice(0, i).trim()] = p.slice(i + 1).trim();
  }
  return out;
}

/** Resolves when SIGINT/SIGTERM arrives. */
function untilSignal(): Promise<string> {
  return new Promise((resolve) => {
    const on = (sig: string) => () => resolve(sig);
    process.once('SIGINT', on('SIGINT'));
    process.once('SIGTERM', on('SIGTERM'));
  });
}

/** One input record of `score`: a text with its id, or what is wrong with that line. */
interface ScoreItem {
  line: number;
  id?: string;
  text?: string;
  error?: string;
}

/**
 * Reads texts for `score`: JSONL (one object per line) or CSV with a header, from a file or stdin,
 * streamed (a CSV file is parsed as it is read; CSV on stdin is sniffed from its first line). A CSV
 * header without the text column stops the run with the header's columns named.
 */
async function* readScoreInput(file: string | undefined, opts: { idColumn: string; textColumn: string }): AsyncGenerator<ScoreItem> {
  const name = file ?? 'stdin';
  if (file && /\.csv$/i.test(file)) {
    yield* readScoreCsv(fs.createReadStream(file), opts, name);
    return;
  }
  const input = file ? fs.createReadStream(file) : process.stdin;
  // Sniff stdin / unknown extensions: JSONL lines start with '{'.
  const lines = readline.createInterface({ input, crlfDelay: Infinity });
  let mode: 'jsonl' | 'csv' | null = file && /\.(jsonl|ndjson|json)$/i.test(file) ? 'jsonl' : null;
  let csvBuffer: string[] | null = null;
  let lineNo = 0;
  for await (const raw of lines) {
    lineNo++;
    if (mode === null) {
      if (!raw.trim()) continue;
      mode = raw.trimStart().startsWith('{') ? 'jsonl' : 'csv';
    }
    if (mode === 'csv') {
      (csvBuffer ??= []).push(raw);
      continue;
    }
    if (!raw.trim()) continue;
    try {
      const obj = JSON.parse(raw) as Record<string, unknown>;
      const text = obj[opts.textColumn];
      if (typeof text !== 'string') {
        yield { line: lineNo, error: `field '${opts.textColumn}' is missing or not a string` };
        continue;
      }
      const id = obj[opts.idColumn];
      yield { line: lineNo, id: id === undefined || id === null ? String(lineNo) : String(id), text };
    } catch {
      yield { line: lineNo, error: 'not valid JSON' };
    }
  }
  if (mode === 'csv' && csvBuffer) yield* readScoreCsv(Readable.from([csvBuffer.join('\n')]), opts, name);
}

/** CSV records of `score` with the line each ends on; a header without the text column throws. */
async function* readScoreCsv(input: Readable, opts: { idColumn: string; textColumn: string }, name: string): AsyncGenerator<ScoreItem> {
  const parser = input.pipe(
    parseCsv({
      columns: (header: string[]) => {
        if (!header.includes(opts.textColumn)) {
          throw new ValidationError(`score: ${name}: no column '${opts.textColumn}' in the CSV header (columns: ${header.join(', ')}); use --text-column`);
        }
        return header;
      },
      skip_empty_lines: true,
      relax_column_count: true,
      bom: true,
      info: true,
    }),
  );
  try {
    for await (const { record, info } of parser as AsyncIterable<{ record: Record<string, string>; info: { lines: number; records: number } }>) {
      yield { line: info.lines, id: record[opts.idColumn] || String(info.records), text: record[opts.textColumn] ?? '' };
    }
  } catch (err) {
    // A broken file (an unclosed quote…): csv-parse names the line; the records before it are out.
    if (err instanceof CsvError) throw new ValidationError(`score: ${name}: ${err.message}`);
    throw err;
  }
}

/** Builds the commander program (exported for tests). */
export function buildProgram(): Command {
  const program = new Command();
  program
    .name('earshot')
    .description('Social listening and customer-experience sentiment monitor')
    .option('--config <path>', `config file (default ./${DEFAULT_CONFIG_FILE})`)
    .option('--data <dir>', `PGlite data directory (default ./${DEFAULT_DATA_DIR}; ignored when DATABASE_URL is set)`)
    .showHelpAfterError()
    .exitOverride();

  const g = (): GlobalOpts => program.opts<GlobalOpts>();

  program
    .command('init')
    .description('write a commented starter earshot.yaml')
    .option('--force', 'overwrite an existing file')
    .action((o: { force?: boolean }) => {
      const file = g().config ?? DEFAULT_CONFIG_FILE;
      if (fs.existsSync(file) && !o.force) throw new ValidationError(`init: ${file} already exists (use --force to overwrite)`);
      fs.copyFileSync(STARTER_CONFIG_PATH, file);
      process.stdout.write(`wrote ${file}: edit the brands and sources, then run 'earshot run'\n`);
    });

  program
    .command('migrate')
    .description('apply pending database migrations')
    .action(async () => {
      const db = await openDb({ url: process.env.DATABASE_URL, dataDir: g().data ?? DEFAULT_DATA_DIR, owner: 'earshot migrate' });
      try {
        const applied = await migrate(db);
        process.stdout.write(applied.length ? `applied migrations ${applied.join(', ')}\n` : 'schema is up to date\n');
      } finally {
        await db.close();
      }
    });

  program
    .command('collect')
    .description('one collection pass of every source (or one), then analyse what was stored')
    .option('--source <name>', 'only this source')
    .action(async (o: { source?: string }) => {
      const ctx = await openContext(g(), resolveConfig(g(), 'required'), 'earshot collect');
      try {
        const runs = await collectAll(ctx, o.source ? { source: o.source } : {});
        await analyzePending(ctx);
        for (const { insertedIds: _ids, ...r } of runs) process.stdout.write(`${JSON.stringify(r)}\n`);
        // A run that failed, or stopped part-way (what it stored is kept), is a failure for scripts.
        if (runs.some((r) => r.status === 'error' || r.status === 'partial')) process.exitCode = 1;
      } finally {
        await ctx.close();
      }
    });

  program
    .command('analyze')
    .description('analyse every mention not yet analysed by the current analyser version, then evaluate alerts')
    .action(async () => {
      const ctx = await openContext(g(), resolveConfig(g(), 'required'), 'earshot analyze');
      try {
        const s = await analyzePending(ctx);
        const alerts = await runAlertCycle(ctx);
        process.stdout.write(`${JSON.stringify({ ...s, alerts })}\n`);
      } finally {
        await ctx.close();
      }
    });

  program
    .command('import')
    .description('import mentions from a CSV or JSONL file (idempotent on id), then analyse them')
    .argument('<file>', 'CSV or JSONL file')
    .option('--map <field=column...>', 'read a field from another column, e.g. --map text=body')
    .option('--source <name>', 'store under this source name (default: import)')
    .addOption(new Option('--format <format>', 'file format (default: from the extension)').choices(['csv', 'jsonl']))
    .action(async (file: string, o: { map?: string[]; source?: string; format?: 'csv' | 'jsonl' }) => {
      if (!fs.existsSync(file)) throw new ValidationError(`import: ${file}: file not found`);
      const ctx = await openContext(g(), resolveConfig(g(), 'starter'), 'earshot import');
      try {
        const summary = await importFile(ctx, file, { map: parseMap(o.map), ...(o.source ? { source: o.source } : {}), ...(o.format ? { format: o.format } : {}) });
        const analysed = await analyzePending(ctx);
        process.stdout.write(`${JSON.stringify({ ...summary, analysed: analysed.analysed })}\n`);
      } finally {
        await ctx.close();
      }
    });

  program
    .command('score')
    .description('analyse texts from FILE or stdin (JSONL or CSV) and print one JSON line each; stores nothing')
    .argument('[file]', 'JSONL or CSV file (default: stdin)')
    .option('--id-column <name>', 'id field or column', 'id')
    .option('--text-column <name>', 'text field or column', 'text')
    .action(async (file: string | undefined, o: { idColumn: string; textColumn: string }) => {
      if (file && !fs.existsSync(file)) throw new ValidationError(`score: ${file}: file not found`);
      const config = resolveConfig(g(), 'none');
      const analyser = createAnalyser({ brands: config.brands.filter((b) => b.name !== '(none)'), painPoints: config.analysis.painPoints });
      let bad = 0;
      for await (const item of readScoreInput(file, o)) {
        if (item.error !== undefined) {
          bad++;
          process.stderr.write(`score: ${file ?? 'stdin'}: line ${item.line}: ${item.error}\n`);
          continue;
        }
        const r = analyser.analyse({ text: item.text ?? '' });
        // Waits when the reader of stdout is slower than the analyser (memory stays flat on big files).
        if (!process.stdout.write(`${JSON.stringify(toScoreRecord(item.id ?? String(item.line), r))}\n`)) await once(process.stdout, 'drain');
      }
      if (bad > 0) process.exitCode = 1;
    });

  program
    .command('export')
    .description('write stored mentions with their analysis (same filters as the dashboard)')
    .addOption(new Option('--format <format>', 'output format').choices(['csv', 'jsonl']).default('jsonl'))
    .option('--brand <name>')
    .option('--source <name>')
    .option('--sentiment <label>')
    .option('--stage <stage>')
    .option('--pain-point <id>')
    .option('--language <code>')
    .option('--author <name>')
    .option('--range <range>', '24h, 7d, 30d or 90d (default: all time)')
    .option('--from <date>')
    .option('--to <date>')
    .option('--q <query>', 'full-text search')
    .option('--out <file>', 'write to this file instead of stdout')
    .action(async (o: Record<string, string | undefined>) => {
      const ctx = await openContext(g(), resolveConfig(g(), 'starter'), 'earshot export');
      const out = o.out ? fs.createWriteStream(o.out) : process.stdout;
      try {
        const query: Record<string, unknown> = {};
        for (const k of ['brand', 'source', 'sentiment', 'stage', 'language', 'author', 'range', 'from', 'to', 'q']) if (o[k] !== undefined && !(k === 'range' && o[k] === 'all')) query[k] = o[k];
        if (o.painPoint !== undefined) query.pain = o.painPoint;
        const filters = parseMentionFilters(query, ctx.now());
        const header = ['id', 'source', 'url', 'author', 'published_at', 'text', 'language', 'brands', 'sentiment_label', 'sentiment_score', 'sentiment_confidence', 'pain_points', 'stage'];
        if (o.format === 'csv') out.write(stringifyCsv([header]));
        let after: Parameters<typeof listMentions>[2]['after'] = undefined;
        let n = 0;
        for (;;) {
          const page = await listMentions(ctx.db, filters, { limit: 1000, ...(after ? { after } : {}) });
          for (const m of page.items) {
            const rec = exportRecord(m);
            n++;
            if (o.format === 'csv') {
              out.write(
                stringifyCsv([[rec.id, rec.source, rec.url, rec.author, rec.published_at, rec.text, rec.language, rec.brands.join('|'), rec.sentiment?.label ?? '', rec.sentiment?.score ?? '', rec.sentiment?.confidence ?? '', rec.painPoints.map((p) => p.id).join('|'), rec.stage?.id ?? '']]),
              );
            } else out.write(`${JSON.stringify(rec)}\n`);
          }
          if (!page.next) break;
          after = page.next;
        }
        logger.info({ exported: n }, 'export: done');
      } finally {
        if (o.out) await new Promise<void>((r) => (out as fs.WriteStream).end(r));
        await ctx.close();
      }
    });

  const listenOpts = (c: Command): Command =>
    c.option('--port <port>', 'port to listen on (default 3000 or PORT)', parsePort).option('--host <host>', 'address to listen on (default 127.0.0.1)');

  listenOpts(program.command('serve').description('serve the dashboard only')).action(async (o: { port?: number; host?: string }) => {
    const ctx = await openContext(g(), resolveConfig(g(), 'starter'), 'earshot serve');
    const web = await startWeb(ctx, listenOptions(o, ctx.config));
    process.stdout.write(`Earshot dashboard: ${web.url}\n`);
    await untilSignal();
    await web.close();
    await ctx.close();
  });

  program
    .command('worker')
    .description('collect + analyse + alerts, no dashboard; run any number of them against one PostgreSQL (DATABASE_URL)')
    .option('--lease-ms <ms>', 'analysis batch lease: a crashed worker\'s batch is taken over after this long', parseMs, 60_000)
    .option('--source-lease-ms <ms>', 'source run lease: a crashed run blocks its source at most this long', parseMs, 30 * 60_000)
    .option('--jitter-ms <ms>', 'largest random delay before a source run', parseMs, 30_000)
    .option('--batch-size <n>', 'mentions claimed per analysis batch', parseMs, 500)
    .option('--collect-batch <n>', 'mentions a source run buffers before storing them (default 5000)', parseMs)
    .option('--tick-ms <ms>', 'safety-net pipeline pass interval', parseMs, 60_000)
    .option('--retry-ms <ms>', 'delay before a failed pass (database down) is tried again', parseMs, 5000)
    .action(async (o: { leaseMs: number; sourceLeaseMs: number; jitterMs: number; batchSize: number; collectBatch?: number; tickMs: number; retryMs: number }) => {
      const ctx = await openContext(g(), resolveConfig(g(), 'starter'), 'earshot worker');
      if (ctx.db.kind === 'pglite') logger.warn('worker: embedded database (no DATABASE_URL): this worker is the only process that may use it');
      const worker = await startWorker(ctx, {
        leaseMs: o.leaseMs, sourceLeaseMs: o.sourceLeaseMs, maxJitterMs: o.jitterMs, batchSize: o.batchSize, tickMs: o.tickMs, retryMs: o.retryMs,
        ...(o.collectBatch !== undefined ? { collectBatch: o.collectBatch } : {}),
      });
      process.stdout.write(`Earshot worker ${process.pid}: ${ctx.config.sources.length} sources scheduled\n`);
      const sig = await untilSignal();
      logger.info({ signal: sig }, 'worker: stopping');
      await worker.stop();
      process.stdout.write(`${JSON.stringify({ worker: process.pid, ...worker.stats() })}\n`);
      await ctx.close();
    });

  program
    .command('forget-author')
    .description('delete every stored mention by this author, with its analysis (privacy request)')
    .argument('<name>', 'the author exactly as stored')
    .action(async (name: string) => {
      const ctx = await openContext(g(), resolveConfig(g(), 'starter'), 'earshot forget-author');
      try {
        const r = await forgetAuthor(ctx.db, name);
        process.stdout.write(`${JSON.stringify(r)}\n`);
      } finally {
        await ctx.close();
      }
    });

  program
    .command('retention')
    .description('delete mentions older than N months (whole monthly partitions on PostgreSQL)')
    .requiredOption('--months <n>', 'keep this many whole months before the current one', parseMs)
    .option('--dry-run', 'only report what would be deleted')
    .action(async (o: { months: number; dryRun?: boolean }) => {
      const ctx = await openContext(g(), resolveConfig(g(), 'starter'), 'earshot retention');
      try {
        const r = await applyRetention(ctx.db, ctx.now(), o.months, { dryRun: o.dryRun === true });
        process.stdout.write(`${JSON.stringify({ ...r, cutoff: r.cutoff.toISOString(), dryRun: o.dryRun === true })}\n`);
      } finally {
        await ctx.close();
      }
    });

  listenOpts(program.command('run').description('the main job: scheduler + analysis + alerts + dashboard in one process')).action(
    async (o: { port?: number; host?: string }) => {
      const ctx = await openContext(g(), resolveConfig(g(), 'starter'), 'earshot run');
      const web = await startWeb(ctx, listenOptions(o, ctx.config));
      const worker = await startWorker(ctx);
      process.stdout.write(`Earshot is running: dashboard ${web.url}, ${ctx.config.sources.length} sources scheduled\n`);
      const sig = await untilSignal();
      logger.info({ signal: sig }, 'run: stopping');
      await worker.stop();
      await web.close();
      await ctx.close();
    },
  );

  listenOpts(program.command('demo').description('fresh data directory, bundled demo mentions imported and analysed, dashboard served')).action(
    async (o: { port?: number; host?: string }) => {
      const dataDir = g().data ?? '.earshot/demo';
      if (!process.env.DATABASE_URL) fs.rmSync(dataDir, { recursive: true, force: true });
      const config = loadConfig(path.join(DEMO_DIR, 'earshot.demo.yaml'), { validateSource });
      // The demo has no schedule of its own: the bundled file is imported once, dates moved so the
      // newest mention is "now", so every range on the dashboard shows data.
      const demoConfig: Config = { ...config, sources: [] };
      const ctx = await openContext({ ...g(), data: dataDir }, demoConfig, 'earshot demo');
      const shifted = shiftDemoFile(path.join(DEMO_DIR, 'mentions.jsonl'), ctx.now());
      const summary = await importFile(ctx, shifted, { source: 'demo' });
      const analysed = await analyzePending(ctx);
      // The demo's incidents are in the past: replay the alert rules over its 30 days so the Alerts page
      // shows what Earshot would have raised (stored as history, nothing delivered).
      const replayed = await recordBacktest(ctx, { from: new Date(ctx.now().getTime() - 30 * 86_400_000), to: ctx.now(), stepMinutes: 60 }).catch((err: Error) => {
        logger.warn({ err: err.message }, 'demo: alert replay failed');
        return 0;
      });
      fs.rmSync(shifted, { force: true });
      const web = await startWeb(ctx, listenOptions(o, ctx.config));
      process.stdout.write(`Earshot demo: ${summary.inserted ?? 0} mentions imported, ${analysed.analysed} analysed, ${replayed} alerts replayed.\nOpen ${web.url}\n`);
      await untilSignal();
      await web.close();
      await ctx.close();
    },
  );

  program
    .command('sources')
    .description("print each source's health: last success, last error, mentions in the last 24 h")
    .option('--json', 'one JSON object per source')
    .action(async (o: { json?: boolean }) => {
      const ctx = await openContext(g(), resolveConfig(g(), 'starter'), 'earshot sources');
      try {
        const rows = await listSourceHealth(ctx.db, ctx.now());
        if (o.json) {
          for (const r of rows) process.stdout.write(`${JSON.stringify(r)}\n`);
          return;
        }
        const fmt = (d: Date | null): string => (d ? d.toISOString().replace('T', ' ').slice(0, 16) : '—');
        const table = rows.map((r) => [r.name, r.type, r.status, fmt(r.lastSuccessAt), r.lastError ? `${fmt(r.lastErrorAt)} ${r.lastError.slice(0, 60)}` : '—', String(r.mentions24h), String(r.mentionsTotal)]);
        const head = ['SOURCE', 'TYPE', 'STATUS', 'LAST SUCCESS', 'LAST ERROR', '24H', 'TOTAL'];
        const widths = head.map((h, i) => Math.max(h.length, ...table.map((row) => row[i]!.length)));
        for (const row of [head, ...table]) process.stdout.write(`${row.map((c, i) => c.padEnd(widths[i]!)).join('  ')}\n`);
      } finally {
        await ctx.close();
      }
    });

  registerAlertCommands(program, async () => openContext(g(), resolveConfig(g(), 'starter'), 'earshot alerts'));
  return program;
}

/** One exported record: the same shape `earshot score` writes, plus the stored fields. */
function exportRecord(m: Awaited<ReturnType<typeof listMentions>>['items'][number]) {
  return {
    id: m.externalId,
    mentionId: m.id,
    source: m.sourceName,
    url: m.url,
    author: m.author,
    published_at: m.publishedAt.toISOString(),
    title: m.title,
    text: m.text,
    language: m.language,
    brands: m.brands,
    sentiment: m.sentimentLabel === null && m.sentimentScore === null ? null : { label: m.sentimentLabel, score: m.sentimentScore, confidence: m.sentimentConfidence },
    painPoints: m.painPoints,
    stage: m.stage ? { id: m.stage, confidence: m.stageConfidence } : null,
  };
}

/** Copies the bundled demo file with every date moved so the newest mention is `now`. */
function shiftDemoFile(file: string, now: Date): string {
  const lines = fs.readFileSync(file, 'utf8').split('\n').filter((l) => l.trim());
  const recs = lines.map((l) => JSON.parse(l) as Record<string, unknown>);
  const max = Math.max(...recs.map((r) => Date.parse(String(r.published_at))));
  const shift = now.getTime() - 60_000 - max;
  const out = path.join(fs.mkdtempSync(path.join(process.env.TMPDIR ?? '/tmp', 'earshot-demo-')), 'mentions.jsonl');
  fs.writeFileSync(out, recs.map((r) => JSON.stringify({ ...r, published_at: new Date(Date.parse(String(r.published_at)) + shift).toISOString() })).join('\n') + '\n');
  return out;
}

/** Runs the CLI; prints one clear line and sets a non-zero exit code on failure. */
export async function main(argv: string[]): Promise<void> {
  const program = buildProgram();
  try {
    await program.parseAsync(argv);
  } catch (err) {
    const e = err as { code?: string; exitCode?: number; message?: string };
    if (typeof e.code === 'string' && e.code.startsWith('commander.')) {
      process.exitCode = e.exitCode ?? 1;
      return;
    }
    if (isEarshotError(err)) process.stderr.write(`earshot: ${err.message}\n`);
    else {
      process.stderr.write(`earshot: unexpected error: ${(err as Error)?.message ?? String(err)}\n`);
      logger.debug({ err }, 'stack');
    }
    process.exitCode = 1;
  }
}
