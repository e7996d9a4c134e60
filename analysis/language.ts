/**
 * Language detection for short social text, built on franc.
 *
 * - franc is limited to the ~30 languages social listening commonly meets: it is 6× faster than the
 *   full 400-language model and far less likely to call a tweet "Scots" (measured on short posts).
 * - A fast path answers 'en' when English function words clearly dominate, skipping franc.
 * - Otherwise, when common function words clearly point to one family (Romance, West Germanic, Nordic,
 *   Malay/Tagalog), franc compares only that family and English: about half the cost, same answer.
 *   Before that, marker words of one language (MARKERS: at least three, and none of another
 *   language) decide Spanish, Portuguese, French, Italian, Romanian, German or Dutch without franc.
 * - Fewer than MIN_LETTERS letters (after removing URLs, handles and hashtags) is too short: the
 *   service's languageHint is used if given, else 'und'.
 * Codes are ISO 639-1 where one exists, else ISO 639-3.
 */
import { createRequire } from 'node:module';
import { francAll } from 'franc';
import { lexiconWords, registerWordFlags, reserveWordFlags } from './sentiment.js';
import type { Token } from './sentiment.js';

/** franc reads at most this many characters. */
const FRANC_CHARS = 400;
/** Below this many letters franc is not trusted. */
export const MIN_LETTERS = 12;

const ISO3_TO_1: Record<string, string> = {
  eng: 'en', spa: 'es', por: 'pt', fra: 'fr', deu: 'de', ita: 'it', nld: 'nl', swe: 'sv', dan: 'da',
  nob: 'nb', fin: 'fi', pol: 'pl', ces: 'cs', ron: 'ro', hun: 'hu', tur: 'tr', rus: 'ru', ukr: 'uk',
  ell: 'el', arb: 'ar', heb: 'he', hin: 'hi', ben: 'bn', jpn: 'ja', cmn: 'zh', kor: 'ko', ind: 'id',
  zlm: 'ms', vie: 'vi', tha: 'th', tgl: 'tl', pes: 'fa', urd: 'ur', swh: 'sw',
};
// Catalan is left out: on short Spanish posts franc picks it too often.
const ONLY = Object.keys(ISO3_TO_1);

const EN_FUNCTION = new Set(
  ('the and or but is are were been have has had does did not my our your you we ' +
    'it this that to of for with at from by just can can\'t cannot don\'t didn\'t won\'t why what ' +
    'when where how who still again please thanks thank get got would could should there they their ' +
    'them she his its im i\'m it\'s than then very all any out now you\'re we\'re they\'re i\'ve you\'ve we\'ve ' +
    'i\'ll you\'ll isn\'t aren\'t wasn\'t weren\'t doesn\'t haven\'t hasn\'t couldn\'t shouldn\'t wouldn\'t').split(' '),
);
// Common English content words of customer messages (written by the team); with EN_FUNCTION they
// let short English posts skip franc, which is unreliable below ~60 characters.
const EN_COMMON = new Set(
  ('thanks thank great good bad worst best love hate service customer help flight order delivery app account ' +
    'today tomorrow yesterday hours minutes days week time again still waiting wait hold phone call called ' +
    'bag luggage package refund money card bank plan price support team crew staff guys much so really very ' +
    'amazing awesome terrible horrible never ever always just only also even back need want know think going ' +
    'got get make made take took give gave told say said see saw look new old first last next one two three ' +
    'late delayed cancelled canceled lost broken fixed working work update issue problem day night morning ' +
    'please sorry yes okay ok lol wow seriously literally nothing something everything anyone someone nobody ' +
    'why what how when where who which if because about after before over under into through while until ' +
    'be was will an on in so me he her him do no i a us our ours yours mine myself our your their once twice').split(' '),
);
/**
 * Candidate groups for Latin-script text that is not clearly English: franc's cost grows with the
 * number of languages it compares, so when very common function words (written by the team) point
 * clearly to one family, franc compares only that family (plus English). Otherwise it compares all.
 */
