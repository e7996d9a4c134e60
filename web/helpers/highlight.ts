/**
 * `{{highlight text}}`: text whose matched words are wrapped in U+E000 … U+E001 markers (from
 * ts_headline in db/explore.ts) becomes HTML with <mark>. Every piece of the text is escaped here
 * first; the only markup in the output is the <mark> this helper writes. Never trust ts_headline HTML.
 */
import Handlebars from 'handlebars';
import { HL_START, HL_STOP } from '../../db/explore.js';

/** Escapes the text and marks the highlighted parts. Returns a SafeString. */
export function highlight(value: unknown): Handlebars.SafeString {
  const text = typeof value === 'string' ? value : '';
  let out = '';
  let inMark = false;
  for (const part of text.split(/([\uE000\uE001])/)) {
    if (part === HL_START) {
      if (!inMark) out += '<mark>';
      inMark = true;
    } else if (part === HL_STOP) {
      if (inMark) out += '</mark>';
      inMark = false;
    } else {
      out += Handlebars.escapeExpression(part);
    }
  }
  if (inMark) out += '</mark>';
  return new Handlebars.SafeString(out);
}
