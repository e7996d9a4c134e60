import { describe, expect, it } from 'vitest';
import { ANALYSER_VERSION, createAnalyser, toScoreRecord } from '../../analysis/index.js';
import { MAX_ANALYSED_CHARS } from '../../analysis/text.js';

const analyser = createAnalyser({
  brands: [
    { name: 'Acme', aliases: ['acme mobile'], query: 'acme OR @acme', own: true },
    { name: 'Globex', aliases: [], query: 'globex OR @globex', own: false },
  ],
  painPoints: { 'loyalty-program': ['points balance', 'tier status'], delivery: ['courier van'] },
});
const run = (text: string, extra: Record<string, string> = {}) => analyser.analyse({ text, ...extra });

describe('entity-level sentiment, comparison and switching', () => {
  it('switched from X to Y: X negative, Y positive, switching from X to Y', () => {
    const r = run("Switched from Acme to Globex, Globex's support actually answers");
    const by = Object.fromEntries(r.brands.map((b) => [b.name, b.sentiment?.label]));
    expect(by).toEqual({ Acme: 'negative', Globex: 'positive' });
    expect(r.switching).toEqual({ from: 'Acme', to: 'Globex' });
    expect(r.comparison).toBe(true);
  });

  it('each brand gets the sentiment of its own clauses', () => {
    const r = run('Acme lost my parcel again. Globex delivered mine early, great job');
    const by = Object.fromEntries(r.brands.map((b) => [b.name, b.sentiment?.label]));
    expect(by.Acme).toBe('negative');
    expect(by.Globex).toBe('positive');
  });

  it('comparatives favour the brand before "than"', () => {
    const r = run('Globex is way better than Acme for coverage');
    const by = Object.fromEntries(r.brands.map((b) => [b.name, b.sentiment?.label]));
    expect(by).toEqual({ Globex: 'positive', Acme: 'negative' });
    expect(r.comparison).toBe(true);
    expect(r.switching).toBeNull();
  });

  it('leaving X for Y is switching', () => {
    expect(run('leaving Acme for Globex next month').switching).toEqual({ from: 'Acme', to: 'Globex' });
  });

  it('the complaint in a switch is about the brand left, unless it came along', () => {
    const by = (text: string) => Object.fromEntries(run(text).brands.map((b) => [b.name, b.sentiment?.label]));
    expect(by('Leaving Acme for Globex next month, fed up with dropped calls')).toEqual({ Acme: 'negative', Globex: 'positive' });
    expect(by('Went back to Globex after two months of Acme outages')).toEqual({ Acme: 'negative', Globex: 'positive' });
    // "still": the problem came along to the new brand.
    expect(by('Moved to Globex from Acme and the signal is still terrible').Globex).toBe('negative');
  });

  it('a clause naming two brands is read in its comma parts', () => {
    const r = run('Acme dropped my calls all week, Globex has been great');
    expect(Object.fromEntries(r.brands.map((b) => [b.name, b.sentiment?.label]))).toEqual({ Acme: 'negative', Globex: 'positive' });
  });

  it('"X beats Y" is a comparison in favour of X', () => {
    const r = run('Globex beats Acme on coverage in the valley');
    expect(Object.fromEntries(r.brands.map((b) => [b.name, b.sentiment?.label]))).toEqual({ Globex: 'positive', Acme: 'negative' });
    expect(r.comparison).toBe(true);
  });

  it('brandHint attributes the mention even without a query match', () => {
    const r = run('The new update is fantastic, love the widgets', { brandHint: 'Acme' });
    expect(r.brands).toEqual([{ name: 'Acme', sentiment: expect.objectContaining({ label: 'positive' }) }]);
  });

  it('matchBrands lists the brands whose query matches', () => {
    expect(analyser.matchBrands('@acme vs globex')).toEqual(['Acme', 'Globex']);
    expect(analyser.matchBrands('Acme Mobile rocks')).toEqual(['Acme']);
    expect(analyser.matchBrands('nothing here')).toEqual([]);
  });
});

