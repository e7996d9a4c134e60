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
import type { Db, Queryable } from './index.js';
import { refreshRollups } from './stats.js';
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

// ——— What the alert rules read (mention counts, texts, reach) ———————————————————————————————

/** The label a mention counts with for a brand: a person's correction, else the brand-level sentiment, else the mention's. */
const LABEL = `case when f.corrected and f.sentiment_label is not null then f.sentiment_label else coalesce(mb.sentiment_label, f.sentiment_label) end`;
/**
 * Mentions that count for alerts: brand matches, no duplicates, with the brand row as `b` (the rows
 * mention_effective holds per brand; countMentionBuckets reads them there).
 */
const WITH_BRAND = `from mentions m
  join mention_brands mb on mb.mention_id = m.id
  join brands b on b.id = mb.brand_id
  join mention_facts f on f.mention_id = m.id
 where m.duplicate_of is null`;

/** Mentions of one brand in one time bucket with one label and one set of pain points. */
export interface BucketCountRow {
  brand: string;
  /** Buckets back from the anchor: b holds (anchor − (b + 1) × size, anchor − b × size]. */
  b: number;
  negative: boolean;
  painPoints: string[];
  n: number;
}

/**
 * Counts of every brand's mentions in `(from, anchor]`, in buckets of `bucketSeconds` counted back from
 * the anchor, grouped by brand, bucket, negative or not and the pain-point set. One grouped query: the
 * rules build every window, its history and the trend levels from these rows in code, so a window that
 * ends at the anchor (or a whole number of buckets before it) is counted exactly.
 *
 * Read from mention_effective (0007): one row per brand match of a mention that is not a duplicate,
 * with its effective sentiment (correction, else the brand's own, else the mention's) and pain points
 * (correction, else analysis) — what COUNTED and LABEL give, without joining mentions, mention_brands,
 * analyses and corrections (half the time at 1M mentions), through its (brand, published_at) index.
 * Given a `Db`, brings mention_effective up to date first (nothing to do when nothing was written).
 */
export async function countMentionBuckets(db: Queryable | Db, anchor: Date, from: Date, bucketSeconds: number): Promise<BucketCountRow[]> {
  if ('tx' in db) await refreshRollups(db);
  const r = await db.query<{ brand: string; b: number; neg: boolean; pp: string[] | null; n: number }>(
    `select x.brand, x.b, x.neg, x.pp, count(*)::int as n
       from (select b.name as brand, floor(date_part('epoch', $1::timestamptz - e.published_at) / $3::int)::int as b,
                    e.sentiment = 'negative' as neg, e.pain_ids as pp
               from brands b
               join mention_effective e on e.brand_id = b.id and e.published_at <= $1 and e.published_at > $2) x
      group by x.brand, x.b, x.neg, x.pp`,
    [anchor, from, Math.round(bucketSeconds)],
  );
  return r.rows.map((x) => ({ brand: x.brand, b: x.b, negative: x.neg, painPoints: x.pp ?? [], n: x.n }));
}

/** Every brand with its aliases. */
export async function listAlertBrands(db: Queryable): Promise<{ id: number; name: string; own: boolean; aliases: string[] }[]> {
  const r = await db.query<{ id: number; name: string; own: boolean; aliases: string[] }>(`select id, name, own, aliases from brands order by name`);
  return r.rows;
}

/** The earliest stored mention (how far back a baseline can look), or null. */
export async function firstMentionAt(db: Queryable): Promise<Date | null> {
  const r = await db.query<{ t: Date | null }>(`select min(published_at) as t from mentions where duplicate_of is null`);
  return r.rows[0]?.t ?? null;
}

/** A negative mention's text for the emerging-complaint rule. */
export interface NegativeTextRow {
  brand: string;
  id: number;
  text: string;
  publishedAt: Date;
}

