/**
 * Cross-source duplicates: the same page or the same text reposted is linked (counted once), while
 * distinct items that share a page, such as App Store reviews on one review page, stay distinct.
 */
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openTestDb, DB_KIND } from '../helpers/db.js';
import type { Db } from '../../db/index.js';
import { importFile } from '../../collectors/file-import.js';
import { normaliseUrl } from '../../db/mentions.js';
import { configFrom, depsFor } from './helpers.js';

describe('normaliseUrl', () => {
  it.each([
    ['https://www.Example.com/a/?utm_source=x&b=2&a=1', 'example.com/a?a=1&b=2'],
    ['http://example.com/a/#:~:text=hello', 'example.com/a'],
    ['https://apps.apple.com/gb/app/x/id1?see-all=reviews#review-11', 'apps.apple.com/gb/app/x/id1?see-all=reviews#review-11'],
    ['https://news.ycombinator.com/item?id=1#', 'news.ycombinator.com/item?id=1'],
    ['http://example.com/story/?id=7#top', 'example.com/story?id=7'],
    ['https://blog.example.com/post#comment-42', 'blog.example.com/post#comment-42'],
    ['ftp://example.com/x', null],
    ['not a url', null],
  ])('%s → %s', (url, want) => {
    expect(normaliseUrl(url)).toBe(want);
  });
});

describe(`duplicate linking on the bundled demo data (${DB_KIND})`, () => {
  let db: Db;
  beforeAll(async () => {
    db = await openTestDb();
  });
  afterAll(async () => {
    await db.close();
  });

  it('keeps every App Store review on one review page as its own mention', async () => {
    const deps = await depsFor(db, configFrom(`brands:\n  - name: Brightwave\n    query: brightwave\n`));
    await importFile(deps, path.resolve(import.meta.dirname, '../../demo/mentions.jsonl'), { source: 'demo' });
    const r = await db.query<{ rated: number; distinct_rated: number }>(
      `select count(*)::int as rated, count(*) filter (where duplicate_of is null)::int as distinct_rated from mentions where rating is not null`,
    );
    expect(r.rows[0]).toEqual({ rated: 25, distinct_rated: 25 });
  });
});
