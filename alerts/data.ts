/**
 * Loads what the rules read, through db/alerts.ts. Counts come from ONE grouped query over the whole
 * baseline period (buckets counted back from the anchor, see countMentionBuckets); every window, its
 * same-time-of-day history, its neighbours and the trailing-week levels are then summed in code from
 * prefix sums. The live cycle loads one evaluation time; a backtest loads its whole range once and asks
 * for each step (`loadEvaluationRange`), so a replay costs a handful of queries, not one per window.
 */
import type { Queryable } from '../db/index.js';
import { countMentionBuckets, firstMentionAt, listAlertBrands, listHighReachNegatives, listNegativeTexts, type NegativeTextRow } from '../db/alerts.js';
import { rulesForBrand, type AlertsConfig } from './config.js';
import { windowKey, windowsNeeded, type EvaluationData, type WindowSpec } from './evaluate.js';
import type { BrandWindows, WindowCounts } from './rules/baseline.js';
import { hasEmergingCandidates, type EmergingInput } from './rules/emerging.js';
import type { ReachCandidate } from './rules/high-reach.js';

const MINUTE = 60_000;
const DAY = 86_400_000;
const WEEK_DAYS = 7;
/** Negative texts kept per brand for the emerging-complaint rule. */
const TEXT_LIMIT = 5000;

const gcd = (a: number, b: number): number => (b === 0 ? a : gcd(b, a % b));

/** Prefix sums of one brand's bucketed counts: `sum(p, b0, b1)` = buckets b0 … b1 − 1 back from the anchor. */
interface BrandSeries {
  total: Float64Array;
  negative: Float64Array;
  pains: Map<string, Float64Array>;
  /** Buckets back from the anchor that the brand's stored mentions cover (its oldest mention's bucket + 1). */
  covered: number;
}

function prefix(counts: Float64Array): Float64Array {
  const p = new Float64Array(counts.length + 1);
  for (let i = 0; i < counts.length; i++) p[i + 1] = p[i]! + counts[i]!;
  return p;
}

/** Sum of buckets [b0, b1) from a prefix array; buckets outside the loaded range count 0. */
function sum(p: Float64Array, b0: number, b1: number): number {
  const n = p.length - 1;
  const lo = Math.max(0, Math.min(n, b0));
  const hi = Math.max(0, Math.min(n, b1));
  return hi > lo ? p[hi]! - p[lo]! : 0;
}

/** Per-step access to loaded counts and texts. */
export type EvaluationAt = (at: Date) => EvaluationData;

/**
 * Loads everything the rules need to evaluate every `stepMinutes` from `from` to `to` (the last step
 * is the anchor; steps are `anchor − k × step`), and returns a function giving each step's data.
 */