/** Negative mention texts per brand in `(from, to]`, the most recent `limit` per brand. */
export async function listNegativeTexts(db: Queryable, from: Date, to: Date, limit: number): Promise<NegativeTextRow[]> {
  const r = await db.query<{ brand: string; id: number; text: string; published_at: Date }>(
    `select brand, id, text, published_at from (
       select b.name as brand, m.id, coalesce(m.title || ' ', '') || m.text as text, m.published_at,
              row_number() over (partition by mb.brand_id order by m.published_at desc, m.id desc) as rn
         ${WITH_BRAND} and m.published_at <= $2 and m.published_at > $1 and ${LABEL} = 'negative'
         ) y
      where rn <= $3`,
    [from, to, limit],
  );
  return r.rows.map((x) => ({ brand: x.brand, id: Number(x.id), text: x.text, publishedAt: x.published_at }));
}

/** A negative mention with its reach. */
export interface ReachRow {
  id: number;
  brand: string;
  publishedAt: Date;
  authorReach: number | null;
  engagement: number;
  painPoint: string | null;
  author: string | null;
}

/** Negative mentions in `(from, at]` whose author reach or likes + shares reach `minReach`. */
export async function listHighReachNegatives(db: Queryable, from: Date, at: Date, minReach: number): Promise<ReachRow[]> {
  const r = await db.query<{ id: number; brand: string; published_at: Date; author_reach: number | null; eng: number; pain_point: string | null; author: string | null }>(
    `select m.id, b.name as brand, m.published_at, m.author_reach, m.author, f.pain_point_ids[1] as pain_point,
            (coalesce((m.engagement ->> 'likes')::numeric, 0) + coalesce((m.engagement ->> 'shares')::numeric, 0))::float8 as eng
       ${WITH_BRAND}
        and m.published_at > $1 and m.published_at <= $2 and ${LABEL} = 'negative'
        and greatest(coalesce(m.author_reach, 0), coalesce((m.engagement ->> 'likes')::numeric, 0) + coalesce((m.engagement ->> 'shares')::numeric, 0)) >= $3
      order by m.published_at, m.id
      limit 200`,
    [from, at, minReach],
  );
  return r.rows.map((x) => ({ id: Number(x.id), brand: x.brand, publishedAt: x.published_at, authorReach: x.author_reach, engagement: x.eng, painPoint: x.pain_point, author: x.author }));
}

/** Which mentions to show as evidence. */
export interface EvidenceFilter {
  brand: string;
  from: Date;
  to: Date;
  negativeOnly: boolean;
  painPoint?: string | undefined;
  mentionIds?: number[] | undefined;
  limit: number;
}

/** One evidence mention. */
export interface EvidenceRow {
  id: number;
  text: string;
  url: string | null;
  author: string | null;
  authorReach: number | null;
  publishedAt: Date;
  sentiment: string | null;
  stage: string | null;
  painPoints: string[];
}

/**
 * The evidence for a finding: the matching mentions with the widest reach first (then newest), and the
 * journey stages named by at least 20% of all matching mentions, most named first.
 */
export async function loadEvidence(db: Queryable, e: EvidenceFilter): Promise<{ mentions: EvidenceRow[]; stages: string[] }> {
  const params: unknown[] = [e.brand, e.from, e.to];
  let where = `lower(b.name) = lower($1) and m.published_at > $2 and m.published_at <= $3`;
  if (e.negativeOnly) where += ` and ${LABEL} = 'negative'`;
  if (e.painPoint) {
    params.push(e.painPoint);
    where += ` and $${params.length} = any(f.pain_point_ids)`;
  }
  if (e.mentionIds) {
    params.push(e.mentionIds);
    where += ` and m.id = any($${params.length}::bigint[])`;
  }
  const from = `${WITH_BRAND} and ${where}`;
  const rows = await db.query<{ id: number; text: string; url: string | null; author: string | null; author_reach: number | null; published_at: Date; label: string | null; stage: string | null; pain_point_ids: string[] }>(
    `select m.id, m.text, m.url, m.author, m.author_reach, m.published_at, ${LABEL} as label, f.stage, f.pain_point_ids
       ${from}
      order by coalesce(m.author_reach, 0) desc, m.published_at desc, m.id desc
      limit ${Math.max(1, Math.trunc(e.limit))}`,
    params,
  );
  const st = await db.query<{ stage: string; n: number; total: number }>(
    `select f.stage, count(*)::int as n, sum(count(*)) over ()::int as total ${from} group by f.stage order by n desc, f.stage`,
    params,
  );
  const stages = st.rows.filter((s) => s.stage && s.n >= 0.2 * s.total).map((s) => s.stage);
  return {
    mentions: rows.rows.map((x) => ({
      id: Number(x.id), text: x.text, url: x.url, author: x.author, authorReach: x.author_reach, publishedAt: x.published_at,
      sentiment: x.label, stage: x.stage, painPoints: x.pain_point_ids ?? [],
    })),
    stages,
  };
}

