/**
 * Spike rule (documented, with named parameters; huginn's peak detector is the model):
 *
 *   A bucket is a spike when, against the mean of the `window` buckets just before it (the baseline),
 *     count >= minCount                       (ignore tiny numbers)
 *     count >= multiple × baseline            (clearly above the usual level)
 *     count - baseline >= sigmas × √max(baseline, 1)   (beyond Poisson noise)
 *   and at least `minHistory` earlier buckets exist. Defaults: window 24 (hourly) / 7 (daily),
 *   minCount 5, multiple 2, sigmas 3, minHistory 3.
 */

/** Parameters of the spike rule. */
export interface SpikeRule {
  window: number;
  minCount: number;
  multiple: number;
  sigmas: number;
  minHistory: number;
}

/** The default rule for a bucket unit. */
export function defaultSpikeRule(unit: 'hour' | 'day'): SpikeRule {
  return { window: unit === 'hour' ? 24 : 7, minCount: 5, multiple: 2, sigmas: 3, minHistory: 3 };
}

/** For each count, its baseline and whether it is a spike. `counts` may start with history buckets. */
export function markSpikes(counts: readonly number[], rule: SpikeRule): Array<{ spike: boolean; baseline: number | null }> {
  return counts.map((n, i) => {
    const hist = counts.slice(Math.max(0, i - rule.window), i);
    if (hist.length < rule.minHistory) return { spike: false, baseline: null };
    const baseline = hist.reduce((a, b) => a + b, 0) / hist.length;
    const spike = n >= rule.minCount && n >= rule.multiple * baseline && n - baseline >= rule.sigmas * Math.sqrt(Math.max(baseline, 1));
    return { spike, baseline };
  });
}
