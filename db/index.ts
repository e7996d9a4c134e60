/**
 * One SQL dialect, two drivers. `openDb()` returns a PGlite database (embedded, persisted in a data
 * directory, the default) or a PostgreSQL pool through `pg` when a URL is given (DATABASE_URL). No other
 * module knows which one it talks to: both take `$1` parameters and return `rows` / `rowCount`.
 *
 * Normalised across drivers: bigint (int8, OID 20) and numeric (OID 1700) come back as JS numbers;
 * timestamptz as Date; json/jsonb parsed. Always pass jsonb parameters as JSON.stringify(value).
 */
import fs from 'node:fs';
import path from 'node:path';
import os from 'node:os';
import pg from 'pg';
import { PGlite } from '@electric-sql/pglite';
import { pg_trgm } from '@electric-sql/pglite/contrib/pg_trgm';
import { DatabaseError } from '../errors.js';
import { moduleLogger } from '../log.js';

const log = moduleLogger('db');

/** A row as returned by the driver. */
export type Row = Record<string, unknown>;

/** The result of one statement. */
export interface QueryResult<T> {
  rows: T[];
  rowCount: number;
}

/** Anything that can run one parameterised statement: the database or a transaction. */
export interface Queryable {
  query<T = Row>(sql: string, params?: readonly unknown[]): Promise<QueryResult<T>>;
}

/** The database handle every db/ module receives. */
export interface Db extends Queryable {
  /** Which driver is underneath; only db/ modules may branch on it (e.g. COPY, partitioning). */
  readonly kind: 'pglite' | 'pg';
  /** Several statements, no parameters (migrations). */
  exec(sql: string): Promise<void>;
  /** Runs `fn` in one transaction; rolls back when it throws. */
  tx<T>(fn: (q: Queryable) => Promise<T>): Promise<T>;
  close(): Promise<void>;
  /** The underlying pg pool (only when kind === 'pg'), for COPY and LISTEN. */
  readonly pool?: pg.Pool;
  /** The underlying PGlite instance (only when kind === 'pglite'). */
  readonly pglite?: PGlite;
}

/** How to open the database. */
export interface OpenDbOptions {
  /** PostgreSQL connection string; when set, `dataDir` is ignored. */
  url?: string | undefined;
  /** PGlite data directory (created when missing). Omit for an in-memory database. */
  dataDir?: string | undefined;
  /** PGlite: start from a dumped data directory (tests copy one migrated template). */
  loadDataDir?: Blob | File | undefined;
  /** pg: use this schema first on every connection (tests give each file its own). */
  schema?: string | undefined;
  /** pg pool size (default 10). */
  poolSize?: number | undefined;
  /** Label written into the PGlite lock file so a second process can name the holder. */
  owner?: string | undefined;
}

const parseNumber = (v: string): number => Number(v);
let pgTypesSet = false;

/** Opens PGlite or PostgreSQL. Throws DatabaseError with a clear message when it cannot. */
export async function openDb(opts: OpenDbOptions = {}): Promise<Db> {
  if (opts.url) return openPg(opts.url, opts);
  return openPglite(opts);
}

async function openPg(url: string, opts: OpenDbOptions): Promise<Db> {
  if (!pgTypesSet) {
    pg.types.setTypeParser(20, parseNumber);
    pg.types.setTypeParser(1700, parseNumber);
    pgTypesSet = true;
  }
  const config: pg.PoolConfig = { connectionString: url, max: opts.poolSize ?? 10 };
  // pg does not fall back to the OS user when $USER is empty: default to PGUSER or postgres.
  if (!new URL(url).username) config.user = process.env.PGUSER ?? 'postgres';
  if (opts.schema) {
    if (!/^[a-z_][a-z0-9_]*$/.test(opts.schema)) throw new DatabaseError(`db: invalid schema name '${opts.schema}'`);
    config.options = `-c search_path=${opts.schema},public`;
  }
  const pool = new pg.Pool(config);
  pool.on('error', (err) => log.warn({ err: err.message }, 'db: idle client error'));
  // A connection lost while a client is checked out emits 'error' on that client: without a listener
  // it would crash the process (PostgreSQL restarted). The query in flight fails; the pool reconnects.
  pool.on('connect', (client) => client.on('error', (err) => log.warn({ err: err.message }, 'db: connection lost')));
  try {
    if (opts.schema) {
      const c = new pg.Client({ ...config, options: undefined } as pg.ClientConfig);
      await c.connect();
      await c.query(`create schema if not exists ${opts.schema}`);
      await c.end();
    }
    await pool.query('select 1');
  } catch (err) {
    await pool.end().catch(() => undefined);
    throw new DatabaseError(`db: cannot connect to PostgreSQL at ${redactUrl(url)}: ${(err as Error).message}`, { cause: err });
  }
  const db: Db = {
    kind: 'pg',
    pool,
    async query<T>(sql: string, params?: readonly unknown[]) {
      const r = await pool.query(sql, params as unknown[] | undefined);
      return { rows: r.rows as T[], rowCount: r.rowCount ?? 0 };
    },
    async exec(sql: string) {
      await pool.query(sql);
    },
    async tx<T>(fn: (q: Queryable) => Promise<T>): Promise<T> {
      const client = await pool.connect();
      try {
        await client.query('begin');
        const q: Queryable = {
          async query<R>(sql: string, params?: readonly unknown[]) {
            const r = await client.query(sql, params as unknown[] | undefined);
            return { rows: r.rows as R[], rowCount: r.rowCount ?? 0 };
          },
        };
        const out = await fn(q);
        await client.query('commit');
        return out;
      } catch (err) {
        await client.query('rollback').catch(() => undefined);
        throw err;
      } finally {
        client.release();
      }
    },
    async close() {
      await pool.end();
    },
  };
  return db;
}