// ——— The service's state: active alerts, cooldowns, deliveries ————————————————————————————

/** An active alert as the evaluator sees it. */
export interface ActiveAlertRow {
  id: number;
  rule: string;
  key: string;
  brand: string | null;
  status: 'open' | 'acknowledged';
  lastFiringAt: Date;
  evidence: number[];
  windowStart: Date | null;
}

/** Every open or acknowledged alert. */
export async function listActiveAlertStates(db: Queryable): Promise<ActiveAlertRow[]> {
  const r = await db.query<{ id: number; rule: string; key: string; brand: string | null; status: 'open' | 'acknowledged'; t: Date; evidence: number[]; window_start: Date | null }>(
    `select a.id, a.rule, a.key, b.name as brand, a.status, coalesce(a.last_firing_at, a.updated_at) as t, a.evidence, a.window_start
       from alerts a left join brands b on b.id = a.brand_id where a.status <> 'resolved' order by a.id`,
  );
  return r.rows.map((x) => ({ id: Number(x.id), rule: x.rule, key: x.key, brand: x.brand, status: x.status, lastFiringAt: x.t, evidence: (x.evidence ?? []).map(Number), windowStart: x.window_start }));
}

/** Latest resolution time per `rule|key`, for the given pairs. */
export async function lastResolvedTimes(db: Queryable, pairs: { rule: string; key: string }[]): Promise<Map<string, Date>> {
  if (pairs.length === 0) return new Map();
  const r = await db.query<{ rule: string; key: string; t: Date }>(
    `select a.rule, a.key, max(a.resolved_at) as t from alerts a
       join unnest($1::text[], $2::text[]) as p(rule, key) on p.rule = a.rule and p.key = a.key
      where a.status = 'resolved' group by a.rule, a.key`,
    [pairs.map((p) => p.rule), pairs.map((p) => p.key)],
  );
  return new Map(r.rows.map((x) => [`${x.rule}|${x.key}`, x.t]));
}

/** A new alert's fields. */
export interface NewAlert {
  rule: string;
  key: string;
  brand: string;
  title: string;
  windowStart: Date;
  windowEnd: Date;
  observed: number;
  expected: number;
  score: number;
  painPoint: string | null;
  stages: string[];
  evidence: number[];
  details: Record<string, unknown>;
  at: Date;
}

/** Inserts an open alert; null when one is already active for (rule, key) (another process won). */
export async function insertAlert(db: Queryable, a: NewAlert): Promise<number | null> {
  const r = await db.query<{ id: number }>(
    `insert into alerts (rule, key, brand_id, status, title, window_start, window_end, observed, expected, score, pain_point, stages,
                         evidence, details, opened_at, updated_at, last_firing_at)
     values ($1, $2, (select id from brands where name = $3), 'open', $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $14, $14)
     on conflict (rule, key) where status <> 'resolved' do nothing
     returning id`,
    [a.rule, a.key, a.brand, a.title, a.windowStart, a.windowEnd, a.observed, a.expected, a.score, a.painPoint, a.stages, a.evidence, JSON.stringify(a.details), a.at],
  );
  const id = r.rows[0]?.id;
  if (id === undefined) return null;
  await recordAlertEvent(db, Number(id), 'opened', a.at, AUTO_RESOLVER, null, a.observed);
  return Number(id);
}