export async function loadEvaluationRange(db: Queryable, cfg: AlertsConfig, range: { from: Date; to: Date; stepMinutes: number }): Promise<EvaluationAt> {
  const stepMs = Math.max(1, Math.round(range.stepMinutes * MINUTE));
  const anchor = new Date(range.from.getTime() + Math.floor((range.to.getTime() - range.from.getTime()) / stepMs) * stepMs);
  const brands = await listAlertBrands(db);
  const first = await firstMentionAt(db);
  const names = brands.map((b) => b.name);
  const specs = windowsNeeded(cfg, names);

  // Bucket size: divides every window, a day and the step, so every window a step needs is whole buckets.
  // A live cycle (one step) needs no step: its windows all end at the anchor, so buckets as long as the
  // windows allow (an hour with the default rules instead of a minute: 60× fewer rows to count and load).
  const oneStep = range.to.getTime() - range.from.getTime() < stepMs;
  const secs = [...specs.map((s) => Math.round(s.windowMinutes * 60)), 86_400, oneStep ? 0 : Math.round(stepMs / 1000)].filter((x) => x > 0);
  const bucketSec = Math.max(1, secs.reduce(gcd));
  const B = bucketSec * 1000;
  const lookbackMs = Math.max(0, ...specs.map((s) => (s.baselineDays + WEEK_DAYS + 1) * DAY + 2 * s.windowMinutes * MINUTE));
  const loadFrom = new Date(range.from.getTime() - lookbackMs);
  const nb = Math.ceil((anchor.getTime() - loadFrom.getTime()) / B);
  const firstB = first ? Math.floor((anchor.getTime() - first.getTime()) / B) + 1 : 0;

  const series = new Map<string, BrandSeries>();
  const raw = new Map<string, { total: Float64Array; negative: Float64Array; pains: Map<string, Float64Array>; oldest: number }>();
  const rawOf = (brand: string) => {
    let r = raw.get(brand);
    if (!r) raw.set(brand, (r = { total: new Float64Array(nb), negative: new Float64Array(nb), pains: new Map(), oldest: -1 }));
    return r;
  };
  if (specs.length) {
    for (const row of await countMentionBuckets(db, anchor, loadFrom, bucketSec)) {
      if (row.b < 0 || row.b >= nb) continue;
      const r = rawOf(row.brand);
      r.total[row.b] += row.n;
      if (row.negative) r.negative[row.b] += row.n;
      for (const pp of row.painPoints) {
        let a = r.pains.get(pp);
        if (!a) r.pains.set(pp, (a = new Float64Array(nb)));
        a[row.b] += row.n;
      }
      r.oldest = Math.max(r.oldest, row.b);
    }
  }
  for (const b of brands) {
    const r = rawOf(b.name);
    series.set(b.name, {
      total: prefix(r.total),
      negative: prefix(r.negative),
      pains: new Map([...r.pains].map(([k, v]) => [k, prefix(v)])),
      covered: Math.min(r.oldest + 1, firstB, nb),
    });
  }

  // Emerging complaints and high reach: texts and candidates over the whole range, filtered per step.
  const emergingShapes = shapesOfEmerging(cfg, brands);
  const maxEmergingBack = Math.max(0, ...[...emergingShapes.values()].map((s) => s.windowMinutes * MINUTE + s.baselineDays * DAY));
  let texts: NegativeTextRow[] = [];
  if (emergingShapes.size) {
    const maxWindow = Math.max(...[...emergingShapes.values()].map((s) => s.windowMinutes)) * MINUTE;
    // Live: the window's texts first; the baseline's only when some phrase could fire.
    texts = await listNegativeTexts(db, new Date(range.from.getTime() - (oneStep ? maxWindow : maxEmergingBack)), anchor, oneStep ? TEXT_LIMIT : TEXT_LIMIT * 20);
    if (oneStep) {
      const probe = emergingInputs(emergingShapes, brands, texts, anchor, first);
      const anyCandidate = probe.some((e) => hasEmergingCandidates(e, rulesForBrand(cfg, e.brand).emergingComplaint));
      if (anyCandidate) texts = await listNegativeTexts(db, new Date(anchor.getTime() - maxEmergingBack), anchor, TEXT_LIMIT);
      else texts = [];
    }
  }
  const reachParams = brands.map((b) => rulesForBrand(cfg, b.name).highReach).filter((p) => p.enabled);
  const reachWindow = Math.max(0, ...reachParams.map((p) => p.windowMinutes)) * MINUTE;
  const reach: ReachCandidate[] = reachParams.length
    ? await listHighReachNegatives(db, new Date(range.from.getTime() - reachWindow), anchor, Math.min(...reachParams.map((p) => p.minReach)))
    : [];

  return (at: Date): EvaluationData => {
    const s = (anchor.getTime() - at.getTime()) / B;
    if (!Number.isInteger(s) || s < 0 || at < range.from) throw new Error(`alerts: ${at.toISOString()} is not a loaded evaluation step`);
    const windows = new Map<string, BrandWindows[]>();
    for (const spec of specs) windows.set(windowKey(spec), brands.map((b) => brandWindows(b.name, b.own, series.get(b.name)!, spec, at, s, B)));
    const reachFrom = new Date(at.getTime() - reachWindow);
    return {
      at,
      windows,
      emerging: emergingInputs(emergingShapes, brands, texts, at, first),
      reach: { windowStart: reachFrom, windowEnd: at, candidates: reach.filter((c) => c.publishedAt > reachFrom && c.publishedAt <= at) },
    };
  };
}

/** Reads every input of `findAlerts` for time `at` (the live cycle). */
export async function loadEvaluationData(db: Queryable, cfg: AlertsConfig, at: Date): Promise<EvaluationData> {
  return (await loadEvaluationRange(db, cfg, { from: at, to: at, stepMinutes: 1 }))(at);
}

