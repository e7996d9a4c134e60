/**
 * Pure evaluation: which rules fire for the loaded counts (`findAlerts`), and what each finding or
 * active alert does to the stored state (`decide`, `planCycle`). No clock (the time is an argument),
 * no database, no network; the service loads the data, applies the plan and delivers.
 */
import type { Finding, RuleName } from './types.js';
import { rulesForBrand, type AlertsConfig, type RuleConfigKey, type RuleParams } from './config.js';
import type { BrandWindows } from './rules/baseline.js';
import { volumeSpike, negativeShareSpike, painPointSurges } from './rules/spike.js';
import { shareOfVoiceJumps } from './rules/share-of-voice.js';
import { emergingComplaints, type EmergingInput } from './rules/emerging.js';
import { highReachMentions, type ReachCandidate } from './rules/high-reach.js';

/** Rule name → its config key. */
export const RULE_CONFIG_KEY: Record<RuleName, RuleConfigKey> = {
  'volume-spike': 'volumeSpike',
  'negative-share': 'negativeShare',
  'pain-point-surge': 'painPointSurge',
  'emerging-complaint': 'emergingComplaint',
  'share-of-voice': 'shareOfVoice',
  'high-reach': 'highReach',
};

/** A window shape to load: length and baseline depth. */
export interface WindowSpec {
  windowMinutes: number;
  baselineDays: number;
}

/** Identifies a window shape in `EvaluationData.windows`. */
export const windowKey = (s: WindowSpec): string => `${s.windowMinutes}/${s.baselineDays}`;

/** Every window shape the enabled count rules need, over all brands. */
export function windowsNeeded(cfg: AlertsConfig, brands: readonly string[]): WindowSpec[] {
  const out = new Map<string, WindowSpec>();
  for (const b of brands) {
    const r = rulesForBrand(cfg, b);
    for (const k of ['volumeSpike', 'negativeShare', 'painPointSurge', 'shareOfVoice'] as const) {
      if (r[k].enabled) out.set(windowKey(r[k]), { windowMinutes: r[k].windowMinutes, baselineDays: r[k].baselineDays });
    }
  }
  return [...out.values()];
}

/** Everything the rules read at one evaluation time (loaded by alerts/data.ts or built by a test). */
export interface EvaluationData {
  at: Date;
  /** Count windows for every brand, by windowKey. */
  windows: Map<string, BrandWindows[]>;
  /** Negative texts per brand for the emerging-complaint rule. */
  emerging: EmergingInput[];
  /** Negative mentions with reach for the high-reach rule. */
  reach: { windowStart: Date; windowEnd: Date; candidates: ReachCandidate[] };
}

/** Runs every enabled rule for every brand; returns the findings that fire. */
export function findAlerts(data: EvaluationData, cfg: AlertsConfig): Finding[] {
  const paramsCache = new Map<string, RuleParams>();
  const params = (brand: string): RuleParams => {
    let p = paramsCache.get(brand);
    if (!p) paramsCache.set(brand, (p = rulesForBrand(cfg, brand)));
    return p;
  };
  const windowFor = (brand: string, spec: WindowSpec): BrandWindows | undefined => data.windows.get(windowKey(spec))?.find((w) => w.brand === brand);
  const out: Finding[] = [];
  const brands = new Set<string>();
  for (const list of data.windows.values()) for (const w of list) brands.add(w.brand);
  for (const brand of brands) {
    const p = params(brand);
    let w: BrandWindows | undefined;
    if (p.volumeSpike.enabled && (w = windowFor(brand, p.volumeSpike))) {
      const f = volumeSpike(w, p.volumeSpike);
      if (f) out.push(f);
    }
    if (p.negativeShare.enabled && (w = windowFor(brand, p.negativeShare))) {
      const f = negativeShareSpike(w, p.negativeShare);
      if (f) out.push(f);
    }
    if (p.painPointSurge.enabled && (w = windowFor(brand, p.painPointSurge))) out.push(...painPointSurges(w, p.painPointSurge));
  }
  // Share of voice compares brands, so every brand must be counted over the same window: group by shape.
  const sovShapes = new Map<string, string[]>();
  for (const brand of brands) if (params(brand).shareOfVoice.enabled) sovShapes.set(windowKey(params(brand).shareOfVoice), [...(sovShapes.get(windowKey(params(brand).shareOfVoice)) ?? []), brand]);
  for (const [key, members] of sovShapes) {
    const all = data.windows.get(key) ?? [];
    out.push(...shareOfVoiceJumps(all, (b) => params(b).shareOfVoice).filter((f) => members.includes(f.brand)));
  }
  for (const e of data.emerging) if (params(e.brand).emergingComplaint.enabled) out.push(...emergingComplaints(e, params(e.brand).emergingComplaint));
  out.push(...highReachMentions(data.reach.candidates, data.reach.windowStart, data.reach.windowEnd, (b) => params(b).highReach));
  return out;
}

