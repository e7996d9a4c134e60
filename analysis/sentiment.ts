/**
 * English sentiment for customer-experience text: AFINN-165 (from the `sentiment` package) with the
 * team's CX lexicon on top, plus rules customer messages need.
 *
 * | rule            | effect                                                                      |
 * |-----------------|-----------------------------------------------------------------------------|
 * | negation        | a negator flips and halves sentiment words in the next 3 words (to a comma, |
 * |                 | full stop or contrast word); a negator with nothing to flip is weak         |
 * |                 | negative evidence ("haven't been able to")                                  |
 * | intensifiers    | very / so / extremely × up to 1.8; slightly / kinda × 0.5–0.7               |
 * | contrast        | before "but" / "however" × 0.5, after × 1.5 (words and praise cues)         |
 * | emphasis        | ALL CAPS word × 1.5, elongated word ("sooo") × 1.3, "!" adds 0.3 each (≤ 3) |
 * | emoji/emoticons | lexicons/emoji.json                                                         |
 * | complaints      | COMPLAINT_PATTERNS: on hold, still waiting, where is my…, N hours…          |
 * | praise          | PRAISE_PATTERNS: great job, you rock, shout-out…                            |
 * | info question   | opens with a question word, no complaint cue, weak sentiment → neutral      |
 * | sarcasm         | praise turned on a problem is negative: see SARCASM below                   |
 * | minimiser       | "only 5 minutes", "just a few minutes": the clause's negative words × 0.3   |
 *
 * The raw sum s is squashed to score = s / sqrt(s² + 16) in (-1, 1). Labels: score ≥ POS_T positive,
 * ≤ NEG_T negative, else neutral.
 */
import { createRequire } from 'node:module';
import type { SentimentLabel, SentimentResult } from '../model.js';
import { HASH_PRIME, HASH_START, RangeTable } from './intern.js';

const require = createRequire(import.meta.url);
const AFINN = require('sentiment/languages/en/labels.json') as Record<string, number>;
const CX = require('./lexicons/sentiment-cx.json') as {
  words: Record<string, number>;
  negators: string[];
  intensifiers: Record<string, number>;
  contrast: string[];
};
const EMOJI = require('./lexicons/emoji.json') as { emoji: Record<string, number>; emoticons: Record<string, number> };

/** Score at or above which a mention is positive. */
export const POS_T = 0.2;
/** Score at or below which a mention is negative. */
export const NEG_T = -0.2;
const SQUASH = 16;

const LEX = new Map<string, number>();
for (const [k, v] of Object.entries(AFINN)) LEX.set(k, v);
for (const [k, v] of Object.entries(CX.words)) LEX.set(k, v);
const NEGATORS = new Set(CX.negators);
const INTENS = new Map(Object.entries(CX.intensifiers));
const CONTRAST = new Set(CX.contrast);
const EMOJI_MAP = new Map(Object.entries(EMOJI.emoji));
const EMOTICON_MAP = new Map(Object.entries(EMOJI.emoticons));


/** A scanned text: its tokens, whether it is mostly capitals, and its lower-cased form. */
export interface Scanned {
  tokens: Token[];
  mostlyCaps: boolean;
  lower: string;
}

/** Scans text once for every English stage (language check, sentiment, pain points). */
export function scan(text: string): Scanned {
  const lower = text.includes('\u2019') ? text.toLowerCase().replace(/\u2019/g, "'") : text.toLowerCase();
  const { tokens, mostlyCaps } = tokenise(text, lower);
  return { tokens, mostlyCaps, lower };
}

/** The lower-cased words of a scan (no URLs or handles; digits-first tokens left out). */
export function scannedWords(s: Scanned): string[] {
  const out: string[] = [];
  for (const t of s.tokens) {
    if (t.k !== 'word') continue;
    const c = t.text.charCodeAt(0);
    if (c >= 48 && c <= 57) continue;
    out.push(t.text);
  }
  return out;
}

/** A token of the sentiment scanner: a word (lower-cased), emoticon, emoji, !/? run or stop. */
export interface Token {
  k: 'word' | 'emo' | 'pic' | 'bang' | 'stop';
  text: string;
  index: number;
  /** The word is a #hashtag. */
  tag: boolean;
  /** An ALL-CAPS word of three letters or more. */
  caps: boolean;
  /** A letter repeated three times ("sooo"). */
  elong: boolean;
  /**
   * A word's entry in the scanner's vocabulary (what the stages know about the word), set by
   * tokenise() on every word token; undefined on other tokens.
   */
  entry?: WordEntry | undefined;
}

/** What the analysis stages know about one word, found once by the scanner (see VOCAB). */
export interface WordEntry {
  /** The sentiment scorer's knowledge of the word (undefined: none). */
  readonly info: WordInfo | undefined;
  /** Bits other stages register for the word (see registerWordFlags). */
  flags: number;
  /**
   * The default journey-stage classifier's feature index for the word (-1: none), or undefined until
   * that classifier first meets the word (it writes it here; see journey-stage.ts).
   */
  stageFeature: number | undefined;
  /**
   * What a pain-point matcher knows about the word (pain-points.ts WordFacts, which names its
   * matcher), or undefined until a matcher first meets the word (it writes it here).
   */
  painFacts: object | undefined;
}

/**
 * The entry of a word nothing is known about and that the vocabulary does not remember (shared, never
 * written: a stage caching a fact on an entry skips this one).
 */
export const NO_ENTRY: WordEntry = Object.freeze({ info: undefined, flags: 0, stageFeature: undefined, painFacts: undefined });
/** Words the scanner looks up in place (found words cost no new string); unknown words join up to this many. */
const VOCAB_MAX = 50_000;

const EMOTICONS_BY_LENGTH = [...EMOTICON_MAP.keys()].sort((a, b) => b.length - a.length);
const EMOTICON_START = new Set(EMOTICONS_BY_LENGTH.map((e) => e.charCodeAt(0)));
/** EMOTICON_START for ASCII, as a table (checked for every character run). */
const EMOTICON_START_ASCII = new Uint8Array(128);
for (const c of EMOTICON_START) if (c < 128) EMOTICON_START_ASCII[c] = 1;
const LETTER_RE = /[\p{L}\p{N}]/u;
const UPPER_RE = /\p{Lu}/u;