/** One brand's window ending at `at` (`s` buckets back from the anchor), its history, neighbours and levels. */
function brandWindows(brand: string, own: boolean, x: BrandSeries, spec: WindowSpec, at: Date, s: number, B: number): BrandWindows {
  const W = spec.windowMinutes * MINUTE;
  const w = Math.round(W / B);
  const day = Math.round(DAY / B);
  const cell = (b0: number): WindowCounts => {
    const painPoints: Record<string, number> = {};
    for (const [k, p] of x.pains) {
      const v = sum(p, b0, b0 + w);
      if (v > 0) painPoints[k] = v;
    }
    return { total: sum(x.total, b0, b0 + w), negative: sum(x.negative, b0, b0 + w), painPoints };
  };
  // A window [b0, b0 + w) is covered when all its buckets are within the brand's stored history.
  const coveredCell = (b0: number): WindowCounts | null => (b0 >= s && b0 + w <= x.covered ? cell(b0) : null);
  const history: (WindowCounts | null)[] = [];
  const neighbours: [WindowCounts | null, WindowCounts | null][] = [];
  const levels: (number | null)[] = [];
  const week = WEEK_DAYS * day;
  for (let d = 0; d <= spec.baselineDays; d++) {
    const sd = s + d * day;
    if (d > 0) {
      history.push(coveredCell(sd));
      neighbours.push([coveredCell(sd + w), coveredCell(sd - w)]);
    }
    // The 7 days before this window's start, scaled up when partly covered.
    const lo = sd + w;
    const coveredPart = Math.min(lo + week, x.covered) - lo;
    levels.push(coveredPart >= day ? (sum(x.total, lo, lo + coveredPart) * week) / coveredPart : null);
  }
  return { brand, own, windowStart: new Date(at.getTime() - W), windowEnd: at, windowMinutes: spec.windowMinutes, current: cell(s), history, neighbours, levels };
}

type BrandRow = { id: number; name: string; own: boolean; aliases: string[] };

function shapesOfEmerging(cfg: AlertsConfig, brands: BrandRow[]): Map<string, { windowMinutes: number; baselineDays: number; brands: BrandRow[] }> {
  const shapes = new Map<string, { windowMinutes: number; baselineDays: number; brands: BrandRow[] }>();
  for (const b of brands) {
    const p = rulesForBrand(cfg, b.name).emergingComplaint;
    if (!p.enabled) continue;
    const k = `${p.windowMinutes}/${p.baselineDays}`;
    const s = shapes.get(k) ?? { windowMinutes: p.windowMinutes, baselineDays: p.baselineDays, brands: [] };
    s.brands.push(b);
    shapes.set(k, s);
  }
  return shapes;
}

const brandWordCache = new WeakMap<BrandRow, ReadonlySet<string>>();

function emergingInputs(shapes: ReturnType<typeof shapesOfEmerging>, brands: BrandRow[], texts: NegativeTextRow[], at: Date, first: Date | null): EmergingInput[] {
  const out: EmergingInput[] = [];
  if (shapes.size === 0) return out;
  const byBrand = new Map<string, NegativeTextRow[]>(brands.map((b) => [b.name, []]));
  for (const t of texts) byBrand.get(t.brand)?.push(t);
  for (const s of shapes.values()) {
    const windowFrom = new Date(at.getTime() - s.windowMinutes * MINUTE);
    const baselineFrom = new Date(windowFrom.getTime() - s.baselineDays * DAY);
    const effectiveFrom = first && first > baselineFrom ? first : baselineFrom;
    const baselineMinutes = Math.max(0, (windowFrom.getTime() - effectiveFrom.getTime()) / MINUTE);
    // Less than a day of history: every phrase would look new.
    if (baselineMinutes < 1440) continue;
    for (const b of s.brands) {
      let brandWords = brandWordCache.get(b);
      if (!brandWords) brandWordCache.set(b, (brandWords = new Set([b.name, ...(b.aliases ?? [])].flatMap((n) => n.toLowerCase().split(/[^\p{L}\p{N}]+/u)).filter(Boolean))));
      const mine = byBrand.get(b.name) ?? [];
      out.push({
        brand: b.name, brandWords, windowStart: windowFrom, windowEnd: at, windowMinutes: s.windowMinutes,
        window: mine.filter((r) => r.publishedAt > windowFrom && r.publishedAt <= at),
        baseline: mine.filter((r) => r.publishedAt > baselineFrom && r.publishedAt <= windowFrom),
        baselineMinutes,
      });
    }
  }
  return out;
}