/** The stored state of the one active (open or acknowledged) alert for a rule and key. */
export interface ActiveState {
  id: number;
  status: 'open' | 'acknowledged';
  lastFiringAt: Date;
}

/** What happens to one (rule, key) this cycle. */
export type Transition =
  | { action: 'open' }
  | { action: 'update' }
  | { action: 'resolve' }
  | { action: 'none'; reason: 'quiet' | 'cooldown' | 'settling' | 'owned' };

/**
 * The state machine of one (rule, key). Only `open` and `resolve` send a message; an alert that is
 * still firing is updated (figures, window, evidence) and never re-sent. Cooldown and de-duplication
 * come from stored state, so they hold across restarts.
 *
 * | active alert  | rule fires | condition                                      | action                         |
 * |---------------|------------|------------------------------------------------|--------------------------------|
 * | none          | no         |                                                | none (quiet)                   |
 * | none          | yes        | last alert resolved < minSpacing ago           | none (cooldown)                |
 * | none          | yes        | otherwise                                      | open     → send alert.opened   |
 * | open / ack'd  | yes        |                                                | update   (no message)          |
 * | open          | no         | last fired < resolveAfter ago                  | none (settling)                |
 * | open          | no         | last fired ≥ resolveAfter ago                  | resolve  → send alert.resolved |
 * | acknowledged  | no         |                                                | none (owned: a person resolves)|
 */
export function decide(x: {
  active: ActiveState | null;
  firing: boolean;
  lastResolvedAt: Date | null;
  now: Date;
  minSpacingMinutes: number;
  resolveAfterMinutes: number;
}): Transition {
  const ago = (d: Date): number => (x.now.getTime() - d.getTime()) / 60_000;
  if (!x.active) {
    if (!x.firing) return { action: 'none', reason: 'quiet' };
    if (x.lastResolvedAt && ago(x.lastResolvedAt) < x.minSpacingMinutes) return { action: 'none', reason: 'cooldown' };
    return { action: 'open' };
  }
  if (x.firing) return { action: 'update' };
  if (x.active.status === 'acknowledged') return { action: 'none', reason: 'owned' };
  return ago(x.active.lastFiringAt) >= x.resolveAfterMinutes ? { action: 'resolve' } : { action: 'none', reason: 'settling' };
}

/** One step of a cycle's plan. */
export type PlannedStep =
  | { action: 'open'; finding: Finding }
  | { action: 'update'; alertId: number; finding: Finding }
  | { action: 'resolve'; alertId: number; rule: RuleName; key: string };

/**
 * Turns this cycle's findings and the stored state into steps. `active` holds the active alerts by
 * `rule|key`, `lastResolved` the latest resolution time by `rule|key` (only for keys that fire).
 * Deterministic: findings in order, then resolutions by alert id.
 */
export function planCycle(x: {
  findings: readonly Finding[];
  active: ReadonlyMap<string, ActiveState & { rule: RuleName; key: string; brand: string | null }>;
  lastResolved: ReadonlyMap<string, Date>;
  now: Date;
  cfg: AlertsConfig;
}): PlannedStep[] {
  const steps: PlannedStep[] = [];
  const seen = new Set<string>();
  for (const f of x.findings) {
    const k = `${f.rule}|${f.key}`;
    if (seen.has(k)) continue;
    seen.add(k);
    const p = rulesForBrand(x.cfg, f.brand)[RULE_CONFIG_KEY[f.rule]];
    const active = x.active.get(k) ?? null;
    const t = decide({ active, firing: true, lastResolvedAt: x.lastResolved.get(k) ?? null, now: x.now, minSpacingMinutes: p.minSpacingMinutes, resolveAfterMinutes: p.resolveAfterMinutes });
    if (t.action === 'open') steps.push({ action: 'open', finding: f });
    else if (t.action === 'update' && active) steps.push({ action: 'update', alertId: active.id, finding: f });
  }
  const quiet = [...x.active.entries()].filter(([k]) => !seen.has(k)).sort((a, b) => a[1].id - b[1].id);
  for (const [, a] of quiet) {
    const p = rulesForBrand(x.cfg, a.brand ?? '')[RULE_CONFIG_KEY[a.rule]] ?? null;
    if (!p) continue;
    const t = decide({ active: a, firing: false, lastResolvedAt: null, now: x.now, minSpacingMinutes: p.minSpacingMinutes, resolveAfterMinutes: p.resolveAfterMinutes });
    if (t.action === 'resolve') steps.push({ action: 'resolve', alertId: a.id, rule: a.rule, key: a.key });
  }
  return steps;
}
