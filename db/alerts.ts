/**
 * Alerts: the workflow (list, acknowledge, resolve, timings) read by the dashboard and the CLI, and the
 * state the alert service keeps between cycles (active alerts, cooldowns, deliveries and their log).
 * Everything that prevents an alert storm or a double send lives in these tables, so it survives a
 * restart. Tables: alerts (0001), alert_events, alert_deliveries, alert_delivery_attempts (0005).
 *
 * Workflow (a person's actions; the service may also resolve an *open* alert that went quiet):
 *
 *   | from \ action | acknowledge    | resolve     |
 *   |---------------|----------------|-------------|
 *   | open          | → acknowledged | → resolved  |
 *   | acknowledged  | ValidationError| → resolved  |
 *   | resolved      | ValidationError| ValidationError |
 */
import type { Queryable } from './index.js';
import type { Alert, AlertStatus } from '../model.js';
import { NotFoundError, ValidationError } from '../errors.js';

/** Who the service writes as `resolved_by` when it resolves an alert that went quiet. */
export const AUTO_RESOLVER = 'earshot';

const ALERT_STATUSES: readonly AlertStatus[] = ['open', 'acknowledged', 'resolved'];

interface AlertRow {
  id: number;
  rule: string;
  key: string;
  brand: string | null;
  status: AlertStatus;
  title: string;
  window_start: Date | null;
  window_end: Date | null;
  observed: number | null;
  expected: number | null;
  score: number | null;
  pain_point: string | null;
  stages: string[];
  evidence: number[];
  opened_at: Date;
  updated_at: Date;
  acknowledged_at: Date | null;
  acknowledged_by: string | null;
  resolved_at: Date | null;
  resolved_by: string | null;
  note: string | null;
}

const SELECT_ALERT = `
  select a.id, a.rule, a.key, b.name as brand, a.status, a.title, a.window_start, a.window_end, a.observed,
         a.expected, a.score, a.pain_point, a.stages, a.evidence, a.opened_at, a.updated_at, a.acknowledged_at,
         a.acknowledged_by, a.resolved_at, a.resolved_by, a.note
    from alerts a left join brands b on b.id = a.brand_id`;

function toAlert(r: AlertRow): Alert {
  return {
    id: Number(r.id),
    rule: r.rule,
    key: r.key,
    brand: r.brand,
    status: r.status,
    title: r.title,
    windowStart: r.window_start ?? r.opened_at,
    windowEnd: r.window_end ?? r.opened_at,
    observed: r.observed ?? 0,
    expected: r.expected ?? 0,
    score: r.score ?? 0,
    painPoint: r.pain_point,
    stages: r.stages ?? [],
    evidence: (r.evidence ?? []).map(Number),
    openedAt: r.opened_at,
    updatedAt: r.updated_at,
    acknowledgedAt: r.acknowledged_at,
    acknowledgedBy: r.acknowledged_by,
    resolvedAt: r.resolved_at,
    resolvedBy: r.resolved_by,
    note: r.note,
  };
}

/** Filters for `listAlerts`. */
export interface ListAlertsOptions {
  /** One status, or 'active' for open + acknowledged. */
  status?: AlertStatus | 'active' | undefined;
  /** Brand name (case-insensitive). */
  brand?: string | undefined;
  /** Default 100, at most 1000. */
  limit?: number | undefined;
}

/** Alerts, newest first: active ones (open, then acknowledged) before resolved ones. */
export async function listAlerts(db: Queryable, opts: ListAlertsOptions = {}): Promise<Alert[]> {
  const where: string[] = [];
  const params: unknown[] = [];
  if (opts.status !== undefined) {
    if (opts.status === 'active') where.push(`a.status <> 'resolved'`);
    else {
      if (!ALERT_STATUSES.includes(opts.status)) throw new ValidationError(`alerts: unknown status '${String(opts.status)}' (open, acknowledged, resolved, active)`, { field: 'status' });
      params.push(opts.status);
      where.push(`a.status = $${params.length}`);
    }
  }
  if (opts.brand !== undefined) {
    params.push(opts.brand);
    where.push(`lower(b.name) = lower($${params.length})`);
  }
  const limit = Math.min(Math.max(1, Math.trunc(opts.limit ?? 100)), 1000);
  params.push(limit);
  const r = await db.query<AlertRow>(
    `${SELECT_ALERT}
     ${where.length ? `where ${where.join(' and ')}` : ''}
     order by case a.status when 'open' then 0 when 'acknowledged' then 1 else 2 end, a.opened_at desc, a.id desc
     limit $${params.length}`,
    params,
  );
  return r.rows.map(toAlert);
}

/** One alert; NotFoundError when there is none with that id. */
export async function getAlert(db: Queryable, id: number): Promise<Alert> {
  if (!Number.isSafeInteger(id) || id <= 0) throw new ValidationError(`alerts: '${String(id)}' is not an alert id`, { field: 'id' });
  const r = await db.query<AlertRow>(`${SELECT_ALERT} where a.id = $1`, [id]);
  if (!r.rows[0]) throw new NotFoundError(`alerts: no alert with id ${id}`);
  return toAlert(r.rows[0]);
}

/**
 * open → acknowledged, recording who and when (and a note). Any other starting state throws
 * ValidationError; an unknown id NotFoundError. `at` defaults to the database clock.
 */
