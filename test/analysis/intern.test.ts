import { describe, expect, it } from 'vitest';
import { hashRange, RangeTable } from '../../analysis/intern.js';
import { detectLanguage, detectLanguageTokens } from '../../analysis/language.js';
import { scan, scannedWords } from '../../analysis/sentiment.js';
import { stageExamples } from '../../analysis/journey-stage.js';

describe('RangeTable: strings found by a range of another string', () => {
  it('finds a key in place, and only an exact one', () => {
    const t = new RangeTable<number>(2);
    t.add('delay', 1);
    t.add('delayed', 2);
    t.add('día', 3);
    const text = 'flight DELAYED: delayed, delay, dela, día';
    expect(t.find(text, 16, 23)).toBe(t.indexOf('delayed'));
    expect(t.value(t.find(text, 16, 23))).toBe(2);
    expect(t.value(t.find(text, 25, 30))).toBe(1);
    expect(t.find(text, 32, 36)).toBe(-1); // "dela"
    expect(t.find(text, 7, 14)).toBe(-1); // "DELAYED": case matters
    expect(t.key(t.find(text, 38, 41))).toBe('día');
  });

  it('keeps every key through growth and hash collisions', () => {
    const t = new RangeTable<string>(1);
    const words: string[] = [];
    for (let i = 0; i < 5000; i++) words.push(`w${i.toString(36)}`);
    words.forEach((w) => t.add(w, w.toUpperCase()));
    expect(t.size).toBe(5000);
    expect(words.filter((w) => t.value(t.indexOf(w)) !== w.toUpperCase())).toEqual([]);
    expect(t.indexOf('nope')).toBe(-1);
    expect(hashRange('xx delay yy', 3, 8)).toBe(hashRange('delay', 0, 5));
  });
});

describe('language from the scanner tokens', () => {
  it('answers as detectLanguage on the same words', () => {
    const texts = [
      ...stageExamples().map((e) => e.text),
      'Hola, mi pedido llegó tarde otra vez',
      'Ceci est un message en français, merci beaucoup pour votre aide',
      'Das ist nicht gut, ich warte noch immer auf mein Paket',
      'obrigado pela ajuda, muito bom',
      'tack för hjälpen, det var inte bra',
      'terima kasih atas bantuannya',
      'ok',
      '@acme 😍😍',
      'WHERE IS MY BAG 3 hours #fail https://t.co/x',
    ];
    for (const text of texts) {
      const s = scan(text);
      for (const hint of [null, 'en', 'de'])
        expect(detectLanguageTokens(text, hint, s.tokens), text).toBe(detectLanguage(text, hint, scannedWords(s)));
    }
  });
});
