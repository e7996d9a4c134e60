/**
 * CSV / JSONL import of mentions (an export from another tool, support tickets, survey comments), both as
 * `earshot import FILE` (importFile) and as a scheduled `file` source with a `path` option.
 *
 * Fields read by default: id, text, title, url, author, published_at, rating, language, and optionally
 * source (stored as mentions.origin), author_reach, likes, replies, shares. `--map field=column` reads a
 * field from another column. Idempotent on `id` (a row without an id gets a stable id from a hash of its
 * content). A bad row is reported — `import: row 14, column 'published_at': not a date` — and skipped;
 * it never stops the batch. Rows are numbered as lines of the file (the CSV header is row 1).
 */
import fs from 'node:fs';
import path from 'node:path';
import readline from 'node:readline';
import { createHash } from 'node:crypto';
import { parse } from 'csv-parse';
import { z } from 'zod';
import type { Deps } from '../deps.js';
import type { RawMention } from '../model.js';
import { ValidationError } from '../errors.js';
import { insertMentions } from '../db/mentions.js';
import { ensureImportSource, markSourceFailure, markSourceSuccess } from '../db/sources.js';
import { finishRun, startRun } from '../db/runs.js';
import { parseTime } from './text.js';
import type { Collector } from './types.js';

/** The fields an import understands. */
export const IMPORT_FIELDS = ['id', 'text', 'title', 'url', 'author', 'published_at', 'rating', 'language', 'source', 'author_reach', 'likes', 'replies', 'shares'] as const;
export type ImportField = (typeof IMPORT_FIELDS)[number];

/** Rows stored per INSERT. */
export const IMPORT_BATCH = 1000;

/** What an import did. */
export interface ImportSummary {
  source: string;
  file: string;
  format: 'csv' | 'jsonl';
  rows: number;
  inserted: number;
  duplicates: number;
  skipped: number;
  /** The first problems, one line each (`import: row 14, column 'published_at': not a date`). */
  errors: string[];
  durationMs: number;
}

/** Options of importFile. */
export interface ImportOptions {
  /** field → column name in the file. */
  map?: Record<string, string>;
  /** Source name to store under (a `file` source, created when missing). Default `import`. */
  source?: string;
  format?: 'csv' | 'jsonl';
}

/** One record read from a file, with its row (line) number. */
export interface ImportRow {
  row: number;
  record: Record<string, unknown>;
}

/** A parsed row: the mention and its origin column. */
export interface ImportedMention {
  mention: RawMention;
  origin: string | null;
}

/** Checks a `--map` against the known fields; throws ValidationError naming the bad one. */
export function checkMap(map: Record<string, string> = {}): Record<string, string> {
  for (const k of Object.keys(map)) {
    if (!(IMPORT_FIELDS as readonly string[]).includes(k)) {
      throw new ValidationError(`import: --map ${k}=${map[k]}: unknown field '${k}' (known: ${IMPORT_FIELDS.join(', ')})`, { field: k });
    }
  }
  return map;
}

/** Format from the option, else from the file extension. */
export function formatOf(file: string, format?: 'csv' | 'jsonl'): 'csv' | 'jsonl' {
  if (format) return format;
  const ext = path.extname(file).toLowerCase();
  if (ext === '.csv' || ext === '.tsv') return 'csv';
  if (ext === '.jsonl' || ext === '.ndjson' || ext === '.json') return 'jsonl';
  throw new ValidationError(`import: ${file}: cannot tell the format from the extension '${ext}' (use --format csv|jsonl)`);
}

/** Reads records from a CSV or JSONL file, streaming. A JSONL line that is not an object yields an error row. */
export async function* readRecords(file: string, format: 'csv' | 'jsonl'): AsyncGenerator<ImportRow | { row: number; error: string }> {
  if (format === 'jsonl') {
    const rl = readline.createInterface({ input: fs.createReadStream(file, { encoding: 'utf8' }), crlfDelay: Infinity });
    let line = 0;
    for await (const raw of rl) {
      line++;
      const s = line === 1 ? raw.replace(/^\uFEFF/, '') : raw;
      if (s.trim() === '') continue;
      let v: unknown;
      try {
        v = JSON.parse(s);
      } catch (err) {
        yield { row: line, error: `import: row ${line}: not valid JSON (${(err as Error).message})` };
        continue;
      }
      if (!v || typeof v !== 'object' || Array.isArray(v)) {
        yield { row: line, error: `import: row ${line}: not a JSON object` };
        continue;
      }
      yield { row: line, record: v as Record<string, unknown> };
    }
    return;
  }
  const parser = fs.createReadStream(file).pipe(
    parse({ columns: true, bom: true, skip_empty_lines: true, relax_column_count: true, trim: false, info: true, delimiter: file.toLowerCase().endsWith('.tsv') ? '\t' : ',' }),
  );
  for await (const rec of parser as AsyncIterable<{ record: Record<string, string>; info: { lines: number } }>) {
    yield { row: rec.info.lines, record: rec.record };
  }
}

