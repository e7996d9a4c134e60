/**
 * The webhook receiver is down for a while (503s): the alert's delivery is retried on later cycles and
 * delivered exactly once when the receiver is back, with the same signed body. Clock injected; local
 * receiver on 127.0.0.1. Runs on PGlite and, with DATABASE_URL, on PostgreSQL.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Db } from '../../db/index.js';
import { DB_KIND, openTestDb } from '../helpers/db.js';
import { startWebhookReceiver, type WebhookReceiver } from '../helpers/webhook-receiver.js';
import { parseConfig } from '../../config.js';
import { logger } from '../../log.js';
import { insertMentions } from '../../db/mentions.js';
import { syncBrandsAndSources } from '../../db/sources.js';
import { analyzePending } from '../../worker.js';
import { runAlertCycle } from '../../alerts/service.js';
import type { Deps } from '../../deps.js';

const SECRET = 'outage-secret';
const T0 = new Date('2026-11-20T10:00:00Z');
let db: Db;
let rx: WebhookReceiver;
let down = true;

function depsAt(t: Date): Deps {
  const config = parseConfig(
    `brands: [{name: Acme, query: acme, own: true}]\nsources: []\nalerts:\n  webhooks: [{url: '${rx.url}', secret: '${SECRET}', format: json}]\n` +
      `  delivery: {backoffMs: 5, retries: 1, retryAfterMinutes: 1, timeoutMs: 2000}\n`,
  );
  return { db, config, logger, now: () => t };
}

const at = (minutes: number): Date => new Date(T0.getTime() + minutes * 60_000);

describe(`alert delivery through a webhook outage (${DB_KIND})`, () => {
  beforeAll(async () => {
    db = await openTestDb();
    rx = await startWebhookReceiver({ secret: SECRET, respond: () => (down ? 503 : 200) });
    const deps = depsAt(T0);
    await syncBrandsAndSources(db, deps.config);
    const src = await db.query<{ id: number }>(`insert into sources (name, type) values ('x', 'file') returning id`);
    await insertMentions(db, src.rows[0]!.id, [{
      externalId: 'angry-1', url: 'https://example.com/angry', author: 'famous', authorReach: 2_000_000, title: null,
      text: 'Acme lost my luggage and refused a refund. Worst airline ever, absolutely terrible service.',
      language: 'en', publishedAt: at(-10), engagement: {}, rating: null,
    }]);
    expect((await analyzePending(deps)).analysed).toBe(1);
  });
  afterAll(async () => {
    await rx?.close();
    await db?.close();
  });

  it('retries while the receiver is down, delivers once when it is back, same signed body', async () => {
    const first = await runAlertCycle(depsAt(T0));
    expect(first.opened).toBeGreaterThanOrEqual(1);
    expect(first.delivered).toBe(0);
    const failedAttempts = rx.received.length;
    expect(failedAttempts).toBeGreaterThanOrEqual(1);
    expect(rx.received.every((r) => r.status === 503)).toBe(true);

    // still down a few minutes later: retried again, still pending
    const second = await runAlertCycle(depsAt(at(2)));
    expect(second.delivered).toBe(0);
    expect(rx.received.length).toBeGreaterThan(failedAttempts);

    // back up: delivered, once
    down = false;
    const third = await runAlertCycle(depsAt(at(4)));
    expect(third.delivered).toBe(first.opened);
    const ok = rx.received.filter((r) => r.status === 200);
    expect(ok).toHaveLength(first.opened);
    expect(ok.every((r) => r.verified)).toBe(true);
    expect(ok[0]!.event).toMatch(/opened/);
    // the body sent after the outage is the one that failed before (stored, signed once)
    expect(rx.received.filter((r) => r.status === 503).map((r) => r.raw)).toContain(ok[0]!.raw);

    // later cycles send nothing more
    const n = rx.received.length;
    const fourth = await runAlertCycle(depsAt(at(10)));
    expect(fourth.delivered).toBe(0);
    expect(rx.received.length).toBe(n);
    const pending = await db.query<{ n: number }>(`select count(*)::int as n from alert_deliveries where status <> 'delivered'`);
    expect(pending.rows[0]?.n).toBe(0);
  });
});
