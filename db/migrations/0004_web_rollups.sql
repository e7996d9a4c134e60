-- 0004 (web): rollup tables for the dashboard, kept fresh incrementally, and read-side indexes.
--
-- Approach: plain rollup tables (not materialised views), one hourly and one daily table per shape.
-- Statement-level triggers on mentions, mention_brands, analyses and corrections record the UTC hours
-- they touch in `rollup_dirty`; `refreshRollups()` (db/stats.ts) recomputes exactly those hours from
-- the base tables (corrections applied, cross-source duplicates left out), then the days containing
-- them from the hourly rows. The pipeline calls it after each analysis batch, and every dashboard read
-- calls it first, so a figure can never be staler than the last committed write.
--
-- brand_id 0 means "all brands" (each mention once, mention-level sentiment); other brand ids use the
-- entity-level sentiment from mention_brands. Sentiment is coalesce(correction, entity, mention, 'unscored');
-- stage is coalesce(correction, analysis, '') and pain points coalesce(correction, analysis).

create table rollup_dirty (
  hour timestamptz primary key
);

create table rollup_hourly (
  bucket timestamptz not null,
  brand_id integer not null,
  stage text not null,
  sentiment text not null,
  mentions integer not null,
  r1 integer not null default 0,
  r2 integer not null default 0,
  r3 integer not null default 0,
  r4 integer not null default 0,
  r5 integer not null default 0,
  primary key (bucket, brand_id, stage, sentiment)
);
create index rollup_hourly_brand on rollup_hourly (brand_id, bucket);

create table rollup_daily (like rollup_hourly including defaults);
alter table rollup_daily add primary key (bucket, brand_id, stage, sentiment);
create index rollup_daily_brand on rollup_daily (brand_id, bucket);

create table rollup_source_hourly (
  bucket timestamptz not null,
  brand_id integer not null,
  channel text not null,
  mentions integer not null,
  primary key (bucket, brand_id, channel)
);
create index rollup_source_hourly_brand on rollup_source_hourly (brand_id, bucket);

create table rollup_source_daily (like rollup_source_hourly including defaults);
alter table rollup_source_daily add primary key (bucket, brand_id, channel);
create index rollup_source_daily_brand on rollup_source_daily (brand_id, bucket);

create table rollup_pain_hourly (
  bucket timestamptz not null,
  brand_id integer not null,
  pain_point text not null,
  stage text not null,
  mentions integer not null,
  primary key (bucket, brand_id, pain_point, stage)
);
create index rollup_pain_hourly_brand on rollup_pain_hourly (brand_id, bucket);

create table rollup_pain_daily (like rollup_pain_hourly including defaults);
alter table rollup_pain_daily add primary key (bucket, brand_id, pain_point, stage);
create index rollup_pain_daily_brand on rollup_pain_daily (brand_id, bucket);

-- Mentions that compare brands or tell of a switch ('' when from/to is unknown).
create table rollup_switch_hourly (
  bucket timestamptz not null,
  brand_id integer not null,
  switch_from text not null,
  switch_to text not null,
  mentions integer not null,
  primary key (bucket, brand_id, switch_from, switch_to)
);
create table rollup_switch_daily (like rollup_switch_hourly including defaults);
alter table rollup_switch_daily add primary key (bucket, brand_id, switch_from, switch_to);

-- Dirty-hour marking. Transition tables need one trigger per event.
create function rollup_mark_new() returns trigger language plpgsql as $$
begin
  if TG_TABLE_NAME = 'mentions' then
    insert into rollup_dirty (hour)
      select distinct date_trunc('hour', n.published_at, 'UTC') from new_rows n on conflict do nothing;
  else
    insert into rollup_dirty (hour)
      select distinct date_trunc('hour', m.published_at, 'UTC') from new_rows n join mentions m on m.id = n.mention_id
      on conflict do nothing;
  end if;
  return null;
end $$;

