-- 0002 (collectors): what ingestion needs beyond the base schema.
--  * mentions.url_key: the normalised URL (scheme, www., tracking parameters and fragment removed), so the
--    same article reached through two sources links as a duplicate; content_hash is the normalised text.
--  * mentions.brand_hint: the brand a source attributes an item to (own app reviews, own channel), set per
--    mention because one App Store source may watch apps of several brands.
--  * sources.lease_until / lease_owner: a short lease taken before a run, so two processes sharing one
--    PostgreSQL never run the same source at once (the in-process flag covers one process).
--  * collector_runs.filtered: items fetched by a search that the brand's full query then rejected locally.
alter table mentions add column url_key text;
alter table mentions add column brand_hint text;
create index mentions_url_key on mentions (url_key) where url_key is not null;

alter table sources add column lease_until timestamptz;
alter table sources add column lease_owner text;

alter table collector_runs add column filtered integer not null default 0;