const FAMILIES: Array<[string[], Set<string>]> = [
  [
    ['spa', 'por', 'ita', 'fra', 'ron', 'eng'],
    new Set(('el la los las que y un una por para con mi es se del al lo muy pero está esta gracias hola vez ' +
      'le les des du et est une pour avec mais je il ne pas très merci bonjour ' +
      'o os um uma não nao com muito obrigado obrigada você voce ' +
      'che di e non per sono grazie ciao gli della anche').split(' ')),
  ],
  [['deu', 'nld', 'eng'], new Set('der die das und ist nicht ich ein eine mit für auf danke het een niet ik van voor dank wel'.split(' '))],
  [['swe', 'dan', 'nob', 'deu', 'eng'], new Set('och är inte jag ett med för tack og er ikke jeg til takk tak hvad hva vad'.split(' '))],
  [['ind', 'zlm', 'tgl', 'eng'], new Set('yang dan ini itu tidak saya untuk dengan ada terima kasih ng sa ang mga hindi ako'.split(' '))],
];

/**
 * Words (written by the team) that mark one language of a family and no other language Earshot
 * detects: when one language has at least SURE_MARKERS of them and no other has any, the language is
 * decided without franc (franc is slow and unreliable on a few dozen characters).
 */
const MARKERS: Record<string, Set<string>> = {
  es: new Set('el los las muy pero gracias hola está están estoy vez otra otro nadie hay ahora fue hasta mucho tengo tiene cuando también usted ustedes'.split(' ')),
  pt: new Set('não nao obrigado obrigada você voce muito meu minha uma ao pelo pela são ninguém isso ela tem ainda também'.split(' ')),
  fr: new Set("les des du et est je pas très merci une pour avec mais toujours rien nous vous c'est j'ai n'est suis sont cette aussi encore".split(' ')),
  it: new Set('che sono grazie gli della anche mio mia questo molto nessuno ancora perché è'.split(' ')),
  ro: new Set('și nu este pentru cu mea nimeni foarte mulțumesc sunt această încă'.split(' ')),
  de: new Set('der das und ist nicht ich ein eine mit für auf danke sehr noch schon kein keine wir'.split(' ')),
  nl: new Set('het een niet ik voor nog geen heb mijn jullie bedankt wij'.split(' ')),
};
/** Marker words one language needs (with none of another language) to skip franc. */
const SURE_MARKERS = 3;

/**
 * Every word the detector knows, with what it says (one lookup per word instead of one per set):
 * EN_WORD (EN_FUNCTION or EN_COMMON), LEX_WORD (in the sentiment lexicon), one bit per MARKERS language
 * (MARK_SHIFT + its index) and one per FAMILIES entry (FAMILY_SHIFT + its index).
 */

