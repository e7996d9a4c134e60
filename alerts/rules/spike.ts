/**
 * Count rules for one brand: mention-volume spike, negative-share spike and pain-point surge. Pure
 * functions of a brand's window counts (see baseline.ts); each returns the findings that fire.
 */
import type { Finding } from '../types.js';
import type { RuleParams } from '../config.js';
import { baselineSamples, judgeSpike, round2, type BrandWindows } from './baseline.js';

/**
 * Volume spike: the brand's mentions in the window against the seasonal baseline.
 * Parameters: windowMinutes, thresholdMultiple, minCount, minScore (see judgeSpike).
 */
export function volumeSpike(w: BrandWindows, p: RuleParams['volumeSpike']): Finding | null {
  const v = judgeSpike(w.current.total, w, (c) => c.total, p);
  if (!v?.fires) return null;
  const pain = dominantPainPoint(w.current.painPoints, w.current.total);
  return {
    rule: 'volume-spike',
    key: w.brand,
    brand: w.brand,
    title: `${w.brand}: ${w.current.total} mentions in ${fmtWindow(w.windowMinutes)}, ${round2(w.current.total / Math.max(v.expected, 1))}× the usual ${round2(v.expected)}`,
    windowStart: w.windowStart,
    windowEnd: w.windowEnd,
    observed: w.current.total,
    expected: round2(v.expected),
    score: round2(v.score),
    painPoint: pain,
    evidence: { negativeOnly: false, ...(pain ? { painPoint: pain } : {}) },
    details: { baseline: v.baseline.kind, samples: v.baseline.samples, trend: v.baseline.trend, negative: w.current.negative, windowMinutes: w.windowMinutes },
  };
}

/**
 * Negative-share spike: the share of negative mentions in the window against the pooled share of the
 * baseline samples (the same samples as the volume spike; a share needs no trend projection). Fires when negatives ≥ minCount, share ≥ minShare, share ≥ thresholdMultiple ×
 * max(expected share, 0.02) and the binomial z-score (share − p) / √(p(1 − p) / n) ≥ minScore.
 */
export function negativeShareSpike(w: BrandWindows, p: RuleParams['negativeShare']): Finding | null {
  const { total, negative } = w.current;
  if (total === 0 || negative < p.minCount) return null;
  const base = baselineSamples(w);
  if (!base) return null;
  const cells = base.samples.map((s) => s.cell);
  const bt = cells.reduce((a, c) => a + c.total, 0);
  const bn = cells.reduce((a, c) => a + c.negative, 0);
  if (bt === 0) return null;
  const share = negative / total;
  const expected = Math.max(bn / bt, 0.02);
  const score = (share - expected) / Math.sqrt((expected * (1 - expected)) / total);
  if (share < p.minShare || share < p.thresholdMultiple * expected || score < p.minScore) return null;
  const pain = dominantPainPoint(w.current.painPoints, negative);
  return {
    rule: 'negative-share',
    key: w.brand,
    brand: w.brand,
    title: `${w.brand}: ${Math.round(share * 100)}% negative (${negative} of ${total}) in ${fmtWindow(w.windowMinutes)}, usually ${Math.round((bn / bt) * 100)}%`,
    windowStart: w.windowStart,
    windowEnd: w.windowEnd,
    observed: round2(share),
    expected: round2(bn / bt),
    score: round2(score),
    painPoint: pain,
    evidence: { negativeOnly: true, ...(pain ? { painPoint: pain } : {}) },
    details: { baseline: base.kind, negative, total, baselineNegative: bn, baselineTotal: bt, windowMinutes: w.windowMinutes },
  };
}

/**
 * Pain-point surge: for each pain point, the brand's mentions tagged with it in the window against the
 * seasonal baseline of that pain point (same test as the volume spike, own parameters).
 */
export function painPointSurges(w: BrandWindows, p: RuleParams['painPointSurge']): Finding[] {
  const out: Finding[] = [];
  for (const [pain, observed] of Object.entries(w.current.painPoints)) {
    const v = judgeSpike(observed, w, (c) => c.painPoints[pain] ?? 0, p);
    if (!v?.fires) continue;
    out.push({
      rule: 'pain-point-surge',
      key: `${w.brand}:${pain}`,
      brand: w.brand,
      title: `${w.brand}: ${observed} '${pain}' complaints in ${fmtWindow(w.windowMinutes)}, ${round2(observed / Math.max(v.expected, 1))}× the usual ${round2(v.expected)}`,
      windowStart: w.windowStart,
      windowEnd: w.windowEnd,
      observed,
      expected: round2(v.expected),
      score: round2(v.score),
      painPoint: pain,
      evidence: { negativeOnly: false, painPoint: pain },
      details: { baseline: v.baseline.kind, samples: v.baseline.samples, trend: v.baseline.trend, windowMinutes: w.windowMinutes },
    });
  }
  return out.sort((a, b) => b.score - a.score);
}

/** The pain point named by at least 30% of `of` mentions (the most named), or null. */
export function dominantPainPoint(counts: Record<string, number>, of: number): string | null {
  let best: [string, number] | null = null;
  for (const e of Object.entries(counts)) if (!best || e[1] > best[1] || (e[1] === best[1] && e[0] < best[0])) best = e;
  return best && of > 0 && best[1] / of >= 0.3 ? best[0] : null;
}

/** "60 min" / "3 h". */
export function fmtWindow(min: number): string {
  return min % 60 === 0 ? `${min / 60} h` : `${min} min`;
}
