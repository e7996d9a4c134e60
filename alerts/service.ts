/**
 * The alert cycle the worker runs after each analysis batch and on `alerts.schedule`:
 *   1. evaluate: load counts (alerts/data.ts), run the rules (findAlerts), plan the state changes
 *      (planCycle: open / update / resolve, see the table in evaluate.ts) and apply them, queueing one
 *      delivery per channel for every opened or resolved alert in the same transaction;
 *      A person's acknowledgement is recorded as an event only (no message: the team already knows);
 *      a person's resolution is recorded as an event and, like an automatic one, announced as
 *      `alert.resolved` to every channel that got `alert.opened` (queued on the next cycle);
 *   2. deliver: every pending delivery that is due, including those left by an earlier cycle or an
 *      earlier process (a restart), with retries and backoff; each attempt is logged.
 * State lives in the database, so de-duplication, cooldowns and retries hold across restarts.
 * `runAlertCycle` never throws: a failure is logged and counted, and the pipeline goes on.
 */
import type { Deps } from '../deps.js';
import type { Db, Queryable } from '../db/index.js';
import {
  autoResolveAlert, claimDelivery, enqueueDelivery, getAlert, insertAlert, lastResolvedTimes, listActiveAlertStates, listDueDeliveries, listUnannouncedResolutions,
  loadEvidence, markDelivered, postponeDelivery, recordDeliveryAttempt, updateFiringAlert,
} from '../db/alerts.js';
import { resolveAlertsConfig, rulesForBrand, type AlertsConfig } from './config.js';
import { findAlerts, planCycle, decide, RULE_CONFIG_KEY, type ActiveState } from './evaluate.js';
import { loadEvaluationData, loadEvaluationRange } from './data.js';
import { buildMessage } from './message.js';
import { createNotifiers } from './registry.js';
import type { Notifier } from './notifier.js';
import type { AlertEventType, EvidenceMention, Finding, RuleName } from './types.js';

/** What one cycle did. */
export interface CycleSummary {
  opened: number;
  updated: number;
  resolved: number;
  delivered: number;
  /** Deliveries whose attempts all failed this cycle (they stay queued for a later cycle). */
  failed: number;
}

/** Options, mostly for tests: replace the configured channels, or the sleep between retries. */
export interface CycleOptions {
  notifiers?: Notifier[];
  sleep?: (ms: number) => Promise<void>;
}

const EVIDENCE_LIMIT = 20;
const MAX_POSTPONE_MS = 6 * 3_600_000;

/** Evaluates, delivers and retries; never throws (errors are logged and the summary says what happened). */
export async function runAlertCycle(deps: Deps, opts: CycleOptions = {}): Promise<CycleSummary> {
  const log = deps.logger.child({ module: 'alerts' });
  const sum: CycleSummary = { opened: 0, updated: 0, resolved: 0, delivered: 0, failed: 0 };
  let cfg: AlertsConfig;
  let notifiers: Notifier[];
  try {
    cfg = resolveAlertsConfig(deps.config.alerts);
    notifiers = opts.notifiers ?? createNotifiers(cfg);
  } catch (err) {
    log.error({ err: (err as Error).message }, 'alerts: bad alerts config, cycle skipped');
    return sum;
  }
  const at = deps.now();
  try {
    await evaluateAndApply(deps.db, cfg, notifiers, at, sum);
  } catch (err) {
    log.error({ err: (err as Error).message }, 'alerts: evaluation failed');
  }
  try {
    await deliverDue(deps, cfg, notifiers, at, sum, opts.sleep ?? sleep);
  } catch (err) {
    log.error({ err: (err as Error).message }, 'alerts: delivery failed');
  }
  if (sum.opened || sum.resolved || sum.delivered || sum.failed) log.info({ ...sum }, 'alerts: cycle');
  return sum;
}

