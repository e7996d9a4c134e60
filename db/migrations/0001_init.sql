-- 0001: the foundation schema. Brands and sources mirror earshot.yaml (synced at start-up);
-- mentions are unique on (source, external id) so a re-run never duplicates.

create extension if not exists pg_trgm;

create table brands (
  id serial primary key,
  name text not null unique,
  own boolean not null default false,
  query text not null default '',
  aliases jsonb not null default '[]',
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now()
);

create table sources (
  id serial primary key,
  name text not null unique,
  type text not null,
  brand_id integer references brands(id) on delete set null,
  schedule text,
  config jsonb not null default '{}',
  enabled boolean not null default true,
  next_check_at timestamptz,
  last_run_at timestamptz,
  last_success_at timestamptz,
  last_error text,
  last_error_at timestamptz,
  consecutive_errors integer not null default 0,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now()
);

create table collector_runs (
  id bigserial primary key,
  source_id integer not null references sources(id) on delete cascade,
  started_at timestamptz not null default now(),
  finished_at timestamptz,
  status text not null default 'running' check (status in ('running', 'ok', 'partial', 'error', 'abandoned')),
  fetched integer not null default 0,
  inserted integer not null default 0,
  duplicates integer not null default 0,
  skipped integer not null default 0,
  duration_ms integer,
  error text
);
create index collector_runs_source_started on collector_runs (source_id, started_at desc);

create table source_cursors (
  source_id integer not null references sources(id) on delete cascade,
  key text not null,
  cursor jsonb not null,
  updated_at timestamptz not null default now(),
  primary key (source_id, key)
);

create table mentions (
  id bigserial primary key,
  source_id integer not null references sources(id) on delete cascade,
  external_id text not null,
  url text,
  author text,
  author_reach integer,
  title text,
  text text not null,
  language text,
  published_at timestamptz not null,
  collected_at timestamptz not null default now(),
  engagement jsonb not null default '{}',
  rating smallint check (rating between 1 and 5),
  -- Where an imported mention originally came from (e.g. "reddit" in an export from another tool).
  origin text,
  content_hash text,
  duplicate_of bigint references mentions(id) on delete set null,
  search_tsv tsvector generated always as (
    to_tsvector('english', coalesce(title, '') || ' ' || text)
  ) stored,
  unique (source_id, external_id)
);
create index mentions_published on mentions (published_at desc, id desc);
create index mentions_search on mentions using gin (search_tsv);
create index mentions_author on mentions (author);
create index mentions_content_hash on mentions (content_hash);
create index mentions_url on mentions (url);

create table mention_brands (
  mention_id bigint not null references mentions(id) on delete cascade,
  brand_id integer not null references brands(id) on delete cascade,
  sentiment_label text check (sentiment_label in ('positive', 'neutral', 'negative')),
  sentiment_score real,
  primary key (mention_id, brand_id)
);
create index mention_brands_brand on mention_brands (brand_id, mention_id);

create table analyses (
  mention_id bigint primary key references mentions(id) on delete cascade,
  analyser_version text not null,
  analysed_at timestamptz not null default now(),
  language text,
  sentiment_label text check (sentiment_label in ('positive', 'neutral', 'negative')),
  sentiment_score real,
  sentiment_confidence real,
  pain_points jsonb not null default '[]',
  pain_point_ids text[] not null default '{}',
  stage text,
  stage_confidence real,
  comparison boolean not null default false,
  switch_from text,
  switch_to text
);
create index analyses_version on analyses (analyser_version);
create index analyses_pain_points on analyses using gin (pain_point_ids);

-- A person's correction of one mention's analysis. Kept apart from `analyses` so re-analysis never
-- overwrites it; every figure reads the corrected value first (see mention_facts).
create table corrections (
  mention_id bigint primary key references mentions(id) on delete cascade,
  sentiment_label text check (sentiment_label in ('positive', 'neutral', 'negative')),
  stage text,
  pain_point_ids text[],
  corrected_by text,
  corrected_at timestamptz not null default now()
);

-- What every figure counts: the analysis with the user's corrections applied.
create view mention_facts as
select
  m.id as mention_id,
  m.source_id,
  m.published_at,
  m.language as language_hint,
  a.language,
  coalesce(c.sentiment_label, a.sentiment_label) as sentiment_label,
  a.sentiment_score,
  coalesce(c.stage, a.stage) as stage,
  coalesce(c.pain_point_ids, a.pain_point_ids) as pain_point_ids,
  (c.mention_id is not null) as corrected,
  a.analyser_version
from mentions m
left join analyses a on a.mention_id = m.id
left join corrections c on c.mention_id = m.id;

create table alerts (
  id bigserial primary key,
  rule text not null,
  key text not null,
  brand_id integer references brands(id) on delete cascade,
  status text not null default 'open' check (status in ('open', 'acknowledged', 'resolved')),
  title text not null default '',
  window_start timestamptz,
  window_end timestamptz,
  observed double precision,
  expected double precision,
  score double precision,
  pain_point text,
  stages text[] not null default '{}',
  evidence bigint[] not null default '{}',
  details jsonb not null default '{}',
  opened_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  acknowledged_at timestamptz,
  acknowledged_by text,
  resolved_at timestamptz,
  resolved_by text,
  note text
);
-- One open (or acknowledged) alert per rule and key: no alert storms.
create unique index alerts_one_active on alerts (rule, key) where status <> 'resolved';
