/**
 * Entity-level sentiment, comparison and switching for mentions that name several brands.
 *
 * Each brand gets the clauses that name it plus the clauses that follow until another brand is named
 * (customers write "switched to Y, their support actually answers"). On top of that:
 * - switching ("switched from X to Y", "left X for Y", "moving to Y", "Y instead of X"): X −2, Y +2;
 * - comparatives ("X is way better than Y", "X beats Y on coverage"): the brand before gets the
 *   comparative's polarity, the brand after "than" (or after the verb) the opposite (±2);
 * - a clause naming several brands with no switch or comparison between them is read in its comma
 *   parts ("X and Y both terrible, Z is fine": Z positive), each part scored on its own;
 * - in a clause naming both brands of a switch, a complaint is about the brand left and praise about
 *   the brand chosen ("leaving X for Y, fed up with dropped calls": X negative, Y positive).
 * A brand named nowhere locatable in the text (matched by a broader query, or a brandHint) gets the
 * mention's overall sentiment.
 */
import type { BrandSentiment, SwitchingResult } from '../model.js';
import { confidenceFor, labelFor, scoreSentiment, squash } from './sentiment.js';
import type { SentimentDetail } from './sentiment.js';
import { fold } from './text.js';

/** How a brand is found in text for positioning (name and aliases, folded). */
export interface BrandLocator {
  name: string;
  forms: RegExp;
}

const escapeRe = (s: string): string => s.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');

/** Builds the locator for one brand from its name and aliases. */
export function brandLocator(name: string, aliases: string[]): BrandLocator {
  const forms = new Set<string>();
  for (const f of [name, ...aliases]) {
    const folded = fold(String(f)).trim();
    if (folded === '') continue;
    forms.add(escapeRe(folded).replace(/\s+/g, '[\\s_-]*'));
    forms.add(escapeRe(folded.replace(/[^\p{L}\p{N}]+/gu, '')));
  }
  const src = [...forms].filter((f) => f !== '').sort((a, b) => b.length - a.length).join('|') || '(?!)';
  return { name, forms: new RegExp(`(?<![\\p{L}\\p{N}])[@#]?(?:${src})(?![\\p{L}\\p{N}])`, 'gu') };
}

interface Located {
  name: string;
  index: number;
  end: number;
}

const COMPARATIVES: Record<string, number> = {
  better: 1, faster: 1, cheaper: 1, nicer: 1, friendlier: 1, easier: 1, smoother: 1, superior: 1, 'more reliable': 1,
  'more helpful': 1, worse: -1, slower: -1, pricier: -1, 'more expensive': -1, harder: -1, ruder: -1, inferior: -1,
  'less reliable': -1, 'less helpful': -1,
};
const COMPARATIVE_RE = new RegExp(
  `\\b(${Object.keys(COMPARATIVES).map(escapeRe).join('|')})\\b[^.!?;]{0,40}?\\bthan\\b`,
  'g',
);
const SWITCH_FROM_RE = /\b(?:switch(?:ed|ing)?|mov(?:ed|ing)|chang(?:ed|ing)|port(?:ed|ing)|went|go(?:ing)?|migrat(?:ed|ing)|transferr?(?:ed|ing)?|jump(?:ed|ing)? ship)(?: over| back)? from\b/g;
const SWITCH_TO_RE = /\b(?:switch(?:ed|ing)?|mov(?:ed|ing)|port(?:ed|ing)|migrat(?:ed|ing)|going|went|goes|changing|changed)(?: over| back)? to\b/g;
const LEAVE_FOR_RE = /\b(?:left|leaving|leave|ditch(?:ed|ing)?|dump(?:ed|ing)?|quit(?:ting)?|drop(?:ped|ping)?|cancel(?:l?ed|l?ing)?)\b/g;
const INSTEAD_RE = /\binstead of\b/g;
/** A clause that says the problem came along or came back ("moved to Y and the signal is still bad"). */
const REGRET_RE = /\b(?:still|too|also|even|now|same|just as|as well|again|mistake|regret)\b/;
/** Verbs that rank the brand before them over the brand after them ("X beats Y on coverage"). */
const BEATS_RE = /\b(?:beats?|outperforms?|outdoes|outclasses|trumps?|crushes|smokes|is (?:way |miles |streets )?ahead of)\b/g;
/** Cheap test: could the text switch or compare at all? (The leading words of the patterns below.) */
const SWITCH_OR_COMPARE_HINT = /\b(?:switch|mov(?:ed|ing)\b|port(?:ed|ing)\b|migrat|go(?:ing|es)?\b|went\b|chang(?:ed|ing)\b|transfer|jump|left\b|leav(?:e|ing)\b|ditch|dump|quit|drop|cancel|instead|than\b|beat|outperform|outdoes|outclass|trump|crushes|smokes|ahead of)/;
const COMPARISON_RE = /\b(?:than|vs\.?|versus|compared (?:to|with)|prefer|unlike|instead of|over|same as|like)\b/;