async function evaluateAndApply(db: Db, cfg: AlertsConfig, notifiers: Notifier[], at: Date, sum: CycleSummary): Promise<void> {
  const data = await loadEvaluationData(db, cfg, at);
  const findings = findAlerts(data, cfg);
  const activeRows = await listActiveAlertStates(db);
  const active = new Map(activeRows.map((a) => [`${a.rule}|${a.key}`, { ...a, rule: a.rule as RuleName }]));
  const lastResolved = await lastResolvedTimes(db, findings.filter((f) => !active.has(`${f.rule}|${f.key}`)).map((f) => ({ rule: f.rule, key: f.key })));
  const steps = planCycle({ findings, active, lastResolved, now: at, cfg });
  for (const s of steps) {
    if (s.action === 'open') {
      const ev = await evidenceFor(db, s.finding);
      await db.tx(async (q) => {
        const id = await insertAlert(q, { ...alertFields(s.finding, ev), rule: s.finding.rule, key: s.finding.key, brand: s.finding.brand, windowStart: s.finding.windowStart, at });
        if (id === null) return;
        sum.opened++;
        await enqueueAll(q, notifiers, 'alert.opened', id, ev.mentions, cfg, at);
      });
    } else if (s.action === 'update') {
      const prev = activeRows.find((a) => a.id === s.alertId);
      const ev = await evidenceFor(db, s.finding, prev?.windowStart ?? undefined);
      const evidence = [...new Set([...(prev?.evidence ?? []), ...ev.mentions.map((m) => m.id)])].slice(0, 50);
      await db.tx((q) => updateFiringAlert(q, s.alertId, { ...alertFields(s.finding, ev), evidence, at }));
      sum.updated++;
    } else {
      await db.tx(async (q) => {
        if (!(await autoResolveAlert(q, s.alertId, at))) return;
        sum.resolved++;
        await enqueueAll(q, notifiers, 'alert.resolved', s.alertId, null, cfg, at);
      });
    }
  }
  // Resolutions made by a person (dashboard, CLI) since the last cycle.
  const pending = new Map<number, Set<string>>();
  for (const u of await listUnannouncedResolutions(db)) pending.set(u.alertId, (pending.get(u.alertId) ?? new Set()).add(u.channel));
  for (const [alertId, channels] of pending) {
    await db.tx((q) => enqueueAll(q, notifiers.filter((n) => channels.has(n.channel)), 'alert.resolved', alertId, null, cfg, at));
  }
}

function alertFields(f: Finding, ev: { mentions: EvidenceMention[]; stages: string[] }) {
  return {
    title: f.title, windowEnd: f.windowEnd, observed: f.observed, expected: f.expected, score: f.score, painPoint: f.painPoint,
    stages: ev.stages, evidence: ev.mentions.map((m) => m.id), details: f.details,
  };
}

async function evidenceFor(db: Queryable, f: Finding, since?: Date): Promise<{ mentions: EvidenceMention[]; stages: string[] }> {
  return loadEvidence(db, {
    brand: f.brand, from: since && since < f.windowStart ? since : f.windowStart, to: f.windowEnd,
    negativeOnly: f.evidence.negativeOnly, painPoint: f.evidence.painPoint, mentionIds: f.evidence.mentionIds, limit: EVIDENCE_LIMIT,
  });
}

/** Queues the message for every channel; evidence null: reload it from the stored alert's evidence ids. */
async function enqueueAll(q: Queryable, notifiers: Notifier[], event: AlertEventType, alertId: number, evidence: EvidenceMention[] | null, cfg: AlertsConfig, at: Date): Promise<void> {
  if (notifiers.length === 0) return;
  const a = await getAlert(q, alertId);
  const details = ((await q.query<{ details: Record<string, unknown> }>('select details from alerts where id = $1', [alertId])).rows[0]?.details) ?? {};
  const ev = evidence ?? (a.brand && a.evidence.length
    ? (await loadEvidence(q, { brand: a.brand, from: new Date(0), to: at, negativeOnly: false, mentionIds: a.evidence, limit: EVIDENCE_LIMIT })).mentions
    : []);
  const msg = buildMessage({ event, ...a, details, evidence: ev, at, dashboardUrl: cfg.dashboardUrl });
  for (const n of notifiers) await enqueueDelivery(q, { alertId, event, channel: n.channel, body: n.format(msg), at });
}

