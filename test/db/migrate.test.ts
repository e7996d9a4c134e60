import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Db } from '../../db/index.js';
import { currentVersion, latestVersion, migrate, splitSql, listMigrations } from '../../db/migrate.js';
import { DB_KIND, openTestDb } from '../helpers/db.js';

describe(`migrations on ${DB_KIND}`, () => {
  let db: Db;
  beforeAll(async () => {
    db = await openTestDb();
  });
  afterAll(async () => {
    await db?.close();
  });

  it('brings the database to the latest version and records each migration', async () => {
    expect(await currentVersion(db)).toBe(latestVersion());
    const r = await db.query<{ version: number }>('select version from schema_migrations order by version');
    expect(r.rows.map((x) => x.version)).toEqual([...new Set(listMigrations().map((m) => m.version))]);
  });

  it('is a no-op the second time', async () => {
    expect(await migrate(db)).toEqual([]);
  });

  it('creates the tables the pipeline needs', async () => {
    for (const t of ['brands', 'sources', 'collector_runs', 'source_cursors', 'mentions', 'mention_brands', 'analyses', 'corrections', 'alerts']) {
      const r = await db.query<{ t: string | null }>('select to_regclass($1)::text as t', [t]);
      expect(r.rows[0]?.t, t).not.toBeNull();
    }
  });

  it('keeps mention text searchable with full-text search', async () => {
    await db.query(`insert into sources (name, type) values ('s', 'file')`);
    await db.query(
      `insert into mentions (source_id, external_id, text, published_at) values ((select id from sources where name='s'), 'a', 'My parcel was delayed again', now())`,
    );
    const r = await db.query<{ n: number }>(`select count(*) as n from mentions where search_tsv @@ websearch_to_tsquery('english', 'delays parcel')`);
    expect(r.rows[0]?.n).toBe(1);
  });
});

describe('splitSql', () => {
  it.each([
    ['select 1; select 2;', ['select 1', 'select 2']],
    ["select ';' ; -- x;\nselect 3", ["select ';'", 'select 3']],
    ['create function f() returns int as $$ begin return 1; end $$ language plpgsql; select 1', ['create function f() returns int as $$ begin return 1; end $$ language plpgsql', 'select 1']],
  ])('%s', (sql, want) => {
    expect(splitSql(sql)).toEqual(want);
  });
});
