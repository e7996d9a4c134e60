/**
 * A person's correction of one mention's analysis (sentiment, journey stage, pain points). Stored in
 * `corrections`, apart from `analyses`, so re-analysis never overwrites it; `mention_facts`, the
 * explorer and the rollups all read the corrected value first. A field left null keeps the analysis.
 */
import type { Db } from './index.js';
import { refreshRollups } from './stats.js';
import { NotFoundError, ValidationError } from '../errors.js';
import { JOURNEY_STAGES, SENTIMENT_LABELS, type SentimentLabel } from '../model.js';

/** What a correction sets; null fields fall back to the analysis. */
export interface CorrectionInput {
  sentiment: SentimentLabel | null;
  stage: string | null;
  /** null keeps the analysed pain points; [] says "none". */
  painPoints: string[] | null;
  by: string | null;
}

/** A stored correction. */
export interface Correction extends CorrectionInput {
  mentionId: number;
  correctedAt: Date;
}

/**
 * Saves (replaces) the correction of one mention and refreshes the rollups of its hour, so every
 * figure counts it at once. Throws ValidationError for a bad value, NotFoundError for an unknown mention.
 */
export async function saveCorrection(db: Db, mentionId: number, input: CorrectionInput): Promise<Correction> {
  if (input.sentiment !== null && !(SENTIMENT_LABELS as readonly string[]).includes(input.sentiment)) {
    throw new ValidationError(`corrections: sentiment '${input.sentiment}' is not one of ${SENTIMENT_LABELS.join(', ')}`, { field: 'sentiment' });
  }
  if (input.stage !== null && !(JOURNEY_STAGES as readonly string[]).includes(input.stage)) {
    throw new ValidationError(`corrections: stage '${input.stage}' is not one of ${JOURNEY_STAGES.join(', ')}`, { field: 'stage' });
  }
  for (const p of input.painPoints ?? []) {
    if (!/^[a-z0-9-]{1,60}$/.test(p)) throw new ValidationError(`corrections: '${p}' is not a pain-point id`, { field: 'pain_points' });
  }
  const exists = await db.query('select 1 from mentions where id = $1', [mentionId]);
  if (exists.rowCount === 0) throw new NotFoundError(`corrections: no mention with id ${mentionId}`);
  const pains = input.painPoints === null ? null : [...new Set(input.painPoints)];
  const r = await db.query<{ corrected_at: Date }>(
    `insert into corrections (mention_id, sentiment_label, stage, pain_point_ids, corrected_by, corrected_at)
     values ($1, $2, $3, $4::text[], $5, now())
     on conflict (mention_id) do update set sentiment_label = excluded.sentiment_label, stage = excluded.stage,
       pain_point_ids = excluded.pain_point_ids, corrected_by = excluded.corrected_by, corrected_at = excluded.corrected_at
     returning corrected_at`,
    [mentionId, input.sentiment, input.stage, pains, input.by],
  );
  await refreshRollups(db, { mentionIds: [mentionId] });
  return { mentionId, sentiment: input.sentiment, stage: input.stage, painPoints: pains, by: input.by, correctedAt: r.rows[0]!.corrected_at };
}

/** Removes a mention's correction (back to the analysis). Returns whether there was one. */
export async function deleteCorrection(db: Db, mentionId: number): Promise<boolean> {
  const r = await db.query('delete from corrections where mention_id = $1', [mentionId]);
  await refreshRollups(db, { mentionIds: [mentionId] });
  return r.rowCount > 0;
}

/** The correction of one mention, or null. */
export async function getCorrection(db: Db, mentionId: number): Promise<Correction | null> {
  const r = await db.query<{ sentiment_label: SentimentLabel | null; stage: string | null; pain_point_ids: string[] | null; corrected_by: string | null; corrected_at: Date }>(
    'select sentiment_label, stage, pain_point_ids, corrected_by, corrected_at from corrections where mention_id = $1',
    [mentionId],
  );
  const x = r.rows[0];
  if (!x) return null;
  return { mentionId, sentiment: x.sentiment_label, stage: x.stage, painPoints: x.pain_point_ids, by: x.corrected_by, correctedAt: x.corrected_at };
}