/** Refreshes an active alert that is still firing: latest figures, window end, evidence; no message. */
export async function updateFiringAlert(db: Queryable, id: number, a: Omit<NewAlert, 'rule' | 'key' | 'brand' | 'windowStart'>): Promise<void> {
  await db.query(
    `update alerts set title = $2, window_end = $3, observed = $4, expected = $5, score = $6, pain_point = coalesce($7, pain_point),
            stages = $8, evidence = $9, details = $10, updated_at = $11, last_firing_at = $11, firing_count = firing_count + 1
      where id = $1 and status <> 'resolved'`,
    [id, a.title, a.windowEnd, a.observed, a.expected, a.score, a.painPoint, a.stages, a.evidence, JSON.stringify(a.details), a.at],
  );
  await recordAlertEvent(db, id, 'updated', a.at, AUTO_RESOLVER, null, a.observed);
}

/** Resolves an *open* alert that went quiet (resolved_by 'earshot'); false when it was no longer open. */
export async function autoResolveAlert(db: Queryable, id: number, at: Date): Promise<boolean> {
  const r = await db.query(
    `update alerts set status = 'resolved', resolved_at = $2, resolved_by = $3, updated_at = $2 where id = $1 and status = 'open'`,
    [id, at, AUTO_RESOLVER],
  );
  if (r.rowCount === 0) return false;
  await recordAlertEvent(db, id, 'resolved', at, AUTO_RESOLVER, 'quiet: the rule stopped firing');
  return true;
}

/**
 * Alerts a person resolved whose opening went to a channel that has not been told of the resolution:
 * (alert id, channel) pairs. The service queues `alert.resolved` for them on its next cycle.
 */
export async function listUnannouncedResolutions(db: Queryable): Promise<{ alertId: number; channel: string }[]> {
  const r = await db.query<{ alert_id: number; channel: string }>(
    `select d.alert_id, d.channel from alert_deliveries d join alerts a on a.id = d.alert_id
      where d.event = 'alert.opened' and a.status = 'resolved'
        and not exists (select 1 from alert_deliveries r where r.alert_id = d.alert_id and r.channel = d.channel and r.event = 'alert.resolved')
      order by d.alert_id, d.channel`,
  );
  return r.rows.map((x) => ({ alertId: Number(x.alert_id), channel: x.channel }));
}

/** A message waiting to go (or gone) to one channel. */
export interface DeliveryRow {
  id: number;
  alertId: number;
  event: string;
  channel: string;
  body: string;
  status: 'pending' | 'delivered' | 'abandoned';
  attempts: number;
  cycles: number;
  lastStatus: number | null;
  lastError: string | null;
  nextAttemptAt: Date;
  createdAt: Date;
  deliveredAt: Date | null;
}

interface DeliveryDbRow {
  id: number; alert_id: number; event: string; channel: string; body: string; status: DeliveryRow['status']; attempts: number; cycles: number;
  last_status: number | null; last_error: string | null; next_attempt_at: Date; created_at: Date; delivered_at: Date | null;
}
const toDelivery = (x: DeliveryDbRow): DeliveryRow => ({
  id: Number(x.id), alertId: Number(x.alert_id), event: x.event, channel: x.channel, body: x.body, status: x.status, attempts: x.attempts, cycles: x.cycles,
  lastStatus: x.last_status, lastError: x.last_error, nextAttemptAt: x.next_attempt_at, createdAt: x.created_at, deliveredAt: x.delivered_at,
});

