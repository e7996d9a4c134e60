-- 0009 (collectors): a cheaper write path for mentions, same guarantees. Both drivers; the parts that
-- only exist on a partitioned mentions table (PostgreSQL after 0006) are skipped when it is not.
--
-- Measured on the ingest benchmark's batches (5,000 Hacker News–shaped mentions, EXPLAIN ANALYZE and
-- backend CPU time): the full-text tsvector and its GIN index are most of an insert and stay; what goes
-- is work that bought nothing.
--
-- 1. mentions_url (0001): an index on the raw url that no query reads (duplicates are found through
--    url_key, which has its own index since 0002; the explorer, stats and alerts only display the url).
--    One B-tree insertion per mention, dropped.
-- 2. mentions_claim_key (0006, PostgreSQL): the BEFORE INSERT row trigger that claims a mention's key
--    now says in its WHEN clause when it has nothing to do — rows whose keys the writer already claimed
--    in one statement (db/mentions.ts sets earshot.keys_claimed = on) and rows moved between partitions
--    (earshot.moving_rows = on). The condition is evaluated by the executor, so such rows no longer pay
--    a PL/pgSQL call each. The function is unchanged and still checks both settings itself.
-- 3. mention_keys.source_id lost its foreign key to sources (PostgreSQL): every key is written in the
--    statement that inserts its mention, and mentions.source_id keeps its own foreign key, so a key
--    can never name a missing source; deleting a source cascades to its mentions, whose delete trigger
--    (mentions_delete_cascade, 0006) deletes their keys. The second check cost one more lookup and row
--    lock of the source per mention.
-- 4. Rollup marks of new mentions (rollup_dirty, 0004) are inserted in hour order by a function of
--    their own: two writers whose batches share UTC hours now lock those hours in the same order, one
--    waits for the other instead of the two deadlocking. rollup_mark_new (0004) stays as it is for the
--    other tables' triggers.

drop index if exists mentions_url;

create function mentions_rollup_mark_new() returns trigger language plpgsql as $$
begin
  insert into rollup_dirty (hour)
    select h.hour from (select distinct date_trunc('hour', n.published_at, 'UTC') as hour from new_rows n) h
     order by h.hour
    on conflict do nothing;
  return null;
end $$;

drop trigger mentions_rollup_ins on mentions;
create trigger mentions_rollup_ins after insert on mentions
  referencing new table as new_rows for each statement execute function mentions_rollup_mark_new();

do $$
begin
  if exists (select 1 from pg_trigger where tgrelid = 'mentions'::regclass and tgname = 'mentions_claim_key' and not tgisinternal) then
    drop trigger mentions_claim_key on mentions;
    create trigger mentions_claim_key before insert on mentions for each row
      when (current_setting('earshot.keys_claimed', true) is distinct from 'on'
            and current_setting('earshot.moving_rows', true) is distinct from 'on')
      execute function mentions_claim_key();
  end if;
  if to_regclass('mention_keys') is not null then
    alter table mention_keys drop constraint if exists mention_keys_source_id_fkey;
  end if;
end $$;
