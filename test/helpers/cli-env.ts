/**
 * A scratch place for running the real CLI (`node bin/earshot.js`) as a child process: a temporary
 * working directory and an environment whose database is private to the test — a PGlite data
 * directory inside that folder, or, when DATABASE_URL is set, a schema of its own on the server
 * (passed to the child as `options=-c search_path=<schema>,public`), dropped by `cleanup()`.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import pg from 'pg';

/** Where the CLI entry point is. */
export const BIN = path.resolve(import.meta.dirname, '../../bin/earshot.js');

/** A scratch directory and environment for CLI child processes. */
export interface CliScratch {
  dir: string;
  env: NodeJS.ProcessEnv;
  cleanup(): Promise<void>;
}

/** Creates the scratch directory (and the private schema on PostgreSQL). */
export async function createCliScratch(prefix: string): Promise<CliScratch> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `earshot-${prefix}-`));
  const env: NodeJS.ProcessEnv = { ...process.env, LOG_LEVEL: 'warn', DOTENV_CONFIG_QUIET: 'true' };
  delete env.EARSHOT_TEST_TEMPLATE;
  const base = process.env.DATABASE_URL;
  let schema: string | null = null;
  const admin = async (sql: string): Promise<void> => {
    const c = new pg.Client({ connectionString: base, user: 'postgres' });
    await c.connect();
    await c.query(sql);
    await c.end();
  };
  if (base) {
    schema = `${prefix}_${randomBytes(5).toString('hex')}`;
    await admin(`create schema ${schema}`);
    const u = new URL(base);
    u.searchParams.set('options', `-c search_path=${schema},public`);
    env.DATABASE_URL = u.toString();
  }
  return {
    dir,
    env,
    async cleanup() {
      if (schema) await admin(`drop schema if exists ${schema} cascade`);
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}