/** Turns one record into a mention; throws ValidationError naming the row and column. */
export function rowToMention(r: ImportRow, map: Record<string, string>, fallbackTime: Date, hasDateColumn: boolean): ImportedMention {
  const col = (f: ImportField): string => map[f] ?? f;
  const get = (f: ImportField): unknown => r.record[col(f)];
  const fail = (f: ImportField, msg: string): never => {
    throw new ValidationError(`import: row ${r.row}, column '${col(f)}': ${msg}`, { row: r.row, field: col(f) });
  };
  const s = (f: ImportField): string | null => {
    const v = get(f);
    if (v === undefined || v === null) return null;
    const t = String(v).trim();
    return t === '' ? null : t;
  };
  const int = (f: ImportField, min: number, max: number, what: string): number | null => {
    const v = s(f);
    if (v === null) return null;
    const n = Number(v);
    if (!Number.isFinite(n) || n < min || n > max) fail(f, `${what}: '${v}'`);
    return n;
  };
  const text = s('text');
  if (text === null) fail('text', 'missing');
  let publishedAt: Date;
  if (hasDateColumn) {
    const raw = s('published_at');
    if (raw === null) fail('published_at', 'missing');
    const d = parseTime(raw);
    if (!d) fail('published_at', 'not a date');
    publishedAt = d!;
  } else publishedAt = fallbackTime;
  const url = s('url');
  if (url !== null && !/^https?:\/\/\S+$/i.test(url)) fail('url', `not an http(s) URL: '${url.slice(0, 80)}'`);
  const rating = int('rating', 1, 5, 'not a rating from 1 to 5');
  const reach = int('author_reach', 0, Number.MAX_SAFE_INTEGER, 'not a count');
  const engagement: Record<string, number> = {};
  for (const f of ['likes', 'replies', 'shares'] as const) {
    const n = int(f, 0, Number.MAX_SAFE_INTEGER, 'not a count');
    if (n !== null) engagement[f] = Math.round(n);
  }
  const title = s('title');
  const author = s('author');
  const id = s('id') ?? `h:${createHash('sha1').update(`${text}\u0000${publishedAt.toISOString()}\u0000${author ?? ''}\u0000${url ?? ''}`).digest('hex').slice(0, 24)}`;
  return {
    mention: {
      externalId: id,
      url,
      author,
      authorReach: reach === null ? null : Math.round(reach),
      title,
      text: text!,
      language: s('language'),
      publishedAt,
      engagement,
      rating: rating === null ? null : Math.round(rating),
    },
    origin: s('source'),
  };
}

/**
 * Imports a CSV or JSONL file into the `file` source `opts.source` (default `import`), in batches of
 * IMPORT_BATCH rows, logging progress every few seconds. Records the run like any collection.
 */
