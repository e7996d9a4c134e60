-- 0011 (web): "collected in the last 24 hours" per source without reading a day of mentions.
--
-- 0008 made the figure one range scan of the (collected_at, source_id) index, so its cost followed the
-- day's volume: after a backfill or an import of a million mentions, /sources and `earshot sources`
-- walked a million index entries on every call (≈ 150–400 ms at 1M on PostgreSQL).
--
--  * source_collected_hourly: mentions per source and UTC hour of collected_at, kept by the statement
--    triggers of 0008 (their functions are replaced here: one pass over the transition table updates
--    both the source's total and its hours), so it is right whoever writes, and a rolled-back batch
--    counts nothing.
--  * listSourceHealth (db/sources.ts) sums the hours that overlap the 24-hour window and corrects the
--    two partial hours at its ends from the index of 0008: the answer stays exact, and the rows read
--    are at most one hour at each end instead of the whole day.
--
-- Partition moves inside the table (mentions_default → its month) run on the partitions, not the root,
-- and fire none of these triggers: the counts, like mentions_total, are unchanged by them, as they
-- should be.

create table source_collected_hourly (
  source_id integer not null references sources (id) on delete cascade,
  hour timestamptz not null,
  mentions bigint not null,
  primary key (source_id, hour)
);
create index source_collected_hourly_hour on source_collected_hourly (hour);

insert into source_collected_hourly (source_id, hour, mentions)
select source_id, date_trunc('hour', collected_at, 'UTC'), count(*) from mentions group by 1, 2;

create or replace function sources_count_new() returns trigger language plpgsql as $$
begin
  with c as (
    select source_id, date_trunc('hour', collected_at, 'UTC') as hour, count(*) as n from new_rows group by 1, 2
  ), h as (
    insert into source_collected_hourly as t (source_id, hour, mentions)
    select source_id, hour, n from c
    on conflict (source_id, hour) do update set mentions = t.mentions + excluded.mentions
  )
  update sources s set mentions_total = s.mentions_total + x.n
    from (select source_id, sum(n) as n from c group by source_id) x
   where s.id = x.source_id;
  return null;
end $$;

create or replace function sources_count_old() returns trigger language plpgsql as $$
begin
  with c as (
    select source_id, date_trunc('hour', collected_at, 'UTC') as hour, count(*) as n from old_rows group by 1, 2
  ), h as (
    update source_collected_hourly t set mentions = greatest(0, t.mentions - c.n)
      from c where t.source_id = c.source_id and t.hour = c.hour
  )
  update sources s set mentions_total = greatest(0, s.mentions_total - x.n)
    from (select source_id, sum(n) as n from c group by source_id) x
   where s.id = x.source_id;
  return null;
end $$;

create or replace function sources_count_reset() returns trigger language plpgsql as $$
begin
  update sources set mentions_total = 0 where mentions_total <> 0;
  delete from source_collected_hourly;
  return null;
end $$;