async function openPglite(opts: OpenDbOptions): Promise<Db> {
  let releaseLock: (() => void) | null = null;
  if (opts.dataDir) {
    fs.mkdirSync(path.dirname(path.resolve(opts.dataDir)), { recursive: true });
    releaseLock = acquireDirLock(opts.dataDir, opts.owner ?? 'earshot');
  }
  let pglite: PGlite;
  try {
    pglite = await PGlite.create({
      ...(opts.dataDir ? { dataDir: opts.dataDir } : {}),
      ...(opts.loadDataDir ? { loadDataDir: opts.loadDataDir } : {}),
      extensions: { pg_trgm },
      parsers: { 20: parseNumber, 1700: parseNumber },
    });
  } catch (err) {
    releaseLock?.();
    throw new DatabaseError(`db: cannot open the embedded database${opts.dataDir ? ` in ${opts.dataDir}` : ''}: ${(err as Error).message}`, { cause: err });
  }
  const db: Db = {
    kind: 'pglite',
    pglite,
    async query<T>(sql: string, params?: readonly unknown[]) {
      const r = await pglite.query<T>(sql, params as unknown[] | undefined);
      return { rows: r.rows, rowCount: Math.max(r.rows.length, r.affectedRows ?? 0) };
    },
    async exec(sql: string) {
      await pglite.exec(sql);
    },
    async tx<T>(fn: (q: Queryable) => Promise<T>): Promise<T> {
      return pglite.transaction(async (t) => {
        const q: Queryable = {
          async query<R>(sql: string, params?: readonly unknown[]) {
            const r = await t.query<R>(sql, params as unknown[] | undefined);
            return { rows: r.rows, rowCount: Math.max(r.rows.length, r.affectedRows ?? 0) };
          },
        };
        return fn(q);
      });
    },
    async close() {
      try {
        if (!pglite.closed) await pglite.close();
      } finally {
        releaseLock?.();
      }
    },
  };
  return db;
}

/** What the lock file beside a PGlite data directory says about its holder. */
export interface LockInfo {
  pid: number;
  owner: string;
  host: string;
  startedAt: string;
}

/** The lock file path for a data directory: `<dir>.lock`, beside it. */
export function lockPathFor(dataDir: string): string {
  return `${path.resolve(dataDir).replace(/[\\/]+$/, '')}.lock`;
}

/**
 * PGlite has no lock between processes, and two processes on one directory silently lose writes.
 * We take an exclusive lock file (O_EXCL) holding the owner's pid; a lock whose pid is gone (crash,
 * kill -9) on this host is stale and is taken over.
 */
export function acquireDirLock(dataDir: string, owner: string): () => void {
  const file = lockPathFor(dataDir);
  const info: LockInfo = { pid: process.pid, owner, host: os.hostname(), startedAt: new Date().toISOString() };
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      fs.writeFileSync(file, JSON.stringify(info), { flag: 'wx' });
      let released = false;
      const release = (): void => {
        if (released) return;
        released = true;
        try {
          const cur = JSON.parse(fs.readFileSync(file, 'utf8')) as LockInfo;
          if (cur.pid === process.pid) fs.unlinkSync(file);
        } catch {
          /* already gone */
        }
        process.off('exit', release);
      };
      process.on('exit', release);
      return release;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') {
        throw new DatabaseError(`db: cannot create lock file ${file}: ${(err as Error).message}`, { cause: err });
      }
      let holder: LockInfo | null;
      try {
        holder = JSON.parse(fs.readFileSync(file, 'utf8')) as LockInfo;
      } catch {
        holder = null; // half-written or unreadable: treat as stale
      }
      if (holder && holder.host === os.hostname() && holder.pid !== process.pid && isAlive(holder.pid)) {
        throw new DatabaseError(
          `db: the data directory ${dataDir} is in use by another Earshot process (pid ${holder.pid}, '${holder.owner}', since ${holder.startedAt}). ` +
            `PGlite cannot be shared between processes: stop that process first, or use PostgreSQL (DATABASE_URL) to run several.`,
        );
      }
      if (holder && holder.host !== os.hostname()) {
        throw new DatabaseError(`db: the data directory ${dataDir} is locked by host ${holder.host} (pid ${holder.pid}); remove ${file} if that host is gone.`);
      }
      log.warn({ lock_file: file, stale_pid: holder?.pid ?? null }, 'db: removing a stale lock');
      fs.rmSync(file, { force: true });
    }
  }
  throw new DatabaseError(`db: could not lock ${dataDir}`);
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** A connection string with its password hidden, for messages and logs. */
export function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return '<invalid url>';
  }
}