async function deliverDue(deps: Deps, cfg: AlertsConfig, notifiers: Notifier[], at: Date, sum: CycleSummary, wait: (ms: number) => Promise<void>): Promise<void> {
  const log = deps.logger.child({ module: 'alerts' });
  const byChannel = new Map(notifiers.map((n) => [n.channel, n]));
  const d = cfg.delivery;
  const lease = new Date(at.getTime() + (d.retries + 1) * (d.timeoutMs + d.backoffMs * 2 ** d.retries) + 60_000);
  for (const del of await listDueDeliveries(deps.db, at)) {
    if (!(await claimDelivery(deps.db, del.id, at, lease))) continue;
    const n = byChannel.get(del.channel);
    if (!n) {
      await recordDeliveryAttempt(deps.db, del.id, { at, ok: false, status: null, error: `alerts: channel ${del.channel} is no longer configured`, durationMs: 0 });
      await postponeDelivery(deps.db, del.id, at, true);
      continue;
    }
    let ok = false;
    for (let attempt = 0; attempt <= d.retries && !ok; attempt++) {
      if (attempt > 0) await wait(d.backoffMs * 2 ** (attempt - 1));
      const started = Date.now();
      const r = await n.send(del.body, { event: del.event, deliveryId: del.id });
      await recordDeliveryAttempt(deps.db, del.id, { at: deps.now(), ok: r.ok, status: r.status, error: r.error, durationMs: Date.now() - started });
      ok = r.ok;
      if (!ok) log.warn({ alert_id: del.alertId, delivery_id: del.id, channel: n.label, attempt: attempt + 1, err: r.error }, 'alerts: delivery attempt failed');
    }
    if (ok) {
      await markDelivered(deps.db, del.id, deps.now());
      sum.delivered++;
      log.info({ alert_id: del.alertId, delivery_id: del.id, channel: n.label, event: del.event }, 'alerts: delivered');
    } else {
      sum.failed++;
      const delay = Math.min(d.retryAfterMinutes * 60_000 * 2 ** del.cycles, MAX_POSTPONE_MS);
      const abandon = at.getTime() - del.createdAt.getTime() >= d.abandonAfterHours * 3_600_000;
      await postponeDelivery(deps.db, del.id, new Date(at.getTime() + delay), abandon);
      log.warn({ alert_id: del.alertId, delivery_id: del.id, channel: n.label, retry_in_ms: abandon ? null : delay }, abandon ? 'alerts: delivery abandoned' : 'alerts: delivery postponed');
    }
  }
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** One alert a backtest would have raised. */
export interface BacktestAlert {
  rule: RuleName;
  key: string;
  brand: string;
  title: string;
  openedAt: Date;
  resolvedAt: Date | null;
  /** Evaluations during which it was still firing (1 = fired once). */
  updates: number;
  peakObserved: number;
  expected: number;
  score: number;
  painPoint: string | null;
}

/**
 * Replays the stored mentions from `from` to `to`, evaluating every `stepMinutes` with the current
 * rules and the same state machine as the live cycle, and returns the alerts it would have raised.
 * Sends nothing and stores nothing (reads only). The counts for the whole range are loaded once.
 */
export async function backtest(deps: Pick<Deps, 'db' | 'config'>, range: { from: Date; to: Date; stepMinutes?: number }): Promise<BacktestAlert[]> {
  const cfg = resolveAlertsConfig(deps.config.alerts);
  const step = (range.stepMinutes ?? 15) * 60_000;
  const out: BacktestAlert[] = [];
  const active = new Map<string, { state: ActiveState; alert: BacktestAlert }>();
  const lastResolved = new Map<string, Date>();
  let id = 0;
  const dataAt = await loadEvaluationRange(deps.db, cfg, { from: range.from, to: range.to, stepMinutes: step / 60_000 });
  for (let t = range.from.getTime(); t <= range.to.getTime(); t += step) {
    const at = new Date(t);
    const findings = findAlerts(dataAt(at), cfg);
    const firing = new Set<string>();
    for (const f of findings) {
      const k = `${f.rule}|${f.key}`;
      if (firing.has(k)) continue;
      firing.add(k);
      const p = rulesForBrand(cfg, f.brand)[RULE_CONFIG_KEY[f.rule]];
      const cur = active.get(k);
      const tr = decide({ active: cur?.state ?? null, firing: true, lastResolvedAt: lastResolved.get(k) ?? null, now: at, minSpacingMinutes: p.minSpacingMinutes, resolveAfterMinutes: p.resolveAfterMinutes });
      if (tr.action === 'open') {
        const alert: BacktestAlert = { rule: f.rule, key: f.key, brand: f.brand, title: f.title, openedAt: at, resolvedAt: null, updates: 1, peakObserved: f.observed, expected: f.expected, score: f.score, painPoint: f.painPoint };
        out.push(alert);
        active.set(k, { state: { id: ++id, status: 'open', lastFiringAt: at }, alert });
      } else if (tr.action === 'update' && cur) {
        cur.state.lastFiringAt = at;
        cur.alert.updates++;
        cur.alert.peakObserved = Math.max(cur.alert.peakObserved, f.observed);
      }
    }
    for (const [k, cur] of active) {
      if (firing.has(k)) continue;
      const p = rulesForBrand(cfg, cur.alert.brand)[RULE_CONFIG_KEY[cur.alert.rule]];
      if (decide({ active: cur.state, firing: false, lastResolvedAt: null, now: at, minSpacingMinutes: p.minSpacingMinutes, resolveAfterMinutes: p.resolveAfterMinutes }).action === 'resolve') {
        cur.alert.resolvedAt = at;
        lastResolved.set(k, at);
        active.delete(k);
      }
    }
  }
  return out;
}

/**
 * Replays the rules over [from, to] and stores what they would have raised as alert history: opened at
 * the time they fired, with evidence, and resolved by Earshot when they went quiet (those still firing
 * at `to` stay open). Nothing is delivered. Used by `earshot demo`, whose mentions are all in the past,
 * so the Alerts page shows the incidents planted in the demo data. Returns how many were stored.
 */
export async function recordBacktest(deps: Pick<Deps, 'db' | 'config'>, range: { from: Date; to: Date; stepMinutes?: number }): Promise<number> {
  const cfg = resolveAlertsConfig(deps.config.alerts);
  const found = await backtest(deps, range);
  let stored = 0;
  for (const a of found) {
    const windowMinutes = rulesForBrand(cfg, a.brand)[RULE_CONFIG_KEY[a.rule]].windowMinutes;
    const windowStart = new Date(a.openedAt.getTime() - windowMinutes * 60_000);
    const ev = await loadEvidence(deps.db, {
      brand: a.brand, from: windowStart, to: a.openedAt, negativeOnly: a.rule !== 'volume-spike' && a.rule !== 'share-of-voice',
      ...(a.painPoint ? { painPoint: a.painPoint } : {}), limit: EVIDENCE_LIMIT,
    });
    const id = await deps.db.tx(async (q) => {
      const newId = await insertAlert(q, {
        rule: a.rule, key: a.key, brand: a.brand, title: a.title, windowStart, windowEnd: a.openedAt, observed: a.peakObserved,
        expected: a.expected, score: a.score, painPoint: a.painPoint, stages: ev.stages, evidence: ev.mentions.map((m) => m.id),
        details: { replayed: true, evaluations: a.updates }, at: a.openedAt,
      });
      if (newId !== null && a.resolvedAt) await autoResolveAlert(q, newId, a.resolvedAt);
      return newId;
    });
    if (id !== null) stored++;
  }
  return stored;
}
