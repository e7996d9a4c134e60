-- 0007 (web): mention_effective, the explorer's index of effective values.
--
-- Why: the explorer filters on values that combine a correction with the analysis (sentiment, stage,
-- pain points) and, with a brand filter, on the brand's entity-level sentiment. Expressions such as
-- coalesce(c.stage, a.stage) over three tables cannot use an index, so a filtered list walked the whole
-- table (≈ 1 s at 1M mentions). This table stores the values every figure counts, one row per mention
-- and brand, with brand_id 0 meaning "all brands" (each mention once, mention-level sentiment), exactly
-- like the rollups of 0004:
--   sentiment = coalesce(correction, entity (brand rows only), analysis, 'unscored')
--   stage     = coalesce(correction, analysis)            (null: no stage)
--   pain_ids  = coalesce(correction, analysis, '{}')   (pain_keys: the same as 'brand_id:id')
--   channel   = coalesce(origin, source type); language = coalesce(analysis, mention hint)
-- Cross-source duplicates (duplicate_of set) are left out, as they are from every figure, so "not a
-- duplicate" is the presence of a row.
--
-- Freshness: rows are rebuilt per UTC hour of published_at by refreshRollups() (db/stats.ts), from the
-- same dirty hours the 0004 triggers on mentions, mention_brands, analyses and corrections record, in
-- the same transaction as the rollups; the explorer calls refreshRollups() before it reads.

create table mention_effective (
  -- The UTC hour of published_at: the unit the refresh rebuilds.
  hour timestamptz not null,
  brand_id integer not null,
  mention_id bigint not null,
  published_at timestamptz not null,
  source_id integer not null,
  channel text not null,
  language text,
  sentiment text not null,
  stage text,
  pain_ids text[] not null default '{}',
  -- The same pain points scoped to the row's brand ('3:refund'), so one GIN index answers "brand X
  -- with pain point Y" without visiting the other brands' rows.
  pain_keys text[] not null default '{}',
  comparison boolean not null default false,
  switch_from text,
  switch_to text,
  primary key (brand_id, mention_id)
);

-- Newest first within a brand (the list without filters, keyset pages).
create index mention_effective_time on mention_effective (brand_id, published_at desc, mention_id desc);
-- Stage (also `stage is null` for "no stage") and sentiment filters, in page order.
create index mention_effective_stage on mention_effective (brand_id, stage, published_at desc, mention_id desc);
create index mention_effective_sentiment on mention_effective (brand_id, sentiment, published_at desc, mention_id desc);
-- Pain-point filter.
create index mention_effective_pains on mention_effective using gin (pain_keys);
-- Comparison / switching mentions (the brands page lists the newest).
create index mention_effective_comparison on mention_effective (brand_id, published_at desc, mention_id desc) where comparison;
-- The refresh deletes by hour (a column of its own, so the planner never walks this index for a list).
create index mention_effective_hour on mention_effective (hour);

-- Everything already stored starts dirty, so the next refresh fills the table (and recomputes the
-- rollups of those hours, which is harmless).
insert into rollup_dirty (hour)
  select distinct date_trunc('hour', published_at, 'UTC') from mentions on conflict do nothing;
