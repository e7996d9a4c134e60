/**
 * Pain-point tagging: the fixed default taxonomy (model.ts PAIN_POINTS) from lexicons/pain-points.json,
 * plus categories and words from the config.
 *
 * A tag needs a complaint, not a keyword alone. A keyword counts unless:
 *
 * | the keyword is …                                            | example                               |
 * |-------------------------------------------------------------|---------------------------------------|
 * | a problem word denied by a negator in the 3 words before it | "no delay at all", "never late"       |
 * | in a positive clause, or the mention is praise (positive,   | "refund was quick, thanks"            |
 * | no complaint cue) and its clause is not negative            |                                       |
 * | in an information question and names no problem itself     | "is there wifi on board?"             |
 * | in a clause that makes the problem small, not negative      | "the delay was only 5 minutes"        |
 *
 * A clause after a contrast is not covered by the praise rule unless it is positive itself ("thanks,
 * but I still need my refund" tags refund); a sarcastic clause is negative (sentiment.ts SARCASM), so
 * "thanks for the 3 hour delay" tags delay.
 *
 * A flat statement of a problem counts even when the sentiment is neutral ("my bag is lost", "flight
 * delayed 3 hours"); a mention with no sign of a problem at all (no negative word, no complaint cue)
 * needs evidence of at least MIN_WITHOUT_PROBLEM. Things whose absence is the complaint ("no refund",
 * "didn't get my bag") are not denied by a negator.
 *
 * Order: a specific pain point (lost item, cancellation, delay, booking, staff…) beats the generic
 * customer-service when both fire, unless the customer-service evidence is about the contact itself
 * (on hold, a phone queue, "customer service"); waiting on such a contact is customer-service too.
 *
 * Each tag's score is 1 - exp(-Σ weights / 3), in (0, 1); tags are returned strongest first with
 * their evidence (the matched words, strongest first).
 */
import { createRequire } from 'node:module';
import type { PainPointTag } from '../model.js';
import type { Segment, SentimentDetail, Token } from './sentiment.js';
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
const TOP_EVIDENCE = 4;
/** Weight given to words the config adds. */
export const CONFIG_WORD_WEIGHT = 2;

interface Entry {
  id: string;
  weight: number;
  term: string;
  /** The term itself names a problem (a negative word in the sentiment lexicon: delayed, lost, rude). */
  problem: boolean;
  /** A negator before the term denies the problem ("no delay", "never late"); false for things whose
   * absence is the complaint ("no refund", "didn't get my bag"). */
  negatable: boolean;
}

interface Score {
  sum: number;
  ev: Array<[string, number]>;
}

/** The generic pain point that other, specific ones beat when both fire. */
const GENERIC = 'customer-service';
/** A customer-service piece of evidence at least this strong is about the interaction itself. */
const INTERACTION_WEIGHT = 2.9;
/** Factor on customer-service evidence when a specific pain point also fired. */
const GENERIC_DEMOTION = 0.6;
/** Customer-service evidence naming a contact channel: waiting on it is a service problem. */
const CONTACT = new Set(['phone', 'call', 'calling', 'called', 'hold', 'on hold', 'chat', 'live chat', 'hotline', 'helpline', 'call center', 'call centre', 'phone call', "can't get through", 'get through', 'hung up']);
/** Evidence a flat mention (no negative word, no complaint cue) needs before it is tagged. */
const MIN_WITHOUT_PROBLEM = 2;
/** Words whose absence is itself the complaint: a negator before them does not deny a problem. */
const ABSENCE_IS_PROBLEM = new Set([
  'refund', 'refunds', 'refunded', 'response', 'reply', 'answer', 'help', 'update', 'updates', 'compensation',
  'information', 'info', 'service', 'signal', 'wifi', 'power', 'internet', 'bag', 'bags', 'luggage', 'call',
  'callback', 'email', 'apology', 'explanation', 'communication', 'seat', 'seats', 'food', 'water',
]);
const YOU = new Set(['you', 'your', "you're", 'youre', 'u', 'ur', "y'all", 'yall']);

/** Sorts evidence strongest first (insertion sort, stable: a few items, no comparator call). */
function sortByWeight(ev: Array<[string, number]>): void {
  for (let i = 1; i < ev.length; i++) {
    const x = ev[i] as [string, number];
    let k = i;
    while (k > 0 && (ev[k - 1] as [string, number])[1] < x[1]) {
      ev[k] = ev[k - 1] as [string, number];
      k--;
    }
    ev[k] = x;
  }
}

