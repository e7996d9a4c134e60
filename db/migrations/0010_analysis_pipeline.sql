-- 0010 (workers): an analysis pipeline whose database cost per mention stays small and whose workers
-- never wait on each other or on a rollup refresh. Both drivers.
--
-- 1. analysis_queue.published_at: the queue row carries the mention's partition key, so a worker loads
--    its batch with `(id, published_at)` (one partition probed per mention instead of every monthly
--    partition) and knows the UTC hours its analyses change without reading mentions again. Filled by
--    the enqueue trigger of 0006 (its function is replaced here), and by a BEFORE INSERT trigger for any
--    other insert that names only mention_id (an insert for a mention that no longer exists is skipped:
--    there is nothing to analyse). published_at is never updated by Earshot.
--
-- 2. rollup_marks: "these UTC hours need their rollups recomputed", one row per writing statement and
--    hour, with no unique key. rollup_dirty (0004) has a primary key on hour, so a writer marking an
--    hour waited for any transaction that had inserted or deleted the same hour and not yet committed:
--    a second worker waited for the first one's whole store, and every writer of an hour waited for a
--    refresh recomputing that hour (seconds at 20,000 mentions). Inserting here never waits. The refresh
--    (db/stats.ts refreshRollups) reads the marks with their ids, recomputes those hours and deletes
--    exactly the ids it read, so a mark committed meanwhile survives for the next refresh. It first
--    moves rollup_dirty (still written by the triggers on mentions) into this table in a short
--    transaction of its own.
--
-- 3. The triggers on analyses, mention_brands and corrections (0004) are replaced: they write marks
--    instead of rollup_dirty, found through the mention as before (correct for any writer), and do
--    nothing when the writing transaction set `earshot.rollup_marked = on`: the worker's store
--    statement (db/analyses.ts storeAnalysisBatch) writes its marks itself, from the published_at of
--    the mentions it analysed, in the same statement as the analyses. The shared rollup_mark_*
--    functions of 0004 are left as they are (the triggers on mentions still use them).

-- 1. published_at in the queue
alter table analysis_queue add column published_at timestamptz;
update analysis_queue q set published_at = m.published_at from mentions m where m.id = q.mention_id;
delete from analysis_queue where published_at is null;
alter table analysis_queue alter column published_at set not null;

create or replace function analysis_enqueue_new() returns trigger language plpgsql as $$
begin
  insert into analysis_queue (mention_id, published_at) select id, published_at from new_rows on conflict do nothing;
  return null;
end $$;

create function analysis_queue_fill_published() returns trigger language plpgsql as $$
begin
  select m.published_at into new.published_at from mentions m where m.id = new.mention_id;
  if new.published_at is null then
    return null;
  end if;
  return new;
end $$;

create trigger analysis_queue_fill_published before insert on analysis_queue
  for each row when (new.published_at is null) execute function analysis_queue_fill_published();

-- 2. marks that never wait
create table rollup_marks (
  id bigint generated always as identity primary key,
  hour timestamptz not null
);

-- 3. the triggers on analyses, mention_brands and corrections write marks
create function rollup_marks_new() returns trigger language plpgsql as $$
begin
  if current_setting('earshot.rollup_marked', true) = 'on' then
    return null;
  end if;
  insert into rollup_marks (hour)
    select distinct date_trunc('hour', m.published_at, 'UTC') from new_rows n join mentions m on m.id = n.mention_id;
  return null;
end $$;

create function rollup_marks_old() returns trigger language plpgsql as $$
begin
  if current_setting('earshot.rollup_marked', true) = 'on' then
    return null;
  end if;
  insert into rollup_marks (hour)
    select distinct date_trunc('hour', m.published_at, 'UTC') from old_rows o join mentions m on m.id = o.mention_id;
  return null;
end $$;

create function rollup_marks_both() returns trigger language plpgsql as $$
begin
  if current_setting('earshot.rollup_marked', true) = 'on' then
    return null;
  end if;
  insert into rollup_marks (hour)
    select distinct date_trunc('hour', m.published_at, 'UTC')
      from (select mention_id from old_rows union select mention_id from new_rows) x join mentions m on m.id = x.mention_id;
  return null;
end $$;

drop trigger mention_brands_rollup_ins on mention_brands;
drop trigger mention_brands_rollup_upd on mention_brands;
drop trigger mention_brands_rollup_del on mention_brands;
drop trigger analyses_rollup_ins on analyses;
drop trigger analyses_rollup_upd on analyses;
drop trigger analyses_rollup_del on analyses;
drop trigger corrections_rollup_ins on corrections;
drop trigger corrections_rollup_upd on corrections;
drop trigger corrections_rollup_del on corrections;

create trigger mention_brands_marks_ins after insert on mention_brands referencing new table as new_rows for each statement execute function rollup_marks_new();
create trigger mention_brands_marks_upd after update on mention_brands referencing old table as old_rows new table as new_rows for each statement execute function rollup_marks_both();
create trigger mention_brands_marks_del after delete on mention_brands referencing old table as old_rows for each statement execute function rollup_marks_old();
create trigger analyses_marks_ins after insert on analyses referencing new table as new_rows for each statement execute function rollup_marks_new();
create trigger analyses_marks_upd after update on analyses referencing old table as old_rows new table as new_rows for each statement execute function rollup_marks_both();
create trigger analyses_marks_del after delete on analyses referencing old table as old_rows for each statement execute function rollup_marks_old();
create trigger corrections_marks_ins after insert on corrections referencing new table as new_rows for each statement execute function rollup_marks_new();
create trigger corrections_marks_upd after update on corrections referencing old table as old_rows new table as new_rows for each statement execute function rollup_marks_both();
create trigger corrections_marks_del after delete on corrections referencing old table as old_rows for each statement execute function rollup_marks_old();
