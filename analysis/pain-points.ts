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
 * needs evidence of at least MIN_WITHOUT_PROBLEM and must be addressed to the brand (an @handle, "you"):
 * "@airline I need my luggage before tomorrow" is a service request, "Booked a table for Friday through
 * the app" is a customer telling their day. Things whose absence is the complaint ("no refund",
 * "didn't get my bag") are not denied by a negator.
 *
 * Complaint cues count as signs of a problem: those of the sentiment stage and this stage's own
 * PAIN_CUES for complaints that look neutral ("is anyone answering the phone?", "3 hours and counting",
 * "thanks for not responding"). A failed action names its pain point by its verb ("can't book" →
 * booking, "can't log in" → account-access); only failing to reach someone is customer-service.
 *
 * Order: a specific pain point (lost item, cancellation, delay, booking, staff…) beats the generic
 * customer-service when both fire, unless the customer-service evidence is about the contact itself
 * (on hold, a phone queue, "customer service"); waiting on such a contact is customer-service too.
 * An errand (booking, refund, billing, account access) named beside the service is what the customer
 * came about, so the service is the complaint ("the call centre agent could not fix my booking").
 * A booking beside a clear cancellation or delay is its consequence, so the disruption ranks first
 * ("they cancelled my train and rebooked me for the next day").
 * A complaint whose pain points are all below a tag's threshold takes the strongest of them (at least
 * WEAK_BEST); only a complaint naming nothing at all falls back to customer-service.
 *
 * Each tag's score is 1 - exp(-Σ weights / 3), in (0, 1); tags are returned strongest first with
 * their evidence (the matched words, strongest first).
 */
import { createRequire } from 'node:module';
import type { PainPointTag } from '../model.js';
import type { Cue, Segment, SentimentDetail, Token, WordEntry } from './sentiment.js';
import { NO_ENTRY, registerWordFlags, reserveWordFlags, tokenise, wordValence } from './sentiment.js';

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

/** A tag after the first is kept when its score is at least this share of the first tag's score. */
const SECONDARY_SHARE = 0.6;
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
  /** The matcher's Score object for `id` (see ScoreTable). */
  slot: Score;
}

interface Score {
  id: string;
  /** Position of the id in the matcher's ids (ties between equal scores keep that order); -1 if none. */
  rank: number;
  sum: number;
  /** Evidence: the matched words and their weights, the first `n` of these arrays (reused from text to
   * text, so a text allocates no [term, weight] pair). */
  terms: string[];
  weights: number[];
  n: number;
  /** Ranking factor on the tag's strength (generic customer-service beaten by a specific problem…). */
  factor: number;
  /** The pain point has evidence in the current text (Score objects are reused from text to text). */
  live: boolean;
}

/**
 * The scores of one text, one reusable Score per pain point (no Map or Score allocated per text);
 * `live` lists those with evidence in the order they got it, as a Map's insertion order would.
 */
class ScoreTable {
  readonly live: Score[] = [];
  private readonly byId = new Map<string, Score>();
  private readonly ids: string[];

  constructor(ids: string[]) {
    this.ids = ids;
  }

  /** Starts a new text. */
  clear(): void {
    const live = this.live;
    if (live.length === 0) return;
    for (const sc of live) sc.live = false;
    empty(live);
  }

  /** The Score object of a pain point (live or not). */
  slot(id: string): Score {
    let sc = this.byId.get(id);
    if (sc === undefined) {
      sc = { id, rank: this.ids.indexOf(id), sum: 0, terms: [], weights: [], n: 0, factor: 1, live: false };
      this.byId.set(id, sc);
    }
    return sc;
  }

  /** The score of a pain point, made live (empty) if it was not. */
  take(sc: Score): Score {
    if (!sc.live) {
      sc.live = true;
      sc.sum = 0;
      sc.n = 0;
      sc.factor = 1;
      this.live.push(sc);
    }
    return sc;
  }
}

/** A Score object if it is live (has evidence in the current text), else undefined. */
function ifLive(sc: Score): Score | undefined {
  return sc.live ? sc : undefined;
}

/** The generic pain point that other, specific ones beat when both fire. */
const GENERIC = 'customer-service';
/** A customer-service piece of evidence at least this strong is about the interaction itself. */
const INTERACTION_WEIGHT = 2.9;
/** Factor on customer-service evidence when a specific pain point also fired. */
const GENERIC_DEMOTION = 0.6;
/** Customer-service evidence naming a contact channel: waiting on it is a service problem. */
const CONTACT = new Set(['phone', 'call', 'calling', 'called', 'hold', 'on hold', 'chat', 'live chat', 'hotline', 'helpline', 'call center', 'call centre', 'phone call', "can't get through", 'get through', 'hung up']);
/** A complaint whose pain points are all below a tag's threshold takes the strongest at least this strong. */
const WEAK_BEST = 0.5;
/** Evidence a flat mention (no negative word, no complaint cue) needs before it is tagged. */
const MIN_WITHOUT_PROBLEM = 2;
/** Words whose absence is itself the complaint: a negator before them does not deny a problem. */
const ABSENCE_IS_PROBLEM = new Set([
  'refund', 'refunds', 'refunded', 'response', 'reply', 'answer', 'help', 'update', 'updates', 'compensation',
  'information', 'info', 'service', 'signal', 'wifi', 'power', 'internet', 'bag', 'bags', 'luggage', 'call',
  'callback', 'email', 'apology', 'explanation', 'communication', 'seat', 'seats', 'food', 'water',
]);
const YOU = new Set(['you', 'your', "you're", 'youre', 'u', 'ur', "y'all", 'yall']);

/**
 * Empties a reused array. Popping its few items is inlined by the compiler, where `a.length = 0` calls
 * the length setter (≈3% of this stage when profiled).
 */
function empty(a: unknown[]): void {
  while (a.length > 0) a.pop();
}

/** Sorts a score's evidence strongest first (insertion sort, stable: a few items, no comparator call). */
function sortByWeight(sc: Score): void {
  const terms = sc.terms;
  const weights = sc.weights;
  for (let i = 1; i < sc.n; i++) {
    const t = terms[i] as string;
    const w = weights[i] as number;
    let k = i;
    while (k > 0 && (weights[k - 1] as number) < w) {
      terms[k] = terms[k - 1] as string;
      weights[k] = weights[k - 1] as number;
      k--;
    }
    terms[k] = t;
    weights[k] = w;
  }
}

/** Adds a piece of evidence to a score, unless the same words are already there. */
function addEvidence(sc: Score, term: string, w: number): void {
  const terms = sc.terms;
  for (let k = 0; k < sc.n; k++) if (terms[k] === term) return;
  sc.sum += w;
  terms[sc.n] = term;
  sc.weights[sc.n] = w;
  sc.n++;
}