describe('pain points need a complaint', () => {
  const ids = (text: string) => run(text).painPoints.map((p) => p.id);
  it.each([
    ['my flight was delayed 4 hours and nobody told us anything', 'delay'],
    ['They cancelled my order without telling me', 'cancellation'],
    ['lost my luggage on the way to Denver, still no update', 'lost-item'],
    ['the box arrived smashed and the vase is damaged', 'damaged-item'],
    ['courier left my parcel in the rain, delivery was a mess', 'delivery'],
    ['on hold for an hour and the agent hung up on me', 'customer-service'],
    ['the cashier was so rude to my mother', 'staff-behaviour'],
    ['charged twice on my bill this month, fix it', 'billing'],
    ['still waiting for my refund after 3 weeks', 'refund'],
    ['the app keeps crashing since the update, so buggy', 'bug'],
    ['internet outage again in my area, no service since yesterday', 'outage'],
    ["locked out of my account, password reset email never comes", 'account-access'],
    ['someone hacked my account and there was a fraud charge, unacceptable', 'privacy-security'],
    ['the queue at the store was ridiculous, waited 40 minutes', 'waiting-time'],
    ['prices went up again, totally overpriced now', 'pricing'],
    ['my points balance vanished, terrible', 'loyalty-program'],
  ])('%s → %s (top tag)', (text, id) => {
    expect(ids(text)[0]).toBe(id);
  });

  it.each([
    'no delay at all, great',
    'Delivery was fast and the courier was lovely',
    'Do you deliver to Boston on Sundays?',
    'Refund arrived quickly, thanks!',
  ])('%s → no tag', (text) => {
    expect(ids(text)).toEqual([]);
  });

  it.each([
    'never late, always on time',
    "the technician wasn't rude at all, very patient",
    'nothing was broken or damaged, thank you',
    'the refund was quick, thanks',
    'love the new seats, so comfortable!',
  ])('denied or praised: %s → no tag', (text) => {
    expect(ids(text)).toEqual([]);
  });

  it.each([
    ['my bag is lost', 'lost-item'],
    ['flight delayed 3 hours', 'delay'],
    ['my parcel went missing', 'lost-item'],
  ])('a flat statement of a problem is a complaint even when neutral: %s → %s', (text, id) => {
    expect(run(text).sentiment.label).not.toBe('positive');
    expect(ids(text)[0]).toBe(id);
  });

  it.each([
    ['customer service lost my bag and nobody called back', 'lost-item'],
    ['support said my order was cancelled, no reason given', 'cancellation'],
    ['the agent was so rude, worst attitude ever', 'staff-behaviour'],
    ["the website won't let me change my reservation", 'booking'],
    ['waited 50 minutes in line at the counter, only one person working', 'waiting-time'],
    ['my suitcase arrived crushed and the handle is broken', 'damaged-item'],
    ['the food was cold and the seat was broken, poor quality all round', 'product-quality'],
  ])('a specific reason beats generic customer service: %s → %s', (text, id) => {
    expect(ids(text)[0]).toBe(id);
  });

  it('waiting on hold is about the service contact: customer-service first', () => {
    expect(ids('on hold for 45 minutes, phone queue is a joke')[0]).toBe('customer-service');
  });

  it('no refund is a complaint, not a denied problem', () => {
    expect(ids('still no refund for my cancelled order')).toContain('refund');
  });

  it('config words extend an existing category', () => {
    expect(ids('the courier van drove off with my stuff, awful')).toContain('delivery');
  });

  it('tags carry evidence and a score, strongest first', () => {
    const tags = run('flight delayed 3 hours and then cancelled, worst airline').painPoints;
    expect(tags.length).toBeGreaterThan(1);
    for (const t of tags) {
      expect(t.evidence.length).toBeGreaterThan(0);
      expect(t.score).toBeGreaterThan(0);
      expect(t.score).toBeLessThanOrEqual(1);
    }
    expect([...tags].sort((a, b) => b.score - a.score)).toEqual(tags);
  });
});

describe('journey stage', () => {
  it.each([
    ['Just saw your ad on TV, never heard of you before', 'awareness'],
    ['Thinking of switching to your fiber plan, is it worth it?', 'consideration'],
    ['Just ordered the new headphones, payment went through', 'purchase'],
    ['My package arrived damaged and the box was crushed', 'experience'],
    ['Been on hold with customer service for an hour, please help', 'support'],
    ['I want to cancel my subscription, renewal price is a joke', 'retention'],
    ['Best bank ever, I recommend you to everyone', 'advocacy'],
  ])('%s → %s', (text, stage) => {
    expect(run(text).stage?.id).toBe(stage);
  });

  it('is null when there is nothing to go on', () => {
    expect(run('hmm interesting weather today in the city').stage).toBeNull();
  });

  it('a complaint is not advocacy on the classifier\'s word alone; a detractor\'s word of mouth is', () => {
    const complaint = run('the delivery guy told me it was my fault, absolutely awful');
    expect(complaint.sentiment.label).toBe('negative');
    expect(complaint.stage?.id).not.toBe('advocacy');
    expect(run('Told my friends the signal is awful out here, terrible company').stage?.id).toBe('advocacy');
  });
});