export async function importFile(deps: Deps, file: string, opts: ImportOptions = {}): Promise<ImportSummary> {
  const t0 = Date.now();
  const map = checkMap(opts.map ?? {});
  const format = formatOf(file, opts.format);
  if (!fs.existsSync(file)) throw new ValidationError(`import: ${file}: file not found`);
  const sourceName = opts.source ?? 'import';
  const configured = deps.config.sources.find((s) => s.name === sourceName);
  if (configured && configured.type !== 'file') {
    throw new ValidationError(`import: source '${sourceName}' is a ${configured.type} source in the config; choose another --source`);
  }
  const log = deps.logger.child({ module: 'import', source: sourceName, file });
  const sourceId = await ensureImportSource(deps.db, sourceName);
  const runId = await startRun(deps.db, sourceId, deps.now());
  const summary: ImportSummary = { source: sourceName, file, format, rows: 0, inserted: 0, duplicates: 0, skipped: 0, errors: [], durationMs: 0 };
  let batch: ImportedMention[] = [];
  let lastLog = Date.now();
  const flush = async (): Promise<void> => {
    if (batch.length === 0) return;
    const r = await insertMentions(deps.db, sourceId, batch.map((b) => b.mention), { collectedAt: deps.now(), origins: batch.map((b) => b.origin) });
    summary.inserted += r.inserted;
    summary.duplicates += r.duplicates;
    batch = [];
    if (Date.now() - lastLog > 2000) {
      lastLog = Date.now();
      log.info({ rows: summary.rows, inserted: summary.inserted, skipped: summary.skipped }, 'import: progress');
    }
  };
  let error: string | null = null;
  try {
    const importTime = deps.now();
    let hasDateColumn: boolean | null = null;
    for await (const r of readRecords(file, format)) {
      summary.rows++;
      if ('error' in r) {
        reject(summary, r.error, log);
        continue;
      }
      if (hasDateColumn === null) {
        hasDateColumn = format === 'jsonl' || Object.prototype.hasOwnProperty.call(r.record, map.published_at ?? 'published_at');
        if (!hasDateColumn) log.warn(`import: no '${map.published_at ?? 'published_at'}' column: mentions are dated with the import time`);
      }
      try {
        batch.push(rowToMention(r, map, importTime, hasDateColumn));
      } catch (err) {
        reject(summary, (err as Error).message, log);
        continue;
      }
      if (batch.length >= IMPORT_BATCH) await flush();
    }
    await flush();
  } catch (err) {
    error = `import: ${file}: ${(err as Error).message}`;
    throw new ValidationError(error, {}, { cause: err });
  } finally {
    summary.durationMs = Date.now() - t0;
    // the source's health (`earshot sources`, /sources) counts an import like any other run
    const finishedAt = deps.now();
    if (error) await markSourceFailure(deps.db, sourceId, finishedAt, error, null);
    else await markSourceSuccess(deps.db, sourceId, finishedAt, null);
    await finishRun(deps.db, runId, {
      status: error ? (summary.inserted > 0 ? 'partial' : 'error') : 'ok', finishedAt, durationMs: summary.durationMs,
      fetched: summary.rows, inserted: summary.inserted, duplicates: summary.duplicates, skipped: summary.skipped, filtered: 0, error,
    });
    log.info({ rows: summary.rows, inserted: summary.inserted, duplicates: summary.duplicates, skipped: summary.skipped, duration_ms: summary.durationMs }, 'import: done');
  }
  return summary;
}

function reject(summary: ImportSummary, message: string, log: Deps['logger']): void {
  summary.skipped++;
  if (summary.errors.length < 100) summary.errors.push(message);
  log.warn(message);
}

const options = z.looseObject({
  path: z.string().min(1, 'give the file to read'),
  format: z.enum(['csv', 'jsonl']).optional(),
  map: z.record(z.enum(IMPORT_FIELDS), z.string()).optional(),
});
type Options = z.infer<typeof options>;

/** Row as the scheduled `file` source hands it to normalise. */
interface FileItem extends ImportRow {
  hasDateColumn: boolean;
  importTime: string;
  error?: string;
}

/** The `file` source: re-reads `path` on its schedule; rows already stored are duplicates, so only new rows count. */
export const fileSource: Collector<Options, null> = {
  type: 'file',
  description: 'A CSV or JSONL file of mentions (exports, support tickets, survey comments), re-read on schedule; `earshot import` uses the same reader.',
  defaultSchedule: '0 * * * *',
  options,
  emits: 'the file columns id, text, title, url, author, published_at, rating, language, source, author_reach, likes, replies, shares (or mapped ones)',
  unhealthyWhen: 'the file cannot be read',
  plan(ctx) {
    return [{ key: `path:${ctx.source.options.path}`, params: {}, filter: ctx.source.brand ? { kind: 'none' } : { kind: 'none' } }];
  },
  async *fetch(ctx) {
    const file = ctx.source.options.path;
    if (!fs.existsSync(file)) throw new ValidationError(`${ctx.source.name}: ${file}: file not found`);
    const format = formatOf(file, ctx.source.options.format);
    let items: FileItem[] = [];
    const importTime = ctx.now().toISOString();
    let hasDateColumn: boolean | null = null;
    for await (const r of readRecords(file, format)) {
      if ('error' in r) {
        items.push({ row: r.row, record: {}, hasDateColumn: true, importTime, error: r.error });
      } else {
        hasDateColumn ??= format === 'jsonl' || Object.prototype.hasOwnProperty.call(r.record, ctx.source.options.map?.published_at ?? 'published_at');
        items.push({ ...r, hasDateColumn, importTime });
      }
      if (items.length >= IMPORT_BATCH) {
        yield { items, cursor: null };
        items = [];
      }
    }
    if (items.length > 0) yield { items, cursor: null };
  },
  normalise(item, ctx) {
    const it = item as FileItem;
    if (it.error) throw new ValidationError(it.error);
    return rowToMention(it, ctx.source.options.map ?? {}, new Date(it.importTime), it.hasDateColumn).mention;
  },
};
