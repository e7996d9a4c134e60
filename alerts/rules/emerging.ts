/**
 * Emerging complaint: a phrase (two adjacent content words) that suddenly appears among a brand's
 * negative mentions. Pure: texts in, phrases out.
 *
 * For each phrase: `observed` = negative mentions in the window containing it; `expected` = negative
 * mentions containing it over the baseline period, scaled to the window's length. Fires when
 *   observed ≥ minCount, observed ≥ thresholdMultiple × max(expected, 1), and
 *   observed ≥ minShare × the window's negative mentions.
 * The strongest `maxPhrases` phrases fire; a phrase whose mentions are mostly another chosen phrase's
 * mentions is skipped (so "lost luggage" and "luggage lost" do not both fire).
 */
import type { Finding } from '../types.js';
import type { RuleParams } from '../config.js';
import { round2 } from './baseline.js';
import { fmtWindow } from './spike.js';

/** A negative mention's id and text. */
export interface Doc {
  id: number;
  text: string;
}

const STOP = new Set(
  ('a an and are as at be been but by can could did do does for from had has have he her his how i if in into is it its just me my no not of on or our ' +
    'so than that the their them then there they this to too up us was we were what when where which who why will with would you your im ive dont ' +
    'cant wont didnt doesnt isnt still get got one all any more very really now again today yesterday ever never also been being about after over').split(' '),
);

/** Lower-cased content words of a text (letters and digits, no stop words, no URLs or handles). */
export function contentWords(text: string, drop: ReadonlySet<string>): string[][] {
  const runs: string[][] = [];
  let run: string[] = [];
  const clean = text.toLowerCase().replace(/https?:\/\/\S+/g, ' ').replace(/[@#][\w.]+/g, ' ').replace(/[’']/g, '');
  for (const tok of clean.split(/[^\p{L}\p{N}]+/u)) {
    if (!tok) continue;
    if (STOP.has(tok) || drop.has(tok) || tok.length < 3 || /^\d+$/.test(tok)) {
      if (run.length) runs.push(run);
      run = [];
      continue;
    }
    run.push(tok);
  }
  if (run.length) runs.push(run);
  return runs;
}

/** The distinct two-word phrases of one text. */
export function phrasesOf(text: string, drop: ReadonlySet<string>): Set<string> {
  const out = new Set<string>();
  for (const run of contentWords(text, drop)) for (let i = 0; i + 1 < run.length; i++) out.add(`${run[i]} ${run[i + 1]}`);
  return out;
}

/**
 * Phrases per Doc object. A backtest evaluates the same texts at many steps; a Doc object always
 * belongs to one brand, so its phrases (which depend on that brand's words) never change.
 */
const phraseCache = new WeakMap<Doc, Set<string>>();
function docPhrases(d: Doc, drop: ReadonlySet<string>): Set<string> {
  let ph = phraseCache.get(d);
  if (!ph) phraseCache.set(d, (ph = phrasesOf(d.text, drop)));
  return ph;
}

/** Inputs of one brand's evaluation. */
export interface EmergingInput {
  brand: string;
  /** Brand names and aliases, lower case: never a phrase word. */
  brandWords: ReadonlySet<string>;
  windowStart: Date;
  windowEnd: Date;
  windowMinutes: number;
  /** Negative mentions in the window. */
  window: readonly Doc[];
  /** Negative mentions over the baseline period before the window. */
  baseline: readonly Doc[];
  baselineMinutes: number;
}

function candidatePhrases(x: Pick<EmergingInput, 'window' | 'brandWords'>, p: RuleParams['emergingComplaint']): [string, number[]][] {
  if (x.window.length < p.minCount) return [];
  const inWindow = new Map<string, number[]>();
  for (const d of x.window) {
    for (const ph of docPhrases(d, x.brandWords)) {
      const ids = inWindow.get(ph);
      if (ids) ids.push(d.id);
      else inWindow.set(ph, [d.id]);
    }
  }
  return [...inWindow].filter(([, ids]) => ids.length >= p.minCount && ids.length >= p.minShare * x.window.length);
}

/** Whether any phrase of the window could fire (checked before loading the baseline texts). */
export function hasEmergingCandidates(x: Pick<EmergingInput, 'window' | 'brandWords'>, p: RuleParams['emergingComplaint']): boolean {
  return candidatePhrases(x, p).length > 0;
}

/** The emerging phrases of one brand, strongest first. */
export function emergingComplaints(x: EmergingInput, p: RuleParams['emergingComplaint']): Finding[] {
  if (x.baselineMinutes <= 0) return [];
  const candidates = candidatePhrases(x, p);
  if (candidates.length === 0) return [];
  const wanted = new Set(candidates.map(([ph]) => ph));
  const baseCount = new Map<string, number>();
  for (const d of x.baseline) for (const ph of docPhrases(d, x.brandWords)) if (wanted.has(ph)) baseCount.set(ph, (baseCount.get(ph) ?? 0) + 1);
  const scale = x.windowMinutes / x.baselineMinutes;
  const scored = candidates
    .map(([phrase, ids]) => {
      const expected = (baseCount.get(phrase) ?? 0) * scale;
      return { phrase, ids, expected, score: (ids.length - expected) / Math.sqrt(Math.max(expected, 1)) };
    })
    .filter((c) => c.ids.length >= p.thresholdMultiple * Math.max(c.expected, 1))
    .sort((a, b) => b.ids.length - a.ids.length || b.score - a.score || a.phrase.localeCompare(b.phrase));
  const chosen: typeof scored = [];
  for (const c of scored) {
    if (chosen.length >= p.maxPhrases) break;
    const overlaps = chosen.some((o) => c.ids.filter((id) => o.ids.includes(id)).length >= 0.6 * c.ids.length);
    if (!overlaps) chosen.push(c);
  }
  return chosen.map((c) => ({
    rule: 'emerging-complaint' as const,
    key: `${x.brand}:${c.phrase}`,
    brand: x.brand,
    title: `${x.brand}: new complaint "${c.phrase}" in ${c.ids.length} of ${x.window.length} negative mentions in ${fmtWindow(x.windowMinutes)}`,
    windowStart: x.windowStart,
    windowEnd: x.windowEnd,
    observed: c.ids.length,
    expected: round2(c.expected),
    score: round2(c.score),
    painPoint: null,
    evidence: { negativeOnly: true, mentionIds: c.ids },
    details: { phrase: c.phrase, negativeInWindow: x.window.length, baselineMentions: baseCount.get(c.phrase) ?? 0, windowMinutes: x.windowMinutes },
  }));
}
