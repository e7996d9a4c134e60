import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openTestDb, DB_KIND } from '../helpers/db.js';
import type { Db } from '../../db/index.js';
import { importFile } from '../../collectors/file-import.js';
import { insertMentions } from '../../db/mentions.js';
import { listSourceHealth } from '../../db/sources.js';
import { configFrom, countRows, depsFor } from './helpers.js';

let db: Db;
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'earshot-import-'));
beforeAll(async () => {
  db = await openTestDb();
});
afterAll(async () => {
  await db.close();
  fs.rmSync(dir, { recursive: true, force: true });
});
const config = () => configFrom(`brands:\n  - name: Acme\n    query: acme\n`);

describe(`file import (${DB_KIND})`, () => {
  it('imports a CSV, reports a bad row by row and column without stopping, and is idempotent on id', async () => {
    const file = path.join(dir, 'tickets.csv');
    const rows = ['id,text,author,published_at,rating,source,likes'];
    for (let i = 1; i <= 20; i++) rows.push(`t${i},"Acme ticket ${i}, the app, it crashes",ann,2026-11-0${(i % 9) + 1}T10:00:00Z,${(i % 5) + 1},zendesk,${i}`);
    rows[13] = 't13,"Acme ticket 13",ann,yesterday-ish,3,zendesk,1'; // file line 14
    fs.writeFileSync(file, rows.join('\n'));
    const deps = await depsFor(db, config());
    const s = await importFile(deps, file);
    expect(s).toMatchObject({ source: 'import', format: 'csv', rows: 20, inserted: 19, skipped: 1, duplicates: 0 });
    expect(s.errors).toEqual(["import: row 14, column 'published_at': not a date"]);
    const m = (await db.query<Record<string, unknown>>(`select * from mentions where external_id = 't5'`)).rows[0]!;
    expect(m).toMatchObject({ text: 'Acme ticket 5, the app, it crashes', author: 'ann', rating: 1, origin: 'zendesk', engagement: { likes: 5 } });
    const again = await importFile(deps, file);
    expect(again).toMatchObject({ inserted: 0, duplicates: 19, skipped: 1 });
    const h = (await listSourceHealth(db, deps.now())).find((x) => x.name === 'import')!;
    expect(h).toMatchObject({ type: 'file', status: 'ok', lastSuccessAt: deps.now(), lastRun: { fetched: 20, inserted: 0, duplicates: 19, skipped: 1 } });
  });

  it('imports JSONL with --map, under a named source', async () => {
    const file = path.join(dir, 'survey.jsonl');
    fs.writeFileSync(file, [JSON.stringify({ rid: 'r1', comment: 'Acme support was great', when: 1762000000 }), 'not json', JSON.stringify({ rid: 'r2', comment: '', when: 1762000000 })].join('\n'));
    const deps = await depsFor(db, config());
    const s = await importFile(deps, file, { source: 'survey', map: { id: 'rid', text: 'comment', published_at: 'when' } });
    expect(s).toMatchObject({ source: 'survey', rows: 3, inserted: 1, skipped: 2 });
    expect(s.errors[0]).toMatch(/^import: row 2: not valid JSON/);
    expect(s.errors[1]).toBe("import: row 3, column 'comment': missing");
    const m = (await db.query<{ published_at: Date }>(`select published_at from mentions where external_id = 'r1'`)).rows[0]!;
    expect(m.published_at.toISOString()).toBe(new Date(1762000000 * 1000).toISOString());
    await expect(importFile(deps, file, { map: { txt: 'comment' } })).rejects.toThrow("import: --map txt=comment: unknown field 'txt'");
  });

  it('links the same URL or the same reposted text from another source as a duplicate', async () => {
    await depsFor(db, configFrom(`brands:\n  - name: Acme\n    query: acme\nsources:\n  - {name: a, type: hackernews}\n  - {name: b, type: hackernews}\n`));
    const ids = (await db.query<{ id: number; name: string }>(`select id, name from sources where name in ('a','b')`)).rows;
    const a = ids.find((x) => x.name === 'a')!.id;
    const b = ids.find((x) => x.name === 'b')!.id;
    const base = { author: null, authorReach: null, title: null, language: null, publishedAt: new Date('2026-11-01T00:00:00Z'), engagement: {}, rating: null };
    const first = await insertMentions(db, a, [
      { ...base, externalId: 'x1', url: 'https://www.example.com/story?id=7&utm_source=tw', text: 'Acme raises prices' },
      { ...base, externalId: 'x2', url: null, text: 'Acme outage again today, nothing loads at all' },
    ]);
    const second = await insertMentions(db, b, [
      { ...base, externalId: 'y1', url: 'http://example.com/story/?id=7#top', text: 'Price rise at Acme' },
      { ...base, externalId: 'y2', url: null, text: 'RT @someone: ACME outage again today — nothing loads at all!' },
      { ...base, externalId: 'y3', url: null, text: 'A different post about Acme and its pricing' },
      { ...base, externalId: 'y3', url: null, text: 'repeat in the same batch' },
    ]);
    expect(second).toMatchObject({ inserted: 3, duplicates: 1 });
    const rows = (await db.query<{ id: number; duplicate_of: number | null }>(`select id, duplicate_of from mentions where id = any($1::bigint[]) order by id`, [second.ids])).rows;
    expect(rows.map((r) => r.duplicate_of)).toEqual([first.ids[0], first.ids[1], null]);
    expect(await countRows(db, 'mentions', 'source_id = $1 and duplicate_of is null', [b])).toBe(1);
  });
});
