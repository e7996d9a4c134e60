/**
 * A fresh, migrated database for one test file: a copy of the PGlite template, or (with DATABASE_URL)
 * a schema of its own on the PostgreSQL server, dropped on close. Real Postgres either way; no mocks.
 */
import fs from 'node:fs';
import { randomBytes } from 'node:crypto';
import { openDb, type Db } from '../../db/index.js';
import { migrate } from '../../db/migrate.js';

/** Which database the suite runs against, for test names. */
export const DB_KIND = process.env.DATABASE_URL ? 'pg' : 'pglite';

/** Opens a fresh migrated database; call `close()` in afterAll. */
export async function openTestDb(): Promise<Db> {
  const url = process.env.DATABASE_URL;
  if (url) {
    const schema = `t_${randomBytes(6).toString('hex')}`;
    const db = await openDb({ url, schema, poolSize: 4 });
    await migrate(db);
    const close = db.close.bind(db);
    return Object.assign(db, {
      async close() {
        await db.query(`drop schema if exists ${schema} cascade`).catch(() => undefined);
        await close();
      },
    });
  }
  const template = process.env.EARSHOT_TEST_TEMPLATE;
  const db = template && fs.existsSync(template)
    ? await openDb({ loadDataDir: new Blob([fs.readFileSync(template)]) })
    : await openDb();
  await migrate(db);
  return db;
}
