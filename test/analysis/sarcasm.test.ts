import { describe, expect, it } from 'vitest';
import { createAnalyser } from '../../analysis/index.js';

const a = createAnalyser({ brands: [] });
const run = (text: string) => a.analyse({ text, languageHint: 'en' });
const ids = (text: string): string[] => run(text).painPoints.map((p) => p.id);

describe('sarcasm: praise turned on a problem is a complaint', () => {
  it.each([
    ['thanks for the 3 hour delay', 'delay'],
    ['great, another cancelled flight', 'cancellation'],
    ['love sitting on the tarmac for 2 hours', 'delay'],
    ['great job losing my luggage', 'lost-item'],
    ['Oh great, the app is down again', 'outage'],
    ['Great, yet another outage', 'outage'],
    ['nice, charged twice for the same order', 'billing'],
    ['my bank app crashed again. Awesome.', 'bug'],
    ['been on hold for an hour. Good job.', 'customer-service'],
    ['wonderful, another 45 minutes on hold with your bank', 'customer-service'],
    ['Love that my package is still not here', 'delivery'],
    ['Thanks for the help 🙄 my internet is still down', 'outage'],
  ])('%s → negative, top tag %s', (text, id) => {
    expect(run(text).sentiment.label).toBe('negative');
    expect(ids(text)[0]).toBe(id);
  });

  it.each([
    'awesome service... NOT!',
    'so "helpful" support',
    'love waiting 45 minutes for a reply /s',
    'Must be nice to have customers who wait 3 weeks for a refund',
    'thank you for cancelling my order without telling me',
  ])('%s → negative', (text) => {
    expect(run(text).sentiment.label).toBe('negative');
    expect(ids(text).length).toBeGreaterThan(0);
  });

  it('praise in short scare quotes is disputed, a long quote is reported speech', () => {
    const text = 'Signed up for the "better coverage" and got an outage and a double charge in week one';
    expect(run(text).sentiment.label).toBe('negative');
    expect(ids(text)).toEqual(expect.arrayContaining(['outage', 'billing']));
    expect(run('the “premium” support line left me on hold').sentiment.label).toBe('negative');
    // Reported speech, not irony: the quote is long, its words keep their sense.
    expect(run('The courier said "we are happy to deliver on Saturday as well" which is great').sentiment.label).toBe('positive');
  });

  it('the same praise without a problem stays praise', () => {
    expect(run('thanks for the 3 hour delay').sentiment.label).toBe('negative');
    expect(run('thanks for the quick reply').sentiment.label).toBe('positive');
    expect(run('great, another order arrived a day early').sentiment.label).toBe('positive');
  });
});

describe('mixed messages: the clause after a contrast carries the weight', () => {
  it.each([
    ['appreciate it, but my bag is still missing', 'lost-item'],
    ['Thank you for your help however the package never arrived', 'delivery'],
    ['thanks for the reply, but I still need my refund', 'refund'],
  ])('%s → %s', (text, id) => {
    expect(run(text).sentiment.label).not.toBe('positive');
    expect(ids(text)[0]).toBe(id);
  });
});

describe('genuine praise, fixes and small problems tag nothing', () => {
  it.each([
    'no delay at all, great',
    'refund was quick, thanks',
    'thanks for sorting my bag out so fast',
    'thanks for the update on the delay',
    'thank you for compensating us for our lost bags',
    'love how fast you fixed the outage',
    'great service, delivered in 2 days',
    'thanks so much for the quick refund!',
    'Awesome, thanks! I will call back later today.',
    'love the new app, it never crashes',
  ])('%s → positive, no tag', (text) => {
    expect(run(text).sentiment.label).toBe('positive');
    expect(ids(text)).toEqual([]);
  });

  it('a problem made small is not a complaint: "the delay was only 5 minutes, no problem"', () => {
    const r = run('the delay was only 5 minutes, no problem');
    expect(r.sentiment.label).not.toBe('negative');
    expect(r.painPoints).toEqual([]);
    // Without the minimiser it is a complaint.
    expect(ids('the delay was 45 minutes')[0]).toBe('delay');
  });
});
