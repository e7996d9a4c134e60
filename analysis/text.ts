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
  if (mayHoldControl(t)) {
    t = t.replace(CONTROL_RE, ' ');
    if (checked !== undefined) checked.ascii = isAscii(t);
  } else if (checked !== undefined) checked.ascii = true; // printable ASCII only
  return t;
}

/** What cleanText() learnt of the text it returned, for a caller that would check it again. */
export interface CleanCheck {
  /** Every character is ASCII (isAscii() of the result). */
  ascii: boolean;
}

/** False when every character is printable ASCII, tab, newline or carriage return (CONTROL_RE cannot match). */
function mayHoldControl(t: string): boolean {
  for (let i = 0; i < t.length; i++) {
    const c = t.charCodeAt(i);
    if ((c < 32 && c !== 9 && c !== 10 && c !== 13) || c > 126) return true;
  }
  return false;
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
