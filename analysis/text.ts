/**
 * Text helpers shared by the analysis stages: bounding, cleaning and folding.
 * Pure functions; no I/O.
 */

/** Analysis reads at most this many characters of a mention (title + text). */
export const MAX_ANALYSED_CHARS = 5000;

const TAG_RE = /<\/?[a-z][^>]{0,500}>/gi;
// C0/C1 control characters except tab/newline; zero-width and bidi marks; lone surrogates.
const CONTROL_RE = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f\u200b-\u200f\u202a-\u202e\u2060-\u2064\ufeff]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;
const ENTITY_MAP: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'", nbsp: ' ', '#39': "'" };
const ENTITY_RE = /&(amp|lt|gt|quot|apos|nbsp|#39);/g;
const COMBINING_RE = /\p{M}+/gu;

/**
 * Bounds and cleans raw mention text: joins the title, truncates to MAX_ANALYSED_CHARS, strips HTML
 * tags, decodes the common entities and removes control characters. Never throws.
 */
export function cleanText(text: unknown, title?: unknown, checked?: CleanCheck): string {
  let t = typeof text === 'string' ? text : text == null ? '' : String(text);
  if (typeof title === 'string' && title.trim() !== '') t = `${title.trim()}. ${t}`;
  if (t.length > MAX_ANALYSED_CHARS) t = t.slice(0, MAX_ANALYSED_CHARS);
  if (t.includes('<')) t = t.replace(TAG_RE, ' ');
  if (t.includes('&')) t = t.replace(ENTITY_RE, (_m, e: string) => ENTITY_MAP[e] ?? ' ');
  const found = controlAndAscii(t);
  if ((found & HOLDS_CONTROL) !== 0) {
    t = t.replace(CONTROL_RE, ' ');
    if (checked !== undefined) checked.ascii = isAscii(t);
  } else if (checked !== undefined) checked.ascii = (found & NOT_ASCII) === 0;
  return t;
}

/** What cleanText() learnt of the text it returned, for a caller that would check it again. */
export interface CleanCheck {
  /** Every character is ASCII (isAscii() of the result). */
  ascii: boolean;
}

const HOLDS_CONTROL = 1;
const NOT_ASCII = 2;
/**
 * One pass over the text: HOLDS_CONTROL when CONTROL_RE matches somewhere in it (the same characters,
 * tested by code, so text with accents or emoji skips the replace), else NOT_ASCII when a character is
 * not ASCII (with HOLDS_CONTROL the pass stops early and NOT_ASCII may be missing).
 */
function controlAndAscii(t: string): number {
  let out = 0;
  const n = t.length;
  for (let i = 0; i < n; i++) {
    const c = t.charCodeAt(i);
    if (c >= 32 && c < 127) continue;
    if (c < 32) {
      if (c !== 9 && c !== 10 && c !== 13) return HOLDS_CONTROL | out;
      continue;
    }
    if (c > 0x7f) out = NOT_ASCII;
    if (
      c <= 0x9f ||
      (c >= 0x200b && c <= 0x200f) ||
      (c >= 0x202a && c <= 0x202e) ||
      (c >= 0x2060 && c <= 0x2064) ||
      c === 0xfeff
    )
      return HOLDS_CONTROL | out;
    if (c >= 0xd800 && c <= 0xdbff) {
      // A high surrogate is whole with a low one after it (skipped with it); else it is lone.
      const d = t.charCodeAt(i + 1);
      if (d >= 0xdc00 && d <= 0xdfff) i++;
      else return HOLDS_CONTROL | out;
    } else if (c >= 0xdc00 && c <= 0xdfff) return HOLDS_CONTROL | out; // a low one not after a high one
  }
  return out;
}

/** True when every character is ASCII (a loop: several times faster than /^[\x00-\x7f]*$/). */
export function isAscii(text: string): boolean {
  for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) > 0x7f) return false;
  return true;
}

/** Lower-cases and removes diacritics ("Café" → "cafe"), as used for brand matching. */
export function fold(text: string): string {
  // Fast path: plain ASCII needs only lower-casing.
  if (isAscii(text)) return text.toLowerCase();
  return text.normalize('NFD').replace(COMBINING_RE, '').toLowerCase();
}
