/**
 * Competitor share-of-voice jump. A brand's share of voice is its mentions over all brands' mentions
 * in the window; the baseline share is pooled over the same baseline samples as the volume spike.
 * Fires for a competitor (a brand not marked `own`) when its mentions ≥ minCount, its share rose by at
 * least minJump points and to at least thresholdMultiple × the baseline share. Pure.
 */
import type { Finding } from '../types.js';
import type { RuleParams } from '../config.js';
import { baselineSamples, round2, type BrandWindows } from './baseline.js';
import { fmtWindow } from './spike.js';

/** Findings for every competitor whose share jumped; `paramsFor` gives each brand's parameters. */
export function shareOfVoiceJumps(all: readonly BrandWindows[], paramsFor: (brand: string) => RuleParams['shareOfVoice']): Finding[] {
  if (all.length < 2) return [];
  const out: Finding[] = [];
  const totalNow = all.reduce((a, w) => a + w.current.total, 0);
  if (totalNow === 0) return out;
  // A cell another brand has no stored mentions for counts as 0 for it.
  const cellOf = (w: BrandWindows, day: number, offset: -1 | 0 | 1): number =>
    (offset === 0 ? w.history[day - 1] : w.neighbours[day - 1]?.[offset === -1 ? 0 : 1])?.total ?? 0;
  for (const w of all) {
    if (w.own) continue;
    const p = paramsFor(w.brand);
    if (!p.enabled || w.current.total < p.minCount) continue;
    const base = baselineSamples(w);
    if (!base) continue;
    const allBase = base.samples.reduce((a, s) => a + all.reduce((b, o) => b + cellOf(o, s.day, s.offset), 0), 0);
    if (allBase === 0) continue;
    const baseShare = base.samples.reduce((a, s) => a + s.cell.total, 0) / allBase;
    const share = w.current.total / totalNow;
    if (share - baseShare < p.minJump || share < p.thresholdMultiple * Math.max(baseShare, 0.01)) continue;
    out.push({
      rule: 'share-of-voice',
      key: w.brand,
      brand: w.brand,
      title: `${w.brand}: share of voice ${Math.round(share * 100)}% in ${fmtWindow(w.windowMinutes)}, usually ${Math.round(baseShare * 100)}%`,
      windowStart: w.windowStart,
      windowEnd: w.windowEnd,
      observed: round2(share),
      expected: round2(baseShare),
      score: round2((share - baseShare) / Math.sqrt(Math.max(baseShare * (1 - baseShare), 1e-4) / totalNow)),
      painPoint: null,
      evidence: { negativeOnly: false },
      details: { mentions: w.current.total, allMentions: totalNow, baseline: base.kind, windowMinutes: w.windowMinutes },
    });
  }
  return out;
}
