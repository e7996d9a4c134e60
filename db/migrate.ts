/**
 * Versioned migrations: `db/migrations/NNNN_name.sql`, applied in order, each in its own transaction,
 * recorded in `schema_migrations`. Safe when several processes start at once on PostgreSQL: each
 * migration takes a transaction-level advisory lock and re-checks that it is still pending.
 *
 * A file named `NNNN_name.pg.sql` runs only on PostgreSQL and `NNNN_name.pglite.sql` only on PGlite
 * (for features that only make sense on a server, such as partitioning); the version is recorded
 * either way so both databases reach the same version number.
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Db } from './index.js';
import { DatabaseError } from '../errors.js';
import { moduleLogger } from '../log.js';

const log = moduleLogger('migrate');
const MIGRATIONS_DIR = path.join(path.dirname(fileURLToPath(import.meta.url)), 'migrations');
const LOCK_KEY = 4_752_113; // arbitrary, constant: "earshot migrations"

/** One migration file. */
export interface Migration {
  version: number;
  name: string;
  file: string;
  only: 'pg' | 'pglite' | null;
}

/** Lists the migration files in order; throws on a duplicate or malformed name. */
export function listMigrations(dir = MIGRATIONS_DIR): Migration[] {
  const out: Migration[] = [];
  for (const file of fs.readdirSync(dir).sort()) {
    if (!file.endsWith('.sql')) continue;
    const m = /^(\d{4})_([a-z0-9_-]+?)(?:\.(pg|pglite))?\.sql$/.exec(file);
    if (!m) throw new DatabaseError(`migrate: bad migration file name '${file}' (want NNNN_name.sql)`);
    out.push({ version: Number(m[1]), name: m[2]!, file: path.join(dir, file), only: (m[3] as 'pg' | 'pglite' | undefined) ?? null });
  }
  const versions = new Map<number, Migration[]>();
  for (const mig of out) versions.set(mig.version, [...(versions.get(mig.version) ?? []), mig]);
  for (const [v, list] of versions) {
    const generic = list.filter((m) => m.only === null).length;
    if (generic > 1 || (generic === 1 && list.length > 1)) throw new DatabaseError(`migrate: two migrations share version ${v}`);
  }
  return out;
}

/** The newest version the code knows. */
export function latestVersion(): number {
  return Math.max(0, ...listMigrations().map((m) => m.version));
}

/** The version the database is at (0 when empty). */
export async function currentVersion(db: Db): Promise<number> {
  const exists = await db.query<{ t: string | null }>(`select to_regclass('schema_migrations')::text as t`);
  if (!exists.rows[0]?.t) return 0;
  const r = await db.query<{ v: number | null }>('select max(version)::int as v from schema_migrations');
  return r.rows[0]?.v ?? 0;
}

/** Applies every pending migration. Returns the versions applied. */
export async function migrate(db: Db): Promise<number[]> {
  await db.exec(`create table if not exists schema_migrations (
    version integer primary key,
    name text not null,
    applied_at timestamptz not null default now()
  )`);
  const applied: number[] = [];
  const all = listMigrations();
  for (const mig of all) {
    if (mig.only && mig.only !== db.kind) {
      // Record the version so both databases agree on it, without running the file — unless the other
      // file of a `.pg.sql` / `.pglite.sql` pair is this driver's and still has to run.
      const ownTwin = all.some((m) => m.version === mig.version && m !== mig && (m.only === null || m.only === db.kind));
      if (!ownTwin) await db.query('insert into schema_migrations (version, name) values ($1, $2) on conflict do nothing', [mig.version, `${mig.name} (skipped on ${db.kind})`]);
      continue;
    }
    const sql = fs.readFileSync(mig.file, 'utf8');
    const done = await db.tx(async (q) => {
      await q.query('select pg_advisory_xact_lock($1)', [LOCK_KEY]);
      const has = await q.query('select 1 from schema_migrations where version = $1', [mig.version]);
      if (has.rowCount > 0) return false;
      try {
        // Statements are split on lines that end with ';' outside dollar quotes: keeps one
        // code path for both drivers inside a transaction.
        for (const stmt of splitSql(sql)) await q.query(stmt);
      } catch (err) {
        throw new DatabaseError(`migrate: ${path.basename(mig.file)} failed: ${(err as Error).message}`, { cause: err });
      }
      await q.query('insert into schema_migrations (version, name) values ($1, $2)', [mig.version, mig.name]);
      return true;
    });
    if (done) {
      applied.push(mig.version);
      log.info({ version: mig.version, name: mig.name }, 'migrate: applied');
    }
  }
  return applied;
}

/** Throws when the database is older than the code (the web server and workers refuse to start). */
export async function assertSchemaUpToDate(db: Db): Promise<void> {
  const cur = await currentVersion(db);
  const want = latestVersion();
  if (cur < want) throw new DatabaseError(`db: schema is at version ${cur}, this Earshot needs ${want}: run 'earshot migrate'`);
}

/** Splits a SQL file into statements; understands -- comments, quotes and $$ bodies. */
export function splitSql(sql: string): string[] {
  const out: string[] = [];
  let cur = '';
  let i = 0;
  let dollar: string | null = null;
  let quote = false;
  while (i < sql.length) {
    const ch = sql[i]!;
    if (dollar) {
      if (sql.startsWith(dollar, i)) {
        cur += dollar;
        i += dollar.length;
        dollar = null;
        continue;
      }
      cur += ch;
      i++;
      continue;
    }
    if (quote) {
      cur += ch;
      if (ch === "'") quote = false;
      i++;
      continue;
    }
    if (ch === '-' && sql[i + 1] === '-') {
      const nl = sql.indexOf('\n', i);
      i = nl === -1 ? sql.length : nl;
      continue;
    }
    if (ch === "'") {
      quote = true;
      cur += ch;
      i++;
      continue;
    }
    if (ch === '$') {
      const m = /^\$[a-zA-Z_]*\$/.exec(sql.slice(i));
      if (m) {
        dollar = m[0];
        cur += dollar;
        i += dollar.length;
        continue;
      }
    }
    if (ch === ';') {
      if (cur.trim()) out.push(cur.trim());
      cur = '';
      i++;
      continue;
    }
    cur += ch;
    i++;
  }
  if (cur.trim()) out.push(cur.trim());
  return out;
}
