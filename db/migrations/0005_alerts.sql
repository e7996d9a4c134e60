-- 0005: alert state and delivery. The alerts table itself is in 0001; here: when a rule last fired for
-- an alert (auto-resolve after a quiet period), its history of state changes (who, when, a note), and
-- one delivery row per alert × event × channel with a log of every attempt. Everything that makes
-- de-duplication, cooldown and retries survive a restart lives here, not in memory.

alter table alerts add column last_firing_at timestamptz;
alter table alerts add column firing_count integer not null default 1;
create index alerts_rule_key_resolved on alerts (rule, key, resolved_at desc);
create index alerts_status_opened on alerts (status, opened_at desc);

-- Every change of state of an alert, in order: opened, updated, acknowledged, resolved.
create table alert_events (
  id bigserial primary key,
  alert_id bigint not null references alerts(id) on delete cascade,
  kind text not null check (kind in ('opened', 'updated', 'acknowledged', 'resolved')),
  at timestamptz not null,
  by text,
  note text,
  observed double precision
);
create index alert_events_alert on alert_events (alert_id, id);

-- One message to send: an alert event (alert.opened, alert.resolved) to one channel (a webhook or email).
-- `body` is the exact text sent (and signed), so a retry after a restart sends the same bytes.
create table alert_deliveries (
  id bigserial primary key,
  alert_id bigint not null references alerts(id) on delete cascade,
  event text not null,
  channel text not null,
  body text not null,
  status text not null default 'pending' check (status in ('pending', 'delivered', 'abandoned')),
  attempts integer not null default 0,
  cycles integer not null default 0,
  last_status integer,
  last_error text,
  next_attempt_at timestamptz not null,
  created_at timestamptz not null,
  delivered_at timestamptz,
  unique (alert_id, event, channel)
);
create index alert_deliveries_due on alert_deliveries (next_attempt_at) where status = 'pending';

-- The delivery log: every HTTP / SMTP attempt with its outcome.
create table alert_delivery_attempts (
  id bigserial primary key,
  delivery_id bigint not null references alert_deliveries(id) on delete cascade,
  attempted_at timestamptz not null,
  ok boolean not null,
  status integer,
  error text,
  duration_ms integer not null default 0
);
create index alert_delivery_attempts_delivery on alert_delivery_attempts (delivery_id, id);