/** Some piece of a score's evidence is one of `words` (or, when `minWeight` is given, weighs at least that). */
function someEvidence(sc: Score, words: Set<string>, minWeight = Infinity): boolean {
  for (let k = 0; k < sc.n; k++) if (words.has(sc.terms[k] as string) || (sc.weights[k] as number) >= minWeight) return true;
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

/**
 * A small integer from the first three UTF-16 units of a word (no string is built), or -1 if shorter.
 * Different starts may share a key (the list under a key is checked with startsWith); the key stays a
 * small integer, so the lookup allocates nothing.
 */
function key3(w: string): number {
  return w.length < 3 ? -1 : (((w.charCodeAt(0) * 31 + w.charCodeAt(1)) * 31 + w.charCodeAt(2)) & 0x3fffffff);
}

/**
 * Collects every entry of the trie that ends on a word, walking from `node` over tokens[j…]. `exact`
 * false tries only the wildcard terms for tokens[j] (at the root: a word not flagged TERM_BIT starts no
 * whole-word term).
 */
function collect(node: TrieNode, tokens: Token[], j: number, out: Entry[], exact = true): void {
  const t = tokens[j];
  if (t === undefined || t.k !== 'word') return;
  const w = t.text;
  if (exact) {
    const next = node.next.get(w);
    if (next !== undefined) {
      for (const e of next.entries) out.push(e);
      if (next.next.size > 0 || next.prefixes.size > 0) collect(next, tokens, j + 1, out);
    }
  }
  if (node.prefixes.size > 0) {
    const list = node.prefixes.get(key3(w));
    if (list !== undefined) for (const [p, child] of list) if (w.startsWith(p)) for (const e of child.entries) out.push(e);
  }
}
/**
 * What one matcher knows about a word, found once and kept on the scanner's entry for the word
 * (WordEntry.painFacts), so a word costs no lookup in the trie's root or in CUE_TRIGGERS. Several
 * matchers may be compiled (config words): the facts name their matcher's root, and a matcher that
 * meets another's facts works its own out again and puts them in the entry's one slot.
 */
interface WordFacts {
  root: TrieNode;
  /** The root's child for the word: the whole-word terms that start with it (undefined: none). */
  start: TrieNode | undefined;
  /** Entries of the root's wildcard terms that the word matches ("deliver*": delivery), in collect()'s order. */
  wild: Entry[] | undefined;
  /** The word's CUE_TRIGGERS list (undefined: it triggers no cue pattern). */
  cues: number[] | undefined;
}

/** The facts of a word (its scanner entry is `entry`) for the matcher whose trie is `root`; `none` if it has none. */
function wordFacts(root: TrieNode, w: string, entry: WordEntry, none: WordFacts): WordFacts {
  const start = (entry.flags & TERM_BIT) !== 0 ? root.next.get(w) : undefined;
  const cues = (entry.flags & CUE_BIT) !== 0 ? CUE_TRIGGERS.get(w) : undefined;
  const wild: Entry[] = [];
  collect(root, [{ k: 'word', text: w, index: 0, caps: false, elong: false, tag: false, entry }], 0, wild, false);
  if (start === undefined && cues === undefined && wild.length === 0) return none;
  return { root, start, wild: wild.length > 0 ? wild : undefined, cues };
}

/** Entries found in one text, word after word (reused: tag() runs one text at a time). */
const FOUND: Entry[] = [];
/** Beside each entry of FOUND: the text index of its word, and whether a negator denies it (3-word scope). */
const FOUND_AT: number[] = [];
const FOUND_NEGATED: boolean[] = [];
/** The `ids` ranks of the tags tag() returns, beside them while they are sorted (reused). */
const RANKS: number[] = [];
const NEGATORS = new Set(['no', 'not', 'never', 'without', 'zero', "didn't", 'didnt', "wasn't", 'wasnt', "isn't", 'isnt', 'nothing']);

/**
 * COMPLAINT CUES of this stage: complaints that look neutral (questions, faint praise, politeness)
 * and that the sentiment stage does not count. Industry-neutral; matched on lower-cased text, and a
 * cue's patterns run only when one of its trigger words is in the text. The pain points each cue
 * points to are in lexicons/pain-points.json `cues`.
 *
 * | cue                | example                                                              |
 * |--------------------|----------------------------------------------------------------------|
 * | nobody answers     | "is anyone answering the phone?", "does anyone ever reply?", "hello? |
 * |                    | anyone there?", "answer your phones", "still haven't heard back",    |
 * |                    | "not responding", "haven't spoken to a human yet", "can I at least   |
 * |                    | get a reply?", "how long for a response", "hoping to hear back from"  |
 * | taking so long     | "what's the hold up?", "why is it taking so long", "3 hours and      |
 * |                    | counting", "how much longer?"                                        |
 * | not moving         | "still hasn't left", "we haven't even boarded yet", "still on the    |
 * |                    | ground"                                                              |
 * | rhetorical         | "how am I supposed to…", "what am I supposed to do", "why can't I…", |
 * |                    | "why won't you…", "what good is…", "is it so hard to…", "are you     |
 * |                    | kidding", "how do I get hold of a human"                             |
 * | contact ignored    | "I emailed you 3 days ago", "sent a DM hours ago"                    |
 * | not able to        | "haven't been able to check in", "does not help" (a failed action:   |
 * |                    | the verb decides the pain point, see ACTION_TARGETS)                 |
 * | wait in line       | "waited 40 minutes for our bags", "the wait for a table", "wait to   |
 * |                    | check in"                                                            |
 * | faint praise       | "would be nice if…", "must be nice to…", "…not so much", "helpful at |
 * |                    | best", "less than helpful", "could be better", "hoped for better",   |
 * |                    | "I'd appreciate some…", "leaves a lot to be desired"                 |
 * | thanks for not     | "thanks for not responding", "thx for ignoring me", "thanks for      |
 * |                    | making me wait", "thanks for the generic response"                   |
 * | staff attitude     | "the driver was so rude", "unhelpful agents", "the teller laughed at |
 * |                    | me", "the manager raised his voice", "train your staff", "retrain    |
 * |                    | the drivers"                                                         |
 * | bad product        | "horrible flight", "the food was stale"                              |
 * | hung up, on hold   | "keeps hanging up", "cut me off", "been holding for 40 minutes"      |
 * | missed connection, | "going to miss my connection", "not getting home until midnight",   |
 * | arrive late        | "sitting at the gate"                                                |
 * | said before        | "already tried that", "I've called five times already" (repeating    |
 * |                    | oneself to the service)                                              |
 * | as usual           | "as usual", "yet again", "same old excuses", "this keeps happening": |
 * |                    | a sign of a complaint only, it points to no pain point               |
 * | understaffed       | "only one cashier working", "just one teller open"                   |
 *
 * Faint praise, "thanks for not", staff attitude and failures to reach someone or to get moving
 * (nobody answers, hung up, on hold, taking so long, not moving) turn their clause into a complaint
 * (the praise rule does not hold there: "the best answer is to hang up on me?").
 */
/** Customer-service evidence that says the service could not be reached (cue names). */
const CONTACT_FAILURE = new Set(['on hold', 'hung up', 'nobody answers', "can't get through", 'trying to reach', 'contact ignored', 'no response']);
/** Pain points that are errands a customer contacts the service for. */
const ERRANDS = ['booking', 'refund', 'billing', 'account-access'];
/** Ranking factor on an errand when the service could not be reached about it, or was named beside it. */
const ERRAND_DEMOTION = 0.6;
/** Customer-service evidence that makes the service, not the errand beside it, the complaint. */
const ERRAND_SERVICE = 2;
/** Service disruptions that a booking beside them is a consequence of (rebooked, booked another). */
const DISRUPTIONS = ['cancellation', 'delay'];
/** Evidence a disruption needs before the booking beside it is demoted (one clear word: "cancelled", "delayed"). */
const DISRUPTION_SUM = 3;
/** Ranking factor on booking beside a clear disruption. */
const REBOOKING_DEMOTION = 0.6;
/**
 * Cues whose name would misstate the text ("n hours" for "3 weeks", "without an answer" for "without
 * telling me"): their evidence is the words they matched.
 */
const SHOWN_AS_MATCHED = new Set(['n hours', 'n minutes', 'without an answer', 'kept waiting']);
/** The evidence term of a cue: its name, or the words it matched (SHOWN_AS_MATCHED). */
function cueTerm(cue: { name: string; text?: string }): string {
  return cue.text !== undefined && cue.text !== '' && SHOWN_AS_MATCHED.has(cue.name) ? cue.text.trim() : cue.name;
}
/** Cues as specific as a keyword: they keep their full weight beside other evidence. */
const SPECIFIC_CUES = new Set(['staff attitude', 'bad product', 'wait in line', 'missed connection', 'arrive late', 'not moving', 'understaffed']);
/** People who serve customers, and words for how they behaved (STAFF ATTITUDE cue). */
const PERSON = '(?:gate agent|flight attendant|cabin crew|ground crew|customer service agent|agent|staff|employee|worker|crew ?member|crew|attendant|stewardess|steward|rep|representative|cashier|driver|technician|manager|lady|guy|woman|man|gentleman|personnel|pilot|captain|waiter|waitress|teller|clerk|server)';
const ATTITUDE = '(?:rude|nasty|unprofessional|pathetic|incompetent|clueless|useless|unhelpful|lazy|hostile|condescending|dismissive|apathetic|arrogant|aggressive|impatient|disrespectful|unfriendly|careless|grumpy|snippy|snotty|impolite|obnoxious|belligerent|insulting|not helpful|not friendly|a joke)';
/** Trigger words of the STAFF ATTITUDE patterns. */
const PERSON_WORDS = 'agent agents staff employee employees worker workers crew attendant attendants stewardess steward rep reps representative representatives cashier cashiers driver drivers technician manager lady guy woman man gentleman personnel pilot captain waiter waitress teller clerk server'.split(' ');
const CUE_DEFS: Array<{ name: string; patterns: Array<[string, string[] | string[][]]>; turnsPraise?: boolean }> = [
  {
    name: 'nobody answers',
    patterns: [
      ["(?:does|do|is|are|will|won'?t|isn'?t|aren'?t) (?:any ?one|any ?body|some ?one|some ?body|a (?:human|person|real person)|people|(?:your )?(?:staff|agents?|reps?|team|support)|you(?: guys)?)(?: (?:at|in|from|on) [\\w']+(?: [\\w']+){0,2}?)? (?:there |ever |even |actually |still |going to |gonna |planning to |bother(?:ing)? to )?(?:answer|answering|pick(?:ing)? up|respond|responding|reply|replying|call(?:ing)? (?:me |us )?back|get(?:ting)? back|read|reading|listen|listening|monitor|monitoring|working|work there|home|awake)", [['does', 'do', 'is', 'are', 'will', "won't", 'wont', "isn't", 'isnt', "aren't", 'arent'], ['answer', 'answering', 'pick', 'picking', 'respond', 'responding', 'reply', 'replying', 'call', 'calling', 'get', 'getting', 'read', 'reading', 'listen', 'listening', 'monitor', 'monitoring', 'working', 'work', 'home', 'awake'], ['anyone', 'anybody', 'any', 'someone', 'somebody', 'some', 'human', 'person', 'people', 'staff', 'agent', 'agents', 'rep', 'reps', 'team', 'support', 'you']]],
      ['any ?(?:one|body) (?:there|home|out there|listening|awake|working)(?= *\\?)', [['anyone', 'anybody', 'any'], ['there', 'home', 'out', 'listening', 'awake', 'working']]],
      ['(?:please |pls |plz )?(?:answer|pick up) (?:the |your |ur |any |a )?(?:phones?|calls?|emails?|messages?|dms?|tweets?|chat)', ['answer', 'pick']],
      ['(?:not|never|stopped|stop|quit|nobody|no one|no ?body) (?:is |was |ever )?(?:answering|responding|replying|picking up|getting back|calling back|helping|assisting)', [['answering', 'responding', 'replying', 'picking', 'getting', 'calling', 'helping', 'assisting'], ['not', 'never', 'stopped', 'stop', 'quit', 'nobody', 'no', 'noone']]],
      ["(?:never|not|haven'?t|hasn'?t|didn'?t|have not|has not|did not|still no|still not|yet to) (?:heard back|hear back|heard from (?:you|anyone|anybody|them|someone)|gotten (?:a |any )?(?:reply|response|answer|call ?back)|had (?:a |any )?(?:reply|response|answer|call ?back))", [['heard', 'hear', 'gotten', 'had'], ['never', 'not', "haven't", 'havent', "hasn't", 'hasnt', "didn't", 'didnt', 'have', 'has', 'did', 'still', 'yet']]],
      ["(?:haven'?t|hasn'?t|have not|has not|never|not|yet to|still haven'?t) (?:spoken|talked|spoke|got through|gotten through|get through|reached|speak|talk) (?:to |with )?(?:a human|a person|anyone|anybody|someone|a live person|a real person|an agent|a rep|a representative)", [['spoken', 'talked', 'spoke', 'got', 'gotten', 'get', 'reached', 'speak', 'talk'], ['human', 'person', 'anyone', 'anybody', 'someone', 'live', 'real', 'agent', 'rep', 'representative']]],
      ['(?:please|pls|plz) (?:just )?(?:answer|pick up|respond|reply|call (?:me |us )?back|get back to)', [['please', 'pls', 'plz'], ['answer', 'pick', 'respond', 'reply', 'call', 'get']]],
      ['never (?:answered|responded|replied|called (?:me |us )?back|got back to)', [['never'], ['answered', 'responded', 'replied', 'called', 'got']]],
      ["(?:would|woulda|would've|it'?d) (?:[\\w']+ ){0,3}?nice if (?:[\\w']+ ){0,5}?(?:answered|picked up|replied|responded|called (?:me |us )?back|got back)", [['nice'], ['if'], ['answered', 'picked', 'replied', 'responded', 'called', 'got']]],
      ['no ?(?:one|body) (?:ever )?(?:answers|answered|responds|responded|replies|replied|picks up|picked up|calls back|called back|gets back|got back|helps|helped)', [['no', 'nobody', 'noone'], ['answers', 'answered', 'responds', 'responded', 'replies', 'replied', 'picks', 'picked', 'calls', 'called', 'gets', 'got', 'helps', 'helped']]],
      ['at least (?:get |have |send |give (?:me |us )?)?(?:a |an |some )?(?:response|reply|answer|call ?back|update|acknowledge?ment)', [['least'], ['response', 'reply', 'answer', 'call', 'callback', 'update', 'acknowledgment', 'acknowledgement']]],
      ['how long (?:for|until|till|before|to get) (?:a |an |my |the |any )?(?:reply|response|answer|call ?back)', [['how'], ['long'], ['reply', 'response', 'answer', 'call', 'callback']]],
      ["(?:isn'?t|aren'?t|wasn'?t|weren'?t|not|stop) (?:even )?(?:be )?(?:answering|responding|replying|picking up|taking (?:any )?calls)", [["isn't", 'isnt', "aren't", 'arent', "wasn't", 'wasnt', "weren't", 'werent', 'not', 'stop'], ['answering', 'responding', 'replying', 'picking', 'taking']]],
      ["(?:haven'?t|hasn'?t|have not|has not|never|didn'?t|did not|still not|not) (?:heard|received|gotten|got) (?:a thing|a word|anything|a peep)", [['heard', 'received', 'gotten', 'got'], ['thing', 'word', 'anything', 'peep']]],
      ['(?:hoping|waiting|hope|want|wanting|still waiting|yet) to hear (?:back |anything |something )?(?:from|back)', [['hear'], ['hoping', 'waiting', 'hope', 'want', 'wanting', 'yet']]],
      ["(?:can ?not|can'?t|cannot|couldn'?t|unable to|not able to) (?:get|find|obtain) (?:any |an? |some )?(?:information|info|answers?|updates?|response|reply|straight answer)", [['can', 'not', "can't", 'cant', 'cannot', "couldn't", 'couldnt', 'unable'], ['get', 'find', 'obtain'], ['information', 'info', 'answers', 'answer', 'updates', 'update', 'response', 'reply']]],
    ],
    turnsPraise: true,
  },
  {
    name: 'hung up',
    patterns: [
      ['hang(?:s|ing)? up', ['hang', 'hangs', 'hanging']],
      ['hung up', ['hung']],
      ['cut (?:me |us )?off', ['cut']],
      ['(?:call|line) (?:got |was |keeps getting |kept getting )?(?:dropped|disconnected)', ['dropped', 'disconnected']],
    ],
    turnsPraise: true,
  },
  {
    name: 'on hold',
    patterns: [
      ["(?:keep|kept|been|still|am|was|were|i'?m|we'?re) holding\\b", ['holding']],
      ['holding (?:for|on the line|on the phone)', ['holding']],
      ['hold times?|on-hold', ['hold']],
      ["(?:been |was |were |sat |sitting |i'?m |we'?re )on the (?:phone|line) (?:for|over|about|almost|nearly|since) ", [['phone', 'line'], ['for', 'over', 'about', 'almost', 'nearly', 'since'], ['been', 'was', 'were', 'sat', 'sitting', "i'm", 'im', "we're"]]],
    ],
    turnsPraise: true,
  },
  {
    name: 'taking so long',
    patterns: [
      ["what(?:'s| is| was) (?:taking so long|the (?:hold ?up|holdup|delay|wait))", [['what', "what's", 'whats'], ['taking', 'hold', 'holdup', 'delay', 'wait']]],
      ['(?:taking|takes|took|taken|take) (?:so|too|this|that|way too) long', [['taking', 'takes', 'took', 'taken', 'take'], ['long']]],
      ['how much longer', ['longer']],
      ['(?:and|&) counting', ['counting']],
      ['how long (?:do|does|will|must|should|are|is) (?:i|we|it|this|they|you) (?:have to |gonna |going to )?(?:wait|be waiting|take|keep)', [['how'], ['long'], ['wait', 'waiting', 'take', 'keep']]],
      ["how long (?:[\\w']+ ){0,4}?(?:is taking|it'?s taking|has taken|is it taking|are you going to|are you gonna)", [['how'], ['long'], ['taking', 'taken', 'going', 'gonna']]],
      ['(?:make|making|made|keep|keeping|kept|have|having|had) (?:us|me|everyone|people|passengers|customers) (?:wait|sit|stay|stand|sitting|waiting|standing)', [['make', 'making', 'made', 'keep', 'keeping', 'kept', 'have', 'having', 'had'], ['us', 'me', 'everyone', 'people', 'passengers', 'customers'], ['wait', 'sit', 'stay', 'stand', 'sitting', 'waiting', 'standing']]],
    ],
    turnsPraise: true,
  },
  {
    name: 'not moving',
    patterns: [
      ["(?:still (?:haven'?t|hasn'?t|have not|has not|not|didn'?t|did not|isn'?t|aren'?t)|(?:haven'?t|hasn'?t|have not|has not) (?:even |yet )?)(?:left|departed|taken off|took off|boarded|moved|started|begun|pushed back|leaving|departing|boarding|moving)", [['left', 'departed', 'taken', 'took', 'boarded', 'moved', 'started', 'begun', 'pushed', 'leaving', 'departing', 'boarding', 'moving'], ['still', "haven't", 'havent', "hasn't", 'hasnt', 'have', 'has']]],
      ['still (?:on (?:the )?(?:ground|tarmac|runway|plane)|at the gate)', [['still'], ['ground', 'tarmac', 'runway', 'plane', 'gate']]],
      ['(?:sitting|sit|sat|stuck|waiting|parked) (?:here )?(?:on|at) (?:the|a|this|your) (?:ground|tarmac|runway|gate|platform)', [['sitting', 'sit', 'sat', 'stuck', 'waiting', 'parked'], ['ground', 'tarmac', 'runway', 'gate', 'platform']]],
    ],
    turnsPraise: true,
  },
  {
    name: 'missed connection',
    patterns: [
      ["(?:miss|missing|gonna miss|going to miss|will miss|might miss|make|making|made) (?:my |our |the |a |his |her |their )?(?:connection|connecting|cnxn|connector|connex)", [['miss', 'missing', 'make', 'making', 'made'], ['connection', 'connections', 'connecting', 'cnxn', 'connector', 'connex']]],
    ],
  },
  {
    name: 'arrive late',
    patterns: [
      ["(?:not |won'?t be |won'?t |will not |only )?(?:get|getting|got|arrive|arriving|arrived|land|landing|landed|be|reach|reaching) (?:in |home |there |back |here )?(?:until|till|til|after) (?:tomorrow|midnight|the next day|\\d)", [['until', 'till', 'til', 'after'], ['get', 'getting', 'got', 'arrive', 'arriving', 'arrived', 'land', 'landing', 'landed', 'be', 'reach', 'reaching']]],
      ['(?:now|still) (?:not )?(?:due|scheduled|expected|estimated) (?:to (?:arrive|land|leave|depart) )?(?:at |after |around )?(?:\\d|midnight|tomorrow)', [['now', 'still'], ['due', 'scheduled', 'expected', 'estimated']]],
    ],
  },
  {
    name: 'staff attitude',
    patterns: [
      [`${PERSON}s? (?:[\\w']+ ){0,4}?(?:was|were|is|are|been|being|acted|seemed|got|so|very) (?:so |very |extremely |really |incredibly |just |super |completely |totally |beyond |being )?${ATTITUDE}`, [PERSON_WORDS, ['rude', 'nasty', 'unprofessional', 'pathetic', 'incompetent', 'clueless', 'useless', 'unhelpful', 'lazy', 'hostile', 'condescending', 'dismissive', 'apathetic', 'arrogant', 'aggressive', 'impatient', 'disrespectful', 'unfriendly', 'careless', 'grumpy', 'snippy', 'snotty', 'impolite', 'obnoxious', 'belligerent', 'insulting', 'helpful', 'friendly', 'joke']]],
      [`${ATTITUDE} (?:[\\w']+ )?${PERSON}s?\\b`, [PERSON_WORDS, ['rude', 'nasty', 'unprofessional', 'pathetic', 'incompetent', 'clueless', 'useless', 'unhelpful', 'lazy', 'hostile', 'condescending', 'dismissive', 'apathetic', 'arrogant', 'aggressive', 'impatient', 'disrespectful', 'unfriendly', 'careless', 'grumpy', 'snippy', 'snotty', 'impolite', 'obnoxious', 'belligerent', 'insulting', 'helpful', 'friendly', 'joke']]],
      [`${PERSON}s? (?:[\\w']+ ){0,3}?(?:yelled|screamed|shouted|laughed at (?:me|us|my|our|her|him|them)|rolled (?:her|his|their) eyes|walked (?:away|off)|wandered off|argued|snapped|swore|cursed|lied|smirked|scoffed|was on (?:her|his) phone|talked down|raised (?:her|his) voice|refused to)`, [PERSON_WORDS, ['yelled', 'screamed', 'shouted', 'laughed', 'rolled', 'walked', 'wandered', 'argued', 'snapped', 'swore', 'cursed', 'lied', 'smirked', 'scoffed', 'phone', 'talked', 'raised', 'refused']]],
      [`(?:(?:train|teach|educate|coach) (?:your|ur)|retrain(?: your| ur| the| these| those)?) (?:[\\w']+ )?${PERSON}s?\\b`, [['train', 'retrain', 'teach', 'educate', 'coach'], PERSON_WORDS]],
    ],
    turnsPraise: true,
  },
  {
    name: 'bad product',
    patterns: [
      ["(?:worst|horrible|terrible|awful|bad|miserable|uncomfortable|rough|disappointing|crappy|lousy|poor|shitty|hellish|nasty|disgusting|subpar|sub-par|cheap) (?:[\\w']+ )?(?:flights?|trip|ride|journey|stay|meal|meals|food|product|products|plane|planes|aircraft|seats?|room|hotel|device|item|purchase|quality|coffee|drinks?)\\b(?! attendants?| crew| staff| agents?| service| support)", [['worst', 'horrible', 'terrible', 'awful', 'bad', 'miserable', 'uncomfortable', 'rough', 'disappointing', 'crappy', 'lousy', 'poor', 'shitty', 'hellish', 'nasty', 'disgusting', 'subpar', 'sub', 'cheap'], ['flight', 'flights', 'trip', 'ride', 'journey', 'stay', 'meal', 'meals', 'food', 'product', 'products', 'plane', 'planes', 'aircraft', 'seat', 'seats', 'room', 'hotel', 'device', 'item', 'purchase', 'quality', 'coffee', 'drink', 'drinks']]],
      ["(?:flight|trip|ride|journey|stay|meal|food|product|plane|seat|room|item|coffee|drinks?|quality)s? (?:was|is|were|are|has been|have been|felt|feels|tasted|tastes|looked|looks|smelled|smells) (?:so |very |really |absolutely |just |pretty |completely |totally )?(?:horrible|terrible|awful|bad|miserable|uncomfortable|rough|disappointing|crappy|lousy|poor|a nightmare|gross|disgusting|stale|dirty|filthy|cramped|broken|inedible|cold|bland|soggy|raw|burnt|tasteless|undercooked|overcooked)", [['flight', 'flights', 'trip', 'trips', 'ride', 'rides', 'journey', 'stay', 'meal', 'meals', 'food', 'product', 'products', 'plane', 'planes', 'seat', 'seats', 'room', 'rooms', 'item', 'items', 'coffee', 'drink', 'drinks', 'quality'], ['horrible', 'terrible', 'awful', 'bad', 'miserable', 'uncomfortable', 'rough', 'disappointing', 'crappy', 'lousy', 'poor', 'nightmare', 'gross', 'disgusting', 'stale', 'dirty', 'filthy', 'cramped', 'broken', 'inedible', 'cold', 'bland', 'soggy', 'raw', 'burnt', 'tasteless', 'undercooked', 'overcooked']]],
    ],
  },
  {
    name: 'rhetorical',
    patterns: [
      ['how (?:am|are|is|was|were) (?:i|we|my \\w+|anyone|one|someone|people|customers) (?:supposed|meant|expected) to', [['how'], ['supposed', 'meant', 'expected']]],
      ['what (?:am|are|is|was) (?:i|we|one) (?:supposed|meant|expected) to do', [['what'], ['supposed', 'meant', 'expected']]],
      ['how (?:do|can|could|will|would|does|should) (?:i|we|one|anyone) (?:ever )?(?:get (?:through|a hold|ahold|hold of|in touch|anyone|someone|somebody|a human|a person|a real person|an answer|a response|a reply|(?:my|our) \\w+ back)|reach (?:anyone|someone|a human|a person)|talk to (?:a human|a person|someone|anyone)|speak to (?:a human|a person|someone|anyone))', [['how'], ['get', 'reach', 'talk', 'speak']]],
      ["why (?:can'?t|cant|cannot|won'?t|wont|doesn'?t|isn'?t|aren'?t) (?:i|we|you|u|anyone|it|this|the \\w+)", [['why'], ["can't", 'cant', 'cannot', "won't", 'wont', "doesn't", 'doesnt', "isn't", 'isnt', "aren't", 'arent']]],
      ["what(?:'s| is) the point of", ['point']],
      ['what good (?:is|are|was|does)', [['what'], ['good']]],
      ["is it (?:so|that|really|too) (?:hard|difficult|much to ask)", ['hard', 'difficult', 'ask']],
      ["(?:are|r) (?:you|u) (?:kidding|serious|joking)", [['are', 'r'], ['you', 'u'], ['kidding', 'serious', 'joking']]],
      ["(?:you'?ve|you have) (?:got|gotta) to be kidding", ['kidding']],
    ],
  },
  {
    name: 'contact ignored',
    patterns: [
      ["(?:dm(?:'?e?d)?|messaged|emailed|e-mailed|called|rang|tweeted|wrote|filed|submitted|sent (?:you |u |in )?(?:a |an |my |the )?\\w+)(?: [\\w']+){0,5}? (?:(?:\\d+|a|an|one|two|three|four|five|several|many|few|couple(?: of)?) )?(?:hours?|hrs?|days?|weeks?|months?) ago", ['ago']],
    ],
  },
  {
    name: 'not able to',
    patterns: [
      ["(?:haven'?t|hasn'?t|have not|has not|not|never|wasn'?t|weren'?t) (?:yet )?(?:been )?able to (?:\\w+)", ['able']],
      ['(?:does|do|did|will|would|can|could) not (?:help|assist|work|load|let (?:me|us)|allow|accept|honou?r|care|listen|explain|rebook|reschedule|change|refund|compensate)', [['does', 'do', 'did', 'will', 'would', 'can', 'could'], ['not'], ['help', 'assist', 'work', 'load', 'let', 'allow', 'accept', 'honor', 'honour', 'care', 'listen', 'explain', 'rebook', 'reschedule', 'change', 'refund', 'compensate']]],
    ],
  },
  {
    name: 'wait in line',
    patterns: [
      ["(?:wait(?:ed|ing)?|\\d+ ?(?:mins?|minutes?|hours?|hrs?)\\+?(?: wait)?) (?:(?:over|almost|nearly|about|around|for|an?|\\d+\\+?|\\w+) ){0,3}?for (?:the |my |our |a |your |an? )?(?:bags?|luggage|baggage|suitcases?|table|cashier|checkout|counter|teller|pharmacist|security|check ?in|someone to|a (?:seat|table))\\b", [['bag', 'bags', 'luggage', 'baggage', 'suitcase', 'suitcases', 'table', 'cashier', 'checkout', 'counter', 'teller', 'pharmacist', 'security', 'check', 'checkin', 'someone', 'seat'], ['wait', 'waited', 'waiting', 'min', 'mins', 'minute', 'minutes', 'hour', 'hours', 'hr', 'hrs']]],
      ['(?:wait|waiting|waited) (?:in line )?to (?:check ?in|board|be seated|be served|pay|check ?out|get through security|see (?:a|an|the) (?:agent|teller|rep|representative|doctor|cashier))', [['wait', 'waiting', 'waited'], ['to']]],
      ['the wait (?:for|at) (?:the |my |our |a )?(?:bags?|luggage|baggage|table|counter|desk|checkout|register|security)', [['wait'], ['bag', 'bags', 'luggage', 'baggage', 'table', 'counter', 'desk', 'checkout', 'register', 'security']]],
    ],
  },
  {
    name: 'faint praise',
    patterns: [
      ["(?:would|woulda|would've|it'd|it would) (?:have )?(?:been |be )?(?:sure |really |so |very |awfully |pretty )?(?:be )?nice (?:if|to|of)", [['nice'], ['would', 'woulda', "would've", "it'd"]]],
      ['must be nice to', ['nice']],
      ['not so much', ['much']],
      ['at best', ['best']],
      ['less th[ae]n (?:helpful|ideal|stellar|impressive|great|good|satisfactory|pleasant|friendly|professional|thrilled|happy|pleased|:)', ['less']],
      ['leaves? (?:a lot|much|something) to be desired', ['desired']],
      ['could (?:be|have been) (?:a lot |much |way )?better', ['better']],
      ['(?:hoped|expected|expect|hoping) (?:for )?(?:much |a lot |way |a little |a bit )?(?:better|more)', [['hoped', 'expected', 'expect', 'hoping'], ['better', 'more']]],
      ['(?:needs?|have) to (?:have |be |do )?(?:much |a lot |way |a little |a bit )?better', [['need', 'needs', 'have'], ['better']]],
      ["(?:i'?d|i would|we'?d|we would) (?:really |greatly |much )?appreciate (?:some|a|an|any|it if|if|you)", [['appreciate'], ["i'd", 'id', 'would', "we'd"]]],
      ['not (?:very|that|too|the most|exactly|super|overly) (?:helpful|clear|friendly|professional|good|great|easy|responsive|efficient|comfortable|impressive|customer friendly)', [['not'], ['very', 'that', 'too', 'most', 'exactly', 'super', 'overly'], ['helpful', 'clear', 'friendly', 'professional', 'good', 'great', 'easy', 'responsive', 'efficient', 'comfortable', 'impressive', 'customer']]],
    ],
    turnsPraise: true,
  },
  {
    name: 'said before',
    patterns: [
      ["(?:already|again) (?:tried|did|done|told|said|sent|called|asked|explained|gave|given|provided|filled|submitted|reported|restarted|reset)", [['already', 'again'], ['tried', 'did', 'done', 'told', 'said', 'sent', 'called', 'asked', 'explained', 'gave', 'given', 'provided', 'filled', 'submitted', 'reported', 'restarted', 'reset']]],
      ["(?:tried|did|done|told|said|sent|called|asked|explained|reported) (?:that|this|it|you|them|him|her|so|all that) (?:already|before|twice|(?:\\d+|two|three|four|five|several|many|multiple) times)", [['tried', 'did', 'done', 'told', 'said', 'sent', 'called', 'asked', 'explained', 'reported'], ['already', 'before', 'twice', 'times']]],
      ["(?:\\d+|two|three|four|five|several|many|multiple|countless|a dozen) times (?:already|now|and counting)", [['times'], ['already', 'now', 'counting']]],
    ],
    turnsPraise: true,
  },
  {
    name: 'as usual',
    patterns: [
      ['as (?:per )?usual', ['usual']],
      ["like (?:you|they|it) (?:always|usually) (?:do|does|are|is)", [['like'], ['always', 'usually']]],
      ['(?:yet|once) again', [['yet', 'once'], ['again']]],
      ['again and again|over and over|every (?:single )?time (?:i|we)\\b', [['again', 'over', 'time']]],
      ['same (?:old )?(?:issues?|problems?|story|mess|nonsense|excuses?)', [['same'], ['issue', 'issues', 'problem', 'problems', 'story', 'mess', 'nonsense', 'excuse', 'excuses']]],
      ['(?:this|it) keeps (?:on )?happening', [['keeps'], ['happening']]],
    ],
  },
  {
    name: 'understaffed',
    patterns: [
      ['(?:only|just|more than) (?:one|1|two|2) (?:person|people|agents?|cashiers?|tellers?|registers?|lanes?|employees?|staff|reps?|desks?|counters?|windows?|checkouts?) (?:working|open|on duty|staffed|serving)', [['only', 'just', 'more'], ['person', 'people', 'agent', 'agents', 'cashier', 'cashiers', 'teller', 'tellers', 'register', 'registers', 'lane', 'lanes', 'employee', 'employees', 'staff', 'rep', 'reps', 'desk', 'desks', 'counter', 'counters', 'window', 'windows', 'checkout', 'checkouts'], ['working', 'open', 'on', 'staffed', 'serving']]],
    ],
  },
  {
    name: 'thanks for not',
    patterns: [
      ['(?:thanks|thank you|thank u|thx|thks|ty|appreciate(?: it)?) (?:so much |a lot |again )?(?:for|4) (?:(?:not|never) (?:even )?(?:responding|answering|replying|helping|telling|letting|notifying|informing|updating|calling|getting back|caring|listening|communicating|bothering|doing anything|giving|explaining|following up)|nothing|ignoring|wasting|leaving (?:me|us)|making (?:me|us)|(?:having|havin|letting|keeping|leaving) (?:me|us) (?:wait|sit|stand|stay|sleep|stuck|stranded|on hold))', [['thanks', 'thank', 'thx', 'thks', 'ty', 'appreciate'], ['for', '4'], ['not', 'never', 'nothing', 'ignoring', 'wasting', 'leaving', 'making', 'having', 'havin', 'letting', 'keeping']]],
      ['(?:thanks|thank you|thank u|thx|ty) (?:for|4) (?:the|your|a) (?:generic|automated|canned|scripted|standard|form|copy[- ]?paste[d]?|computer[- ]generated|robotic|template[d]?|useless|vague|non-?)', [['thanks', 'thank', 'thx', 'ty'], ['for', '4'], ['generic', 'automated', 'canned', 'scripted', 'standard', 'form', 'copy', 'computer', 'robotic', 'template', 'templated', 'useless', 'vague', 'non']]],
    ],
    turnsPraise: true,
  },
];
/** One regular expression per pattern, run only when one of its trigger words is in the text. */
const PAIN_CUES = CUE_DEFS.flatMap((c) =>
  c.patterns.map(([pattern, triggers]) => ({
    name: c.name,
    re: new RegExp(`\\b(?:${pattern})`, 'g'),
    // Trigger groups: the pattern runs when a word of every group is in the text.
    groups: (Array.isArray(triggers[0]) ? triggers : [triggers]) as string[][],
    turnsPraise: c.turnsPraise === true,
  })),
);
/** Trigger word → pattern index and group bit, flat: [index, bit, index, bit, …]. */
const CUE_TRIGGERS = new Map<string, number[]>();
PAIN_CUES.forEach((c, idx) => {
  c.groups.forEach((group, g) => {
    for (const w of group) CUE_TRIGGERS.set(w, [...(CUE_TRIGGERS.get(w) ?? []), idx, 1 << g]);
  });
});
/** Reused by painCues (one text at a time): patterns touched, patterns to run. */
const CUE_TOUCHED: number[] = [];
const CUE_TO_RUN: number[] = [];
/** Groups seen so far for each pattern in the current text (cleared after each text). */
const CUE_SEEN = new Uint32Array(PAIN_CUES.length);
/** All groups of each pattern. */
const CUE_FULL = Uint32Array.from(PAIN_CUES, (c) => (1 << c.groups.length) - 1);
/** Vocabulary flag bits (sentiment.ts registerWordFlags): a cue trigger word; the first word of a term. */
const FLAGS_AT = reserveWordFlags(3);
const CUE_BIT = 1 << FLAGS_AT;
const TERM_BIT = 1 << (FLAGS_AT + 1);
/** A word of NEGATORS. */
const NEG_BIT = 1 << (FLAGS_AT + 2);
registerWordFlags(CUE_TRIGGERS.keys(), CUE_BIT);
registerWordFlags(NEGATORS, NEG_BIT);

/**
 * Cues that name a failed action ("can't book", "won't refund"): the action's verb decides the pain
 * point. Reaching someone (get through, reach, talk, speak, help) is customer-service (the cue's own
 * target); other verbs point to their own pain point.
 */
const ACTION_CUES = new Set(["can't get through", "won't help", 'not able to']);
const ACTION_SKIP = new Set([
  "can't", 'cant', 'cannot', "couldn't", 'couldnt', 'unable', 'impossible', 'to', "won't", 'wont', 'will', 'not', "wouldn't", 'wouldnt',
  'would', 'refuse', 'refuses', 'refused', 'refusing', "didn't", 'didnt', 'did', "don't", 'dont', 'do', "doesn't", 'doesnt', 'does',
  "haven't", 'havent', "hasn't", 'hasnt', 'have', 'has', 'never', "wasn't", 'wasnt', "weren't", 'werent', 'yet', 'been', 'able', 'can',
  'could',
]);
const ACTION_TARGETS = new Map<string, string>([
  ['book', 'booking'], ['change', 'booking'], ['rebook', 'booking'], ['reschedule', 'booking'], ['check', 'booking'], ['checkin', 'booking'],
  ['cancel', 'cancellation'], ['pay', 'billing'], ['refund', 'refund'], ['compensate', 'refund'],
  ['log', 'account-access'], ['login', 'account-access'], ['sign', 'account-access'], ['signin', 'account-access'], ['access', 'account-access'],
  ['load', 'bug'], ['open', 'bug'], ['use', 'bug'], ['connect', 'outage'],
]);
/** Missing information (sentiment cues 'no response', 'canned response' on "lack of …"). */
const INFO_WORDS = new Set(['info', 'information', 'update', 'updates', 'explanation', 'communication', 'notice', 'notification', 'warning', 'apology', 'word', 'news']);
/** Words that may follow the start of a 'canned response' cue when it is about a reply ("canned response", "copy and paste"). */
const CANNED_WORDS = new Set(['response', 'reply', 'answer', 'responses', 'replies', 'answers', 'and', '&', 'n', 'paste']);
/** Customer-service weight of missing information (× 1.5 as a cue: below INTERACTION_WEIGHT). */
const INFO_WEIGHT = 1.8;

/** What a "no …" complaint (sentiment cue 'no service') is about, by the missing thing. */
const MISSING_TARGETS = new Map<string, Array<[string, number]>>([
  ...['signal', 'service', 'internet', 'connection', 'network'].map((w): [string, Array<[string, number]>] => [w, [['outage', 2]]]),
  ...['wifi', 'wi', 'power'].map((w): [string, Array<[string, number]>] => [w, [['outage', 1.2], ['product-quality', 1.2]]]),
  ...['food', 'water', 'seat', 'seats', 'room', 'snacks', 'drinks', 'blankets', 'pillows', 'heat', 'heating', 'snack', 'drink', 'blanket', 'pillow', 'meal', 'meals', 'coffee', 'legroom', 'entertainment', 'tv', 'movies', 'screen', 'screens', 'outlet', 'outlets', 'charger', 'ventilation', 'ac', 'toilet', 'soap'].map((w): [string, Array<[string, number]>] => [w, [['product-quality', 2]]]),
]);

/** The word after the one at text index `at` ("no" in "no signal"), or null. */
function wordAfter(tokens: Token[], at: number): string | null {
  for (let k = 0; k < tokens.length - 1; k++) {
    const t = tokens[k] as Token;
    if (t.index < at) continue;
    const next = tokens[k + 1] as Token;
    return next.k === 'word' ? next.text : null;
  }
  return null;
}

/** Weight of an action cue on the pain point its verb names. */
const ACTION_WEIGHT = 2;

/**
 * The pain point a failed-action cue at text index `at` names by its verb ("can't book" → booking),
 * with the words as evidence; '' for reaching someone (customer-service, the cue's own target), or
 * null when the verb names no pain point ("won't let me").
 */
function actionTarget(tokens: Token[], at: number): [string, string] | null {
  let k = 0;
  while (k < tokens.length && (tokens[k] as Token).index < at) k++;
  const first = tokens[k];
  while (k < tokens.length && ACTION_SKIP.has((tokens[k] as Token).text)) k++;
  const verb = tokens[k];
  if (first === undefined || verb === undefined || verb.k !== 'word') return null;
  const phrase = `${first.text} ${verb.text}`;
  if (verb.text === 'get') {
    // "can't get a refund" names the refund; "can't get through / anyone / an answer" is contact.
    for (let j = k + 1; j < tokens.length && j <= k + 3; j++) if ((tokens[j] as Token).text.startsWith('refund')) return ['refund', `${phrase} a refund`];
    return ['', phrase];
  }
  const target = ACTION_TARGETS.get(verb.text);
  if (target !== undefined) return [target, phrase];
  return verb.text === 'let' || verb.text === 'allow' || verb.text === 'accept' || verb.text === 'find' ? null : ['', phrase];
}

interface FoundCue {
  name: string;
  index: number;
  turnsPraise: boolean;
}

/** Starts a text for noteCueTriggers and runPainCues. */
function startCueTriggers(): void {
  empty(CUE_TOUCHED);
  empty(CUE_TO_RUN);
}

/** Notes the trigger groups of a word of the text (its CUE_TRIGGERS list); a pattern with all its groups seen is to run. */
function noteCueTriggers(list: number[]): void {
  for (let k = 0; k < list.length; k += 2) {
    const idx = list[k] as number;
    const bit = list[k + 1] as number;
    const seen = CUE_SEEN[idx] as number;
    if ((seen & bit) !== 0) continue;
    if (seen === 0) CUE_TOUCHED.push(idx);
    CUE_SEEN[idx] = seen | bit;
    if ((seen | bit) === CUE_FULL[idx]) CUE_TO_RUN.push(idx);
  }
}

/**
 * Runs the PAIN_CUES whose trigger words were among the text's words (noteCueTriggers, in word order);
 * null when none matched.
 */
function runPainCues(text: string, lowerText: string | undefined): FoundCue[] | null {
  const touched = CUE_TOUCHED;
  const run = CUE_TO_RUN;
  for (let k = 0; k < touched.length; k++) CUE_SEEN[touched[k] as number] = 0;
  if (run.length === 0) return null;
  const lower = lowerText ?? (text.includes('\u2019') ? text.toLowerCase().replace(/\u2019/g, "'") : text.toLowerCase());
  let out: FoundCue[] | null = null;
  for (let k = 0; k < run.length; k++) {
    const c = PAIN_CUES[run[k] as number] as (typeof PAIN_CUES)[number];
    c.re.lastIndex = 0;
    let m: RegExpExecArray | null;
    let n = 0;
    while ((m = c.re.exec(lower)) !== null && n < 3) {
      (out ??= []).push({ name: c.name, index: m.index, turnsPraise: c.turnsPraise });
      n++;
    }
  }
  return out;
}

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

// The first words of the default terms are marked at load, before any text is scanned (config words
// are marked when a matcher is compiled, before the analyser scans anything).
registerWordFlags(
  Object.values(DEFAULT.categories).flatMap((terms) => Object.keys(terms).filter((t) => !/^\S+\*$/.test(t.trim())).map((t) => termWords(t.replace(/\*$/, ''))[0] ?? '')),
  TERM_BIT,
);

/** A hashtag part must be this long to count (#fail is not "fail" in a category). */
const HASHTAG_MIN_LENGTH = 4;
/** Only clear terms count inside a hashtag. */
const HASHTAG_MIN_WEIGHT = 1.5;

/**
 * Entries of the longest terms glued at the start and at the end of a hashtag ("#3hourdelay" → delay),
 * appended to `out` (whose entries from index `from` on are this word's).
 */
function hashtagEntries(glued: Map<string, Entry[]>, w: string, out: Entry[], from: number): void {
  const whole = glued.get(w);
  if (whole !== undefined) {
    for (const e of whole) out.push(e);
    return;
  }
  for (let p = w.length - 1; p >= HASHTAG_MIN_LENGTH; p--) {
    const head = glued.get(w.slice(0, p));
    if (head === undefined) continue;
    for (const e of head) out.push(e);
    break;
  }
  for (let p = w.length - 1; p >= HASHTAG_MIN_LENGTH; p--) {
    const tail = glued.get(w.slice(w.length - p));
    if (tail === undefined) continue;
    for (const e of tail) if (!out.includes(e, from)) out.push(e);
    break;
  }
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
  const table = new ScoreTable(ids);
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
      node.entries.push({ id, weight, term: term.replace(/\*$/, '').trim().toLowerCase(), problem, negatable, slot: table.slot(id) });
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
  // Hashtags glue words together (#lostluggage, #3hourdelay, #customerservicefail): clear terms
  // (weight ≥ HASHTAG_MIN_WEIGHT, no wildcard) that are phrases or name a problem themselves (so
  // "lines" is not found in #airlines), spaces removed, found at either end of a hashtag.
  const glued = new Map<string, Entry[]>();
  const gather = (node: TrieNode, words: string[]): void => {
    const key = words.join('');
    if (key.length >= HASHTAG_MIN_LENGTH) {
      for (const e of node.entries) {
        if (e.weight < HASHTAG_MIN_WEIGHT || (words.length < 2 && !e.problem)) continue;
        const list = glued.get(key) ?? [];
        if (!list.some((x) => x.id === e.id)) list.push(e);
        glued.set(key, list);
      }
    }
    for (const [w, child] of node.next) gather(child, [...words, w]);
  };
  gather(root, []);
  // Ranks are known now that every id is in.
  for (const id of ids) table.slot(id).rank = ids.indexOf(id);
  // The Score objects the ranking rules read by name, found once (no Map lookup per text).
  const genericSlot = table.slot(GENERIC);
  const waitingSlot = table.slot('waiting-time');
  const bookingSlot = table.slot('booking');
  const errandSlots = ERRANDS.map((id) => table.slot(id));
  const disruptionSlots = DISRUPTIONS.map((id) => table.slot(id));
  // The scanner marks the words that start a term, so other words skip the lookup.
  registerWordFlags(root.next.keys(), TERM_BIT);
  /** The facts of a word this matcher knows nothing about (shared: no object per such word). */
  const noFacts: WordFacts = { root, start: undefined, wild: undefined, cues: undefined };

  return {
    ids,
    tag(text, sentiment) {
      if (!sentiment) return [];
      const tokens = sentiment.tokens;
      const segments = sentiment.segments;
      const overallNegative = sentiment.label === 'negative';
      const positive = sentiment.label === 'positive';
      const scores = table;
      scores.clear();
      // One pass over the words: the entries of the terms each word starts go into one array (emptied
      // once per text, not per word), with the word's text index and negation beside them; the trigger
      // words of this stage's complaint cues are noted on the way.
      const found = FOUND;
      empty(found);
      startCueTriggers();
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
        const entry = t0.entry;
        const from = found.length;
        if (entry !== undefined && entry !== NO_ENTRY) {
          let facts = entry.painFacts as WordFacts | undefined;
          if (facts === undefined || facts.root !== root) entry.painFacts = facts = wordFacts(root, w0, entry, noFacts);
          if ((entry.flags & NEG_BIT) !== 0) lastNegator = wordNo;
          if (facts.cues !== undefined) noteCueTriggers(facts.cues);
          // collect() from the root, with the root's lookups done once per word.
          const start = facts.start;
          if (start !== undefined) {
            for (const e of start.entries) found.push(e);
            if (start.next.size > 0 || start.prefixes.size > 0) collect(start, tokens, i + 1, found);
          }
          if (facts.wild !== undefined) for (const e of facts.wild) found.push(e);
        } else {
          // A word the vocabulary does not remember (flags 0: no negator, no cue trigger, no term start),
          // or a token not from tokenise().
          if (entry === undefined && NEGATORS.has(w0)) lastNegator = wordNo;
          collect(root, tokens, i, found, entry === undefined);
        }
        if (found.length === from && t0.tag) hashtagEntries(glued, w0, found, from);
        if (found.length === from) continue;
        const negated = wordNo - lastNegator <= 3;
        for (let f = from; f < found.length; f++) {
          FOUND_AT[f] = t0.index;
          FOUND_NEGATED[f] = negated;
        }
      }
      // This stage's own complaint cues (PAIN_CUES), and the clauses they turn into complaints.
      const cues = runPainCues(text, sentiment.lower);
      let turned: Segment[] | null = null;
      if (cues !== null) for (const c of cues) if (c.turnsPraise) (turned ??= []).push(segmentAt(segments, c.index));
      const hasComplaint = sentiment.complaints.length > 0 || cues !== null;
      // A positive mention with no complaint cue is praise as a whole ("refund was quick, thanks").
      const praiseMention = positive && !hasComplaint;
      // An information question ("is there wifi on board?") counts only words that name a problem.
      const question = sentiment.infoQuestion && cues === null;
      let seg = 0;
      for (let f = 0; f < found.length; f++) {
        const e = found[f] as Entry;
        const at = FOUND_AT[f] as number;
        while (seg < segments.length - 1 && at >= (segments[seg] as Segment).end) seg++;
        const clauseSeg = segments[seg] as Segment;
        const clause = clauseSeg.sum;
        const clauseNegative = clause < -0.5;
        if (requireComplaint) {
          // "no delay at all", "never late", "wasn't rude": the problem is denied.
          if (FOUND_NEGATED[f] === true && e.negatable) continue;
          // Praise: the clause is positive, or the whole mention is praise and this clause is not negative
          // (a clause after a contrast carries the weight: "thanks, but I still need my refund").
          if (!clauseNegative && (clause > 0.5 || (praiseMention && !clauseSeg.afterContrast)) && !(turned !== null && turned.includes(clauseSeg))) continue;
          // A problem made small: "the delay was only 5 minutes".
          if (clauseSeg.minimised && !clauseNegative) continue;
          if (question && !e.problem && !clauseNegative) continue;
        }
        const w = e.weight * (clauseNegative ? 1.2 : 1);
        addEvidence(scores.take(e.slot), e.term, w);
      }
      // A flat mention with no sign of a problem anywhere needs more than one weak word.
      const problemSign = overallNegative || hasComplaint || sentiment.negWords < 0 || sentiment.bareNegators > 0;
      // Complaint cues ("on hold", "missed connection") point to pain points of their own; they count
      // half when words already name the problem ("waiting for my refund" is about the refund).
      const cueFactor = scores.live.length > 0 ? 0.5 : 1;
      const sentCues = sentiment.complaints;
      const nCues = sentCues.length + (cues === null ? 0 : cues.length);
      // A complaint cue outside praise ("@shop great service, delivered in 2 days" has none).
      let liveComplaint = !requireComplaint && hasComplaint;
      for (let c = 0; c < nCues; c++) {
        const cue: { name: string; index: number; text?: string; turnsPraise?: boolean } = c < sentCues.length ? (sentCues[c] as Cue) : ((cues as FoundCue[])[c - sentCues.length] as FoundCue);
        // The praise rule holds for cues too: "great service, delivered in 2 days".
        const cueSeg = segmentAt(segments, cue.index);
        if (requireComplaint && cueSeg.sum > 0.5 && !cue.turnsPraise && !(turned !== null && turned.includes(cueSeg))) continue;
        liveComplaint = true;
        const targets = CUE_MAP.get(cue.name);
        if (targets === undefined) continue;
        let list = targets;
        let term = cueTerm(cue);
        if (ACTION_CUES.has(cue.name)) {
          const action = actionTarget(tokens, cue.index);
          if (action === null) continue;
          if (action[0] !== '') {
            list = [[action[0], ACTION_WEIGHT]];
            term = action[1];
          }
        } else if (cue.name === 'no response' || cue.name === 'canned response') {
          // "no update", "lack of communication": missing information about a problem is part of that
          // problem; it does not make the mention about the service contact (weight below INTERACTION_WEIGHT).
          // "lack of legroom" names no service failure at all.
          let missing = wordAfter(tokens, cue.index);
          if (missing === 'of') missing = wordAfter(tokens, cue.index + 5);
          if (missing !== null && INFO_WORDS.has(missing)) {
            list = [[GENERIC, INFO_WEIGHT]];
            term = cue.name === 'no response' ? `no ${missing}` : `lack of ${missing}`;
          } else if (cue.name === 'canned response' && missing !== null && !CANNED_WORDS.has(missing)) continue;
        } else if (cue.name === 'no service' || cue.name === 'no x') {
          // "no signal" is an outage, "no food" a product: the missing thing decides.
          const missing = wordAfter(tokens, cue.index);
          const routed = missing === null ? undefined : MISSING_TARGETS.get(missing);
          if (routed === undefined) continue;
          list = routed;
          term = `no ${missing as string}`;
        }
        for (const [id, w0] of list) {
          // Except failures of contact (on hold, hung up, no reply): those are the complaint itself.
          const w = id === 'customer-service' ? w0 * 1.5 : SPECIFIC_CUES.has(cue.name) ? w0 : w0 * cueFactor;
          addEvidence(scores.take(scores.slot(id)), term, w);
        }
      }
      // A complaint whose pain points are all weak (below a tag's threshold) takes the strongest of them
      // when it reaches WEAK_BEST ("I'm still not out of the city yet": delay); otherwise a negative
      // mention addressed to the brand that names no specific problem is a complaint about how the
      // brand treats its customers: customer-service, with the negative words as evidence.
      let strong = false;
      for (const v of scores.live) if (v.sum >= 1) strong = true;
      let weakBest: Score | undefined;
      if (!strong) {
        for (const v of scores.live) if (v.id !== GENERIC && v.sum >= WEAK_BEST && (weakBest === undefined || v.sum > weakBest.sum)) weakBest = v;
      }
      const complaint = overallNegative || (problemSign && liveComplaint);
      if (!strong && weakBest !== undefined && complaint) {
        weakBest.sum = 1;
        weakBest.factor = 1;
      } else if (!strong && complaint && !positive && addressesBrand(text, tokens)) {
        const cs = ifLive(genericSlot);
        const ev = cs ? cs.terms.slice(0, cs.n) : [...sentCues, ...(cues ?? [])].map(cueTerm).slice(0, 3);
        if (ev.length === 0) ev.push('complaint to the brand');
        const fallback = scores.take(genericSlot);
        fallback.sum = 1;
        for (let k = 0; k < ev.length; k++) {
          fallback.terms[k] = ev[k] as string;
          fallback.weights[k] = 1;
        }
        fallback.n = ev.length;
        fallback.factor = 1;
      }
      // Nothing found and no fallback: no tags (the ranking rules below would change nothing).
      if (scores.live.length === 0) return [];
      // A specific problem (lost bag, cancellation, delay, rude staff…) beats the generic
      // customer-service when both fire, unless the text is about the service interaction itself
      // (on hold, hung up, "customer service", a representative, no reply).
      const cs = ifLive(genericSlot);
      // Waiting to reach someone (on hold, a phone queue, the line for "customer service") is about
      // the service contact itself.
      const contact = cs !== undefined && someEvidence(cs, CONTACT, INTERACTION_WEIGHT);
      const waiting = ifLive(waitingSlot);
      if (contact && waiting) waiting.factor *= 0.5;
      if (cs && !contact) {
        let specific = 0;
        for (const v of scores.live) if (v.id !== GENERIC && v.sum > specific) specific = v.sum;
        if (specific >= 2.5) cs.factor *= GENERIC_DEMOTION;
      }
      // Failing to reach the service, or a service interaction named with some strength (ERRAND_SERVICE),
      // while trying to get something done (book, change, refund, pay): the service is the pain, the
      // errand its purpose ("on hold for an hour to change my booking", "support was useless about my
      // booking").
      if (cs && (someEvidence(cs, CONTACT_FAILURE) || cs.sum >= ERRAND_SERVICE)) {
        for (const slot of errandSlots) {
          const v = ifLive(slot);
          if (v !== undefined) v.factor *= ERRAND_DEMOTION;
        }
      }
      // A cancelled or delayed service that the customer was rebooked or had to book around: the
      // disruption is the complaint, the booking its consequence ("cancelled, and rebooked me for tomorrow").
      const booking = ifLive(bookingSlot);
      if (booking !== undefined) {
        for (const slot of disruptionSlots) {
          const v = ifLive(slot);
          if (v !== undefined && v.sum >= DISRUPTION_SUM) {
            booking.factor *= REBOOKING_DEMOTION;
            break;
          }
        }
      }
      const tags: PainPointTag[] = [];
      const ranks = RANKS;
      const minSum = problemSign || !requireComplaint ? 1 : addressesBrand(text, tokens) ? MIN_WITHOUT_PROBLEM : Infinity;
      for (const sc of scores.live) {
        const sum = sc.sum;
        if (sum < minSum) continue;
        sortByWeight(sc);
        // Strength = the TOP_EVIDENCE strongest pieces: many weak words do not outweigh one clear one.
        let top = 0;
        for (let k = 0; k < sc.n && k < TOP_EVIDENCE; k++) top += sc.weights[k] as number;
        if (sum < top) top = sum;
        top *= sc.factor;
        ranks[tags.length] = sc.rank;
        tags.push({ id: sc.id, evidence: sc.terms.slice(0, sc.n), score: Math.round((1 - Math.exp(-top / 3)) * 1000) / 1000 });
      }
      // Strongest first, ties in `ids` order (insertion sort: a few tags, no comparator calls).
      for (let k = 1; k < tags.length; k++) {
        const x = tags[k] as PainPointTag;
        const xr = ranks[k] as number;
        let j = k;
        for (; j > 0; j--) {
          const y = tags[j - 1] as PainPointTag;
          if (!(x.score > y.score || (x.score === y.score && xr < (ranks[j - 1] as number)))) break;
          tags[j] = y;
          ranks[j] = ranks[j - 1] as number;
        }
        tags[j] = x;
        ranks[j] = xr;
      }
      // Secondary tags well below the main one are side remarks ("the app form" beside an outage):
      // counted, they would fill every pain point's figures with mentions about something else.
      if (tags.length > 1) {
        const floor = (tags[0] as PainPointTag).score * SECONDARY_SHARE;
        let keep = 1;
        while (keep < tags.length && (tags[keep] as PainPointTag).score >= floor) keep++;
        tags.length = keep;
      }
      return tags;
    },
  };
}
