/**
 * Shared by the collector tests: a config from YAML, Deps on a test database, fast HTTP settings
 * (recorded sleeps that return at once, no per-host wait), and fixture loading.
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseConfig, type Config } from '../../config.js';
import type { Db } from '../../db/index.js';
import type { Deps } from '../../deps.js';
import { logger } from '../../log.js';
import { validateSource } from '../../collectors/registry.js';
import { syncBrandsAndSources } from '../../db/sources.js';
import type { RunOptions } from '../../collectors/run.js';

const FIXTURES = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'fixtures');

/** A fixture's text. */
export function fixtureText(rel: string): string {
  return fs.readFileSync(path.join(FIXTURES, rel), 'utf8');
}

/** A fixture's JSON. */
export function fixtureJson<T = Record<string, unknown>>(rel: string): T {
  return JSON.parse(fixtureText(rel)) as T;
}

/** The recorded headers of a fixture (its `.headers.json` sidecar), minus transport headers nock must not replay. */
export function fixtureHeaders(rel: string): Record<string, string> {
  const side = rel.replace(/\.[a-z]+$/, '.headers.json');
  const h = fixtureJson<{ headers: Record<string, string> }>(side).headers;
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(h)) if (!/^(content-encoding|transfer-encoding|content-length|connection)$/i.test(k)) out[k] = v;
  return out;
}

/** Parses a config the way the CLI does (with the collectors' option validation). */
export function configFrom(yaml: string): Config {
  return parseConfig(yaml, { validateSource });
}

/** Deps on `db` with `config` synced and a settable clock. */
export async function depsFor(db: Db, config: Config, now = new Date('2026-11-20T12:00:00Z')): Promise<Deps & { clock: { now: Date } }> {
  await syncBrandsAndSources(db, config);
  const clock = { now };
  return { db, config, logger, now: () => clock.now, clock };
}

/** Sleeps asked for by the HTTP client, recorded; each returns at once. */
export function fastHttp(): { opts: RunOptions; sleeps: number[] } {
  const sleeps: number[] = [];
  return {
    sleeps,
    opts: {
      http: {
        sleep: async (ms: number) => {
          sleeps.push(ms);
        },
        rateLimit: 0,
        random: () => 0.5,
      },
      env: {},
    },
  };
}

/** Counts rows of a table with an optional where clause. */
export async function countRows(db: Db, table: string, where = 'true', params: unknown[] = []): Promise<number> {
  const r = await db.query<{ n: number }>(`select count(*)::int as n from ${table} where ${where}`, params);
  return r.rows[0]!.n;
}