create function rollup_mark_old() returns trigger language plpgsql as $$
begin
  if TG_TABLE_NAME = 'mentions' then
    insert into rollup_dirty (hour)
      select distinct date_trunc('hour', o.published_at, 'UTC') from old_rows o on conflict do nothing;
  else
    insert into rollup_dirty (hour)
      select distinct date_trunc('hour', m.published_at, 'UTC') from old_rows o join mentions m on m.id = o.mention_id
      on conflict do nothing;
  end if;
  return null;
end $$;

create function rollup_mark_both() returns trigger language plpgsql as $$
begin
  if TG_TABLE_NAME = 'mentions' then
    insert into rollup_dirty (hour)
      select distinct date_trunc('hour', x.published_at, 'UTC')
        from (select published_at from old_rows union all select published_at from new_rows) x
      on conflict do nothing;
  else
    insert into rollup_dirty (hour)
      select distinct date_trunc('hour', m.published_at, 'UTC')
        from (select mention_id from old_rows union select mention_id from new_rows) x join mentions m on m.id = x.mention_id
      on conflict do nothing;
  end if;
  return null;
end $$;

create trigger mentions_rollup_ins after insert on mentions referencing new table as new_rows for each statement execute function rollup_mark_new();
create trigger mentions_rollup_upd after update on mentions referencing old table as old_rows new table as new_rows for each statement execute function rollup_mark_both();
create trigger mentions_rollup_del after delete on mentions referencing old table as old_rows for each statement execute function rollup_mark_old();
create trigger mention_brands_rollup_ins after insert on mention_brands referencing new table as new_rows for each statement execute function rollup_mark_new();
create trigger mention_brands_rollup_upd after update on mention_brands referencing old table as old_rows new table as new_rows for each statement execute function rollup_mark_both();
create trigger mention_brands_rollup_del after delete on mention_brands referencing old table as old_rows for each statement execute function rollup_mark_old();
create trigger analyses_rollup_ins after insert on analyses referencing new table as new_rows for each statement execute function rollup_mark_new();
create trigger analyses_rollup_upd after update on analyses referencing old table as old_rows new table as new_rows for each statement execute function rollup_mark_both();
create trigger analyses_rollup_del after delete on analyses referencing old table as old_rows for each statement execute function rollup_mark_old();
create trigger corrections_rollup_ins after insert on corrections referencing new table as new_rows for each statement execute function rollup_mark_new();
create trigger corrections_rollup_upd after update on corrections referencing old table as old_rows new table as new_rows for each statement execute function rollup_mark_both();
create trigger corrections_rollup_del after delete on corrections referencing old table as old_rows for each statement execute function rollup_mark_old();

-- Everything already stored (a database migrated with data in it) starts dirty.
insert into rollup_dirty (hour)
  select distinct date_trunc('hour', published_at, 'UTC') from mentions on conflict do nothing;

-- One engagement figure per mention: likes + replies + shares + score (numbers only; anything else is 0).
create function mention_engagement(e jsonb) returns numeric language sql immutable parallel safe as $$
  select (case when jsonb_typeof(e -> 'likes') = 'number' then (e ->> 'likes')::numeric else 0 end)
       + (case when jsonb_typeof(e -> 'replies') = 'number' then (e ->> 'replies')::numeric else 0 end)
       + (case when jsonb_typeof(e -> 'shares') = 'number' then (e ->> 'shares')::numeric else 0 end)
       + (case when jsonb_typeof(e -> 'score') = 'number' then (e ->> 'score')::numeric else 0 end)
$$;

-- Read-side indexes: most engaged mentions, top authors by reach, comparison/switching mentions.
create index mentions_engagement on mentions (mention_engagement(engagement) desc, id desc) where duplicate_of is null;
create index mentions_reach on mentions (author_reach desc nulls last, id) where duplicate_of is null;
create index analyses_comparison on analyses (mention_id) where comparison or switch_from is not null or switch_to is not null;
create index mentions_source_published on mentions (source_id, published_at desc, id desc);