function nextBrand(located: Located[], from: number, within: number, exclude?: string): Located | undefined {
  return located.find((l) => l.index >= from && l.index - from <= within && l.name !== exclude);
}
function prevBrand(located: Located[], before: number, within: number): Located | undefined {
  for (let i = located.length - 1; i >= 0; i--) {
    const l = located[i] as Located;
    if (l.end <= before && before - l.end <= within) return l;
  }
  return undefined;
}

/** Adds v to a brand's sentiment bias (nothing for no brand). */
function addBias(bias: Map<string, number>, name: string | null | undefined, v: number): void {
  if (name) bias.set(name, (bias.get(name) ?? 0) + v);
}

/**
 * The sentiment of a brand's comma parts of the clause [start, end): the parts naming it and those after
 * them until another brand is named, each scored on its own (once per mention: `scored` keeps a part's
 * raw score by its start, for the next brand of the clause). null when the clause has one part.
 */
function commaPartsSum(text: string, start: number, end: number, located: Located[], name: string, scored: Map<number, number>): number | null {
  const cuts: number[] = [start];
  for (let i = start; i < end; i++) {
    const c = text.charCodeAt(i);
    if (c === 44 || c === 59) cuts.push(i + 1);
  }
  if (cuts.length === 1) return null;
  cuts.push(end);
  let sum = 0;
  let mine = false;
  for (let k = 0; k + 1 < cuts.length; k++) {
    const a = cuts[k] as number;
    const b = cuts[k + 1] as number;
    let named = false;
    let own = false;
    for (const l of located) {
      if (l.index < a || l.index >= b) continue;
      named = true;
      if (l.name === name) own = true;
    }
    if (named) mine = own;
    if (!mine) continue;
    let raw = scored.get(a);
    if (raw === undefined) scored.set(a, (raw = scoreSentiment(text.slice(a, b)).raw));
    sum += raw;
  }
  return sum;
}

/** Result of entity analysis for one mention. */
export interface EntityResult {
  brands: BrandSentiment[];
  comparison: boolean;
  switching: SwitchingResult | null;
}

/**
 * Per-brand sentiment for the matched brands. `sentiment` is null when the language is not scored:
 * every brand then gets null sentiment, but comparison/switching are still detected on English-like text.
 */
