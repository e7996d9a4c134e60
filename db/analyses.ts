/**
 * Analyses: which mentions still need analysing by the current analyser version, and storing results
 * (the analysis row and the per-brand matches with entity-level sentiment). A user's correction lives
 * in `corrections` and is never touched here, so re-analysis cannot overwrite it.
 */
import type { Queryable } from './index.js';
import type { AnalysisResult } from '../model.js';

/** A mention as the analyser needs it. */
export interface PendingMention {
  id: number;
  /** The partition key; its UTC hour is the rollup hour the analysis changes. */
  publishedAt: Date;
  text: string;
  title: string | null;
  language: string | null;
  brandHint: string | null;
}

/**
 * Up to `limit` mentions with no analysis, or one by another analyser version, with id > `afterId`
 * (keyset, so a batch loop always moves forward even when a mention fails).
 */
export async function listPendingMentions(db: Queryable, version: string, limit: number, afterId = 0): Promise<PendingMention[]> {
  const r = await db.query<{ id: number; published_at: Date; text: string; title: string | null; language: string | null; brand_hint: string | null }>(
    `select m.id, m.published_at, m.text, m.title, m.language, coalesce(m.brand_hint, b.name) as brand_hint
       from mentions m
       join sources s on s.id = m.source_id
       left join brands b on b.id = s.brand_id
       left join analyses a on a.mention_id = m.id
      where m.id > $2 and (a.mention_id is null or a.analyser_version <> $1)
      order by m.id
      limit $3`,
    [version, afterId, limit],
  );
  return r.rows.map((x) => ({ id: x.id, publishedAt: x.published_at, text: x.text, title: x.title, language: x.language, brandHint: x.brand_hint }));
}

/** How many mentions still need the current analyser version. */
export async function countPendingMentions(db: Queryable, version: string): Promise<number> {
  const r = await db.query<{ n: number }>(
    `select count(*)::int as n from mentions m left join analyses a on a.mention_id = m.id
      where a.mention_id is null or a.analyser_version <> $1`,
    [version],
  );
  return r.rows[0]?.n ?? 0;
}

/** One analysed mention to store. */
export interface AnalysedMention {
  mentionId: number;
  /** The mention's published_at (its UTC hour is marked for the rollups). */
  publishedAt: Date;
  result: AnalysisResult;
}

/** The claim a batch is stored under (db/jobs.ts claimAnalysisBatch). */
export interface BatchClaim {
  token: string;
  /** Claimed ids that leave the queue: the analysed ones and those whose mention is gone. */
  done: readonly number[];
}

/**
 * Stores a claimed batch in one statement, so in one transaction and one round trip: removes from the
 * queue the rows of `claim.done` still leased under `claim.token`, and for those mentions only upserts
 * the analysis (replacing an older one, `times_analysed` + 1), replaces the brand matches
 * (entity-level sentiment; `brandIds` maps brand name → id) and marks the UTC hours of their
 * published_at in rollup_marks. Returns the ids removed from the queue; an analysis whose id is not
 * among them was not stored (its lease expired and another worker holds it now).
 *
 * The statement sets `earshot.rollup_marked` for its own transaction first, so the statement triggers
 * on analyses and mention_brands (0010) leave the marking to it instead of looking every mention up
 * again. Corrections live in their own table and are never touched here.
 */
export async function storeAnalyses(db: Queryable, claim: BatchClaim, version: string, items: readonly AnalysedMention[], brandIds: Map<string, number>): Promise<Set<number>> {
  if (claim.done.length === 0) return new Set();
  const rows = items.map((i) => {
    const r = i.result;
    const brands: [number, string | null, number | null][] = [];
    for (const br of r.brands) {
      const bid = brandIds.get(br.name);
      if (bid !== undefined) brands.push([bid, br.sentiment?.label ?? null, br.sentiment?.score ?? null]);
    }
    return {
      id: i.mentionId, at: i.publishedAt, lang: r.language, label: r.sentiment.label, score: r.sentiment.score, conf: r.sentiment.confidence,
      pain: r.painPoints, stage: r.stage?.id ?? null, stage_conf: r.stage?.confidence ?? null, cmp: r.comparison,
      sw_from: r.switching?.from ?? null, sw_to: r.switching?.to ?? null, brands,
    };
  });
  const r = await db.query<{ mention_id: number }>(
    `with flag as materialized (select set_config('earshot.rollup_marked', 'on', true) as v),
     done as (
       delete from analysis_queue q
        where q.mention_id = any($2::bigint[]) and q.lease_owner = $1 and (select v from flag) = 'on'
       returning q.mention_id),
     t as materialized (
       select t.* from jsonb_to_recordset($4::jsonb) as t(id bigint, at timestamptz, lang text, label text, score real, conf real,
                                                          pain jsonb, stage text, stage_conf real, cmp boolean, sw_from text, sw_to text, brands jsonb)
        where t.id in (select mention_id from done)),
     a as (
       insert into analyses (mention_id, analyser_version, analysed_at, language, sentiment_label, sentiment_score,
                             sentiment_confidence, pain_points, pain_point_ids, stage, stage_confidence, comparison, switch_from, switch_to)
       select t.id, $3, now(), t.lang, t.label, t.score, t.conf, t.pain, array(select jsonb_array_elements(t.pain) ->> 'id'),
              t.stage, t.stage_conf, t.cmp, t.sw_from, t.sw_to
         from t
       on conflict (mention_id) do update set
         analyser_version = excluded.analyser_version, analysed_at = excluded.analysed_at, language = excluded.language,
         sentiment_label = excluded.sentiment_label, sentiment_score = excluded.sentiment_score,
         sentiment_confidence = excluded.sentiment_confidence, pain_points = excluded.pain_points,
         pain_point_ids = excluded.pain_point_ids, stage = excluded.stage, stage_confidence = excluded.stage_confidence,
         comparison = excluded.comparison, switch_from = excluded.switch_from, switch_to = excluded.switch_to,
         times_analysed = analyses.times_analysed + 1),
     b as materialized (
       select t.id as mention_id, (x ->> 0)::int as brand_id, x ->> 1 as label, (x ->> 2)::real as score
         from t cross join lateral jsonb_array_elements(t.brands) x),
     b_upsert as (
       insert into mention_brands (mention_id, brand_id, sentiment_label, sentiment_score)
       select mention_id, brand_id, label, score from b
       on conflict (mention_id, brand_id) do update set sentiment_label = excluded.sentiment_label, sentiment_score = excluded.sentiment_score),
     b_stale as (
       delete from mention_brands o using t
        where o.mention_id = t.id and not exists (select 1 from b where b.mention_id = o.mention_id and b.brand_id = o.brand_id)),
     marks as (
       insert into rollup_marks (hour) select distinct date_trunc('hour', t.at, 'UTC') from t)
     select mention_id from done`,
    [claim.token, claim.done, version, JSON.stringify(rows)],
  );
  return new Set(r.rows.map((x) => x.mention_id));
}

/** Brand name → id, for storing matches. */
export async function brandIdsByName(db: Queryable): Promise<Map<string, number>> {
  const r = await db.query<{ id: number; name: string }>('select id, name from brands');
  return new Map(r.rows.map((x) => [x.name, x.id]));
}
