-- 0006 (scale-out): the analysis queue shared by any number of workers (both drivers), and monthly
-- partitioning of mentions (PostgreSQL only: the conversion at the end is skipped on PGlite, which is
-- one process on one machine). One file for both drivers because db/migrate.ts records a version as
-- done when it skips the first file of a `.pg.sql` / `.pglite.sql` pair, so the second never runs.
--
-- analysis_queue: one row per mention waiting for analysis. A trigger enqueues every new mention; a
-- worker claims a batch with `FOR UPDATE SKIP LOCKED` and a lease (lease_owner, lease_until), analyses
-- it, and in the transaction that stores the analyses deletes exactly the rows it still owns — so each
-- mention is stored as analysed once, and a crashed worker's batch is claimed again when its lease
-- expires. Re-analysis after an analyser upgrade enqueues the mentions analysed by an older version
-- (db/jobs.ts enqueueOutdatedAnalyses).

create table analysis_queue (
  mention_id bigint primary key references mentions(id) on delete cascade,
  lease_owner text,
  lease_until timestamptz,
  attempts integer not null default 0,
  last_error text,
  enqueued_at timestamptz not null default now()
);

-- How many times a mention's analysis was stored (1 unless re-analysed after an upgrade): makes
-- "analysed exactly once" checkable after crashes and with concurrent workers.
alter table analyses add column times_analysed integer not null default 1;

create function analysis_enqueue_new() returns trigger language plpgsql as $$
begin
  insert into analysis_queue (mention_id) select id from new_rows on conflict do nothing;
  return null;
end $$;

create trigger mentions_analysis_enqueue after insert on mentions
  referencing new table as new_rows for each statement execute function analysis_enqueue_new();

-- What is already stored and never analysed starts queued.
insert into analysis_queue (mention_id)
  select m.id from mentions m left join analyses a on a.mention_id = m.id where a.mention_id is null
  on conflict do nothing;

-- ---------------------------------------------------------------------------------------------------
-- Monthly partitioning of mentions (PostgreSQL only; the functions exist on PGlite but are not called).
--
-- `select mentions_partition_by_month()` turns `mentions` into a table partitioned by range of
-- published_at, one partition per UTC month (`mentions_y2026m11`) plus `mentions_default` for rows of a
-- month that has no partition yet. The name stays `mentions`, and every query keeps working, except that
-- PostgreSQL cannot enforce a unique key on a partitioned table unless it contains the partition key:
--   * (source_id, external_id) uniqueness moves to the small unpartitioned `mention_keys` table, claimed
--     by a BEFORE INSERT trigger (a row whose key exists is skipped, like ON CONFLICT DO NOTHING). An
--     insert must therefore say `on conflict do nothing` without a conflict target.
--   * foreign keys pointing at mentions(id) (analyses, mention_brands, corrections, analysis_queue,
--     duplicate_of, …) are replaced by one statement-level AFTER DELETE trigger that applies their
--     recorded ON DELETE action (`mention_references`), so deleting a mention still cascades.
--   * the primary key becomes (id, published_at); lookups by id use it (one probe per partition).
-- Indexes, triggers and views on mentions are captured and recreated as they were, whatever later
-- migrations added. It is idempotent (a no-op on a table already partitioned) and runs in the caller's
-- transaction; the table is locked while rows are copied.
--
-- `mentions_ensure_partitions(from, to)` creates the months in [from, to] that are missing (moving rows
-- of that month out of the default partition); workers call it daily for the months ahead.

create function mentions_partition_name(m date) returns text language sql immutable as $$
  select 'mentions_y' || to_char(m, 'YYYY') || 'm' || to_char(m, 'MM')
$$;

-- The columns one can insert into (generated columns left out), for copying rows.
create function mentions_insert_columns() returns text language sql stable as $$
  select string_agg(quote_ident(attname), ', ' order by attnum) from pg_attribute
   where attrelid = 'mentions'::regclass and attnum > 0 and not attisdropped and attgenerated = ''
$$;