function isWordChar(c: number, text: string, i: number): boolean {
  if (c < 128) return (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || (c >= 48 && c <= 57);
  if (c >= 0x2000 && c <= 0x2bff) return false; // punctuation, symbols, arrows, dingbats
  if (c >= 0xd800 && c <= 0xdbff) return LETTER_RE.test(text.slice(i, i + 2));
  return LETTER_RE.test(text[i] as string);
}
const isSpace = (c: number): boolean => c === 32 || c === 10 || c === 9 || c === 13 || c === 160;

/**
 * Hand-written scanner (several times faster than a regex with groups): skips URLs and @handles,
 * keeps hashtag words, finds emoticons at word boundaries and emoji by code point.
 */
export function tokenise(text: string, lower: string = text.toLowerCase()): { tokens: Token[]; mostlyCaps: boolean } {
  const tokens: Token[] = [];
  let letters = 0;
  let uppers = 0;
  const n = text.length;
  let i = 0;
  while (i < n) {
    const c = text.charCodeAt(i);
    // Emoticon at a boundary.
    if ((c < 128 ? EMOTICON_START_ASCII[c] === 1 : EMOTICON_START.has(c)) && (i === 0 || isSpace(text.charCodeAt(i - 1)))) {
      let found: string | null = null;
      for (const e of EMOTICONS_BY_LENGTH) {
        if (text.startsWith(e, i)) {
          const after = text.charCodeAt(i + e.length);
          if (i + e.length >= n || isSpace(after) || after === 33 || after === 63 || after === 46 || after === 44) {
            found = e;
            break;
          }
        }
      }
      if (found) {
        tokens.push({ k: 'emo', text: found, index: i, caps: false, elong: false, tag: false, entry: undefined });
        i += found.length;
        continue;
      }
    }
    if (c === 64 /* @ */ && i + 1 < n && isWordChar(text.charCodeAt(i + 1), text, i + 1)) {
      i++;
      while (i < n && (isWordChar(text.charCodeAt(i), text, i) || text.charCodeAt(i) === 95)) i++;
      continue;
    }
    if ((c === 104 || c === 119) && (c === 104 ? lower.charCodeAt(i + 1) === 116 && (lower.startsWith('http://', i) || lower.startsWith('https://', i)) : lower.startsWith('www.', i))) {
      while (i < n && !isSpace(text.charCodeAt(i))) i++;
      continue;
    }
    if (isWordChar(c, text, i)) {
      const start = i;
      let up = 0;
      let elong = false;
      let run = 1;
      let prev = -1;
      // hashRange(lower, start, i), computed on the way (see intern.ts).
      let hash = HASH_START;
      for (;;) {
        const d = text.charCodeAt(i);
        if (i < n && isWordChar(d, text, i)) {
          if (d === prev) {
            run++;
            if (run >= 3 && d > 57) elong = true;
          } else run = 1;
          prev = d;
          letters++;
          if (d < 128 ? d >= 65 && d <= 90 : UPPER_RE.test(text[i] as string)) up++;
          hash = Math.imul(hash ^ lower.charCodeAt(i), HASH_PRIME);
          i++;
        } else if ((d === 39 || d === 0x2019) && i + 1 < n && isWordChar(text.charCodeAt(i + 1), text, i + 1)) {
          hash = Math.imul(hash ^ lower.charCodeAt(i), HASH_PRIME);
          i++;
          prev = -1;
        } else break;
      }
      uppers += up;
      const len = i - start;
      const tag = start > 0 && text.charCodeAt(start - 1) === 35; /* # */
      // The word from the vocabulary when it is there (no new string), else cut out (and remembered).
      const found = VOCAB.find(lower, start, i, hash);
      let word: string;
      let entry: WordEntry;
      if (found >= 0) {
        word = VOCAB.key(found);
        entry = VOCAB.value(found);
      } else {
        word = lower.slice(start, i);
        entry = NO_ENTRY;
        // Remembered: short words (a long slice may share the whole text's memory, which the table would
        // keep) that do not start with a digit (numbers rarely repeat; they would only fill the table).
        // A remembered word gets an entry of its own, so later stages can cache facts on it.
        if (i - start < 13 && VOCAB.size < VOCAB_MAX && lower.charCodeAt(start) > 57) {
          entry = { info: undefined, flags: 0, stageFeature: undefined, painFacts: undefined };
          VOCAB.add(word, entry, hash);
        }
      }
      tokens.push({ k: 'word', text: word, index: start, caps: len >= 3 && up === len, elong, tag, entry });
      continue;
    }
    if (c === 33 || c === 63) {
      const start = i;
      while (i < n && (text.charCodeAt(i) === 33 || text.charCodeAt(i) === 63)) i++;
      tokens.push({ k: 'bang', text: text.slice(start, i), index: start, caps: false, elong: false, tag: false, entry: undefined });
      continue;
    }
    if (c === 46 || c === 59 || c === 58 || c === 10 || c === 44) {
      tokens.push({ k: 'stop', text: text[i] as string, index: i, caps: false, elong: false, tag: false, entry: undefined });
      i++;
      continue;
    }
    if (c >= 0x2190) {
      const cp = text.codePointAt(i) as number;
      const pic = String.fromCodePoint(cp);
      if (EMOJI_MAP.has(pic)) tokens.push({ k: 'pic', text: pic, index: i, caps: false, elong: false, tag: false, entry: undefined });
      i += cp > 0xffff ? 2 : 1;
      continue;
    }
    i++;
  }
  return { tokens, mostlyCaps: letters > 0 && uppers / letters > 0.6 };
}


/** A complaint or praise cue found in the text. */
export interface Cue {
  name: string;
  weight: number;
  index: number;
  /** The words it matched (lower-cased; '' for a cue of the whole text such as sarcasm). */
  text: string;
}

/**
 * Complaint patterns: problems stated without a negative word. Matched on lower-cased text; weights
 * are on the AFINN scale. Industry-neutral by design. The fourth element lists trigger words: a
 * pattern runs only when one of them is among the text's words ('#digit' = a word starting with a
 * digit and ending with a letter, a number glued to its unit such as "45mins" — a number standing
 * alone is matched through its unit word, which must then be a trigger too; '#neg' = a contracted
 * negator such as "doesn't").
 */
export const COMPLAINT_PATTERNS: Array<[RegExp, number, string, string[]]> = [
  [/\b(?:on|been on|put (?:me |us )?on|placed on) hold\b/g, -3, 'on hold', ['hold']],
  [/\bhung up\b|\bhang(?:s|ing)? up on\b|\b(?:and|then|just) hangs? up\b|\bcall (?:got |was )?dropped\b/g, -3, 'hung up', ['hung', 'hang', 'hangs', 'hanging', 'dropped']],
  [/\bno (?:one|body)\b|\bnobody\b/g, -2, 'no one', ['no', 'nobody']],
  [/\bno (?:reply|replies|response|answer|help|callback|call back|update|updates|info|information|communication|explanation|notice|notification|email|apology|resolution|way)\b/g, -2.5, 'no response', ['no']],
  [/\bno (?:compensation|refund|reimbursement)\b/g, -2.5, 'no refund', ['no']],
  [/\bstill (?:waiting|no\b|not\b|(?:do|does|did|have|has|is|are|am|was) not\b|nothing|haven'?t|hasn'?t|can'?t|cannot|don'?t|doesn'?t|didn'?t|isn'?t|stuck|on hold|broken|down\b|missing|charging|charged|unable|pending|sitting|here)/g, -3, 'still waiting', ['still']],
  [/\bwhere(?:'s| is| are| the hell is)? (?:my|our)\b/g, -2.5, 'where is my', ['where', 'where\'s', 'wheres']],
  [/\bwhy (?:is|are|was|were|do|does|did|would|am|has|have|should|must|can'?t|won'?t|isn'?t|aren'?t|hasn'?t|haven'?t|don'?t|doesn'?t|didn'?t|cant|wont|the hell|on earth)\b/g, -1.5, 'why', ['why']],
  [/\b(?:\d+|two|three|four|five|six|several|multiple|many)(?<!\b(?:within|only|just) \w+) ?\+? ?(?:hours?|hrs?|days?|weeks?|months?)\b/g, -1.5, 'n hours', ['#digit', 'hour', 'hours', 'hr', 'hrs', 'day', 'days', 'week', 'weeks', 'month', 'months']],
  [/\b(?:\d+|two|three|four|five|45|30|20)(?<!\b(?:within|only|just) \w+) ?(?:mins?|minutes?)\b/g, -1, 'n minutes', ['#digit', 'min', 'mins', 'minute', 'minutes']],
  [/\bmissed (?:my |our |the |a )?(?:connection|connecting|flight|delivery|appointment|train|meeting|deadline|event)/g, -3, 'missed connection', ['missed']],
  [/\b(?:can'?t|cannot|couldn'?t|unable to|impossible to|(?:haven'?t|hasn'?t|have not|has not|wasn'?t|weren'?t|not) (?:been )?able to) (?:get (?:through|a hold|ahold|anyone|someone|an answer|a refund|help)|reach|contact|talk to|speak to|log ?in|sign ?in|access|login|check ?in|book|pay|cancel|change|find|use|open|load|connect)/g, -3, "can't get through", ['can\'t', 'cant', 'cannot', 'couldn\'t', 'couldnt', 'unable', 'impossible', 'able']],
  [/\b(?:doesn'?t|does not|won'?t|will not|isn'?t|is not|not|never|didn'?t|did not|still not|wasn'?t|hasn'?t|haven'?t) (?:seem to (?:be )?|even |really |actually )?(?:work|working|load|loading|arrive|arrived|show(?:n|ed)? up|showing|come|came|get delivered|been delivered|delivered|received|refunded|fixed|resolved|answered|responded|returned|called back|processed|honou?red|turned up)\b/g, -3, "doesn't work", ['work', 'working', 'load', 'loading', 'arrive', 'arrived', 'show', 'shown', 'showed', 'showing', 'come', 'came', 'delivered', 'received', 'refunded', 'fixed', 'resolved', 'answered', 'responded', 'returned', 'called', 'processed', 'honored', 'honoured', 'turned']],
  [/\b(?:haven'?t|hasn'?t|have not|has not|didn'?t|did not|never) (?:received|got|gotten|heard|get|been (?:refunded|contacted|helped|told|paid|compensated))\b/g, -3, "haven't received", ['#neg', 'never']],
  [/\bsince (?:yesterday|last (?:week|night|month|year)|this morning|monday|tuesday|wednesday|thursday|friday|saturday|sunday|january|february|march|april|may|june|july|august|september|october|november|december|\d)/g, -2, 'since yesterday', ['since']],
  [/\bover and over\b|\bagain and again\b|\btime after time\b|\b(?:every ?time|each time)\b|\bfor the (?:\w+ )?(?:second|third|fourth|fifth|2nd|3rd|4th|5th|nth) time\b|\b(?:\d+|three|four|five|several|multiple) times\b/g, -2.5, 'over and over', ['over', 'again', 'time', 'times', 'every', 'each', 'everytime']],
  [/\bnever (?:again\b|flying|using|buying|ordering|shopping|booking|going|coming|eating|staying|recommend|(?:ever )?(?:fly|use|buy|order|shop|book|go|come|eat|stay|deal|trust|choose|return|visit|travel|rent|bank)\b(?:(?: \w+){0,3} again\b|(?<=(?:will|'ll|i'd|would|gonna|to) never (?:ever )?\w+)))/g, -4, 'never again', ['never']],
  [/\bwaste of (?:time|money)\b|\bwasted (?:my |our )?(?:time|money|day|hours?|evening|morning)\b/g, -3, 'waste of time', ['waste', 'wasted']],
  [/\b(?:been|keep|kept|still|currently|now) (?:waiting|sitting|stuck)\b|\bwaiting (?:for|on) (?:over |more than )?(?:an? |\d)/g, -2, 'kept waiting', ['waiting', 'sitting', 'stuck']],
  [/\b(?:charged|billed) (?:me |us )?(?:twice|double|again|extra|without)\b|\bdouble[- ]charged\b/g, -3, 'charged twice', ['charged', 'billed', 'double']],
  [/\b(?:let (?:me|us) down|fed up|sick of|tired of|had enough|so done with|done with you|lost (?:a|another|one) (?:\w+ )?customer|lost my business|(?:is|it's|its|this|that's) getting old|lost count)\b/g, -3, 'fed up', ['let', 'fed', 'sick', 'tired', 'enough', 'done', 'lost', 'old', 'count']],
  [/\b(?:(?<!(?:not|n't|never) )do better|step up your game|get (?:it|(?:your|its|their|his|her|our) act) together|(?:get|have) a clue|sort it out|fix (?:it|this|your)|get your shit together)\b/g, -2.5, 'do better', ['better', 'step', 'together', 'sort', 'fix', 'clue']],
  [/\bthanks? for (?:the |your )?(?:lack|vague|useless|canned|copy|non-?answer|nothing|letting)|\bthanks a lot\b(?=.{0,3}$)|\b(?:thanks?|thx|thanx) (?:a lot )?for nothing\b|\bthanks for (?:the|nothing) (?:help\b)?(?=.*\b(?:not|never|no)\b)/g, -4, 'thanks for nothing', ['nothing', 'thanks', 'thank']],
  [/\bwhat(?:'?s| is) (?:going on|the deal|up with|the point|happening|the hold ?up)\b|\bwhat was the point\b|\bseriously\?/g, -1.5, "what's going on", ['what', 'what\'s', 'whats', 'seriously']],
  // Tracking that contradicts the customer: "says delivered but nothing here", "marked as delivered, never got it".
  [/\b(?:says|said|shows|showed|showing|marked(?: as)?|status is|listed as) delivered\b[^.!?]{0,30}?\b(?:but|yet|and|still)\b[^.!?]{0,25}?\b(?:not|no|nothing|never|nowhere|isn'?t|wasn'?t|haven'?t|hasn'?t|didn'?t)\b/g, -2.5, 'marked delivered', ['delivered']],
  [/\b(?:trying|tried|try) to (?:reach|call|get (?:through|a hold|ahold|someone)|contact|speak|talk|get a refund|cancel)/g, -1.5, 'trying to reach', ['try', 'trying', 'tried']],
  [/\b(?:any|an) (?:update|news|word)\b.{0,20}\?/g, -1, 'any update', ['update', 'updates', 'news', 'word']],
  [/\bhow (?:hard|difficult) (?:is it|can it be)\b|\bhow (?:many|much longer|long) (?:more |do i |must i |are we |will i |should i |until)/g, -2, 'how long', ['how']],
  [/\b(?:not|no longer) (?:very |too |exactly )?(?:happy|impressed|satisfied|pleased|acceptable|okay|ok|good enough|thrilled|amused|a fan)\b/g, -1, 'not happy', ['not', 'longer']],
  [/\bno (?:wifi|wi-fi|power|signal|service|internet|food|water|seats?|room|stock|availability|show|shows)\b/g, -2, 'no service', ['no']],
  // (Money going down is good news: "my bill went down".)
  [/(?<!\b(?:bills?|prices?|costs?|fees?|rates?|premiums?|payments?|charges?|rent|taxe?s?|interest|debt|balance)(?: has| have)? )\b(?:is|are|was|were|went|been|goes|keeps going) (?:completely |totally )?down\b/g, -2.5, 'is down', ['down']],
  [/\black of\b|\bcanned (?:response|reply|answer)\b|\bcopy (?:and|&|n) paste\b|\bautomated (?:response|reply)\b/g, -2.5, 'canned response', ['lack', 'canned', 'copy', 'automated']],
  [/\b(?:was|were|is|are) supposed to\b|\bwas told\b|\bwere told\b/g, -1.5, 'supposed to', ['supposed', 'told']],
  [/\b(?:won'?t|will not|wouldn'?t|would not|refused? to|refusing to|didn'?t|did not|don'?t|do not|doesn'?t|does not|can'?t|cannot|couldn'?t) (?:really |even |actually )?(?:help|assist|let (?:me|us)|allow|accept|honou?r|care|listen|explain|rebook|reschedule|change|refund|compensate|answer|address|solve)\b/g, -2.5, "won't help", ['#neg', 'cannot', 'refuse', 'refused', 'refusing']],
  [/\bi (?:want|need|demand|expect) (?:my|a|to know why|an? (?:answer|explanation|refund))\b/g, -1.5, 'i want my', ['want', 'need', 'demand', 'expect']],
  [/\bdeserves? (?:better|more)\b|\bshould (?:be|have been) (?:ashamed|better)\b/g, -2.5, 'deserve better', ['deserve', 'deserves', 'should']],
  [/\blet(?:ting|s)? (?:me|us|them|your customers) down\b|\bno (?:more )?faith\b|\blost (?:all )?(?:faith|trust|confidence)\b/g, -3, 'let me down', ['let', 'letting', 'lets', 'faith', 'lost']],
  [/\bno (?:solution|solutions|benefits|assistance|support|options?|alternative|seats? available|available)\b/g, -2, 'no solution', ['no']],
  [/\bwhat (?:do|should|can) (?:i|we) do now\b|\bnow what\b/g, -1.5, 'what do i do now', ['what', 'now']],
  [/(?<!\b(?:thanks|thank you|thx|see you|visit|fly with you|use you|come|order) )\b(?:yet |once |all over )?again\b/g, -1, 'again', ['again']],
  [/\bno (?!problem|problems|worries|issue|issues|delay|delays|doubt|matter|complaints|hassle|fees?|charge|wait|waiting|questions|need|way|longer|one|body|reply|replies|response|answer|help|update|updates|info|information|solution|service|wifi)[a-z]{3,}\b/g, -1, 'no x', ['no']],
  // Someone else changed it ("they moved my appointment"), not the customer ("I changed my address").
  [/(?<!\b(?:i|we)(?:'ve| have| had)?(?: just| finally| already| successfully)? |(?:^|[.!?] +)(?:just|finally|already) )\b(?:changed|switched|moved|rebooked|downgraded|bumped|cancell?ed|reassigned) (?:my|our|me|us)\b/g, -1.5, 'changed my', ['changed', 'switched', 'moved', 'rebooked', 'downgraded', 'bumped', 'cancelled', 'canceled', 'reassigned']],
  [/\bhow (?:could|can|dare) (?:you|they|u)\b|\bhow (?:does|did|could|can) (?:that|this) (?:happen|be)\b|\bhow (?:does|is|will|would) (?:that|this) (?:help|work)\b|\bhow do (?:you|they|u) (?:lose|lost|not|expect|manage|justify|sleep|call)\b/g, -2, 'how could you', ['how']],
  // Disappointment: "better" (+2) is cancelled, the rest is the complaint.
  [/\b(?:expected|expect|expecting|hoped for|anticipated) (?:so |much |a lot |a little |far |way |a bit )?better\b|\b(?:can|could|should|need to|must|have to|gotta) do (?:much |a lot |way |so much )?better\b|\bcould(?:'ve| have) been (?:a lot |much |so much |way |far |a bit )?better\b/g, -4.5, 'expected better', ['better']],
  [/\bnot what (?:i|we) (?:paid|asked|ordered|signed up|was promised|were promised) for\b|\bexpected (?:so |much |a lot |way |far )?more(?= from| of|\s*[.!,:;]|\s*$)/g, -3, 'not what i paid for', ['paid', 'asked', 'ordered', 'signed', 'promised', 'expected']],
  [/\b(?:keeps?|kept) (?:on )?(?:logging|signing|kicking|throwing|booting|locking|knocking) (?:me |us )?out\b|\b(?:logs|logged|signs|signed|kicks|kicked|throws|threw|boots|booted|locks|locked|knocks|knocked) (?:me|us) (?:right )?out\b|\blocked out of (?:my|our|the)\b/g, -2.5, 'logs me out', ['logs', 'logged', 'logging', 'signs', 'signed', 'signing', 'kicks', 'kicked', 'kicking', 'throws', 'threw', 'throwing', 'boots', 'booted', 'booting', 'locks', 'locked', 'locking', 'knocks', 'knocked', 'knocking']],
  [/\b(?:closed|marked) (?:my |our |the |this |a )?(?:\w+ )?(?:as (?:resolved|solved|complete|completed|closed|done) )?without\b/g, -3, 'closed without fixing', ['closed', 'marked']],
  [/\bwithout (?:any |an? |my |our |the |even |so much as )*(?:answer|explanation|response|reply|refund|notice|warning|notification|apology|compensation|resolution|solution|fixing|resolving|solving|explaining|telling|notifying|informing|contacting|consent|permission|being (?:told|notified|informed|contacted))\b/g, -2.5, 'without an answer', ['without']],
  // A wish for what did not happen: the praise word (+2…+3) is cancelled, the rest is the complaint.
  [/\bwould(?:'ve| have)?(?: sure| really)?(?: have been (?:nice|great|good|helpful|lovely)(?: if| to| of you)| be (?:nice|great|good|helpful|lovely)(?: if| of you))\b|\bwoulda been (?:nice|great|good)\b/g, -5, 'would be nice', ['would', 'would\'ve', 'woulda']],
  // A wish for something new ("would be nice to have dark mode") is a request: the praise only is cancelled.
  [/\bwould(?: sure| really)? be (?:nice|great|good|helpful|lovely) to\b/g, -3.5, 'would be nice to', ['would']],
  [/\b(?:take|taking|took|move|moving) (?:my|our) (?:business|money|custom) (?:elsewhere|somewhere else)\b|\b(?:the |my )?last time (?:i|we) (?:ever )?(?:fly|use|order|buy|shop|book|stay|eat|deal with|choose)\b|\b(?:find|use|try|go with|fly with|book with|choose|look(?:ing)? (?:at|for)|switch(?:ing)? to|move to|moving to) (?:another|other|a different) (?:airline|carrier|bank|provider|company|network|store|shop|service|courier|supplier|isp|operator|app)s?\b/g, -3, 'taking my business elsewhere', ['elsewhere', 'last', 'another', 'other', 'different']],
  [/\b(?:over|more than|almost|nearly) (?:an?|one) (?:hour|hr|day|week|month)\b|\b(?:waited|waiting|sat|sitting|stuck|hold|line|phone|queued|queuing) (?:for )?(?:about |almost |nearly |over |more than |half )?an? (?:hour|week|month)\b/g, -2, 'over an hour', ['hour', 'hr', 'day', 'week', 'month']],
  [/\bto no avail\b|\bin vain\b/g, -2.5, 'to no avail', ['avail', 'vain']],
  [/\blong (?:line|lines|queue|queues|wait|waits)\b|\b(?:line|queue)s? (?:out|to) the door\b|\bonly (?:one|1) (?:agent|person|cashier|employee|rep|representative|desk|register|counter|lane|staff|worker|server)\b|\b(?:hire|need|send|add|get|put) more (?:staff|agents|reps|employees|cashiers|drivers|workers)\b/g, -2, 'long line', ['long', 'door', 'only', 'staff', 'agents', 'reps', 'employees', 'cashiers', 'drivers', 'workers']],
  [/\b(?:is|are) (?:there )?(?:anyone|anybody) (?:there|home|listening|working|awake|out there|alive|reading this)\b|\b(?:anyone|anybody) (?:there|home|listening|out there|awake|alive)\s*\?|\bdoes (?:anyone|anybody|someone) (?:there |here )?(?:ever |even |actually )(?:answer|respond|reply|read|care|pick up|check|work)/g, -2, 'anyone there', ['anyone', 'anybody', 'someone']],
  [/\b(?:can|could|would|will) (?:i|we|you|u|someone|somebody) (?:please )?at least\b|\bthe (?:very )?least (?:you|they|u) (?:could|can) do\b/g, -2, 'at least', ['least']],
  [/\byou owe (?:me|us)\b/g, -2, 'you owe me', ['owe']],
  [/\b(?:way |far |much )?too long\b|\b(?:takes?|took|taking|wait(?:ed|ing)?) forever\b/g, -2.5, 'too long', ['long', 'forever']],
  [/\bfor (?:hours|days|weeks|months|ages)\b(?<!\b(?:last(?:s|ed)?|play(?:s|ed|ing)?|listen(?:s|ed|ing)?|watch(?:es|ed|ing)?|read(?:s|ing)?|danc(?:e|es|ed|ing)|chat(?:s|ted|ting)?) for \w+)/g, -2, 'for hours', ['hours', 'days', 'weeks', 'months', 'ages']],
  // Faint or conditional praise that is a complaint: the praise word (+2…+3) is cancelled.
  [/\bthe best (?:you|they|he|she|u|the \w+|your \w+) (?:can|could) (?:do|offer|tell)|\bwhat good is\b|\bless (?:than|then) (?:helpful|impressed|stellar|ideal|satisfied|great|good|pleasant|friendly|professional|thrilled|happy)\b/g, -5, 'the best you can do', ['best', 'good', 'less']],
  [/\bnothing (?:he|she|they|you|we|anyone|u|the \w+) (?:can|could) do\b|\b(?:offered|offering|offers|gave|give|given|giving) (?:us |me )?(?:absolutely |literally )?nothing\b/g, -2.5, 'nothing they can do', ['nothing']],
  [/\bkeeps? (?:on )?(?:asking (?:me|us|for)|crashing|freezing|failing|declining|rejecting|charging|dropping|cancell?ing|changing|resetting|glitching|buffering|lagging|disconnecting|refusing|losing|breaking|getting (?:worse|later|delayed|pushed|cancell?ed)|happening|telling (?:me|us))\b/g, -2, 'keeps failing', ['keep', 'keeps']],
  [/\bonly to (?:be told|find|have|get|discover|learn|wait|sit|be|hear|realize|realise|see)\b/g, -2, 'only to be told', ['only']],
  [/\b(?:do|does|did) (?:you|they|u|anyone) (?:even|actually|really) (?:care|read|listen|know|check|bother|look)\b/g, -2.5, 'do you even care', ['even', 'actually', 'really']],
  [/\bcome on\b(?! (?:in|over|down|board|by|up)\b)/g, -1.5, 'come on', ['come']],
  [/\b(?:have|has|am|are|is) (?:still )?yet to (?:receive|hear|get|see|be|find|speak|talk)\b/g, -2, 'yet to hear back', ['yet']],
  // Praise that is a complaint: the praise word (+1.5…+3) is cancelled, the rest is the complaint.
  [/\b(?:thanks?|thank you|thx|ty) (?:so much |a lot )?for not\b/g, -5, 'thanks for not responding', ['thanks', 'thank', 'thx', 'ty']],
  [/\bmust be nice\b|\bi thought (?:you|they|it|this|u) (?:guys |all )?(?:were|was|are|is) (?:the best|great|better|good|reliable|awesome|amazing)|\bused to be (?:the best|great|better|good|reliable|awesome|amazing)/g, -5, 'used to be good', ['nice', 'thought', 'used']],
  [/\b(?:would|i'd|we'd) (?:really |much |greatly |sure )?appreciate\b/g, -2.5, 'would appreciate', ['appreciate']],
  [/\b(?:you(?:'ve| have)? (?:got to|gotta|must) be|are you|you're|you are|u r|r u) kidding\b|\bkidding me\b/g, -3, 'are you kidding', ['kidding']],
  [/\b(?:speak|talk|get through) (?:to|with) (?:a |an )?(?:real|live|actual) (?:live )?(?:person|human|agent)|\b(?:a |an )(?:real|actual) (?:live )?(?:person|human)\b/g, -2, 'real person', ['real', 'live', 'actual']],
  [/\b(?:go|goes|went|gone|going) (?:quiet|silent|dark|awol)\b|\bghost(?:ed|ing)\b/g, -2.5, 'went quiet', ['quiet', 'silent', 'dark', 'awol', 'ghosted', 'ghosting']],
  [/\b(?:already tried|tried (?:that|this|it|everything) already|tried everything)\b/g, -1.5, 'already tried', ['tried']],
  [/\?!|!\?/g, -1, '?!', ['#bang']],
];

/** Praise and gratitude patterns beyond single words (same shape as COMPLAINT_PATTERNS). */
export const PRAISE_PATTERNS: Array<[RegExp, number, string, string[]]> = [
  [/\byou (?:guys |all |folks |people )?(?:rock|rule|are (?:the best|awesome|amazing|great)|'re (?:the best|awesome|amazing|great)|re the best|nailed it)\b/g, 3, 'you rock', ['you']],
  [/\b(?:great|awesome|amazing|excellent|fantastic|wonderful|good|nice|outstanding|superb) (?:job|work|service|crew|staff|team|experience|support|flight|product|app|food|people)\b/g, 2, 'great job', ['great', 'awesome', 'amazing', 'excellent', 'fantastic', 'wonderful', 'good', 'nice', 'outstanding', 'superb']],
  [/\bshout[- ]?out\b|\bhats off\b|\bwell done\b|\bhigh five\b|\bmade my day\b/g, 3, 'shout-out', ['shout', 'shoutout', 'hats', 'well', 'high', 'made']],
  [/\bthank (?:you|u)\b|\bthanks (?:so much|a ton|again|guys|team|for (?:the|your|all|getting|helping|being|making|taking|responding|sorting|fixing))\b/g, 1.5, 'thank you', ['thank', 'thanks']],
  [/\b(?:love|loving|loved) (?:you|the|this|my|your|it|how|that)\b/g, 1, 'love it', ['love', 'loving', 'loved']],
  [/\b(?:above and beyond|went out of (?:their|his|her) way|can'?t (?:wait|complain)|no complaints|highly recommend|best (?:airline|bank|app|service|company|ever))\b/g, 3, 'above and beyond', ['above', 'went', 'can\'t', 'cant', 'no', 'highly', 'best']],
];

/**
 * SARCASM and mixed messages: praise turned on a problem is a complaint. Industry-independent: only
 * praise words, problem evidence the scorer already has and a few markers are used.
 *
 * | case                                                              | example                              |
 * |-------------------------------------------------------------------|--------------------------------------|
 * | praise aimed at what follows (gratitude + "for"; an evaluative    | "thanks for the 3 hour delay",       |
 * | word + comma, -ing verb, "to", "how", "that", "when", "another";  | "great, another cancelled order",    |
 * | "gotta love"), with a problem after it in the same clause         | "love sitting on hold for 2 hours",  |
 * |                                                                   | "great job losing my bag"            |
 * | a clause of praise alone right after a clause with a problem      | "App crashed again. Awesome."        |
 * | a marker anywhere: 🙄 🙃 😒, "/s", #sarcasm, #not, a closing "NOT!" | "awesome service... NOT!"            |
 * | one praise word in scare quotes                                   | so "helpful"                         |
 *
 * The praise words of a sarcastic clause count negative (cue 'sarcasm'). A problem is a negative word
 * that is not negated (apologies excepted) or a complaint cue not denied by no / never / without
 * ("again", "still waiting", durations…); "another" alone is not one. Not sarcastic: gratitude for a fix or for information ("thanks for
 * sorting my bag", "thanks for the update on the delay"), or a clause that says the problem was fixed
 * ("love how fast you fixed the outage").
 */
/** Evaluative praise words (1) and gratitude words (2). */
const SARC_PRAISE: Array<[string, 1 | 2]> = [
  ...'great awesome nice fantastic wonderful brilliant perfect lovely excellent amazing super terrific superb outstanding cool good love loving loved impressive bravo congrats congratulations yay woohoo fun'
    .split(' ')
    .map((w): [string, 1 | 2] => [w, 1]),
  ...'thanks thank thx ty appreciate appreciated'.split(' ').map((w): [string, 1 | 2] => [w, 2]),
];
/** Words that may stand beside praise in a clause of praise alone ("oh great, just what I needed"). */
const SARC_FILLER = new Set(
  "oh so just really very well yeah yes wow guys you u y'all yall all team job work lol haha ha the a an that's thats what how is this it its it's one done way to go again as usual always thanks thank for that".split(' '),
);
/** Negative words that are not a problem (apologies). */
const APOLOGY_WORDS = ['sorry', 'apologize', 'apologise', 'apologies', 'apology', 'apologizing', 'regret', 'unfortunately'];
/** Gratitude objects that are a fix or information: "thanks for (the) help / update / sorting it". */
const RESOLVED = new Set(
  'help helping helped fixing fixed fix sorting sorted finding found resolving resolved solving solved getting got taking handling rebooking refunding refund replacing replaced returning tracking locating located responding response responses reply replies replying update updates info information heads letting notice notifying explanation explaining looking checking following follow reaching understanding patience apology apologizing assistance support care caring accommodating compensation compensating reimbursing replacement voucher credit upgrade upgrading waiving covering restoring restored recovering recovered work effort efforts kindness time'.split(' '),
);
/** Words skipped between "for" and the gratitude object's head. */
const OBJECT_SKIP = new Set('the a an your you all this that such so very quick quickly fast prompt speedy swift instant rapid timely kind great hard'.split(' '));
/** Evaluative praise followed by one of these is aimed at what follows. */
const AIMED_NEXT = new Set(['to', 'how', 'that', 'when', 'another', 'again', 'still', 'being', 'it', 'having']);
const SARC_TAGS = new Set(['sarcasm', 'sarcastic', 'not', 'irony']);
const SARC_EMOJI = new Set(['🙄', '🙃', '😒']);
/** "only 5 minutes", "just a few minutes": what follows is small. */
const MINIMISERS = new Set(['only', 'just']);
const SMALL_UNITS = new Set(['min', 'mins', 'minute', 'minutes', 'sec', 'secs', 'second', 'seconds', 'moment']);
/** Clause-level negators that deny a complaint cue right after them ("no more waiting on hold"). */
const PURE_NEGATORS = new Set(['no', 'never', 'without', 'zero']);

/** Is the praise word at tokens[i] aimed at what follows it (see SARCASM)? */
function aimedPraise(tokens: Token[], i: number, kind: 1 | 2): boolean {
  const w = (tokens[i] as Token).text;
  let j = i + 1;
  let next = tokens[j];
  if (kind === 2) {
    if (w === 'thank' && next !== undefined && next.k === 'word' && (next.text === 'you' || next.text === 'u')) next = tokens[++j];
    if (w === 'appreciate' || w === 'appreciated') j--;
    else if (next === undefined || next.k !== 'word' || next.text !== 'for') return false;
    // The object's head: a fix or information is real gratitude.
    for (let k = j + 1; k < tokens.length && k <= j + 4; k++) {
      const t = tokens[k] as Token;
      if (t.k !== 'word') return false;
      const c = t.text.charCodeAt(0);
      if (OBJECT_SKIP.has(t.text) || (c >= 48 && c <= 57)) continue;
      return !RESOLVED.has(t.text);
    }
    return false;
  }
  const prev = tokens[i - 1];
  if ((w === 'love' || w === 'loving') && prev !== undefined && prev.k === 'word' && (prev.text === 'gotta' || prev.text === 'to')) return true;
  if (next !== undefined && next.k === 'word' && (next.text === 'job' || next.text === 'work')) next = tokens[j + 1];
  else if (w === 'good') return false;
  if (next === undefined) return false;
  if (next.k === 'stop') return next.text === ',' && w !== 'love'; // not "Love, Ann"
  // "must be nice"
  if (w === 'nice' && prev !== undefined && prev.k === 'word' && prev.text === 'be' && tokens[i - 2]?.text === 'must') return true;
  if (next.k !== 'word') return false;
  const n = next.text;
  if (AIMED_NEXT.has(n) || n === 'on') return true;
  return n.length > 4 && n.endsWith('ing') && !RESOLVED.has(n);
}

type Pattern = [RegExp, number, string, string[]];
/** trigger word → indices of patterns ([complaints..., praise...]) it enables. */
const ALL_PATTERNS: Array<[Pattern, boolean]> = [
  ...COMPLAINT_PATTERNS.map((p): [Pattern, boolean] => [p, true]),
  ...PRAISE_PATTERNS.map((p): [Pattern, boolean] => [p, false]),
];
const TRIGGERS = new Map<string, number[]>();
ALL_PATTERNS.forEach(([p], idx) => {
  for (const w of p[3]) {
    const list = TRIGGERS.get(w) ?? [];
    list.push(idx);
    TRIGGERS.set(w, list);
  }
});
const NO_PATTERNS: number[] = [];

const DIGIT_PATTERNS: number[] = [];
const NEG_PATTERNS: number[] = [];

/** Marks patterns to run: each index once in `run`, listed in MARKED (so a call visits only those). */
function markAll(run: Uint8Array, list: number[]): void {
  for (const idx of list) {
    if (run[idx] === 0) {
      run[idx] = 1;
      MARKED.push(idx);
    }
  }
}

/** Marks the patterns a word enables (its own triggers, '#digit', '#neg'). */
function markTriggers(run: Uint8Array, w: string, info: WordInfo | undefined): void {
  if (info !== undefined && info.triggers !== undefined) markAll(run, info.triggers);
  const c0 = w.charCodeAt(0);
  if (c0 >= 48 && c0 <= 57 && w.charCodeAt(w.length - 1) > 57) markAll(run, DIGIT_PATTERNS);
  if (w.charCodeAt(w.length - 1) === 116 /* t */ && (w.endsWith("n't") || (w.endsWith('nt') && info !== undefined && info.negator)))
    markAll(run, NEG_PATTERNS);
}

/** Everything the scorer needs to know about one word, so each word costs one lookup. */
export interface WordInfo {
  contrast: boolean;
  negator: boolean;
  /**
   * The two-word lexicon entries this word starts, by their second word ("not" → "good" → valence):
   * LEX.get(`${w} ${next}`) without building the string.
   */
  bigrams: Map<string, number> | undefined;
  intens: number | undefined;
  /** LEX valence of the word itself (elongation and "'s" fall back to lookup()). */
  valence: number | undefined;
  triggers: number[] | undefined;
  /** SARCASM: 1 evaluative praise, 2 gratitude, 0 neither. */
  praise: 0 | 1 | 2;
  /** SARCASM: may stand in a clause of praise alone. */
  filler: boolean;
  /** An apology: negative, but not a problem. */
  apology: boolean;
  /** "only", "just" (see MINIMISERS). */
  minimiser: boolean;
  /** In RESOLUTION_WORDS ("fixed", "refunded"…; set for words that have an entry here). */
  resolution: boolean;
  /** In PURE_NEGATORS ("no", "never"…; likewise). */
  pureNegator: boolean;
}
const WORDS = new Map<string, WordInfo>();
function wordInfo(w: string): WordInfo {
  let info = WORDS.get(w);
  if (!info) {
    info = {
      contrast: false, negator: false, bigrams: undefined, intens: undefined, valence: undefined, triggers: undefined,
      praise: 0, filler: false, apology: false, minimiser: false, resolution: false, pureNegator: false,
    };
    WORDS.set(w, info);
  }
  return info;
}
for (const w of CONTRAST) wordInfo(w).contrast = true;
for (const w of NEGATORS) wordInfo(w).negator = true;
for (const [k, v] of LEX) {
  // Only an entry of exactly two words (one space) can equal `${w} ${next}` for two tokens.
  const sp = k.indexOf(' ');
  if (sp < 0 || k.indexOf(' ', sp + 1) >= 0) continue;
  const info = wordInfo(k.slice(0, sp));
  (info.bigrams ??= new Map()).set(k.slice(sp + 1), v);
}
for (const [w, m] of INTENS) wordInfo(w).intens = m;
for (const [w, v] of LEX) if (!w.includes(' ')) wordInfo(w).valence = v;
for (const [w, list] of TRIGGERS) wordInfo(w).triggers = list;
for (const [w, kind] of SARC_PRAISE) wordInfo(w).praise = kind;
for (const w of SARC_FILLER) wordInfo(w).filler = true;
for (const w of APOLOGY_WORDS) wordInfo(w).apology = true;
for (const w of MINIMISERS) wordInfo(w).minimiser = true;
/** The scanner's vocabulary: every word the scorer knows, words other stages register, words seen. */
const VOCAB = new RangeTable<WordEntry>(WORDS.size * 2);
for (const [w, info] of WORDS) VOCAB.add(w, { info, flags: 0, stageFeature: undefined, painFacts: undefined });

/** The entry of a word for the scorer: the scanner's, else a lookup (tokens not from tokenise()). */
function infoOf(t: Token): WordInfo | undefined {
  return t.entry !== undefined ? t.entry.info : WORDS.get(t.text);
}

let flagsReserved = 0;
/**
 * Reserves `count` bits of the vocabulary flags for a stage and returns the first one's position
 * (the stage's flags are (entry.flags >> position) & ((1 << count) - 1)).
 */
export function reserveWordFlags(count: number): number {
  if (flagsReserved + count > 31) throw new Error('reserveWordFlags: no more vocabulary flag bits');
  const at = flagsReserved;
  flagsReserved += count;
  return at;
}

/**
 * Sets `bit` (from reserveWordFlags) in the vocabulary flags of each word (lower-case, as the scanner
 * cuts words), so a stage reads token.entry.flags instead of looking the word up itself. Register
 * before scanning the texts that need it (at module load or when a matcher is compiled).
 */
export function registerWordFlags(words: Iterable<string>, bit: number): void {
  for (const w of words) {
    const idx = VOCAB.indexOf(w);
    if (idx < 0) VOCAB.add(w, { info: undefined, flags: bit, stageFeature: undefined, painFacts: undefined });
    else VOCAB.value(idx).flags |= bit;
  }
}

DIGIT_PATTERNS.push(...(TRIGGERS.get('#digit') ?? []));
NEG_PATTERNS.push(...(TRIGGERS.get('#neg') ?? []));

const QUESTION_OPENERS = new Set(
  'can could do does did is are will would what when where how which who any anyone hi hello hey should may was were has have whats what\'s'.split(' '),
);

/** Per-token detail, offsets into the cleaned text. */
export interface Segment {
  start: number;
  end: number;
  sum: number;
  /** The clause follows a contrast word ("…, but my bag is still missing"). */
  afterContrast: boolean;
  /** Contrast weight of the clause (× 1.5 after a contrast, × 0.5 before one), also applied to its cues. */
  weight: number;
  /** The clause makes its problem small ("the delay was only 5 minutes"). */
  minimised: boolean;
  /** The clause's praise was sarcastic (see SARCASM). */
  sarcastic: boolean;
  /** Sum of negative word contributions. */
  neg: number;
  /** Sum of positive contributions of praise words and praise cues. */
  praise: number;
  /** Evaluative praise (words and non-gratitude cues), for a clause of praise alone. */
  evalPraise: number;
  /** Text index of the first praise word aimed at what follows, or -1. */
  aimedAt: number;
  /** Text index of the last problem evidence, or -1. */
  problemAt: number;
  /** Text index of the last fix ("fixed", "sorted", "found"), or -1. */
  resolvedAt: number;
  /** Words in the clause, and words that are neither praise nor filler. */
  words: number;
  other: number;
}

function newSegment(start: number, afterContrast: boolean): Segment {
  return {
    start, end: start, sum: 0, afterContrast, weight: afterContrast ? 1.5 : 1, minimised: false, sarcastic: false, neg: 0, praise: 0, evalPraise: 0,
    aimedAt: -1, problemAt: -1, resolvedAt: -1, words: 0, other: 0,
  };
}

/** Closes the current clause segment at `at` and opens the next one. */
function pushSegment(segments: Segment[], seg: Segment, at: number, afterContrast = false): Segment {
  seg.end = at;
  const next = newSegment(at, afterContrast);
  segments.push(next);
  return next;
}

/** "yet another", "yet again": not a contrast. */
function isYetAgain(next: Token | undefined): boolean {
  return next !== undefined && next.k === 'word' && (next.text === 'another' || next.text === 'again' || next.text === 'more' || next.text === 'still');
}

/** A small amount of time follows a minimiser within three words ("only 5 minutes", "just a few mins"). */
function smallAmountAfter(tokens: Token[], i: number): boolean {
  for (let k = i + 1; k <= i + 3 && k < tokens.length; k++) {
    const t = tokens[k] as Token;
    if (t.k !== 'word') return false;
    if (SMALL_UNITS.has(t.text)) return true;
    const c = t.text.charCodeAt(0);
    if (c >= 48 && c <= 57 && /^\d+(?:mins?|minutes?|secs?|seconds?)$/.test(t.text)) return true;
  }
  return false;
}

/** A minimiser counts after these: "the delay was only 5 minutes", "it took just a minute". */
const AMOUNT_VERBS = new Set(['was', 'is', 'were', "it's", 'its', 'be', 'been', 'took', 'takes', 'lasted', 'only']);

/** Words that say a problem was fixed (a clause with one after the praise is not sarcastic). */
const RESOLUTION_WORDS = new Set('fixed resolved sorted solved found restored replaced refunded recovered located returned'.split(' '));
// The scorer reads both sets only for words that have a WordInfo: a flag there saves the Set lookup.
for (const w of RESOLUTION_WORDS) {
  const info = WORDS.get(w);
  if (info !== undefined) info.resolution = true;
}
for (const w of PURE_NEGATORS) {
  const info = WORDS.get(w);
  if (info !== undefined) info.pureNegator = true;
}

const QUOTES = new Set([34, 39, 0x201c, 0x201d, 0x2018, 0x2019]);
const DOUBLE_QUOTES = new Set([34, 0x201c, 0x201d]);
/** Longest quoted phrase (characters between the double quotes) read as scare quotes. */
const SCARE_QUOTE_CHARS = 32;
/** Most words a quoted phrase read as scare quotes holds. */
const SCARE_QUOTE_WORDS = 3;

/**
 * Praise in scare quotes is a claim the customer disputes: so "helpful", joined for "better coverage",
 * the "premium" lounge. One word in any quotes, or a short phrase (SCARE_QUOTE_WORDS words at most,
 * SCARE_QUOTE_CHARS characters) in double quotes; a longer quote is reported speech and keeps its
 * sense ("the agent said 'we are happy to help with anything you need'").
 */
function scareQuoted(text: string, t: Token): boolean {
  if (t.index === 0) return false;
  const end = t.index + t.text.length;
  if (QUOTES.has(text.charCodeAt(t.index - 1)) && QUOTES.has(text.charCodeAt(end))) return true;
  // Opening double quote before the word, closing one after it, only words and spaces between.
  let spaces = 0;
  let a = t.index - 1;
  const lo = Math.max(0, end - SCARE_QUOTE_CHARS - 1);
  for (; a >= lo; a--) {
    const c = text.charCodeAt(a);
    if (DOUBLE_QUOTES.has(c)) break;
    if (c === 32) spaces++;
    else if (!isPhraseChar(c)) return false;
  }
  if (a < lo || (a > 0 && isPhraseChar(text.charCodeAt(a - 1)) && text.charCodeAt(a - 1) !== 32)) return false;
  let b = end;
  const hi = Math.min(text.length, a + SCARE_QUOTE_CHARS + 2);
  for (; b < hi; b++) {
    const c = text.charCodeAt(b);
    if (DOUBLE_QUOTES.has(c)) break;
    if (c === 32) spaces++;
    else if (!isPhraseChar(c)) return false;
  }
  return b < hi && spaces < SCARE_QUOTE_WORDS;
}

/** A character of a quoted phrase: a letter, digit, space, hyphen or apostrophe. */
function isPhraseChar(c: number): boolean {
  return (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || (c >= 48 && c <= 57) || c === 32 || c === 45 || c === 39 || c === 0x2019 || (c >= 0xc0 && c < 0x2000);
}

/** A no / never / without / zero at most 25 characters before a cue denies it ("no more waiting on hold"). */
function deniedAt(pureNegAt: number[] | null, at: number): boolean {
  if (pureNegAt === null) return false;
  for (const n of pureNegAt) if (n < at && at - n <= 25) return true;
  return false;
}

/**
 * Finds sarcastic clauses (see SARCASM), turns their praise negative in place and returns the amount
 * of praise taken back (0 when none).
 */
function sarcasm(lower: string, tokens: Token[], segments: Segment[], marker: boolean): number {
  let anyPraise = false;
  for (const s of segments) if (s.praise > 0) anyPraise = true;
  if (!anyPraise) return 0;
  let global = marker || (lower.includes('/s') && /(?:^|\s)\/s(?:$|[\s.!])/.test(lower));
  if (!global) {
    // A closing "NOT!" alone in its clause, after praise: "awesome service... NOT!"
    let last: Segment | undefined;
    for (let k = segments.length - 1; k >= 0; k--) if ((segments[k] as Segment).words > 0) {
      last = segments[k];
      break;
    }
    if (last !== undefined && last.words === 1 && last.praise === 0) {
      for (let k = tokens.length - 1; k >= 0; k--) {
        const t = tokens[k] as Token;
        if (t.k !== 'word') continue;
        global = t.text === 'not' && t.index >= last.start;
        break;
      }
    }
  }
  let taken = 0;
  for (let k = 0; k < segments.length; k++) {
    const s = segments[k] as Segment;
    if (s.praise <= 0) continue;
    let sarcastic = global || (s.aimedAt >= 0 && s.problemAt > s.aimedAt && s.resolvedAt < s.aimedAt);
    if (!sarcastic && s.other === 0 && s.evalPraise > 0 && s.problemAt < 0 && s.sum > 0) {
      // A clause of praise alone ("Awesome.") right after a clause with a problem.
      let near: Segment | undefined;
      for (let j = k - 1; j >= 0 && near === undefined; j--) if ((segments[j] as Segment).words > 0) near = segments[j];
      sarcastic = near !== undefined && near.praise <= 0 && (near.problemAt >= 0 || near.sum <= -1.5);
    }
    if (!sarcastic) continue;
    s.sarcastic = true;
    s.sum -= 2 * s.praise;
    taken += s.praise;
  }
  return taken;
}

/** Full sentiment analysis of English text, with the raw evidence other stages reuse. */
export interface SentimentDetail extends SentimentResult {
  /** Raw sum before squashing. */
  raw: number;
  /** Complaint cues found (from COMPLAINT_PATTERNS). */
  complaints: Cue[];
  /** Praise cues found. */
  praise: Cue[];
  /** Sum of negative lexicon contributions (≤ 0). */
  negWords: number;
  /** Sum of positive lexicon contributions (≥ 0). */
  posWords: number;
  /** Clause segments with their partial sums (for entity-level sentiment). */
  segments: Segment[];
  /** The text opens like a question asking for information. */
  infoQuestion: boolean;
  /** The scanner's tokens (words lower-cased), reused by the pain-point tagger. */
  tokens: Token[];
  /** The text lower-cased, with ’ as ' (what the patterns are matched on; see scan()). */
  lower: string;
  /** Negators that negated no sentiment word ("haven't been able to"): weak evidence of a problem. */
  bareNegators: number;
}

function elongated(w: string): boolean {
  return /(\p{L})\1\1/u.test(w);
}

function lookup(w: string, elong = elongated(w)): number | undefined {
  let v = LEX.get(w);
  if (v !== undefined) return v;
  if (elong) {
    const two = w.replace(/(\p{L})\1{2,}/gu, '$1$1');
    v = LEX.get(two);
    if (v !== undefined) return v;
    v = LEX.get(w.replace(/(\p{L})\1+/gu, '$1'));
    if (v !== undefined) return v;
  }
  if (w.endsWith("'s")) return LEX.get(w.slice(0, -2));
  return undefined;
}

/**
 * Hashtags glue words together (#neveragain, #unitedfail, #customerservicefail). A hashtag not in the
 * lexicon takes the valence of a strong sentiment word it starts or ends with.
 */
const HASHTAG_AFFIXES: Array<[string, number]> = [
  ['neveragain', -4], ['fail', -3], ['fails', -3], ['sucks', -3], ['worst', -3], ['nightmare', -3], ['disappointed', -2],
  ['disappointing', -2], ['unacceptable', -3], ['fml', -3], ['wtf', -3], ['smh', -2], ['lostacustomer', -3], ['ripoff', -3],
  ['badservice', -3], ['poorservice', -3], ['notcool', -2], ['notimpressed', -2], ['frustrated', -2], ['angry', -3],
  ['awesome', 3], ['love', 3], ['best', 3], ['thankyou', 2], ['thanks', 2], ['great', 3], ['happy', 2], ['amazing', 3],
  ['goodservice', 3], ['greatservice', 3], ['winning', 2], ['impressed', 3],
];
function hashtagValence(w: string): number | undefined {
  if (w.length < 6) return undefined;
  for (const [a, v] of HASHTAG_AFFIXES) {
    if (w.endsWith(a) || w.startsWith(a)) {
      // #nothappy, #nolove, #neverhappy: the praise denied.
      if (v > 0 && w.length === a.length + (w.startsWith('not') ? 3 : w.startsWith('never') ? 5 : w.startsWith('no') ? 2 : w.length)) return -v;
      return v;
    }
  }
  return undefined;
}

/** Lexicon valence of one lower-case word (AFINN + CX lexicon), or undefined. */
export function wordValence(w: string): number | undefined {
  return lookup(w);
}

/** The entries of the sentiment lexicon (AFINN + CX): words, and a few two-word phrases. */
export function lexiconWords(): IterableIterator<string> {
  return LEX.keys();
}

/** True when the word is in the sentiment lexicon (AFINN + CX): an English word. */
export function isLexiconWord(w: string): boolean {
  return LEX.has(w);
}

/** Squashes a raw sum into (-1, 1). */
export function squash(s: number): number {
  return s / Math.sqrt(s * s + SQUASH);
}

/** Label for a score in [-1, 1]. */
export function labelFor(score: number): SentimentLabel {
  return score >= POS_T ? 'positive' : score <= NEG_T ? 'negative' : 'neutral';
}

/** Confidence from the score's distance to the nearest label boundary and the amount of evidence. */
export function confidenceFor(score: number, evidence: number): number {
  const label = labelFor(score);
  let c: number;
  if (label === 'neutral') c = 0.45 + 0.35 * (1 - Math.abs(score) / 0.2) - Math.min(0.2, evidence * 0.05);
  else c = 0.45 + 0.5 * Math.min(1, (Math.abs(score) - 0.2) / 0.6) + Math.min(0.1, evidence * 0.03);
  return Math.round(Math.max(0.05, Math.min(0.99, c)) * 100) / 100;
}

/** Per-call marks of the patterns to run (reused: scoring is synchronous and not re-entered). */
const PATTERNS_TO_RUN = new Uint8Array(ALL_PATTERNS.length);
/** The indices marked in PATTERNS_TO_RUN by the current call (cleared at the start of the next). */
const MARKED: number[] = [];
const BANG_PATTERNS = TRIGGERS.get('#bang') ?? NO_PATTERNS;

/** Scores English text (already cleaned). Never throws. */
export function scoreSentiment(text: string, scanned?: Scanned): SentimentDetail {
  const { tokens, mostlyCaps, lower } = scanned ?? scan(text);

  const segments: Segment[] = [];
  let seg: Segment = newSegment(0, false);
  segments.push(seg);
  let negLeft = 0;
  let negatorsUnused = 0;
  let negatorPending = false;
  let mult = 1;
  let clauseWeight = 1;
  let posWords = 0;
  let negWords = 0;
  let bangs = 0;
  let questions = 0;
  let hits = 0;
  let firstWord: string | null = null;
  // SARCASM: a marker anywhere (🙄, #sarcasm…), and clause-level negators that deny a cue after them.
  let sarcMarker = false;
  let pureNegAt: number[] | null = null;

  const run = PATTERNS_TO_RUN;
  for (const idx of MARKED) run[idx] = 0;
  MARKED.length = 0;
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i] as Token;
    if (t.k === 'stop') {
      if (negatorPending) negatorsUnused++;
      negatorPending = false;
      negLeft = 0;
      mult = 1;
      if (t.text !== ',') {
        clauseWeight = 1;
        seg = pushSegment(segments, seg, t.index + t.text.length);
      }
      continue;
    }
    if (t.k === 'bang') {
      for (let c = 0; c < t.text.length; c++) {
        if (t.text.charCodeAt(c) === 33) bangs++;
        else questions++;
      }
      // "?!" runs enable their patterns.
      if (t.text.length > 1 && t.text.includes('?') && t.text.includes('!')) markAll(run, BANG_PATTERNS);
      if (negatorPending) negatorsUnused++;
      negatorPending = false;
      negLeft = 0;
      mult = 1;
      clauseWeight = 1;
      seg = pushSegment(segments, seg, t.index + t.text.length);
      continue;
    }
    let v: number | undefined;
    let caps = false;
    let elong = false;
    let praiseKind: 0 | 1 | 2 = 0;
    if (t.k === 'emo') v = EMOTICON_MAP.get(t.text);
    else if (t.k === 'pic') {
      v = EMOJI_MAP.get(t.text);
      if (SARC_EMOJI.has(t.text)) sarcMarker = true;
    } else {
      const w = t.text;
      if (firstWord === null) firstWord = w;
      const info = infoOf(t);
      markTriggers(run, w, info);
      if (t.tag && SARC_TAGS.has(w)) {
        sarcMarker = true;
        continue;
      }
      if (info !== undefined && info.contrast && !(w === 'yet' && isYetAgain(tokens[i + 1]))) {
        // Clause before the contrast counts half; the clause after counts 1.5× (applied below).
        for (const s of segments) {
          s.weight *= 0.5;
          s.sum *= 0.5;
          s.neg *= 0.5;
          s.praise *= 0.5;
          s.evalPraise *= 0.5;
        }
        posWords *= 0.5;
        negWords *= 0.5;
        if (negatorPending) negatorsUnused++;
        negatorPending = false;
        negLeft = 0;
        mult = 1;
        clauseWeight = 1.5;
        seg = pushSegment(segments, seg, t.index, true);
        continue;
      }
      seg.words++;
      if (info === undefined || (info.praise === 0 && !info.filler)) seg.other++;
      if (info !== undefined && info.negator) {
        if (info.pureNegator) (pureNegAt ??= []).push(t.index);
        if (negatorPending) negatorsUnused++;
        negLeft = 3;
        negatorPending = true;
        continue;
      }
      const next = tokens[i + 1];
      if (next && next.k === 'word') {
        const bigram = info !== undefined && info.bigrams !== undefined ? info.bigrams.get(next.text) : undefined;
        if (bigram !== undefined) {
          v = bigram;
          markTriggers(run, next.text, infoOf(next));
          i++;
        }
      }
      if (v === undefined) {
        const im = info?.intens;
        if (im !== undefined) {
          mult *= im;
          if (negLeft > 0) negLeft--;
          continue;
        }
        v = info?.valence;
        if (v === undefined && (t.elong || w.endsWith("'s"))) v = lookup(w, t.elong);
        if (v === undefined && t.tag) v = hashtagValence(w);
      }
      caps = !mostlyCaps && t.caps;
      elong = t.elong;
      if (info !== undefined) {
        if (info.minimiser && AMOUNT_VERBS.has(tokens[i - 1]?.text ?? '') && smallAmountAfter(tokens, i)) seg.minimised = true;
        else if (info.resolution) seg.resolvedAt = t.index;
        praiseKind = info.praise;
      }
    }
    if (v !== undefined && v !== 0) {
      let x = v * mult * clauseWeight;
      if (caps) x *= 1.5;
      if (elong) x *= 1.3;
      if (negLeft > 0) {
        x *= -0.5;
        negatorPending = false;
      }
      if (x > 0 && t.k === 'word' && scareQuoted(text, t)) x = -x; // so "helpful"
      else if (praiseKind !== 0 && x > 0) {
        {
          seg.praise += x;
          if (praiseKind === 1) seg.evalPraise += x;
          if (seg.aimedAt < 0 && aimedPraise(tokens, i, praiseKind)) seg.aimedAt = t.index;
        }
      }
      if (x < 0) {
        seg.neg += x;
        if (x <= -1 && !(t.k === 'word' && infoOf(t)?.apology === true)) seg.problemAt = t.index;
      }
      seg.sum += x;
      if (x > 0) posWords += x;
      else negWords += x;
      hits++;
      mult = 1;
    }
    if (t.k === 'word' && negLeft > 0) negLeft--;
  }
  if (negatorPending) negatorsUnused++;
  seg.end = text.length;

  // Pattern cues, attributed to the segment containing them.
  const complaints: Cue[] = [];
  const praise: Cue[] = [];
  /** Segment of each praise cue (SARCASM may take a cue back). */
  const praiseSeg: Segment[] = [];
  // Which patterns can match: those triggered by a word or a "?!" run of the text (see
  // COMPLAINT_PATTERNS), marked in the loop above; run in pattern order (insertion sort: a few).
  const marked = MARKED;
  for (let a = 1; a < marked.length; a++) {
    const x = marked[a] as number;
    let b = a;
    while (b > 0 && (marked[b - 1] as number) > x) {
      marked[b] = marked[b - 1] as number;
      b--;
    }
    marked[b] = x;
  }
  for (let k = 0; k < marked.length; k++) {
    const idx = marked[k] as number;
    const entry = ALL_PATTERNS[idx] as [Pattern, boolean];
    const pat = entry[0];
    const re = pat[0];
    const weight = pat[1];
    const name = pat[2];
    const list = entry[1] ? complaints : praise;
    {
      re.lastIndex = 0;
      let m: RegExpExecArray | null;
      let n = 0;
      while ((m = re.exec(lower)) !== null && n < 3) {
        list.push({ name, weight, index: m.index, text: m[0] });
        let s = segments[segments.length - 1] as Segment;
        for (const x of segments) {
          if (m.index >= x.start && m.index < x.end) {
            s = x;
            break;
          }
        }
        const w = entry[1] ? weight : weight * s.weight;
        s.sum += w;
        if (entry[1]) {
          if (weight <= -1 && name !== 'no x' && m.index > s.problemAt && !deniedAt(pureNegAt, m.index)) s.problemAt = m.index;
        } else {
          praiseSeg.push(s);
          s.praise += w;
          if (name !== 'thank you') s.evalPraise += w;
        }
        n++;
        if (m[0] === '') re.lastIndex++;
      }
    }
  }

  // SARCASM: praise turned on a problem counts negative; a minimised problem counts less.
  const sarc = sarcasm(lower, tokens, segments, sarcMarker);
  if (sarc > 0) {
    posWords -= sarc;
    negWords -= sarc;
    complaints.push({ name: 'sarcasm', weight: -sarc, index: 0, text: '' });
    for (let k = praise.length - 1; k >= 0; k--) if ((praiseSeg[k] as Segment).sarcastic) praise.splice(k, 1);
  }
  for (const s of segments) {
    if (s.minimised && s.neg < 0) {
      s.sum -= 0.7 * s.neg;
      negWords -= 0.7 * s.neg;
    }
  }

  let raw = 0;
  for (const s of segments) raw += s.sum;
  // A negator that negated nothing is weak evidence of a problem ("haven't been able to").
  raw -= 0.6 * Math.min(3, negatorsUnused);
  // Gratitude closing a complaint is politeness, not praise.
  const realPraise = praise.some((p) => p.name !== 'thank you');
  if (complaints.length > 0 && raw > 0 && !realPraise) raw *= 0.4;
  if (raw !== 0) raw += Math.sign(raw) * 0.3 * Math.min(3, bangs);
  if (raw < 0 && questions >= 2) raw -= 0.5;

  const infoQuestion =
    questions > 0 &&
    complaints.length === 0 &&
    firstWord !== null &&
    QUESTION_OPENERS.has(firstWord) &&
    negWords > -2.5 &&
    posWords < 3;
  if (infoQuestion) raw *= 0.3;

  const score = Math.round(squash(raw) * 1000) / 1000;
  return {
    label: labelFor(score),
    score,
    confidence: confidenceFor(score, hits + complaints.length + praise.length),
    raw,
    complaints,
    praise,
    negWords,
    posWords,
    segments,
    infoQuestion,
    bareNegators: negatorsUnused,
    tokens,
    lower,
  };
}
