-- 0008 (collectors): source health without counting every mention on each call.
--  * sources.mentions_total: how many mentions a source has stored, kept by statement-level triggers on
--    mentions (insert adds, delete subtracts, truncate zeroes), so it is right whoever writes: the
--    collectors' COPY path, the import, a retention job, a test inserting by hand. The update runs in the
--    writing transaction: a rolled-back batch counts nothing.
--  * mentions (collected_at, source_id): the "mentions in the last 24 hours" figure is one index range
--    scan over the last day's rows, grouped by source, instead of a scan of every mention per source
--    (collected_at first: one range for all sources, so the cost follows the day's volume only).
-- Works on the plain table and on a partitioned one (statement triggers with transition tables are
-- allowed on a partitioned table's root, and the index is created on every partition).

alter table sources add column mentions_total bigint not null default 0;

update sources s set mentions_total = c.n
  from (select source_id, count(*) as n from mentions group by source_id) c
 where c.source_id = s.id;

create index mentions_collected_source on mentions (collected_at, source_id);

create function sources_count_new() returns trigger language plpgsql as $$
begin
  update sources s set mentions_total = s.mentions_total + c.n
    from (select source_id, count(*) as n from new_rows group by source_id) c
   where s.id = c.source_id;
  return null;
end $$;

create function sources_count_old() returns trigger language plpgsql as $$
begin
  update sources s set mentions_total = greatest(0, s.mentions_total - c.n)
    from (select source_id, count(*) as n from old_rows group by source_id) c
   where s.id = c.source_id;
  return null;
end $$;

create function sources_count_reset() returns trigger language plpgsql as $$
begin
  update sources set mentions_total = 0 where mentions_total <> 0;
  return null;
end $$;

create trigger mentions_count_ins after insert on mentions
  referencing new table as new_rows for each statement execute function sources_count_new();
create trigger mentions_count_del after delete on mentions
  referencing old table as old_rows for each statement execute function sources_count_old();
create trigger mentions_count_truncate after truncate on mentions
  for each statement execute function sources_count_reset();