/** Queues one message (idempotent per alert, event and channel). */
export async function enqueueDelivery(db: Queryable, d: { alertId: number; event: string; channel: string; body: string; at: Date }): Promise<void> {
  await db.query(
    `insert into alert_deliveries (alert_id, event, channel, body, next_attempt_at, created_at) values ($1, $2, $3, $4, $5, $5)
     on conflict (alert_id, event, channel) do nothing`,
    [d.alertId, d.event, d.channel, d.body, d.at],
  );
}

/** Pending deliveries due at `at`, oldest first. */
export async function listDueDeliveries(db: Queryable, at: Date, limit = 100): Promise<DeliveryRow[]> {
  const r = await db.query<DeliveryDbRow>(`select * from alert_deliveries where status = 'pending' and next_attempt_at <= $1 order by id limit $2`, [at, limit]);
  return r.rows.map(toDelivery);
}

/** An alert's deliveries, oldest first (the delivery log shown with an alert). */
export async function listDeliveries(db: Queryable, alertId?: number): Promise<DeliveryRow[]> {
  const r = alertId === undefined
    ? await db.query<DeliveryDbRow>(`select * from alert_deliveries order by id`)
    : await db.query<DeliveryDbRow>(`select * from alert_deliveries where alert_id = $1 order by id`, [alertId]);
  return r.rows.map(toDelivery);
}

/** One attempt of a delivery. */
export interface DeliveryAttempt {
  at: Date;
  ok: boolean;
  status: number | null;
  error: string | null;
  durationMs: number;
}

/** Appends to the delivery log. */
export async function recordDeliveryAttempt(db: Queryable, deliveryId: number, a: DeliveryAttempt): Promise<void> {
  await db.query(
    `insert into alert_delivery_attempts (delivery_id, attempted_at, ok, status, error, duration_ms) values ($1, $2, $3, $4, $5, $6)`,
    [deliveryId, a.at, a.ok, a.status, a.error?.slice(0, 1000) ?? null, Math.round(a.durationMs)],
  );
  await db.query(`update alert_deliveries set attempts = attempts + 1, last_status = $2, last_error = $3 where id = $1`, [deliveryId, a.status, a.ok ? null : (a.error?.slice(0, 1000) ?? null)]);
}

/** The attempts of one delivery, oldest first. */
export async function listDeliveryAttempts(db: Queryable, deliveryId: number): Promise<DeliveryAttempt[]> {
  const r = await db.query<{ attempted_at: Date; ok: boolean; status: number | null; error: string | null; duration_ms: number }>(
    `select attempted_at, ok, status, error, duration_ms from alert_delivery_attempts where delivery_id = $1 order by id`,
    [deliveryId],
  );
  return r.rows.map((x) => ({ at: x.attempted_at, ok: x.ok, status: x.status, error: x.error, durationMs: x.duration_ms }));
}

/** Marks a delivery sent. */
export async function markDelivered(db: Queryable, deliveryId: number, at: Date): Promise<void> {
  await db.query(`update alert_deliveries set status = 'delivered', delivered_at = $2, last_error = null where id = $1`, [deliveryId, at]);
}

/** After a cycle's attempts all failed: try again at `next`, or give up ('abandoned') when `abandon`. */
export async function postponeDelivery(db: Queryable, deliveryId: number, next: Date, abandon: boolean): Promise<void> {
  await db.query(
    `update alert_deliveries set cycles = cycles + 1, next_attempt_at = $2, status = case when $3::boolean then 'abandoned' else status end where id = $1`,
    [deliveryId, next, abandon],
  );
}

/**
 * Takes a due delivery for this process: moves its next attempt to `leaseUntil` so a concurrent
 * cycle (another process) skips it. False when someone else took it first.
 */
export async function claimDelivery(db: Queryable, deliveryId: number, at: Date, leaseUntil: Date): Promise<boolean> {
  const r = await db.query(
    `update alert_deliveries set next_attempt_at = $3 where id = $1 and status = 'pending' and next_attempt_at <= $2`,
    [deliveryId, at, leaseUntil],
  );
  return r.rowCount > 0;
}