describe('toScoreRecord', () => {
  it('has exactly the earshot score keys', () => {
    const rec = toScoreRecord('m1', run('@acme where is my parcel?? 3 days late')) as Record<string, unknown>;
    expect(Object.keys(rec)).toEqual(['id', 'language', 'sentiment', 'painPoints', 'stage', 'brands']);
    expect(Object.keys(rec.sentiment as object)).toEqual(['label', 'score', 'confidence']);
    for (const p of rec.painPoints as object[]) expect(Object.keys(p)).toEqual(['id', 'evidence', 'score']);
    if (rec.stage) expect(Object.keys(rec.stage as object)).toEqual(['id', 'confidence']);
    expect(rec.brands).toEqual([{ name: 'Acme', sentiment: 'negative' }]);
    expect(rec.id).toBe('m1');
  });

  it('gives null sentiment for an unscored language', () => {
    const rec = toScoreRecord('m2', run('Acme, mi pedido llegó tarde otra vez y nadie responde')) as {
      sentiment: unknown;
      brands: unknown;
    };
    expect(rec.sentiment).toEqual({ label: null, score: null, confidence: 0 });
    expect(rec.brands).toEqual([{ name: 'Acme', sentiment: null }]);
  });

  it('scores short English complaints made of customer-experience words (no service hint), still not Spanish', () => {
    for (const text of ['Card declined twice at checkout', 'Parcel missing, tracking frozen since Monday', 'Subscription renewal charged twice', 'Refund pending, courier lost parcel']) {
      const res = run(text);
      expect(res.language, text).toBe('en');
      expect(res.sentiment, text).not.toBeNull();
    }
    expect(run("you're terrible.").language).toBe('en');
    expect(run("you're terrible.").sentiment?.label).toBe('negative');
    expect(run('Mi pedido llegó tarde otra vez y nadie responde').language).toBe('es');
  });

  it('the analyser reports its version', () => {
    expect(analyser.version).toBe(ANALYSER_VERSION);
  });
});

describe('robustness', () => {
  const rand = (seed: number) => () => {
    seed = (seed * 1103515245 + 12345) & 0x7fffffff;
    return seed / 0x7fffffff;
  };
  it('never throws and stays bounded on random Unicode, control characters and HTML', () => {
    const r = rand(42);
    const start = performance.now();
    for (let i = 0; i < 300; i++) {
      const len = Math.floor(r() * 400);
      let s = '';
      for (let k = 0; k < len; k++) s += String.fromCharCode(Math.floor(r() * 0xffff));
      if (i % 3 === 0) s = `<div><script>alert(1)</script>${s}&amp;</div>`;
      const res = analyser.analyse({ text: s, title: i % 2 ? s.slice(0, 20) : null });
      expect(typeof res.language).toBe('string');
      expect(Array.isArray(res.painPoints)).toBe(true);
    }
    expect(performance.now() - start).toBeLessThan(5000);
  });

  it.each([
    ['empty', ''],
    ['whitespace', '   \n\t '],
    ['control chars', '\u0000\u0001\u0007\u001b[31m'],
    ['lone surrogates', '\ud800abc\udfff'],
  ])('%s input gives an unscored result', (_n, text) => {
    const res = analyser.analyse({ text });
    expect(res.language).toBe('und');
    expect(res.sentiment.label).toBeNull();
  });

  it('reads only the first MAX_ANALYSED_CHARS characters of a huge text, quickly', () => {
    const huge = 'the app is terrible and support never answers. '.repeat(200_000); // ~9 MB
    const start = performance.now();
    const res = analyser.analyse({ text: huge });
    expect(performance.now() - start).toBeLessThan(500);
    expect(res.sentiment.label).toBe('negative');
    const late = analyser.analyse({ text: `${'a '.repeat(MAX_ANALYSED_CHARS)} I love Acme` });
    expect(late.brands).toEqual([]);
  });

  it('tolerates non-string input at run time', () => {
    expect(() => analyser.analyse({ text: undefined as unknown as string })).not.toThrow();
    expect(() => analyser.analyse(null as unknown as { text: string })).not.toThrow();
  });
});

describe('journey-stage classifier', () => {
  it('is natural’s BayesClassifier: fast path and natural agree on every labelled example', async () => {
    const { defaultStageClassifier, stageExamples } = await import('../../analysis/journey-stage.js');
    const clf = defaultStageClassifier();
    for (const ex of stageExamples()) {
      const fast = clf.classify(ex.text);
      const slow = clf.naturalClassify(ex.text);
      expect(fast[0]?.stage).toBe(slow[0]?.stage);
      expect(fast[0]?.p ?? 0).toBeCloseTo(slow[0]?.p ?? 0, 6);
    }
  });

  it('trains at first use in well under a second', async () => {
    const { stageExamples, trainStageClassifier } = await import('../../analysis/journey-stage.js');
    trainStageClassifier(stageExamples().slice(0, 10)); // loads natural
    const start = performance.now();
    trainStageClassifier(stageExamples());
    expect(performance.now() - start).toBeLessThan(1000);
  });
});

describe('natural stays quiet', () => {
  it('the stage classifier loads without dotenv (no .env read, nothing printed)', async () => {
    const { createRequire } = await import('node:module');
    run('Thinking of switching to your fiber plan, is it worth it?');
    const cache = createRequire(import.meta.url).cache;
    expect(Object.keys(cache).some((k) => k.includes(`${'/'}dotenv${'/'}`))).toBe(false);
    expect(Object.keys(cache).some((k) => k.includes('bayes_classifier'))).toBe(true);
  });
});
