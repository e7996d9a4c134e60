import { describe, expect, it } from 'vitest';
import { compileQuery, prepareDoc, queryVocabulary, QuerySyntaxError } from '../../analysis/brands.js';

describe('brand query language', () => {
  it.each([
    ['acme', 'I love Acme', true],
    ['acme', 'I love acmes', false],
    ['acme OR globex', 'globex is down', true],
    ['acme AND support', 'acme support is slow', true],
    ['acme AND support', 'acme is slow', false],
    ['acme support', 'support from acme', true], // implicit AND
    ['acme NOT careers', 'acme careers page', false],
    ['acme NOT careers', 'acme app is down', true],
    ['(acme OR globex) AND refund', 'globex refund please', true],
    ['(acme OR globex) AND refund', 'initech refund please', false],
    ['"acme air"', 'flying Acme Air today', true],
    ['"acme air"', 'air on acme', false],
    ['deliver*', 'the delivery was late', true],
    ['deliver*', 'the deli was late', false],
    ['acme NEAR/2 late', 'acme was very late', true],
    ['acme NEAR/2 late', 'acme is fine but the other one was very late', false],
    ['"acme air" NEAR/3 (lost OR damaged)', 'Acme Air damaged my bag', true],
    ['café', 'CAFE LUNA rocks', true],
    ['cafe', 'Café Luna rocks', true],
    ['@acme', 'hey @Acme help', true],
    ['@acme', 'I like acme', false],
    ['#acmefail', 'worst day #AcmeFail', true],
    ['acme', 'hey @acme', true],
    ['t-mobile', 'my T-Mobile bill', true],
  ])('%s on %s → %s', (q, text, want) => {
    const query = compileQuery(q);
    expect(query.match(text)).toBe(want);
    // A document that keeps only the query's words (what analyse() prepares) gives the same answer.
    const vocabulary = queryVocabulary([query, compileQuery('globex')]);
    expect(vocabulary === null).toBe(q.includes('*'));
    expect(query.matchDoc(prepareDoc(text, vocabulary))).toBe(want);
  });

  it('aliases behave as OR-ed names, including misspellings', () => {
    const q = compileQuery('acme', ['akme', 'acme corp']);
    expect(q.match('akme lost my order')).toBe(true);
    expect(q.match('ACME Corp support')).toBe(true);
    expect(q.match('globex')).toBe(false);
  });

  it.each([
    ['(acme OR globex', 'unbalanced parenthesis', 0],
    ['acme OR globex)', 'unbalanced parenthesis', 14],
    ['acme AND', 'expected a term after AND', 5],
    ['"acme air', 'unterminated quote', 0],
    ['acme NEAR late', 'NEAR needs a distance', 5],
    ['', 'empty query', 0],
    ['acme OR OR globex', 'expected a term after OR', 8],
  ])('%j fails with "%s" at %i', (q, msg, pos) => {
    let err: unknown;
    try {
      compileQuery(q);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(QuerySyntaxError);
    expect((err as QuerySyntaxError).message).toContain(msg);
    expect((err as QuerySyntaxError).message).toContain(`at position ${pos}`);
    expect((err as QuerySyntaxError).position).toBe(pos);
  });
});
