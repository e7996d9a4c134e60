/**
 * Loads what the rules read at one evaluation time, through db/alerts.ts: count windows per brand
 * (with the history the stored mentions cover), negative texts, high-reach negatives.
 */
import type { Queryable } from '../db/index.js';
import { countMentionWindows, countPainPointWindows, firstMentionAt, listAlertBrands, listHighReachNegatives, listNegativeTexts } from '../db/alerts.js';
import { rulesForBrand, type AlertsConfig } from './config.js';
import { windowKey, windowsNeeded, type EvaluationData } from './evaluate.js';
import type { BrandWindows, WindowCounts } from './rules/baseline.js';
import type { EmergingInput } from './rules/emerging.js';

const DAY = 86_400_000;
const empty = (): WindowCounts => ({ total: 0, negative: 0, painPoints: {} });

/** Reads every input of `findAlerts` for time `at`. */
export async function loadEvaluationData(db: Queryable, cfg: AlertsConfig, at: Date): Promise<EvaluationData> {
  const brands = await listAlertBrands(db);
  const first = await firstMentionAt(db);
  const names = brands.map((b) => b.name);
  const windows = new Map<string, BrandWindows[]>();
  for (const spec of windowsNeeded(cfg, names)) {
    const W = spec.windowMinutes * 60_000;
    // Days whose window lies fully after the first stored mention.
    const covered = first ? Math.max(0, Math.min(spec.baselineDays, Math.floor((at.getTime() - W - first.getTime()) / DAY))) : 0;
    // grid[brand][j + 1][k]: j = −1 (window after), 0 (the window), 1 (window before).
    const grid = new Map<string, WindowCounts[][]>(names.map((n) => [n, [0, 1, 2].map(() => Array.from({ length: covered + 1 }, empty))]));
    for (const r of await countMentionWindows(db, at, spec.windowMinutes, spec.baselineDays)) {
      const cell = grid.get(r.brand)?.[r.j + 1]?.[r.k];
      if (cell) Object.assign(cell, { total: r.total, negative: r.negative });
    }
    for (const r of await countPainPointWindows(db, at, spec.windowMinutes, spec.baselineDays)) {
      const cell = grid.get(r.brand)?.[r.j + 1]?.[r.k];
      if (cell) cell.painPoints[r.painPoint] = r.n;
    }
    windows.set(windowKey(spec), brands.map((b) => {
      const [after, cells, before] = grid.get(b.name)! as [WindowCounts[], WindowCounts[], WindowCounts[]];
      const neighbours = cells.slice(1).map((_, i): [WindowCounts, WindowCounts] => [before[i + 1]!, after[i + 1]!]);
      return { brand: b.name, own: b.own, windowStart: new Date(at.getTime() - W), windowEnd: at, windowMinutes: spec.windowMinutes, current: cells[0]!, history: cells.slice(1), neighbours };
    }));
  }

  // Emerging complaints: one query per (window, baseline) shape in use.
  const emerging: EmergingInput[] = [];
  const shapes = new Map<string, { windowMinutes: number; baselineDays: number; brands: typeof brands }>();
  for (const b of brands) {
    const p = rulesForBrand(cfg, b.name).emergingComplaint;
    if (!p.enabled) continue;
    const k = `${p.windowMinutes}/${p.baselineDays}`;
    const s = shapes.get(k) ?? { windowMinutes: p.windowMinutes, baselineDays: p.baselineDays, brands: [] };
    s.brands.push(b);
    shapes.set(k, s);
  }
  for (const s of shapes.values()) {
    const windowFrom = new Date(at.getTime() - s.windowMinutes * 60_000);
    const baselineFrom = new Date(windowFrom.getTime() - s.baselineDays * DAY);
    const effectiveFrom = first && first > baselineFrom ? first : baselineFrom;
    const baselineMinutes = Math.max(0, (windowFrom.getTime() - effectiveFrom.getTime()) / 60_000);
    // Fewer than a day of history: every phrase would look new.
    if (baselineMinutes < 1440) continue;
    const rows = await listNegativeTexts(db, at, windowFrom, baselineFrom, 5000);
    for (const b of s.brands) {
      const mine = rows.filter((r) => r.brand === b.name);
      const brandWords = new Set([b.name, ...(b.aliases ?? [])].flatMap((n) => n.toLowerCase().split(/[^\p{L}\p{N}]+/u)).filter(Boolean));
      emerging.push({
        brand: b.name, brandWords, windowStart: windowFrom, windowEnd: at, windowMinutes: s.windowMinutes,
        window: mine.filter((r) => r.inWindow), baseline: mine.filter((r) => !r.inWindow), baselineMinutes,
      });
    }
  }

  const reachParams = brands.map((b) => rulesForBrand(cfg, b.name).highReach).filter((p) => p.enabled);
  const reachWindow = Math.max(0, ...reachParams.map((p) => p.windowMinutes));
  const reachFrom = new Date(at.getTime() - reachWindow * 60_000);
  const candidates = reachParams.length ? await listHighReachNegatives(db, reachFrom, at, Math.min(...reachParams.map((p) => p.minReach))) : [];
  return { at, windows, emerging, reach: { windowStart: reachFrom, windowEnd: at, candidates } };
}