export async function acknowledgeAlert(db: Queryable, id: number, by: string, note?: string | null, at?: Date): Promise<Alert> {
  const current = await getAlert(db, id);
  if (current.status !== 'open') throw new ValidationError(`alerts: alert ${id} is ${current.status}, only an open alert can be acknowledged`, { field: 'status' });
  const who = requireBy(by);
  const r = await db.query(
    `update alerts set status = 'acknowledged', acknowledged_at = coalesce($2::timestamptz, now()), acknowledged_by = $3,
            note = coalesce($4, note), updated_at = coalesce($2::timestamptz, now())
      where id = $1 and status = 'open'`,
    [id, at ?? null, who, note ?? null],
  );
  if (r.rowCount === 0) throw new ValidationError(`alerts: alert ${id} changed state meanwhile, try again`, { field: 'status' });
  await recordAlertEvent(db, id, 'acknowledged', at ?? null, who, note ?? null);
  return getAlert(db, id);
}

/**
 * open | acknowledged → resolved, recording who and when (and a note). A resolved alert throws
 * ValidationError; an unknown id NotFoundError. `at` defaults to the database clock.
 */
export async function resolveAlert(db: Queryable, id: number, by: string, note?: string | null, at?: Date): Promise<Alert> {
  const current = await getAlert(db, id);
  if (current.status === 'resolved') throw new ValidationError(`alerts: alert ${id} is already resolved`, { field: 'status' });
  const who = requireBy(by);
  const r = await db.query(
    `update alerts set status = 'resolved', resolved_at = coalesce($2::timestamptz, now()), resolved_by = $3,
            note = coalesce($4, note), updated_at = coalesce($2::timestamptz, now())
      where id = $1 and status <> 'resolved'`,
    [id, at ?? null, who, note ?? null],
  );
  if (r.rowCount === 0) throw new ValidationError(`alerts: alert ${id} changed state meanwhile, try again`, { field: 'status' });
  await recordAlertEvent(db, id, 'resolved', at ?? null, who, note ?? null);
  return getAlert(db, id);
}

function requireBy(by: string): string {
  const who = (by ?? '').trim();
  if (!who) throw new ValidationError('alerts: say who acts (--by NAME)', { field: 'by' });
  return who.slice(0, 200);
}

/** Time to acknowledge and to resolve, for one brand and pain point. */
export interface AlertTiming {
  brand: string | null;
  painPoint: string | null;
  /** Alerts raised (any status). */
  alerts: number;
  /** Mean minutes from opened to acknowledged, over acknowledged alerts; null when none. */
  meanAckMinutes: number | null;
  /** Mean minutes from opened to resolved by a person; null when none. */
  meanResolveMinutes: number | null;
  /** Median of the same; null when none. */
  medianResolveMinutes: number | null;
}

/**
 * Time to acknowledge and time to resolution per brand and pain point (painPoint null: alerts that name
 * none, e.g. a volume spike with no dominant pain point). Resolution times count only alerts a person
 * resolved: an open alert the service closed because it went quiet (resolved_by 'earshot') was never
 * handled, so it counts in `alerts` but not in the resolution figures.
 */
export async function alertTimings(db: Queryable): Promise<AlertTiming[]> {
  const r = await db.query<{ brand: string | null; pain_point: string | null; alerts: number; ack: number | null; res: number | null; med: number | null }>(
    `select b.name as brand, a.pain_point, count(*)::int as alerts,
            avg(extract(epoch from a.acknowledged_at - a.opened_at) / 60) filter (where a.acknowledged_at is not null)::float8 as ack,
            avg(extract(epoch from a.resolved_at - a.opened_at) / 60) filter (where a.resolved_at is not null and a.resolved_by <> $1)::float8 as res,
            (percentile_cont(0.5) within group (order by extract(epoch from a.resolved_at - a.opened_at) / 60)
               filter (where a.resolved_at is not null and a.resolved_by <> $1))::float8 as med
       from alerts a left join brands b on b.id = a.brand_id
      group by b.name, a.pain_point
      order by b.name nulls last, a.pain_point nulls last`,
    [AUTO_RESOLVER],
  );
  const round = (v: number | null): number | null => (v === null || v === undefined ? null : Math.round(Number(v) * 10) / 10);
  return r.rows.map((x) => ({
    brand: x.brand,
    painPoint: x.pain_point,
    alerts: x.alerts,
    meanAckMinutes: round(x.ack),
    meanResolveMinutes: round(x.res),
    medianResolveMinutes: round(x.med),
  }));
}

/** One entry of an alert's history. */
export interface AlertEvent {
  kind: 'opened' | 'updated' | 'acknowledged' | 'resolved';
  at: Date;
  by: string | null;
  note: string | null;
  observed: number | null;
}

/** Appends to an alert's history (`at` null: the database clock). */
export async function recordAlertEvent(db: Queryable, alertId: number, kind: AlertEvent['kind'], at: Date | null, by: string | null, note: string | null, observed: number | null = null): Promise<void> {
  await db.query(
    `insert into alert_events (alert_id, kind, at, by, note, observed) values ($1, $2, coalesce($3::timestamptz, now()), $4, $5, $6)`,
    [alertId, kind, at, by, note, observed],
  );
}

/** An alert's history, oldest first. */
export async function listAlertEvents(db: Queryable, alertId: number): Promise<AlertEvent[]> {
  const r = await db.query<AlertEvent>(`select kind, at, by, note, observed from alert_events where alert_id = $1 order by id`, [alertId]);
  return r.rows;
}
