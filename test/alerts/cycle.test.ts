/**
 * The alert cycle on generated time series, end to end through the database and a local webhook
 * receiver: noise, a weekly pattern and a slow rise raise nothing; a real spike opens once, a second
 * batch during it updates without re-sending, a restart sends nothing twice, and the alert resolves
 * (once) when the spike is over.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openTestDb, DB_KIND } from '../helpers/db.js';
import { startWebhookReceiver, type WebhookReceiver } from '../helpers/webhook-receiver.js';
import type { Db } from '../../db/index.js';
import type { Deps } from '../../deps.js';
import { parseConfig } from '../../config.js';
import { logger } from '../../log.js';
import { runAlertCycle, backtest } from '../../alerts/service.js';
import { listAlerts, listDeliveries } from '../../db/alerts.js';
import { resolveAlertsConfig } from '../../alerts/config.js';
import { loadEvaluationRange } from '../../alerts/data.js';
import { windowKey } from '../../alerts/evaluate.js';
import { median, seasonalBaseline } from '../../alerts/rules/baseline.js';
import { background, insertMentions, makeBrand, prng, type GenMention } from './series.js';

const START = new Date('2025-03-01T00:00:00Z'); // a Saturday
const END = new Date('2025-03-24T12:00:00Z'); // a Monday noon
const HOURS = (END.getTime() - START.getTime()) / 3_600_000;
const SECRET = 'sw0rdfish';
const at = (iso: string) => new Date(iso);

let db: Db;
let rx: WebhookReceiver;
let spikeIds: { brandId: number; sourceId: number };

function depsAt(clock: { t: Date }): Deps {
  const config = parseConfig(
    `brands: [{name: Spiky, query: spiky}]\nalerts:\n  webhooks: [{url: '${rx.url}', secret: '${SECRET}', format: json}]\n  delivery: {backoffMs: 5, retries: 1}\n  dashboardUrl: 'http://127.0.0.1:3000'\n`,
  );
  return { db, config, logger, now: () => clock.t };
}

function burst(from: Date, n: number, minutes: number, seed: number): GenMention[] {
  const rand = prng(seed);
  return Array.from({ length: n }, (_, i) => ({
    at: new Date(from.getTime() + Math.floor(rand() * minutes * 60_000)),
    text: `My parcel delivery failed again, courier lost the parcel #${i}`,
    label: 'negative' as const,
    pains: ['delivery'],
    stage: i % 4 === 0 ? 'support' : 'experience',
  }));
}

describe(`alert cycle on generated series (${DB_KIND})`, () => {
  beforeAll(async () => {
    db = await openTestDb();
    rx = await startWebhookReceiver({ secret: SECRET });
    const rand = prng(42);
    const noise = await makeBrand(db, 'Noisy');
    await insertMentions(db, noise, background(rand, START, HOURS, () => 5));
    const weekly = await makeBrand(db, 'Weekly');
    await insertMentions(db, weekly, background(rand, START, HOURS, (t) => {
      const weekend = t.getUTCDay() === 0 || t.getUTCDay() === 6;
      const office = t.getUTCHours() >= 9 && t.getUTCHours() < 18;
      return weekend ? 0.5 : office ? 12 : 1;
    }));
    const rise = await makeBrand(db, 'Rising');
    await insertMentions(db, rise, background(rand, START, HOURS, (t) => 1 + (7 * (t.getTime() - START.getTime())) / (END.getTime() - START.getTime())));
    spikeIds = await makeBrand(db, 'Spiky');
    await insertMentions(db, spikeIds, background(rand, START, HOURS, () => 5));
    // First half of the burst: 10:00–10:20 on Sunday 23 March.
    await insertMentions(db, spikeIds, burst(at('2025-03-23T10:00:00Z'), 30, 20, 7));
  });
  afterAll(async () => {
    await rx?.close();
    await db?.close();
  });

  it('noise, a weekly pattern and a slow rise raise nothing: three days replayed every 20 min, and live cycles', async () => {
    const deps = depsAt({ t: END });
    const t0 = Date.now();
    const bt = await backtest(deps, { from: at('2025-03-20T10:00:00Z'), to: at('2025-03-23T09:40:00Z'), stepMinutes: 20 });
    expect(bt.map((a) => `${a.openedAt.toISOString()} ${a.title}`)).toEqual([]);
    const replayMs = Date.now() - t0;
    const clock = { t: at('2025-03-21T09:00:00Z') };
    const live = depsAt(clock);
    for (; clock.t < at('2025-03-23T10:00:00Z'); clock.t = new Date(clock.t.getTime() + 8 * 3_600_000)) {
      expect(await runAlertCycle(live), clock.t.toISOString()).toEqual({ opened: 0, updated: 0, resolved: 0, delivered: 0, failed: 0 });
    }
    expect(await listAlerts(db)).toEqual([]);
    expect(rx.received).toEqual([]);
    expect(replayMs).toBeLessThan(10_000);
  });

  it('the baseline follows a slow rise (near the current level, not the level weeks ago) and the weekly pattern', async () => {
    const cfg = resolveAlertsConfig(depsAt({ t: END }).config.alerts);
    const from = at('2025-03-20T12:00:00Z');
    const dataAt = await loadEvaluationRange(db, cfg, { from, to: at('2025-03-23T09:00:00Z'), stepMinutes: 60 });
    const key = windowKey({ windowMinutes: 60, baselineDays: 28 });
    const ratios: number[] = [];
    const trends: number[] = [];
    for (let t = from.getTime(); t <= at('2025-03-23T09:00:00Z').getTime(); t += 3 * 3_600_000) {
      const w = dataAt(new Date(t)).windows.get(key)!.find((x) => x.brand === 'Rising')!;
      const base = seasonalBaseline(w, (c) => c.total)!;
      expect(base.kind).toBe('weekly');
      const rateNow = 1 + (7 * (t - START.getTime())) / (END.getTime() - START.getTime()); // 6.7 → 7.7 an hour
      ratios.push(base.expected / rateNow);
      trends.push(base.trend);
    }
    // The same-weekday samples are 7–21 days old (2 to 6 an hour); unprojected they would average ≈ 0.5 of today's rate.
    expect(median(ratios)).toBeGreaterThan(0.8);
    expect(median(ratios)).toBeLessThan(1.25);
    expect(Math.min(...trends)).toBeGreaterThan(1.5);
    // The weekly pattern: a Friday office hour is expected busy, a Sunday morning quiet.
    const weekly = (t: string) => seasonalBaseline(dataAt(at(t)).windows.get(key)!.find((x) => x.brand === 'Weekly')!, (c) => c.total)!.expected;
    expect(weekly('2025-03-21T12:00:00Z')).toBeGreaterThan(8);
    expect(weekly('2025-03-23T09:00:00Z')).toBeLessThan(2);
  });

  it('a real spike opens once and is delivered once, signed, with figures and evidence', async () => {
    const clock = { t: at('2025-03-23T10:20:00Z') };
    const s = await runAlertCycle(depsAt(clock));
    expect(s.opened).toBeGreaterThanOrEqual(2);
    // One delivery per opened (or resolved) alert per channel; one webhook is configured.
    expect(s.resolved).toBe(0);
    expect(s.delivered).toBe(s.opened + s.resolved);
    expect(s.failed).toBe(0);
    const alerts = await listAlerts(db);
    expect(new Set(alerts.map((a) => a.brand))).toEqual(new Set(['Spiky']));
    const rules = alerts.map((a) => a.rule).sort();
    expect(rules).toContain('volume-spike');
    expect(rules).toContain('pain-point-surge');
    const vol = alerts.find((a) => a.rule === 'volume-spike')!;
    expect(vol.observed).toBeGreaterThanOrEqual(30);
    expect(vol.expected).toBeLessThan(10);
    expect(vol.painPoint).toBe('delivery');
    expect(vol.stages).toContain('experience');
    expect(vol.evidence.length).toBeGreaterThan(0);
    await rx.waitFor(s.opened);
    expect(rx.received.every((r) => r.verified && r.event === 'alert.opened')).toBe(true);
    const body = rx.received.map((r) => r.body as { alert: { rule: string; brand: string; painPoint: string | null; figures: { observed: number; expected: number; score: number }; url: string }; evidence: { id: number; excerpt: string; url: string }[] })
      .find((b) => b.alert.rule === 'volume-spike')!;
    expect(body.alert).toMatchObject({ brand: 'Spiky', painPoint: 'delivery', figures: { observed: vol.observed, expected: vol.expected, score: vol.score }, url: `http://127.0.0.1:3000/alerts/${vol.id}` });
    expect(body.evidence[0]!.excerpt).toMatch(/parcel delivery failed/);
    expect(body.evidence[0]!.url).toMatch(/^https:\/\/example\.test\/m\//);
  });

  it('a second batch during the same spike updates the alert instead of re-sending', async () => {
    const before = rx.received.length;
    const vol0 = (await listAlerts(db)).find((a) => a.rule === 'volume-spike')!;
    await insertMentions(db, spikeIds, burst(at('2025-03-23T10:20:00Z'), 30, 20, 8));
    const s = await runAlertCycle(depsAt({ t: at('2025-03-23T10:40:00Z') }));
    expect(s.opened).toBe(0);
    expect(s.updated).toBeGreaterThanOrEqual(2);
    expect(s.delivered).toBe(0);
    const vol = (await listAlerts(db)).find((a) => a.rule === 'volume-spike')!;
    expect(vol.id).toBe(vol0.id);
    expect(vol.observed).toBeGreaterThan(vol0.observed);
    expect(rx.received.length).toBe(before);
  });

  it('a restart (new deps, same database) sends nothing twice', async () => {
    const before = rx.received.length;
    const s = await runAlertCycle(depsAt({ t: at('2025-03-23T10:45:00Z') }));
    expect(s).toMatchObject({ opened: 0, delivered: 0, failed: 0 });
    expect(rx.received.length).toBe(before);
    const dels = await listDeliveries(db);
    expect(dels.every((d) => d.status === 'delivered')).toBe(true);
    expect(new Set(dels.map((d) => `${d.alertId}|${d.event}`)).size).toBe(dels.length);
  });

  it('when the spike is over every alert resolves once, and the spike never reopens', async () => {
    const before = rx.received.length;
    const opened = (await listAlerts(db)).length;
    const clock = { t: at('2025-03-23T11:00:00Z') };
    const deps = depsAt(clock);
    let resolved = 0;
    // Every 2 h (the 20-minute backtest below checks the same stretch finely).
    for (; clock.t <= END; clock.t = new Date(clock.t.getTime() + 2 * 60 * 60_000)) {
      const s = await runAlertCycle(deps);
      expect(s.opened, clock.t.toISOString()).toBe(0);
      resolved += s.resolved;
    }
    expect(resolved).toBe(opened);
    const alerts = await listAlerts(db);
    expect(alerts.every((a) => a.status === 'resolved' && a.resolvedBy === 'earshot')).toBe(true);
    expect(alerts.filter((a) => a.rule === 'volume-spike')).toHaveLength(1);
    await rx.waitFor(before + opened);
    expect(rx.received.slice(before).every((r) => r.event === 'alert.resolved' && r.verified)).toBe(true);
  });

  it('backtest replays the window and lists the same alerts, storing and sending nothing', async () => {
    const stored = await db.query<{ n: number }>('select count(*)::int as n from alerts');
    const before = rx.received.length;
    const bt = await backtest(depsAt({ t: END }), { from: at('2025-03-23T06:00:00Z'), to: at('2025-03-23T16:00:00Z'), stepMinutes: 20 });
    expect(bt.filter((a) => a.rule === 'volume-spike')).toHaveLength(1);
    expect(bt.every((a) => a.brand === 'Spiky')).toBe(true);
    const vol = bt.find((a) => a.rule === 'volume-spike')!;
    expect(vol.openedAt.toISOString()).toBe('2025-03-23T10:20:00.000Z');
    expect(vol.resolvedAt).not.toBeNull();
    expect((await db.query<{ n: number }>('select count(*)::int as n from alerts')).rows[0]!.n).toBe(stored.rows[0]!.n);
    expect(rx.received.length).toBe(before);
  });
});
