/**
 * The seasonal, trend-following baseline every count rule compares with. Pure: counts in, expectation out.
 *
 * The window being judged is (at − window, at]. Its history is the same window d = 1, 2, … days
 * earlier (same time of day), as far back as the brand's stored mentions reach.
 *
 * Samples:
 *   | history covered | samples                                                         | kind   |
 *   |-----------------|-----------------------------------------------------------------|--------|
 *   | < 3 days        | none: no baseline, no alert (a new install never alerts day one) | —      |
 *   | 3 to 13 days    | every earlier day at the same time of day                       | daily  |
 *   | ≥ 14 days       | the same weekday and time (d = 7, 14, 21, 28) with the windows  | weekly |
 *   |                 | just before and after each (hour-of-day shape blurred by one)   |        |
 *
 * Trend: the samples are projected to today's level with a ratio estimator,
 *   expected = level₀ × Σ sampleᵢ / Σ levelᵢ,
 * where levelᵢ is the brand's mentions in the 7 days before sample i's window and level₀ the same for
 * the window being judged. Whole weeks carry neither the daily nor the weekly pattern, so the ratio
 * measures the level only: a slow rise raises the expectation with it and never looks like a spike,
 * and a weekly pattern is left alone. Pooling the counts before dividing keeps small counts (0, 1, 2
 * mentions an hour) from being blown up by per-sample ratios. The trailing weeks end where the windows
 * start, so the spike being judged does not raise its own bar. Samples whose week is unknown (less
 * than a day of it stored) are left out of the ratio; with none left, expected is the plain mean.
 *
 * Spread: variance = the mean squared deviation of the projected samples (sampleᵢ × level₀ / levelᵢ)
 * from expected, so a baseline that varies a lot needs a bigger excess to fire.
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
  /** `history[d − 1]` is the same window d days earlier; null where the stored mentions do not cover it. */
  history: (WindowCounts | null)[];
  /** `neighbours[d − 1]`: the windows just before and just after `history[d − 1]` (null: not covered). */
  neighbours: [WindowCounts | null, WindowCounts | null][];
  /**
   * `levels[d]`: the brand's mentions in the 7 days that end d days before `windowStart` (scaled up to
   * 7 days when only partly covered; null when less than a day is covered). `levels[0]` is this week.
   */
  levels: (number | null)[];
}

/** Fewest samples a baseline needs. */
export const MIN_SAMPLES = 3;
/** Days of history from which only the same weekday counts. */
export const WEEKLY_FROM_DAYS = 14;
const MAX_FACTOR = 3;

/** One baseline sample: a stored window. */
export interface BaselineSample {
  /** Days back. */
  day: number;
  /** −1 the window before, 0 the same window, 1 the window after. */
  offset: -1 | 0 | 1;
  cell: WindowCounts;
}

/** The samples a brand's baseline uses (see the table above); null when there are too few. */
export function baselineSamples(w: BrandWindows): { kind: 'weekly' | 'daily'; samples: BaselineSample[] } | null {
  const covered = w.history.filter((h) => h !== null).length;
  const kind = w.history[WEEKLY_FROM_DAYS - 1] ? 'weekly' : 'daily';
  const samples: BaselineSample[] = [];
  for (let d = 1; d <= w.history.length; d++) {
    const cell = w.history[d - 1];
    if (!cell || (kind === 'weekly' && d % 7 !== 0)) continue;
    samples.push({ day: d, offset: 0, cell });
    if (kind === 'weekly') {
      const [before, after] = w.neighbours[d - 1] ?? [null, null];
      if (before) samples.push({ day: d, offset: -1, cell: before });
      if (after) samples.push({ day: d, offset: 1, cell: after });
    }
  }
  if (covered < MIN_SAMPLES || samples.length < MIN_SAMPLES) return null;
  return { kind, samples };
}

/** Median of a non-empty list. */
export function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

/** A baseline for one count: the projected samples, their expectation and variance. */
export interface Baseline {
  kind: 'weekly' | 'daily';
  /** The projected sample values, rounded to 2 decimals (for details and messages). */
  samples: number[];
  /** The level factor applied (today's weekly level over the samples' mean weekly level, in [⅓, 3]). */
  trend: number;
  expected: number;
  variance: number;
}

/** Projects `pick(cell)` of every sample to today's level (see above); null when there is no baseline. */
export function seasonalBaseline(w: BrandWindows, pick: (c: WindowCounts) => number): Baseline | null {
  const s = baselineSamples(w);
  if (!s) return null;
  const now = w.levels[0] ?? null;
  const known = s.samples.filter((x) => now !== null && (w.levels[x.day] ?? null) !== null);
  let expected: number;
  let trend = 1;
  if (known.length >= MIN_SAMPLES && now !== null) {
    const counts = known.reduce((a, x) => a + pick(x.cell), 0);
    const levels = known.reduce((a, x) => a + (w.levels[x.day] as number), 0);
    trend = levels > 0 ? Math.min(MAX_FACTOR, Math.max(1 / MAX_FACTOR, (now * known.length) / levels)) : 1;
    expected = (counts / known.length) * trend;
  } else {
    expected = s.samples.reduce((a, x) => a + pick(x.cell), 0) / s.samples.length;
  }
  const values = s.samples.map((x) => pick(x.cell) * (known.includes(x) ? trend : 1));
  const variance = values.reduce((a, v) => a + (v - expected) ** 2, 0) / values.length;
  return { kind: s.kind, samples: values.map(round2), trend: round2(trend), expected, variance };
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
export function judgeSpike(observed: number, w: BrandWindows, pick: (c: WindowCounts) => number, p: SpikeParams): SpikeVerdict | null {
  const baseline = seasonalBaseline(w, pick);
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
