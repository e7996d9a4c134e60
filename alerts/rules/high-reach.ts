/**
 * A single negative mention with high reach: one alert per mention whose author's audience (or the
 * post's own likes + shares) reaches minReach, published within the window. Pure.
 */
import type { Finding } from '../types.js';
import type { RuleParams } from '../config.js';

/** A negative mention with its reach figures. */
export interface ReachCandidate {
  id: number;
  brand: string;
  publishedAt: Date;
  authorReach: number | null;
  engagement: number;
  painPoint: string | null;
  author: string | null;
}

/** Findings for the candidates at or above minReach (the loader already keeps only negative ones). */
export function highReachMentions(cands: readonly ReachCandidate[], windowStart: Date, windowEnd: Date, paramsFor: (brand: string) => RuleParams['highReach']): Finding[] {
  const out: Finding[] = [];
  for (const c of cands) {
    const p = paramsFor(c.brand);
    if (!p.enabled) continue;
    const reach = Math.max(c.authorReach ?? 0, c.engagement);
    if (reach < p.minReach) continue;
    out.push({
      rule: 'high-reach',
      key: `${c.brand}:${c.id}`,
      brand: c.brand,
      title: `${c.brand}: negative mention by ${c.author ?? 'an author'} with reach ${reach.toLocaleString('en')}`,
      windowStart,
      windowEnd,
      observed: reach,
      expected: p.minReach,
      score: Math.round((reach / p.minReach) * 100) / 100,
      painPoint: c.painPoint,
      evidence: { negativeOnly: true, mentionIds: [c.id] },
      details: { mentionId: c.id, authorReach: c.authorReach, engagement: c.engagement },
    });
  }
  return out;
}
