/**
 * The seasonal baseline every count rule compares with. Pure: counts in, expectation out.
 *
 * The window being judged is (at − window, at]. Its history is the same window 1, 2, … days earlier
 * (same time of day), as far back as stored mentions reach. With at least two weeks of history only the
 * same weekday counts (so a busy Monday morning is compared with earlier Monday mornings and a weekly
 * pattern never fires), each with its two neighbouring windows (so two weeks give six samples, and the
hour-of-day shape is blurred by one window either way); with less, every earlier day at the same time
of day counts. Fewer than
 * `MIN_SAMPLES` samples: no baseline, no alert (a new install must not alert on its first day).
 *
 * Weekly samples lag a trend (the newest is a week old), so in weekly mode the mean is scaled by the
 * trend: the mean of the last 7 days over the mean of all history at this time of day, kept within
 * [1, 3] (a rising level raises the expectation; a falling one never lowers it, which would only
 * make alerts easier). A slow rise therefore never looks like a spike.
 */

/** Mention counts in one window. */
export interface WindowCounts {
  total: number;
  negative: number;
  /** Mentions tagged with each pain point. */
  painPoints: Record<string, number>;
}

/** One brand's window now and the same window on earlier days. */
export interface BrandWindows {
  brand: string;
  own: boolean;
  windowStart: Date;
  windowEnd: Date;
  windowMinutes: number;
  current: WindowCounts;
  /** `history[i]` is the same window i + 1 days earlier; only days the stored mentions cover. */
  history: WindowCounts[];
  /** `neighbours[i]`: the windows just before and after `history[i]` (weekly samples use them too). */
  neighbours: [WindowCounts, WindowCounts][];
}

/** Fewest samples a baseline needs. */
export const MIN_SAMPLES = 3;

/** A baseline: the samples used, their mean and variance. */
export interface Baseline {
  kind: 'weekly' | 'daily';
  samples: number[];
  /** Weekly mode: the factor the samples' mean was scaled by (1 in daily mode). */
  trend: number;
  expected: number;
  variance: number;
}

/** Picks the samples (same weekday when ≥ 2 weeks of history, else every day) and summarises them. */
export function seasonalBaseline(history: readonly number[], neighbours: readonly (readonly number[])[] = []): Baseline | null {
  const weekly = history.flatMap((v, i) => ((i + 1) % 7 === 0 ? [v, ...(neighbours[i] ?? [])] : []));
  const kind = history.length >= 14 ? 'weekly' : 'daily';
  const samples = kind === 'weekly' ? weekly : [...history];
  if (samples.length < MIN_SAMPLES) return null;
  const mean = (xs: readonly number[]): number => xs.reduce((a, b) => a + b, 0) / xs.length;
  const raw = mean(samples);
  const all = mean(history);
  const trend = kind === 'weekly' && all > 0 ? Math.min(3, Math.max(1, mean(history.slice(0, 7)) / all)) : 1;
  const expected = raw * trend;
  const variance = samples.reduce((a, b) => a + (b * trend - expected) ** 2, 0) / samples.length;
  return { kind, samples, expected, variance, trend };
}

/** Parameters of a count spike. */
export interface SpikeParams {
  thresholdMultiple: number;
  minCount: number;
  minScore: number;
}

/** The verdict on one count against its baseline. */
export interface SpikeVerdict {
  fires: boolean;
  expected: number;
  score: number;
  baseline: Baseline;
}

/**
 * A count spike fires when all three hold:
 *   observed ≥ minCount;
 *   observed ≥ thresholdMultiple × max(expected, 1);
 *   score = (observed − expected) / √(max(expected, 1) + variance) ≥ minScore
 *   (a Poisson-like z-score widened by how much the baseline itself varies).
 * Returns null when there is no baseline yet.
 */
export function judgeSpike(observed: number, history: readonly number[], p: SpikeParams, neighbours: readonly (readonly number[])[] = []): SpikeVerdict | null {
  const baseline = seasonalBaseline(history, neighbours);
  if (!baseline) return null;
  const floor = Math.max(baseline.expected, 1);
  const score = (observed - baseline.expected) / Math.sqrt(floor + baseline.variance);
  const fires = observed >= p.minCount && observed >= p.thresholdMultiple * floor && score >= p.minScore;
  return { fires, expected: baseline.expected, score, baseline };
}

/** Rounds a figure for storage and messages. */
export function round2(v: number): number {
  return Math.round(v * 100) / 100;
}