export function analyseEntities(
  text: string,
  matched: BrandLocator[],
  sentiment: SentimentDetail | null,
  foldedText?: string,
): EntityResult {
  if (matched.length === 0) return { brands: [], comparison: false, switching: null };
  const folded = foldedText ?? fold(text);
  // Fast path: one brand and no switching or comparing words → the mention's own sentiment.
  if (matched.length === 1 && !SWITCH_OR_COMPARE_HINT.test(folded)) {
    const only = matched[0] as BrandLocator;
    const own = sentiment ? { label: sentiment.label, score: sentiment.score, confidence: sentiment.confidence } : null;
    return { brands: [{ name: only.name, sentiment: own }], comparison: false, switching: null };
  }
  const located: Located[] = [];
  for (const b of matched) {
    b.forms.lastIndex = 0;
    for (const m of folded.matchAll(b.forms)) located.push({ name: b.name, index: m.index ?? 0, end: (m.index ?? 0) + m[0].length });
  }
  located.sort((a, b) => a.index - b.index);
  const names = new Set(located.map((l) => l.name));

  // Switching.
  let switching: SwitchingResult | null = null;
  const bias = new Map<string, number>();
  if (names.size >= 1) {
    for (const m of folded.matchAll(SWITCH_FROM_RE)) {
      const end = (m.index ?? 0) + m[0].length;
      const from = nextBrand(located, end, 12);
      if (!from) continue;
      const toKw = /\b(?:to|for)\b/g;
      toKw.lastIndex = from.end;
      const t = toKw.exec(folded);
      const to = t && t.index - from.end <= 25 ? nextBrand(located, t.index + t[0].length, 12, from.name) : undefined;
      switching = { from: from.name, to: to?.name ?? null };
      break;
    }
    if (!switching) {
      for (const m of folded.matchAll(SWITCH_TO_RE)) {
        const end = (m.index ?? 0) + m[0].length;
        const to = nextBrand(located, end, 12);
        if (!to) continue;
        const others = [...names].filter((n) => n !== to.name);
        switching = { from: others.length === 1 ? (others[0] as string) : null, to: to.name };
        break;
      }
    }
    if (!switching) {
      for (const m of folded.matchAll(LEAVE_FOR_RE)) {
        const end = (m.index ?? 0) + m[0].length;
        const from = nextBrand(located, end, 12);
        if (!from) continue;
        const forKw = /\bfor\b/g;
        forKw.lastIndex = from.end;
        const f = forKw.exec(folded);
        const to = f && f.index - from.end <= 20 ? nextBrand(located, f.index + 3, 12, from.name) : undefined;
        if (to) {
          switching = { from: from.name, to: to.name };
          break;
        }
      }
    }
    if (!switching) {
      for (const m of folded.matchAll(INSTEAD_RE)) {
        const from = nextBrand(located, (m.index ?? 0) + m[0].length, 12);
        const to = prevBrand(located, m.index ?? 0, 40);
        if (from && to && from.name !== to.name) {
          switching = { from: from.name, to: to.name };
          break;
        }
      }
    }
  }
  if (switching) {
    addBias(bias, switching.from, -2);
    addBias(bias, switching.to, 2);
  }

  // Comparatives.
  let comparative = false;
  for (const m of folded.matchAll(COMPARATIVE_RE)) {
    const sign = COMPARATIVES[m[1] as string] ?? 0;
    const thanEnd = (m.index ?? 0) + m[0].length;
    const after = nextBrand(located, thanEnd, 15);
    const before = prevBrand(located, m.index ?? 0, 60);
    if (after || before) comparative = true;
    if (after) addBias(bias, after.name, -2 * sign);
    if (before && before.name !== after?.name) addBias(bias, before.name, 2 * sign);
  }
  for (const m of folded.matchAll(BEATS_RE)) {
    const after = nextBrand(located, (m.index ?? 0) + m[0].length, 15);
    const before = prevBrand(located, m.index ?? 0, 30);
    if (!after || !before || after.name === before.name) continue;
    comparative = true;
    addBias(bias, before.name, 2);
    addBias(bias, after.name, -2);
  }
  const comparison =
    names.size >= 2 && (switching !== null || comparative || COMPARISON_RE.test(folded)) ? true : comparative && names.size >= 1;

  const brands: BrandSentiment[] = [];
  // Raw scores of comma parts, by their start (multi-brand clauses only; see commaPartsSum).
  let partScores: Map<number, number> | undefined;
  for (const b of matched) {
    if (!sentiment) {
      brands.push({ name: b.name, sentiment: null });
      continue;
    }
    const own = located.filter((l) => l.name === b.name);
    if (own.length === 0 || names.size <= 1) {
      // Only brand named (or not locatable): the mention's sentiment, plus any switching bias.
      const raw = sentiment.raw + (bias.get(b.name) ?? 0);
      const score = names.size <= 1 && !bias.has(b.name) ? (sentiment.score as number) : Math.round(squash(raw) * 1000) / 1000;
      brands.push({ name: b.name, sentiment: { label: labelFor(score), score, confidence: confidenceFor(score, 1) } });
      continue;
    }
    let raw = 0;
    let pieces = 0;
    for (const seg of sentiment.segments) {
      // Whose clause is this? The brands named in it, else the last brand named before it.
      const inSeg = located.filter((l) => l.index >= seg.start && l.index < seg.end);
      let owners: Set<string>;
      if (inSeg.length > 0) owners = new Set(inSeg.map((l) => l.name));
      else {
        const prev = prevBrand(located, seg.start + 1, Number.MAX_SAFE_INTEGER);
        owners = new Set(prev ? [prev.name] : []);
      }
      if (!owners.has(b.name)) continue;
      const from = switching?.from ?? null;
      const to = switching?.to ?? null;
      if (from !== null && to !== null && owners.has(from) && owners.has(to) && !REGRET_RE.test(folded.slice(seg.start, seg.end))) {
        // Both brands of the switch: the complaint is about the one left, praise about the one chosen.
        const mine = b.name === from ? seg.sum < 0 : b.name === to ? seg.sum > 0 : true;
        if (mine) raw += seg.sum;
        pieces++;
        continue;
      }
      if (owners.size > 1 && !comparative && switching === null) {
        const part = commaPartsSum(text, seg.start, seg.end, located, b.name, (partScores ??= new Map()));
        if (part !== null) {
          raw += part;
          pieces++;
          continue;
        }
      }
      raw += seg.sum / (owners.size > 1 && comparative ? 2 : 1);
      pieces++;
    }
    raw += bias.get(b.name) ?? 0;
    const score = Math.round(squash(raw) * 1000) / 1000;
    brands.push({ name: b.name, sentiment: { label: labelFor(score), score, confidence: confidenceFor(score, pieces) } });
  }
  return { brands, comparison, switching };
}
