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
import { francAll } from 'franc';
import { isLexiconWord } from './sentiment.js';

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
    'them she his its im i\'m it\'s than then very all any out now').split(' '),
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
    'be was will an on in so me he her him do no i a us our ours yours mine myself our your their').split(' '),
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
 * The language when marker words decide it, else null. Markers are words no other listed language
 * (nor English) commonly uses, so any marker of a second language means franc decides.
 */
function markedLanguage(words: string[]): string | null {
  let best: string | null = null;
  let bestHits = 0;
  let others = 0;
  for (const [lang, set] of Object.entries(MARKERS)) {
    let hits = 0;
    for (const w of words) if (set.has(w)) hits++;
    if (hits === 0) continue;
    if (hits > bestHits) {
      others += bestHits;
      best = lang;
      bestHits = hits;
    } else others += hits;
  }
  return best !== null && bestHits >= SURE_MARKERS && others === 0 ? best : null;
}

/** The franc candidates for `words`: one family when its function words clearly dominate, else all. */
function candidates(words: string[]): string[] {
  let best = -1;
  let bestHits = 0;
  let second = 0;
  for (let f = 0; f < FAMILIES.length; f++) {
    const set = (FAMILIES[f] as [string[], Set<string>])[1];
    let hits = 0;
    for (const w of words) if (set.has(w)) hits++;
    if (hits > bestHits) {
      second = bestHits;
      bestHits = hits;
      best = f;
    } else if (hits > second) second = hits;
  }
  return best >= 0 && bestHits >= 2 && bestHits >= 2 * second ? (FAMILIES[best] as [string[], Set<string>])[0] : ONLY;
}
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
  let letters = 0;
  let en = 0;
  for (const w of words) {
    letters += w.length;
    if (EN_FUNCTION.has(w) || EN_COMMON.has(w) || (w.length > 3 && isLexiconWord(w))) en++;
  }
  const hinted = normaliseLanguageHint(hint);
  if (letters < MIN_LETTERS) {
    // Too short to tell on our own; a clearly English short text still counts as English.
    if (hinted) return hinted;
    return words.length >= 2 && en >= 1 && en * 2 >= words.length ? 'en' : 'und';
  }
  if (en >= 2 && en === words.length) return 'en';
  if (words.length >= 3 && ((en >= 2 && en * 2 >= words.length) || (en >= 3 && en * 3 >= words.length))) return 'en';
  const marked = markedLanguage(words);
  if (marked !== null) return marked;
  body ??= text.replace(URL_RE, ' ').replace(HANDLE_RE, ' ');
  // franc needs no more than a few hundred characters to decide, and costs in proportion to length.
  const ranked = francAll(body.length > FRANC_CHARS ? body.slice(0, FRANC_CHARS) : body, { minLength: MIN_LETTERS, only: candidates(words) });
  const top = ranked[0];
  if (!top || top[0] === 'und') return hinted ?? 'und';
  const code3 = top[0];
  // franc is unsure on short posts: the service hint, or English when English words are frequent,
  // wins when franc ranks it close to the top (scores are 1 for the best, lower for the others).
  const near = (code: string, margin: number): boolean => ranked.some(([c, d]) => c === code && d >= 1 - margin);
  const hint3 = hinted ? Object.keys(ISO3_TO_1).find((k) => ISO3_TO_1[k] === hinted) ?? hinted : null;
  if (hint3 && near(hint3, letters < 80 ? 0.15 : 0.05)) return hinted as string;
  if (en >= 3 && en * 4 >= words.length && near('eng', 0.1)) return 'en';
  return ISO3_TO_1[code3] ?? code3;
}
