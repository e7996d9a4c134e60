/**
 * Webhook delivery through the alert cycle, with nock standing in for the receiver: the payload names
 * rule, brand, pain point, figures and evidence; `X-Earshot-Signature` verifies against the exact body;
 * a 500 or a timeout is retried with backoff; after N failed attempts the cycle gives up with every
 * attempt in the delivery log, a later cycle (a new process: a restart) retries it and delivers it once
 * the receiver is back; past `abandonAfterHours` it is abandoned. A person's resolution is announced;
 * an acknowledgement is only recorded. The Slack body has Slack's shape.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import nock from 'nock';
import { createHmac } from 'node:crypto';
import { openTestDb, DB_KIND } from '../helpers/db.js';
import type { Db } from '../../db/index.js';
import type { Deps } from '../../deps.js';
import { parseConfig } from '../../config.js';
import { logger } from '../../log.js';
import { runAlertCycle } from '../../alerts/service.js';
import { acknowledgeAlert, listAlertEvents, listAlerts, listDeliveries, listDeliveryAttempts, resolveAlert } from '../../db/alerts.js';
import { slackPayload, verifySignature } from '../../alerts/webhook.js';
import { buildMessage } from '../../alerts/message.js';
import { background, insertMentions, makeBrand, prng, type GenMention } from './series.js';

const HOOK = 'https://hooks.example.test';
const SECRET = 'tr0ub4dor';
const START = new Date('2025-04-01T00:00:00Z');
const at = (iso: string) => new Date(iso);
let db: Db;
const brands: Record<string, { brandId: number; sourceId: number }> = {};

/** Only the volume spike, so each burst opens exactly one alert; it never resolves by itself here. */
function deps(t: Date): Deps {
  const off = '{enabled: false}';
  const config = parseConfig(
    `brands: [{name: A, query: a}]\nalerts:\n  webhooks: [{url: '${HOOK}/earshot', secret: '${SECRET}', format: json}]\n` +
      `  delivery: {timeoutMs: 200, retries: 2, backoffMs: 1, retryAfterMinutes: 5, abandonAfterHours: 1}\n` +
      `  rules: {volumeSpike: {resolveAfterMinutes: 100000}, negativeShare: ${off}, painPointSurge: ${off}, emergingComplaint: ${off}, shareOfVoice: ${off}, highReach: ${off}}\n`,
  );
  return { db, config, logger, now: () => t };
}

function burst(from: Date, n: number): GenMention[] {
  return Array.from({ length: n }, (_, i) => ({
    at: new Date(from.getTime() + i * 30_000),
    text: `Parcel <lost> again by the courier, order ${i}`,
    label: 'negative' as const,
    pains: ['delivery'],
    stage: 'experience',
  }));
}

/** Spikes brand `b` at `t` and returns the time to evaluate (20 min later). */
async function spike(b: string, t: string): Promise<Date> {
  await insertMentions(db, brands[b]!, burst(at(t), 30));
  return new Date(at(t).getTime() + 20 * 60_000);
}

interface Captured { body: string; headers: Record<string, string | string[] | undefined> }
function capture(into: Captured[], status = 200) {
  return function (this: { req: { headers: Record<string, string | string[] | undefined> } }, _uri: string, body: unknown) {
    into.push({ body: typeof body === 'string' ? body : JSON.stringify(body), headers: this.req.headers });
    return [status, 'ok'];
  };
}