function hasTerm(ev: Array<[string, number]>, term: string): boolean {
  for (const x of ev) if (x[0] === term) return true;
  return false;
}

/** The clause segment containing text index `at`. */
function segmentAt(segments: Segment[], at: number): Segment {
  for (const s of segments) if (at >= s.start && at < s.end) return s;
  return segments[segments.length - 1] as Segment;
}

/** The mention is addressed to the brand: an @handle or "you / your". */
function addressesBrand(text: string, tokens: Token[]): boolean {
  if (text.includes('@')) return true;
  for (const t of tokens) if (t.k === 'word' && YOU.has(t.text)) return true;
  return false;
}

interface TrieNode {
  next: Map<string, TrieNode>;
  /** Wildcard children ("deliver*"), indexed by their first three characters (see key3). */
  prefixes: Map<number, Array<[string, TrieNode]>>;
  entries: Entry[];
}

const newNode = (): TrieNode => ({ next: new Map(), prefixes: new Map(), entries: [] });

/** The first three UTF-16 units of a word as one number (no string is built), or -1 if shorter. */
function key3(w: string): number {
  return w.length < 3 ? -1 : (w.charCodeAt(0) * 65536 + w.charCodeAt(1)) * 65536 + w.charCodeAt(2);
}

/** Collects every entry of the trie that ends on a word, walking from `node` over tokens[j…]. */
function collect(node: TrieNode, tokens: Token[], j: number, out: Entry[]): void {
  const t = tokens[j];
  if (t === undefined || t.k !== 'word') return;
  const w = t.text;
  const exact = node.next.get(w);
  if (exact !== undefined) {
    for (const e of exact.entries) out.push(e);
    if (exact.next.size > 0 || exact.prefixes.size > 0) collect(exact, tokens, j + 1, out);
  }
  if (node.prefixes.size > 0) {
    const list = node.prefixes.get(key3(w));
    if (list !== undefined) for (const [p, child] of list) if (w.startsWith(p)) for (const e of child.entries) out.push(e);
  }
}
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
        const key = key3(w);
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
    if (!ids.includes(id)) ids.push(id);
    const existing = node.entries.find((e) => e.id === id);
    if (existing) existing.weight = Math.max(existing.weight, weight);
    else {
      const problem = words.some((w) => (wordValence(w) ?? 0) < 0);
      const negatable = problem && !words.some((w) => ABSENCE_IS_PROBLEM.has(w)) && !NEGATORS.has(words[0] as string);
      node.entries.push({ id, weight, term: term.replace(/\*$/, '').trim().toLowerCase(), problem, negatable });
    }
  };
  for (const [id, terms] of Object.entries(DEFAULT.categories)) {
    if (!ids.includes(id)) ids.push(id);
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
      const tokens = sentiment.tokens;
      const segments = sentiment.segments;
      const overallNegative = sentiment.label === 'negative';
      const positive = sentiment.label === 'positive';
      const hasComplaint = sentiment.complaints.length > 0;
      // A positive mention with no complaint cue is praise as a whole ("refund was quick, thanks").
      const praiseMention = positive && !hasComplaint;
      // An information question ("is there wifi on board?") counts only words that name a problem.
      const question = sentiment.infoQuestion;
      const scores = new Map<string, Score>();
      const found: Entry[] = [];
      let seg = 0;
      // Index (in words) of the last negator in the current clause, for the 3-word negation scope.
      let wordNo = 0;
      let lastNegator = -10;
      for (let i = 0; i < tokens.length; i++) {
        const t0 = tokens[i] as Token;
        if (t0.k !== 'word') {
          if (t0.k === 'stop' || t0.k === 'bang') lastNegator = -10;
          continue;
        }
        wordNo++;
        const w0 = t0.text;
        if (NEGATORS.has(w0)) lastNegator = wordNo;
        found.length = 0;
        collect(root, tokens, i, found);
        if (found.length === 0) continue;
        const at = t0.index;
        while (seg < segments.length - 1 && at >= (segments[seg] as Segment).end) seg++;
        const clauseSeg = segments[seg] as Segment;
        const clause = clauseSeg.sum;
        const clauseNegative = clause < -0.5;
        const negated = wordNo - lastNegator <= 3;
        for (const e of found) {
          if (requireComplaint) {
            // "no delay at all", "never late", "wasn't rude": the problem is denied.
            if (negated && e.negatable) continue;
            // Praise: the clause is positive, or the whole mention is praise and this clause is not negative
            // (a clause after a contrast carries the weight: "thanks, but I still need my refund").
            if (!clauseNegative && (clause > 0.5 || (praiseMention && !clauseSeg.afterContrast))) continue;
            // A problem made small: "the delay was only 5 minutes".
            if (clauseSeg.minimised && !clauseNegative) continue;
            if (question && !e.problem && !clauseNegative) continue;
          }
          const w = e.weight * (clauseNegative ? 1.2 : 1);
          let cur = scores.get(e.id);
          if (!cur) scores.set(e.id, (cur = { sum: 0, ev: [] }));
          if (!hasTerm(cur.ev, e.term)) {
            cur.sum += w;
            cur.ev.push([e.term, w]);
          }
        }
      }
      // A flat mention with no sign of a problem anywhere needs more than one weak word.
      const problemSign = overallNegative || hasComplaint || sentiment.negWords < 0 || sentiment.bareNegators > 0;
      // Complaint cues ("on hold", "missed connection") point to pain points of their own; they count
      // half when words already name the problem ("waiting for my refund" is about the refund).
      const cueFactor = scores.size > 0 ? 0.5 : 1;
      for (const cue of sentiment.complaints) {
        const targets = CUE_MAP.get(cue.name);
        if (targets === undefined) continue;
        // The praise rule holds for cues too: "great service, delivered in 2 days".
        if (requireComplaint && segmentAt(segments, cue.index).sum > 0.5) continue;
        for (const [id, w0] of targets) {
          // Except failures of contact (on hold, hung up, no reply): those are the complaint itself.
          const w = id === 'customer-service' ? w0 * 1.5 : w0 * cueFactor;
          let cur = scores.get(id);
          if (!cur) scores.set(id, (cur = { sum: 0, ev: [] }));
          if (!hasTerm(cur.ev, cue.name)) {
            cur.sum += w;
            cur.ev.push([cue.name, w]);
          }
        }
      }
      // A negative mention addressed to the brand that names no specific problem is a complaint about
      // how the brand treats its customers: customer-service, with the negative words as evidence.
      let strong = false;
      for (const v of scores.values()) if (v.sum >= 1) strong = true;
      if (!strong && (overallNegative || (problemSign && hasComplaint)) && addressesBrand(text, tokens)) {
        const cs = scores.get('customer-service');
        const ev = cs ? cs.ev.map(([t]) => t) : sentiment.complaints.map((c) => c.name).slice(0, 3);
        scores.set('customer-service', { sum: 1, ev: (ev.length > 0 ? ev : ['complaint to the brand']).map((t) => [t, 1]) });
      }
      // A specific problem (lost bag, cancellation, delay, rude staff…) beats the generic
      // customer-service when both fire, unless the text is about the service interaction itself
      // (on hold, hung up, "customer service", a representative, no reply).
      const cs = scores.get(GENERIC);
      // Waiting to reach someone (on hold, a phone queue) is about the service contact itself.
      const contact = cs !== undefined && cs.ev.some((x) => CONTACT.has(x[0]));
      const waiting = scores.get('waiting-time');
      if (contact && waiting) waiting.sum *= 0.5;
      if (cs && !contact && !cs.ev.some((x) => x[1] >= INTERACTION_WEIGHT)) {
        let specific = 0;
        for (const [id, v] of scores) if (id !== GENERIC && v.sum > specific) specific = v.sum;
        if (specific >= 2.5) cs.sum *= GENERIC_DEMOTION;
      }
      const tags: PainPointTag[] = [];
      const minSum = problemSign || !requireComplaint ? 1 : MIN_WITHOUT_PROBLEM;
      for (const [id, { sum, ev }] of scores) {
        if (sum < minSum) continue;
        sortByWeight(ev);
        // Strength = the TOP_EVIDENCE strongest pieces: many weak words do not outweigh one clear one.
        let top = 0;
        for (let k = 0; k < ev.length && k < TOP_EVIDENCE; k++) top += (ev[k] as [string, number])[1];
        if (id === GENERIC && sum < top) top = sum;
        const evidence: string[] = [];
        for (const x of ev) evidence.push(x[0]);
        tags.push({ id, evidence, score: Math.round((1 - Math.exp(-top / 3)) * 1000) / 1000 });
      }
      if (tags.length > 1) tags.sort((a, b) => b.score - a.score || ids.indexOf(a.id) - ids.indexOf(b.id));
      return tags;
    },
  };
}
