import { describe, expect, it } from 'vitest';
import { COMPLAINT_PATTERNS, PRAISE_PATTERNS } from '../../analysis/sentiment.js';
import { STAGE_RULES, stageExamples } from '../../analysis/journey-stage.js';
import { literalStarts, RegexGroup } from '../../analysis/prefilter.js';

describe('literal starts of a regular expression', () => {
  it.each([
    [/\b(?:on hold|hung up)/, 4, ['on h', 'hung']],
    [/\b(?:(?:highly |would )?recommend)/, 4, ['reco', 'high', 'woul']],
    [/\b(?:keeps? (?:crashing|dropping))/, 12, ['keep crashing', 'keep dropping', 'keeps crashin', 'keeps droppin'].map((s) => s.slice(0, 12))],
    [/\b(?:\d+ years|many)/, 4, ['0', '1', '2', '3', '4', '5', '6', '7', '8', '9', 'many']],
    [/(?<!only )\bswitch(?:ed|ing)?/, 8, ['switched', 'switchin', 'switch']],
    [/\b[ab]c/, 4, ['ac', 'bc']],
    [/vs\.?\b/, 4, ['vs.', 'vs']],
    [/x*y/, 4, ['x', 'y']],
    [/(?:ab)+c/, 4, ['ab']],
  ])('%s (%i characters) starts with one of %j', (re, max, want) => {
    const got = literalStarts(re, max) ?? [];
    // A start that begins with another start is dropped (it adds nothing).
    const expected = want.filter((w, _, all) => !all.some((o) => o !== w && w.startsWith(o)));
    expect([...got].sort()).toEqual([...new Set(expected)].sort());
  });

  it.each([[/\b(?:\w+ is|on hold)/], [/.foo/], [/(?:a|)/], [/\bon hold/i], [/[^a]b/], [/(?<name>a)/]])(
    '%s may start with anything (or with syntax not read): always run',
    (re) => {
      expect(literalStarts(re)).toBeNull();
    },
  );
});

describe('a regex group answers exactly like each regex', () => {
  const stripG = (re: RegExp): RegExp => new RegExp(re.source, re.flags.replace('g', ''));
  const groups: Array<[string, RegExp[]]> = [
    ['stage rules', STAGE_RULES.map(([re]) => re)],
    ['complaint and praise patterns', [...COMPLAINT_PATTERNS, ...PRAISE_PATTERNS].map(([re]) => stripG(re))],
  ];
  // Texts: the labelled stage examples, each cut at every word (so starts at the very end are met), and
  // a few shapes that meet word boundaries in odd places.
  const texts: string[] = [];
  for (const ex of stageExamples()) {
    const lower = ex.text.toLowerCase();
    texts.push(lower);
    for (let i = lower.indexOf(' '); i > 0; i = lower.indexOf(' ', i + 1)) texts.push(lower.slice(0, i), lower.slice(i + 1));
  }
  texts.push('', ' ', 'x', '5 stars', '10/10', 'ñswitched from them', '_on hold', 'café launch', 'on hold', 'vs', 'vs.', 'still waiting?!');

  it.each(groups)('%s', (_name, res) => {
    const group = new RegexGroup(res);
    let matched = 0;
    for (const t of texts) {
      const hits = group.test(t);
      const want = res.map((re) => (re.test(t) ? 1 : 0));
      expect([...hits], t).toEqual(want);
      matched += want.reduce<number>((a, b) => a + b, 0);
    }
    expect(matched).toBeGreaterThan(100); // the texts do meet the expressions
  });

  it('refuses to test expressions with the g flag (the answer would depend on lastIndex); candidates() takes them', () => {
    const group = new RegexGroup([/\bon hold/g, /\bhung up/g]);
    expect(() => group.test('on hold')).toThrow(/g or y flag/);
    expect([...group.candidates('put on hold again')]).toEqual([1, 0]);
  });

  it('reads the starts of every stage rule (none is run on every text)', () => {
    expect(new RegexGroup(STAGE_RULES.map(([re]) => re)).unfiltered).toBe(0);
  });
});