-- BEFORE INSERT: claim (source_id, external_id) in mention_keys; skip the row when another mention has
-- it. A row moved between partitions (same id) keeps its key. Rows moved by mentions_ensure_partitions
-- (earshot.moving_rows = on) are not new mentions. A batch whose keys were already claimed in one
-- statement, with the ids it inserts (db/mentions.ts, earshot.keys_claimed = on), needs no claim here.
create function mentions_claim_key() returns trigger language plpgsql as $$
begin
  if current_setting('earshot.moving_rows', true) = 'on' or current_setting('earshot.keys_claimed', true) = 'on' then
    return new;
  end if;
  insert into mention_keys (source_id, external_id, mention_id) values (new.source_id, new.external_id, new.id)
    on conflict do nothing;
  if found then
    return new;
  end if;
  if exists (select 1 from mention_keys k where k.source_id = new.source_id and k.external_id = new.external_id and k.mention_id = new.id) then
    return new;
  end if;
  return null;
end $$;

-- AFTER DELETE (statement): what the foreign keys to mentions(id) did, plus the keys.
create function mentions_delete_cascade() returns trigger language plpgsql as $$
declare
  r record;
begin
  delete from mention_keys k using old_rows o
   where k.source_id = o.source_id and k.external_id = o.external_id and k.mention_id = o.id;
  for r in select table_name, column_name, on_delete from mention_references order by table_name loop
    if r.on_delete = 'c' then
      execute format('delete from %s t where t.%I in (select id from old_rows)', r.table_name, r.column_name);
    elsif r.on_delete = 'n' then
      execute format('update %s t set %I = null where t.%I in (select id from old_rows)', r.table_name, r.column_name, r.column_name);
    else
      execute format('select 1 from %s t where t.%I in (select id from old_rows) limit 1', r.table_name, r.column_name);
      if found then
        raise foreign_key_violation using message = format('mentions: delete blocked, %s.%s still references a deleted mention', r.table_name, r.column_name);
      end if;
    end if;
  end loop;
  return null;
end $$;

create function mentions_partition_by_month() returns void language plpgsql as $$
declare
  r record;
  seq text;
  cols text;
  idx text[] := '{}';
  trg text[] := '{}';
  fks text[] := '{}';
  views text[] := '{}';
  view_names text[] := '{}';
  stmt text;
  m date;
begin
  if (select relkind from pg_class where oid = 'mentions'::regclass) = 'p' then
    return;
  end if;
  lock table mentions in access exclusive mode;

  -- The dedupe keys and the recorded foreign keys (see the header).
  create table mention_keys (
    source_id integer not null references sources(id) on delete cascade,
    external_id text not null,
    mention_id bigint not null,
    primary key (source_id, external_id)
  );
  create table mention_references (
    table_name text not null,
    column_name text not null,
    on_delete "char" not null,
    primary key (table_name, column_name)
  );

  -- Capture what must be recreated on the new table.
  select coalesce(array_agg(pg_get_indexdef(i.indexrelid) order by i.indexrelid), '{}') into idx from pg_index i
   where i.indrelid = 'mentions'::regclass
     and not exists (select 1 from pg_constraint c where c.conindid = i.indexrelid);
  select coalesce(array_agg(pg_get_triggerdef(t.oid) order by t.oid), '{}') into trg from pg_trigger t
   where t.tgrelid = 'mentions'::regclass and not t.tgisinternal;
  select coalesce(array_agg(pg_get_constraintdef(c.oid) order by c.oid), '{}') into fks from pg_constraint c
   where c.conrelid = 'mentions'::regclass and c.contype = 'f' and c.confrelid <> 'mentions'::regclass;
  for r in select distinct v.oid, v.oid::regclass::text as name, v.relkind from pg_depend d
             join pg_rewrite rw on rw.oid = d.objid join pg_class v on v.oid = rw.ev_class
            where d.refobjid = 'mentions'::regclass and v.oid <> 'mentions'::regclass loop
    if r.relkind <> 'v' then
      raise exception 'mentions_partition_by_month: % depends on mentions and is not a plain view', r.name;
    end if;
    view_names := view_names || r.name;
    views := views || format('create view %s as %s', r.name, pg_get_viewdef(r.oid));
  end loop;

  -- Foreign keys to mentions(id) become rows of mention_references (applied by mentions_delete_cascade).
  for r in select c.conname, c.conrelid::regclass::text as tbl, a.attname, c.confdeltype from pg_constraint c
             join pg_attribute a on a.attrelid = c.conrelid and a.attnum = c.conkey[1]
            where c.contype = 'f' and c.confrelid = 'mentions'::regclass loop
    insert into mention_references (table_name, column_name, on_delete) values (r.tbl, r.attname, r.confdeltype)
      on conflict (table_name, column_name) do update set on_delete = excluded.on_delete;
    execute format('alter table %s drop constraint %I', r.tbl, r.conname);
  end loop;
  for i in 1 .. coalesce(array_length(view_names, 1), 0) loop
    execute format('drop view %s', view_names[i]);
  end loop;

  seq := pg_get_serial_sequence('mentions', 'id');
  alter table mentions rename to mentions_unpartitioned;
  create table mentions (like mentions_unpartitioned including defaults including generated including constraints including storage)
    partition by range (published_at);
  alter table mentions add primary key (id, published_at);
  create table mentions_default partition of mentions default;
  -- A partition for each month with data (up to 10 years back) and from last month to three ahead.
  for m in
    select distinct date_trunc('month', published_at at time zone 'UTC')::date from mentions_unpartitioned
     where published_at >= now() - interval '10 years' and published_at < now() + interval '4 months'
    union
    select (date_trunc('month', now() at time zone 'UTC') + make_interval(months => k))::date from generate_series(-1, 3) k
  loop
    execute format('create table %I partition of mentions for values from (%L) to (%L)', mentions_partition_name(m),
      (m::timestamp at time zone 'UTC'), ((m + interval '1 month')::timestamp at time zone 'UTC'));
  end loop;

  cols := (select string_agg(quote_ident(attname), ', ' order by attnum) from pg_attribute
            where attrelid = 'mentions_unpartitioned'::regclass and attnum > 0 and not attisdropped and attgenerated = '');
  execute format('insert into mentions (%s) select %s from mentions_unpartitioned', cols, cols);
  insert into mention_keys (source_id, external_id, mention_id)
    select source_id, external_id, id from mentions_unpartitioned on conflict do nothing;
  if seq is not null then
    execute format('alter sequence %s owned by mentions.id', seq);
  end if;
  drop table mentions_unpartitioned;

  foreach stmt in array idx loop execute stmt; end loop;
  foreach stmt in array fks loop execute format('alter table mentions add %s', stmt); end loop;
  foreach stmt in array trg loop execute stmt; end loop;
  foreach stmt in array views loop execute stmt; end loop;
  -- The old self-reference (duplicate_of) is cleared by the cascade trigger: index it.
  create index if not exists mentions_duplicate_of on mentions (duplicate_of) where duplicate_of is not null;
  create trigger mentions_claim_key before insert on mentions for each row execute function mentions_claim_key();
  create trigger mentions_delete_cascade after delete on mentions referencing old table as old_rows
    for each statement execute function mentions_delete_cascade();
