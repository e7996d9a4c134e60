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
  const r = await db.query<{ id: number; text: string; title: string | null; language: string | null; brand_hint: string | null }>(
    `select m.id, m.text, m.title, m.language, coalesce(m.brand_hint, b.name) as brand_hint
       from mentions m
       join sources s on s.id = m.source_id
       left join brands b on b.id = s.brand_id
       left join analyses a on a.mention_id = m.id
      where m.id > $2 and (a.mention_id is null or a.analyser_version <> $1)
      order by m.id
      limit $3`,
    [version, afterId, limit],
  );
  return r.rows.map((x) => ({ id: x.id, text: x.text, title: x.title, language: x.language, brandHint: x.brand_hint }));
}

/** The mentions of `ids` as the analyser needs them (ids of deleted mentions are simply absent). */
export async function loadMentionsForAnalysis(db: Queryable, ids: readonly number[]): Promise<PendingMention[]> {
  if (ids.length === 0) return [];
  const r = await db.query<{ id: number; text: string; title: string | null; language: string | null; brand_hint: string | null }>(
    `select m.id, m.text, m.title, m.language, coalesce(m.brand_hint, b.name) as brand_hint
       from mentions m
       join sources s on s.id = m.source_id
       left join brands b on b.id = s.brand_id
      where m.id = any($1::bigint[])
      order by m.id`,
    [ids],
  );
  return r.rows.map((x) => ({ id: x.id, text: x.text, title: x.title, language: x.language, brandHint: x.brand_hint }));
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
  result: AnalysisResult;
}

/**
 * Stores a batch of analyses in one statement per table (unnest of parallel arrays), replacing any
 * older analysis and the mention's brand matches. `brandIds` maps brand name → id.
 */
export async function saveAnalyses(db: Queryable, version: string, items: AnalysedMention[], brandIds: Map<string, number>): Promise<void> {
  if (items.length === 0) return;
  const ids = items.map((i) => i.mentionId);
  await db.query(
    `insert into analyses (mention_id, analyser_version, analysed_at, language, sentiment_label, sentiment_score,
                           sentiment_confidence, pain_points, pain_point_ids, stage, stage_confidence, comparison, switch_from, switch_to)
     select t.id, $1, now(), t.lang, t.label, t.score, t.conf, t.pp::jsonb,
            array(select jsonb_array_elements(t.pp::jsonb) ->> 'id'), t.stage, t.stage_conf, t.cmp, t.sw_from, t.sw_to
       from unnest($2::bigint[], $3::text[], $4::text[], $5::real[], $6::real[], $7::text[], $8::text[], $9::real[], $10::boolean[], $11::text[], $12::text[])
         as t(id, lang, label, score, conf, pp, stage, stage_conf, cmp, sw_from, sw_to)
     on conflict (mention_id) do update set
       analyser_version = excluded.analyser_version, analysed_at = excluded.analysed_at, language = excluded.language,
       sentiment_label = excluded.sentiment_label, sentiment_score = excluded.sentiment_score,
       sentiment_confidence = excluded.sentiment_confidence, pain_points = excluded.pain_points,
       pain_point_ids = excluded.pain_point_ids, stage = excluded.stage, stage_confidence = excluded.stage_confidence,
       comparison = excluded.comparison, switch_from = excluded.switch_from, switch_to = excluded.switch_to,
       times_analysed = analyses.times_analysed + 1`,
    [
      version,
      ids,
      items.map((i) => i.result.language),
      items.map((i) => i.result.sentiment.label),
      items.map((i) => i.result.sentiment.score),
      items.map((i) => i.result.sentiment.confidence),
      items.map((i) => JSON.stringify(i.result.painPoints)),
      items.map((i) => i.result.stage?.id ?? null),
      items.map((i) => i.result.stage?.confidence ?? null),
      items.map((i) => i.result.comparison),
      items.map((i) => i.result.switching?.from ?? null),
      items.map((i) => i.result.switching?.to ?? null),
    ],
  );
  await db.query('delete from mention_brands where mention_id = any($1::bigint[])', [ids]);
  const mb = { m: [] as number[], b: [] as number[], label: [] as (string | null)[], score: [] as (number | null)[] };
  for (const it of items) {
    for (const br of it.result.brands) {
      const bid = brandIds.get(br.name);
      if (bid === undefined) continue;
      mb.m.push(it.mentionId);
      mb.b.push(bid);
      mb.label.push(br.sentiment?.label ?? null);
      mb.score.push(br.sentiment?.score ?? null);
    }
  }
  if (mb.m.length > 0) {
    await db.query(
      `insert into mention_brands (mention_id, brand_id, sentiment_label, sentiment_score)
       select * from unnest($1::bigint[], $2::int[], $3::text[], $4::real[]) on conflict do nothing`,
      [mb.m, mb.b, mb.label, mb.score],
    );
  }
}

/** Brand name → id, for storing matches. */
export async function brandIdsByName(db: Queryable): Promise<Map<string, number>> {
  const r = await db.query<{ id: number; name: string }>('select id, name from brands');
  return new Map(r.rows.map((x) => [x.name, x.id]));
}