describe(`webhook delivery (${DB_KIND})`, () => {
  beforeAll(async () => {
    db = await openTestDb();
    const rand = prng(3);
    for (const b of ['Alpha', 'Bravo', 'Charlie', 'Delta', 'Echo']) {
      brands[b] = await makeBrand(db, b);
      await insertMentions(db, brands[b]!, background(rand, START, 5 * 24, () => 3));
    }
  });
  afterEach(() => {
    expect(nock.pendingMocks()).toEqual([]);
    nock.cleanAll();
  });
  afterAll(async () => db?.close());

  it('posts the alert with rule, brand, pain point, figures and evidence, signed over the exact body', async () => {
    const t = await spike('Alpha', '2025-04-05T10:00:00Z');
    const got: Captured[] = [];
    nock(HOOK).post('/earshot').reply(capture(got));
    const s = await runAlertCycle(deps(t));
    expect(s).toEqual({ opened: 1, updated: 0, resolved: 0, delivered: 1, failed: 0 });
    expect(got).toHaveLength(1);
    const { body, headers } = got[0]!;
    const sig = headers['x-earshot-signature'] as string;
    expect(sig).toBe(`sha256=${createHmac('sha256', SECRET).update(body).digest('hex')}`);
    expect(verifySignature(body, SECRET, sig)).toBe(true);
    expect(verifySignature(body.replace('Alpha', 'Alphb'), SECRET, sig)).toBe(false);
    expect(verifySignature(body, 'wrong', sig)).toBe(false);
    expect(headers['x-earshot-event']).toBe('alert.opened');
    expect(headers['content-type']).toMatch(/application\/json/);
    const [alert] = await listAlerts(db);
    expect(headers['x-earshot-delivery']).toBe(String((await listDeliveries(db, alert!.id))[0]!.id));
    const msg = JSON.parse(body);
    expect(msg.event).toBe('alert.opened');
    expect(msg.alert).toMatchObject({
      id: alert!.id, rule: 'volume-spike', brand: 'Alpha', painPoint: 'delivery', status: 'open', stages: ['experience'],
      window: { start: '2025-04-05T09:20:00.000Z', end: '2025-04-05T10:20:00.000Z' },
      figures: { observed: alert!.observed, expected: alert!.expected, score: alert!.score },
    });
    expect(msg.alert.figures.observed).toBeGreaterThanOrEqual(30);
    expect(msg.alert.figures.expected).toBeLessThan(6);
    expect(msg.evidence.length).toBeGreaterThan(0);
    expect(msg.evidence[0]).toMatchObject({ excerpt: expect.stringMatching(/^Parcel <lost> again/), url: expect.stringMatching(/^https:\/\/example\.test\/m\//), painPoints: ['delivery'] });
  });

  it('retries a 500 and a timeout within the cycle, logging every attempt', async () => {
    const t = await spike('Bravo', '2025-04-05T12:00:00Z');
    const got: Captured[] = [];
    nock(HOOK).post('/earshot').reply(500, 'boom').post('/earshot').delay(1000).reply(200, 'late').post('/earshot').reply(capture(got));
    const s = await runAlertCycle(deps(t));
    expect(s).toMatchObject({ opened: 1, delivered: 1, failed: 0 });
    const alert = (await listAlerts(db, { brand: 'Bravo' }))[0]!;
    const [d] = await listDeliveries(db, alert.id);
    expect(d).toMatchObject({ status: 'delivered', attempts: 3, lastError: null });
    const log = await listDeliveryAttempts(db, d!.id);
    expect(log.map((a) => [a.ok, a.status, a.error])).toEqual([
      [false, 500, 'webhook hooks.example.test: HTTP 500'],
      [false, null, 'webhook hooks.example.test: timeout after 200 ms'],
      [true, 200, null],
    ]);
    // Every attempt sent the same signed bytes.
    expect(verifySignature(got[0]!.body, SECRET, got[0]!.headers['x-earshot-signature'] as string)).toBe(true);
  });

  it('gives up after N attempts with the failure recorded, retries on a later cycle after a restart, and delivers once the receiver is back', async () => {
    const t = await spike('Charlie', '2025-04-05T14:00:00Z');
    nock(HOOK).post('/earshot').times(3).reply(500, 'down');
    const s = await runAlertCycle(deps(t));
    expect(s).toMatchObject({ opened: 1, delivered: 0, failed: 1 });
    const alert = (await listAlerts(db, { brand: 'Charlie' }))[0]!;
    let [d] = await listDeliveries(db, alert.id);
    expect(d).toMatchObject({ status: 'pending', attempts: 3, cycles: 1, lastStatus: 500, lastError: 'webhook hooks.example.test: HTTP 500' });
    expect(d!.nextAttemptAt.toISOString()).toBe(new Date(t.getTime() + 5 * 60_000).toISOString());

    // A cycle before the retry time sends nothing (nock would refuse an unexpected request).
    expect(await runAlertCycle(deps(new Date(t.getTime() + 2 * 60_000)))).toMatchObject({ delivered: 0, failed: 0 });

    // A new process (fresh deps, same database) after the retry time: the receiver is back.
    const got: Captured[] = [];
    nock(HOOK).post('/earshot').reply(capture(got));
    expect(await runAlertCycle(deps(new Date(t.getTime() + 6 * 60_000)))).toMatchObject({ opened: 0, delivered: 1, failed: 0 });
    expect(got).toHaveLength(1);
    expect(JSON.parse(got[0]!.body).alert.id).toBe(alert.id);
    [d] = await listDeliveries(db, alert.id);
    expect(d).toMatchObject({ status: 'delivered', attempts: 4 });
    expect((await listDeliveryAttempts(db, d!.id)).map((a) => a.ok)).toEqual([false, false, false, true]);

    // And never again.
    expect(await runAlertCycle(deps(new Date(t.getTime() + 12 * 60_000)))).toMatchObject({ opened: 0, delivered: 0, failed: 0 });
  });

  it('abandons a delivery still failing after abandonAfterHours, keeping the log, and stops trying', async () => {
    const t = await spike('Delta', '2025-04-05T16:00:00Z');
    nock(HOOK).post('/earshot').times(6).reply(503, 'down');
    expect(await runAlertCycle(deps(t))).toMatchObject({ opened: 1, failed: 1 });
    expect(await runAlertCycle(deps(new Date(t.getTime() + 61 * 60_000)))).toMatchObject({ failed: 1 });
    const alert = (await listAlerts(db, { brand: 'Delta' }))[0]!;
    const [d] = await listDeliveries(db, alert.id);
    expect(d).toMatchObject({ status: 'abandoned', attempts: 6, lastStatus: 503 });
    expect(await runAlertCycle(deps(new Date(t.getTime() + 3 * 3_600_000)))).toMatchObject({ delivered: 0, failed: 0 });
  });

  it('a person acknowledging is recorded only; resolving is recorded and announced once to the channel', async () => {
    const t = await spike('Echo', '2025-04-05T18:00:00Z');
    nock(HOOK).post('/earshot').reply(200, 'ok');
    expect(await runAlertCycle(deps(t))).toMatchObject({ opened: 1, delivered: 1 });
    const alert = (await listAlerts(db, { brand: 'Echo' }))[0]!;
    await acknowledgeAlert(db, alert.id, 'dana', 'on it', new Date(t.getTime() + 60_000));
    expect(await runAlertCycle(deps(new Date(t.getTime() + 2 * 60_000)))).toMatchObject({ delivered: 0 });
    await resolveAlert(db, alert.id, 'lee', 'courier fixed', new Date(t.getTime() + 3 * 60_000));
    const got: Captured[] = [];
    nock(HOOK).post('/earshot').reply(capture(got));
    expect(await runAlertCycle(deps(new Date(t.getTime() + 4 * 60_000)))).toMatchObject({ delivered: 1 });
    expect(got[0]!.headers['x-earshot-event']).toBe('alert.resolved');
    expect(JSON.parse(got[0]!.body).alert).toMatchObject({ id: alert.id, status: 'resolved' });
    expect((await listAlertEvents(db, alert.id)).map((e) => [e.kind, e.by, e.note])).toEqual([
      ['opened', 'earshot', null], ['acknowledged', 'dana', 'on it'], ['updated', 'earshot', null], ['resolved', 'lee', 'courier fixed'],
    ]);
    expect(await runAlertCycle(deps(new Date(t.getTime() + 5 * 60_000)))).toMatchObject({ delivered: 0 });
  });

  it('the Slack body has a fallback text, a header, the figures and escaped evidence lines', () => {
    const msg = buildMessage({
      event: 'alert.opened', id: 7, rule: 'pain-point-surge', key: 'Acme:delivery', brand: 'Acme', title: 'Acme: 12 delivery complaints', status: 'open',
      painPoint: 'delivery', stages: ['experience'], windowStart: at('2025-04-05T09:00:00Z'), windowEnd: at('2025-04-05T11:00:00Z'), observed: 12, expected: 1.5, score: 8.1,
      openedAt: at('2025-04-05T11:00:00Z'), resolvedAt: null, details: {}, at: at('2025-04-05T11:00:00Z'), dashboardUrl: 'http://127.0.0.1:3000/',
      evidence: [{ id: 42, text: 'Parcel <b>lost</b> & no reply', url: 'https://example.test/m/42', author: 'x', authorReach: 10, publishedAt: at('2025-04-05T10:00:00Z'), sentiment: 'negative', stage: 'experience', painPoints: ['delivery'] }],
    });
    const body = JSON.parse(slackPayload(msg));
    expect(body.text).toBe('Acme: 12 delivery complaints');
    expect(body.blocks.map((b: { type: string }) => b.type)).toEqual(['header', 'section', 'section', 'context']);
    expect(body.blocks[0].text).toEqual({ type: 'plain_text', text: 'Acme: 12 delivery complaints' });
    expect(body.blocks[1].text.text).toContain('*Rule* pain-point-surge');
    expect(body.blocks[1].text.text).toContain('*Observed* 12  ·  *Expected* 1.5  ·  *Score* 8.1');
    expect(body.blocks[2].text.text).toBe('• <https://example.test/m/42|#42> Parcel &lt;b&gt;lost&lt;/b&gt; &amp; no reply');
    expect(body.blocks[3].elements[0].text).toBe('<http://127.0.0.1:3000/alerts/7|Open alert #7 in Earshot>');
    expect(JSON.parse(slackPayload({ ...msg, event: 'alert.resolved' })).text).toBe('Resolved: Acme: 12 delivery complaints');
  });
});
