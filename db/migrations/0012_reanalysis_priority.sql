-- 0012 (analysis): new mentions before re-analysis. After an analyser upgrade every stored mention is
-- queued again (enqueueOutdatedAnalyses); claimed in id order, a million of them would hold back the
-- mentions collected meanwhile — and with them the alerts on what customers say now. Queue rows of a
-- re-analysis say so, and workers claim the other rows first (db/jobs.ts claimAnalysisBatch 'new').
-- A column with a constant default is added without rewriting the table.
alter table analysis_queue add column reanalysis boolean not null default false;
create index analysis_queue_new on analysis_queue (mention_id) where not reanalysis;
-- Rows queued before this migration for a mention that already has an analysis are a re-analysis.
update analysis_queue q set reanalysis = true where exists (select 1 from analyses a where a.mention_id = q.mention_id);
