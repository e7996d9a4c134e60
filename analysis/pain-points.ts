/**
 * Pain-point tagging: the fixed default taxonomy (model.ts PAIN_POINTS) from lexicons/pain-points.json,
 * plus categories and words from the config.
 *
 * A tag needs a complaint, not a keyword alone:
 *
 * | the keyword is …                                   | counts when                                   |
 * |----------------------------------------------------|-----------------------------------------------|
 * | in a clause whose sentiment is negative            | always                                        |
 * | in a mention that is negative or has a complaint   | the keyword is not negated ("no delay"), or   |
 * | cue ("still waiting", "on hold")                   | the mention as a whole is negative            |
 * | in a positive or neutral mention with no complaint | never ("no delay at all, great" tags nothing) |
 *
 * Each tag's score is 1 - exp(-Σ weights / 3), in (0, 1); tags are returned strongest first with
 * their evidence (the matched words, strongest first).
 */
import { createRequire } from 'node:module';
import type { PainPointTag } from '../model.js';
import type { SentimentDetail } from './sentiment.js';
import { tokenise, wordValence } from './sentiment.js';

const require = createRequire(import.meta.url);
const DEFAULT = require('./lexicons/pain-points.json') as {
  categories: Record<string, Record<string, number>>;
  cues: Record<string, Record<string, number> | string>;
};
/** Complaint cue name → pain points it points to. */
const CUE_MAP = new Map<string, Array<[string, number]>>();
for (const [cue, targets] of Object.entries(DEFAULT.cues)) {
  if (typeof targets === 'object') CUE_MAP.set(cue, Object.entries(targets));
}

/** How many pieces of evidence make a tag's strength. */
/** How many pieces of evidence make a tag's strength. */
/** How many pieces of evidence make a tag's strength. */
const TOP_EVIDENCE = 4;
/** Weight given to words the config adds. */
export const CONFIG_WORD_WEIGHT = 2;

interface Entry {
  id: string;
  weight: number;
  term: string;
  /** The term itself names a problem (a negative word in the sentiment lexicon: delayed, lost, rude). */
  problem: boolean;
}

interface TrieNode {
  next: Map<string, TrieNode>;
  /** Wildcard children ("deliver*"), indexed by their first three letters. */
  prefixes: Map<string, Array<[string, TrieNode]>>;
  entries: Entry[];
}

const newNode = (): TrieNode => ({ next: new Map(), prefixes: new Map(), entries: [] });
const EMPTY: Array<[string, TrieNode]> = [];
const NEGATORS = new Set(['no', 'not', 'never', 'without', 'zero', "didn't", 'didnt', "wasn't", 'wasnt', "isn't", 'isnt', 'nothing']);

/** A compiled pain-point lexicon. */
export interface PainPointMatcher {
  /** Category ids, defaults first. */
  ids: string[];
  tag(text: string, sentiment: SentimentDetail | null): PainPointTag[];
}

/** Words of a term, split exactly as the sentiment scanner splits text. */
function termWords(term: string): string[] {
  return tokenise(term).tokens.filter((t) => t.k === 'word').map((t) => t.text);
}

/** Options for compilePainPoints. */
export interface PainPointOptions {
  /**
   * Default true: a keyword counts only inside a complaint (table above). false tags every keyword
   * (used by the accuracy bench to show what the complaint requirement costs; not for production).
   */
  requireComplaint?: boolean;
}