end $$;

-- Creates the monthly partitions from the month of `from_day` to the month of `to_day` that do not exist
-- yet; rows of such a month already in mentions_default are moved into it. Returns how many it created.
-- Does nothing (returns 0) while mentions is not partitioned.
create function mentions_ensure_partitions(from_day date, to_day date) returns integer language plpgsql as $$
declare
  m date;
  lo timestamptz;
  hi timestamptz;
  pname text;
  cols text;
  created integer := 0;
begin
  if (select relkind from pg_class where oid = 'mentions'::regclass) <> 'p' then
    return 0;
  end if;
  for m in select generate_series(date_trunc('month', from_day), date_trunc('month', to_day), interval '1 month')::date loop
    pname := mentions_partition_name(m);
    continue when exists (select 1 from pg_inherits i join pg_class c on c.oid = i.inhrelid
                           where i.inhparent = 'mentions'::regclass and c.relname = pname);
    lo := m::timestamp at time zone 'UTC';
    hi := (m + interval '1 month')::timestamp at time zone 'UTC';
    cols := mentions_insert_columns();
    execute format('create temp table earshot_moving on commit drop as select %s from mentions_default where published_at >= %L and published_at < %L', cols, lo, hi);
    execute format('delete from mentions_default where published_at >= %L and published_at < %L', lo, hi);
    execute format('create table %I partition of mentions for values from (%L) to (%L)', pname, lo, hi);
    perform set_config('earshot.moving_rows', 'on', true);
    execute format('insert into %I (%s) select %s from earshot_moving', pname, cols, cols);
    perform set_config('earshot.moving_rows', 'off', true);
    drop table earshot_moving;
    created := created + 1;
  end loop;
  return created;
end $$;

-- Convert now on PostgreSQL (a no-op when already partitioned). Needs inserts that name no conflict
-- target (db/mentions.ts: `on conflict do nothing`).
do $$
begin
  if version() not like '%PGlite%' then
    perform mentions_partition_by_month();
  end if;
end $$;