const EN_WORD = 1;
const LEX_WORD = 2;
const MARK_SHIFT = 2;
const MARKER_LANGS = Object.keys(MARKERS);
const FAMILY_SHIFT = MARK_SHIFT + MARKER_LANGS.length;
const WORD_FLAGS = new Map<string, number>();
const flag = (w: string, bit: number): void => {
  WORD_FLAGS.set(w, (WORD_FLAGS.get(w) ?? 0) | bit);
};
for (const w of EN_FUNCTION) flag(w, EN_WORD);
for (const w of EN_COMMON) flag(w, EN_WORD);
for (const w of lexiconWords()) flag(w, LEX_WORD);
// The default pain-point vocabulary (written by the team) is English customer-experience language
// ("declined", "checkout", "parcel", "refund"…): its words count like lexicon words, so a short
// complaint made of them is English without asking franc, which calls "Card declined twice at
// checkout" Romanian.
const PAIN_VOCABULARY = (createRequire(import.meta.url)('./lexicons/pain-points.json') as { categories: Record<string, Record<string, number>> }).categories;
for (const terms of Object.values(PAIN_VOCABULARY)) for (const t of Object.keys(terms)) for (const w of t.toLowerCase().match(/[\p{L}']+/gu) ?? []) flag(w, LEX_WORD);
MARKER_LANGS.forEach((lang, k) => {
  for (const w of MARKERS[lang] as Set<string>) flag(w, 1 << (MARK_SHIFT + k));
});
FAMILIES.forEach(([, set], f) => {
  for (const w of set) flag(w, 1 << (FAMILY_SHIFT + f));
});
// The scanner's vocabulary carries the same flags, so detectLanguageTokens looks nothing up.
const FLAGS_SHIFT = reserveWordFlags(FAMILY_SHIFT + FAMILIES.length);
for (const [w, f] of WORD_FLAGS) registerWordFlags([w], f << FLAGS_SHIFT);
const MARK_MASK = ((1 << MARKER_LANGS.length) - 1) << MARK_SHIFT;
const FAMILY_MASK = ((1 << FAMILIES.length) - 1) << FAMILY_SHIFT;

/**
 * The language when marker words decide it, else null. Markers are words no other listed language
 * (nor English) commonly uses, so any marker of a second language means franc decides.
 * `hits[k]`: the text's words (with repeats) among the markers of MARKER_LANGS[k].
 */
function markedLanguage(hits: Int32Array): string | null {
  let best: string | null = null;
  let bestHits = 0;
  let others = 0;
  for (let k = 0; k < MARKER_LANGS.length; k++) {
    const h = hits[k] as number;
    if (h === 0) continue;
    if (h > bestHits) {
      others += bestHits;
      best = MARKER_LANGS[k] as string;
      bestHits = h;
    } else others += h;
  }
  return best !== null && bestHits >= SURE_MARKERS && others === 0 ? best : null;
}

/**
 * The franc candidates: one family when its function words clearly dominate, else all.
 * `hits[f]`: the text's words (with repeats) among the function words of FAMILIES[f].
 */
function candidates(hits: Int32Array): string[] {
  let best = -1;
  let bestHits = 0;
  let second = 0;
  for (let f = 0; f < FAMILIES.length; f++) {
    const h = hits[f] as number;
    if (h > bestHits) {
      second = bestHits;
      bestHits = h;
      best = f;
    } else if (h > second) second = h;
  }
  return best >= 0 && bestHits >= 2 && bestHits >= 2 * second ? (FAMILIES[best] as [string[], Set<string>])[0] : ONLY;
}
/** Per-call counts (reused: detection is synchronous). */
const markerHits = new Int32Array(MARKER_LANGS.length);
const familyHits = new Int32Array(FAMILIES.length);
const URL_RE = /\bhttps?:\/\/\S+|\bwww\.\S+/g;
const HANDLE_RE = /[@#][\p{L}\p{N}_]+/gu;
const WORD_RE = /[\p{L}']+/gu;

/** Normalises a service language hint ("en-US", "eng", "EN") to the codes Earshot uses. */
export function normaliseLanguageHint(hint: string | null | undefined): string | null {
  if (typeof hint !== 'string') return null;
  const h = hint.trim().toLowerCase().split(/[-_]/)[0] ?? '';
  if (h === '' || h === 'und' || h === 'unknown') return null;
  if (h.length === 3) return ISO3_TO_1[h] ?? h;
  return /^[a-z]{2}$/.test(h) ? h : null;
}

/**
 * Detects the language of (already cleaned) text. See the module comment for the rules. `words`, the
 * text's lower-cased words without URLs and handles, may be passed when the caller has them already.
 */
export function detectLanguage(text: string, hint?: string | null, words?: string[]): string {
  let body: string | null = null;
  if (!words) {
    body = text.replace(URL_RE, ' ').replace(HANDLE_RE, ' ');
    words = body.toLowerCase().match(WORD_RE) ?? [];
  }
  counts.letters = 0;
  counts.en = 0;
  markerHits.fill(0);
  familyHits.fill(0);
  for (const w of words) countWord(w, WORD_FLAGS.get(w));
  return decide(text, hint, words.length, body);
}

/**
 * detectLanguage() for the tokens of scan(text): the same answer as detectLanguage(text, hint,
 * scannedWords(scan)), reading each word's flags from the scanner's vocabulary entry.
 */
export function detectLanguageTokens(text: string, hint: string | null | undefined, tokens: Token[]): string {
  counts.letters = 0;
  counts.en = 0;
  markerHits.fill(0);
  familyHits.fill(0);
  let n = 0;
  for (const t of tokens) {
    if (t.k !== 'word') continue;
    const c = t.text.charCodeAt(0);
    if (c >= 48 && c <= 57) continue; // as scannedWords: digits-first tokens are not words
    n++;
    const entry = t.entry;
    countWord(t.text, entry !== undefined ? (entry.flags >> FLAGS_SHIFT) & ALL_FLAGS || undefined : WORD_FLAGS.get(t.text));
  }
  return decide(text, hint, n, null);
}

/** Per-call word counts (reused: detection is synchronous). */
const counts = { letters: 0, en: 0 };
const ALL_FLAGS = (1 << (FAMILY_SHIFT + FAMILIES.length)) - 1;

function countWord(w: string, f: number | undefined): void {
  counts.letters += w.length;
  if (f === undefined) return;
  if ((f & EN_WORD) !== 0 || (w.length > 3 && (f & LEX_WORD) !== 0)) counts.en++;
  if ((f & MARK_MASK) !== 0) for (let k = 0; k < MARKER_LANGS.length; k++) if ((f & (1 << (MARK_SHIFT + k))) !== 0) markerHits[k]++;
  if ((f & FAMILY_MASK) !== 0) for (let k = 0; k < FAMILIES.length; k++) if ((f & (1 << (FAMILY_SHIFT + k))) !== 0) familyHits[k]++;
}

/** The decision of detectLanguage() from the counts of a text's `wordCount` words. */
function decide(text: string, hint: string | null | undefined, wordCount: number, body: string | null): string {
  const { letters, en } = counts;
  const hinted = normaliseLanguageHint(hint);
  if (letters < MIN_LETTERS) {
    // Too short to tell on our own; a clearly English short text still counts as English.
    if (hinted) return hinted;
    return wordCount >= 2 && en >= 1 && en * 2 >= wordCount ? 'en' : 'und';
  }
  if (en >= 2 && en === wordCount) return 'en';
  if (wordCount >= 3 && ((en >= 2 && en * 2 >= wordCount) || (en >= 3 && en * 3 >= wordCount))) return 'en';
  const marked = markedLanguage(markerHits);
  if (marked !== null) return marked;
  body ??= text.replace(URL_RE, ' ').replace(HANDLE_RE, ' ');
  // franc needs no more than a few hundred characters to decide, and costs in proportion to length.
  const ranked = francAll(body.length > FRANC_CHARS ? body.slice(0, FRANC_CHARS) : body, { minLength: MIN_LETTERS, only: candidates(familyHits) });
  const top = ranked[0];
  if (!top || top[0] === 'und') return hinted ?? 'und';
  const code3 = top[0];
  // franc is unsure on short posts: the service hint, or English when English words are frequent,
  // wins when franc ranks it close to the top (scores are 1 for the best, lower for the others).
  const near = (code: string, margin: number): boolean => ranked.some(([c, d]) => c === code && d >= 1 - margin);
  const hint3 = hinted ? Object.keys(ISO3_TO_1).find((k) => ISO3_TO_1[k] === hinted) ?? hinted : null;
  if (hint3 && near(hint3, letters < 80 ? 0.15 : 0.05)) return hinted as string;
  if (en >= 3 && en * 4 >= wordCount && near('eng', 0.1)) return 'en';
  return ISO3_TO_1[code3] ?? code3;
}