/** Builds a matcher from the default lexicon plus config additions (new ids or extra words). */
export function compilePainPoints(extra: Record<string, string[]> = {}, options: PainPointOptions = {}): PainPointMatcher {
  const requireComplaint = options.requireComplaint !== false;
  const root = newNode();
  const ids: string[] = [];
  const add = (id: string, term: string, weight: number): void => {
    const words = termWords(term.replace(/\*$/, ''));
    if (words.length === 0) return;
    const wildcard = term.trim().endsWith('*');
    let node = root;
    for (let i = 0; i < words.length; i++) {
      const w = words[i] as string;
      const last = i === words.length - 1;
      if (last && wildcard) {
        const key = w.slice(0, 3);
        const list = node.prefixes.get(key) ?? [];
        node.prefixes.set(key, list);
        let child = list.find(([p]) => p === w)?.[1];
        if (!child) {
          child = newNode();
          list.push([w, child]);
        }
        node = child;
      } else {
        let child = node.next.get(w);
        if (!child) {
          child = newNode();
          node.next.set(w, child);
        }
        node = child;
      }
    }
    const existing = node.entries.find((e) => e.id === id);
    if (existing) existing.weight = Math.max(existing.weight, weight);
    else {
      const problem = words.some((w) => (wordValence(w) ?? 0) < 0);
      node.entries.push({ id, weight, term: term.replace(/\*$/, '').trim().toLowerCase(), problem });
    }
  };
  for (const [id, terms] of Object.entries(DEFAULT.categories)) {
    ids.push(id);
    for (const [term, w] of Object.entries(terms)) add(id, term, w);
  }
  for (const [id, terms] of Object.entries(extra)) {
    if (!ids.includes(id)) ids.push(id);
    for (const term of terms) if (typeof term === 'string') add(id, term, CONFIG_WORD_WEIGHT);
  }

  return {
    ids,
    tag(text, sentiment) {
      if (!sentiment) return [];
      const lower = text.toLowerCase();
      const toks: Array<{ w: string; index: number }> = [];
      for (const t of sentiment.tokens) if (t.k === 'word') toks.push({ w: t.text, index: t.index });
      const overallNegative = sentiment.label === 'negative';
      const complaint = overallNegative || sentiment.complaints.length > 0;
      const positive = sentiment.label === 'positive';
      // Some sign of a problem somewhere in a neutral mention (a negative word, a bare negator).
      const problemSign = !positive && (sentiment.negWords < 0 || sentiment.bareNegators > 0);
      const scores = new Map<string, { sum: number; ev: Array<[string, number]> }>();
      for (let i = 0; i < toks.length; i++) {
        // Walk the trie from token i; collect every entry that ends on a token.
        const w0 = (toks[i] as { w: string }).w;
        if (!root.next.has(w0) && !root.prefixes.has(w0.slice(0, 3))) continue;
        const found: Array<[Entry, number]> = [];
        let frontier: TrieNode[] = [root];
        for (let j = i; j < toks.length && frontier.length > 0; j++) {
          const w = (toks[j] as { w: string }).w;
          const nextFrontier: TrieNode[] = [];
          for (const node of frontier) {
            const exact = node.next.get(w);
            if (exact) {
              nextFrontier.push(exact);
              for (const e of exact.entries) found.push([e, j]);
            }
            if (node.prefixes.size > 0)
              for (const [p, child] of node.prefixes.get(w.slice(0, 3)) ?? EMPTY)
                if (w.startsWith(p)) for (const e of child.entries) found.push([e, j]);
          }
          frontier = nextFrontier;
        }
        if (found.length === 0) continue;
        const at = (toks[i] as { index: number }).index;
        const segment = sentiment.segments.find((s) => at >= s.start && at < s.end);
        const clauseNegative = segment !== undefined && segment.sum < -0.5;
        let negated = false;
        for (let k = Math.max(0, i - 3); k < i; k++) if (NEGATORS.has((toks[k] as { w: string }).w)) negated = true;
        if (requireComplaint && negated && !overallNegative && !clauseNegative) continue;
        for (const [e] of found) {
          // See the table above; a neutral mention counts only a term that itself names a problem.
          if (requireComplaint && !clauseNegative && !complaint && !(e.problem && !positive) && !problemSign) continue;
          const w = e.weight * (clauseNegative ? 1.2 : 1);
          const cur = scores.get(e.id) ?? { sum: 0, ev: [] };
          if (!cur.ev.some(([t]) => t === e.term)) {
            cur.sum += w;
            cur.ev.push([e.term, w]);
          }
          scores.set(e.id, cur);
        }
      }
      // Complaint cues ("on hold", "missed connection") point to pain points of their own; they count
      // half when words already name the problem ("waiting for my refund" is about the refund).
      const cueFactor = scores.size > 0 ? 0.5 : 1;
      for (const cue of sentiment.complaints) {
        for (const [id, w0] of CUE_MAP.get(cue.name) ?? []) {
          // Except failures of contact (on hold, hung up, no reply): those are the complaint itself.
          const w = id === 'customer-service' ? w0 * 1.5 : w0 * cueFactor;
          const cur = scores.get(id) ?? { sum: 0, ev: [] };
          if (!cur.ev.some(([t]) => t === cue.name)) {
            cur.sum += w;
            cur.ev.push([cue.name, w]);
          }
          scores.set(id, cur);
        }
      }
      // A negative mention addressed to the brand that names no specific problem is a complaint about
      // how the brand treats its customers: customer-service, with the negative words as evidence.
      let strong = false;
      for (const v of scores.values()) if (v.sum >= 1) strong = true;
      if (!strong && (overallNegative || (problemSign && sentiment.complaints.length > 0)) && /(?:^|\s)@\w|\b(?:you|your|you're|youre|u|ur|y'all|yall)\b/.test(lower)) {
        const cs = scores.get('customer-service');
        const ev = cs ? cs.ev.map(([t]) => t) : sentiment.complaints.map((c) => c.name).slice(0, 3);
        scores.set('customer-service', { sum: 1, ev: (ev.length > 0 ? ev : ['complaint to the brand']).map((t) => [t, 1]) });
      }
      const tags: PainPointTag[] = [];
      for (const [id, { sum, ev }] of scores) {
        if (sum < 1) continue;
        ev.sort((a, b) => b[1] - a[1]);
        // Strength = the TOP_EVIDENCE strongest pieces: many weak words do not outweigh one clear one.
        let top = 0;
        for (let k = 0; k < ev.length && k < TOP_EVIDENCE; k++) top += (ev[k] as [string, number])[1];
        tags.push({ id, evidence: ev.map(([t]) => t), score: Math.round((1 - Math.exp(-top / 3)) * 1000) / 1000 });
      }
      tags.sort((a, b) => b.score - a.score || ids.indexOf(a.id) - ids.indexOf(b.id));
      return tags;
    },
  };
}
