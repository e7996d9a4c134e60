/**
 * An analyser upgrade re-analyses every stored mention in the background, which can take hours on a
 * large store. A complaint that arrives meanwhile is analysed first (0012) and its alert must go out
 * between the re-analysis batches, not after the whole pass. Local receiver on 127.0.0.1. Runs on
 * PGlite and, with DATABASE_URL, on PostgreSQL.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Db } from '../../db/index.js';
import { DB_KIND, openTestDb } from '../helpers/db.js';
import { startWebhookReceiver, type WebhookReceiver } from '../helpers/webhook-receiver.js';
import { parseConfig } from '../../config.js';
import { logger } from '../../log.js';
import { insertMentions } from '../../db/mentions.js';
import { syncBrandsAndSources } from '../../db/sources.js';
import { analyserFor, analyzePending, startWorker } from '../../worker.js';
import type { Deps } from '../../deps.js';

const STORED = 60;
let db: Db;
let rx: WebhookReceiver;
let deps: Deps;
/** Mentions still queued for (re-)analysis when each webhook arrived. */
const queuedAtDelivery: Array<Promise<number>> = [];

const queued = async (): Promise<number> =>
  (await db.query<{ n: number }>('select count(*)::int as n from analysis_queue')).rows[0]!.n;

describe(`alerts during a re-analysis after an analyser upgrade (${DB_KIND})`, () => {
  beforeAll(async () => {
    db = await openTestDb();
    rx = await startWebhookReceiver({
      respond: () => {
        queuedAtDelivery.push(queued());
        return 200;
      },
    });
    const config = parseConfig(
      `brands: [{name: Acme, query: acme, own: true}]\nsources: []\nalerts:\n  webhooks: [{url: '${rx.url}', format: json}]\n` +
        `  delivery: {backoffMs: 5, retries: 1, retryAfterMinutes: 1, timeoutMs: 2000}\n`,
    );
    deps = { db, config, logger, now: () => new Date() };
    await syncBrandsAndSources(db, config);
    const src = await db.query<{ id: number }>(`insert into sources (name, type) values ('x', 'file') returning id`);
    const hour = 3600_000;
    await insertMentions(
      db,
      src.rows[0]!.id,
      Array.from({ length: STORED }, (_, i) => ({
        externalId: `calm-${i}`, url: `https://example.com/calm/${i}`, author: `reader${i % 7}`, authorReach: 10, title: null,
        text: `Acme store on Main Street opens at ${8 + (i % 3)} on Saturdays, item ${i}.`,
        language: 'en', publishedAt: new Date(Date.now() - (6 + i) * hour), engagement: {}, rating: null,
      })),
    );
    // Analysed by the previous analyser version: the worker's analyser re-analyses all of them.
    const old = { ...analyserFor(deps), version: 'previous-version' };
    expect((await analyzePending(deps, { analyser: old })).analysed).toBe(STORED);
    await insertMentions(db, src.rows[0]!.id, [{
      externalId: 'angry-1', url: 'https://example.com/angry', author: 'famous', authorReach: 2_000_000, title: null,
      text: 'Acme lost my luggage and refused a refund. Worst airline ever, absolutely terrible service.',
      language: 'en', publishedAt: new Date(Date.now() - 10 * 60_000), engagement: {}, rating: null,
    }]);
  });
  afterAll(async () => {
    await rx?.close();
    await db?.close();
  });

  it('delivers the new complaint\'s alert between re-analysis batches, then finishes the re-analysis', async () => {
    const worker = await startWorker(deps, { schedule: false, batchSize: 5, alertEveryMs: 0, tickMs: 3_600_000 });
    try {
      await worker.idle();
    } finally {
      await worker.stop();
    }
    const delivered = rx.received.filter((r) => r.status === 200 && r.event !== null && /opened/.test(r.event));
    expect(delivered.length).toBeGreaterThanOrEqual(1);
    // The first alert went out while most of the stored mentions still waited for re-analysis.
    const atFirst = await queuedAtDelivery[0]!;
    expect(atFirst).toBeGreaterThan(STORED / 2);
    // …and the pass still re-analysed every stored mention with the new version.
    expect(await queued()).toBe(0);
    const versions = await db.query<{ v: string; n: number }>('select analyser_version as v, count(*)::int as n from analyses group by 1');
    expect(versions.rows).toEqual([{ v: analyserFor(deps).version, n: STORED + 1 }]);
  });
});
