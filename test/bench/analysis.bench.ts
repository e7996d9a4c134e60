/**
 * Speed benchmark: mentions per second on one core for the full analyse() next to `sentiment` alone
 * and vader-sentiment alone, on the same synthetic CX corpus (written here, no external data).
 *
 *   npm run bench:analysis
 *
 * Targets (issue 5): analyse() ≥ 20,000 mentions/s and ≥ 5× vader-sentiment.
 *
 * Fairness: every system gets the same inputs and the same warm-up (two full passes, so each JIT has
 * settled), then ROUNDS timed passes over the corpus in slices; on each slice the systems run one after
 * the other (A B C A B C …), so a noisy neighbour on the machine slows all of them alike. Each system's
 * figure is its median slice; the ratio is the median of the paired per-slice ratios.
 */
import { createRequire } from 'node:module';
import Sentiment from 'sentiment';
import { compileQuery, createAnalyser } from '../../analysis/index.js';
import { prepareFolded, queryVocabulary } from '../../analysis/brands.js';
import { analyseEntities, brandLocator } from '../../analysis/entities.js';
import { detectStage } from '../../analysis/journey-stage.js';
import { detectLanguageTokens } from '../../analysis/language.js';
import { compilePainPoints } from '../../analysis/pain-points.js';
import { scan, scoreSentiment } from '../../analysis/sentiment.js';
import { cleanText, fold, isAscii } from '../../analysis/text.js';

const require = createRequire(import.meta.url);
const vader = require('vader-sentiment') as {
  SentimentIntensityAnalyzer: { polarity_scores(t: string): { compound: number } };
};

const ROUNDS = 5;
const SLICE = 1200;

const OPENERS = ['@acme', '@globex', 'Hey @acme', '', 'So', '@acme_help'];
const BODIES = [
  'where is my bag?? been waiting 3 hours at the carousel',
  'thanks so much, the crew was amazing today!',
  'my order never arrived and nobody answers the phone',
  'is there wifi on the flight to Boston?',
  'switched from Globex to Acme, their support actually answers',
  'app keeps crashing since the update, can\'t log in to my account',
  'charged twice this month and still no refund. never again',
  'not bad at all, delivery was quick and the food was hot',
  'on hold for 45 minutes and then they hung up on me #fail',
  'Loving the new plan 😍 great coverage everywhere',
  'the rep was rude and the store was a mess',
  'Hola, mi pedido llegó tarde otra vez',
];
const full: string[] = [];
for (let i = 0; i < 5000; i++) {
  full.push(`${OPENERS[i % OPENERS.length]} ${BODIES[(i * 7) % BODIES.length]} ${i % 3 === 0 ? `#${i}` : ''}`.trim());
}
// One in twelve mentions above is Spanish; English-only throughput shows the English pipeline alone.
const englishOnly = full.filter((t) => !t.includes('Hola'));

type Fn = (t: string) => unknown;

/**
 * Median mentions/s of each system. The corpus is cut into slices of SLICE mentions; each round runs
 * every system on the same slice, one after the other, so all systems see the same machine load.
 * Returns per-system medians and, per other system, the median of the paired per-round ratios
 * first-system / other (robust to a noisy neighbour on a shared machine).
 */
function measure(corpus: string[], systems: Array<[string, Fn]>): { rates: Map<string, number>; ratios: Map<string, number> } {
  for (const [, fn] of systems) for (let w = 0; w < 2; w++) for (const t of corpus) fn(t); // warm-up
  const rates = new Map<string, number[]>(systems.map(([name]) => [name, []]));
  const ratios = new Map<string, number[]>(systems.slice(1).map(([name]) => [name, []]));
  for (let r = 0; r < ROUNDS; r++) {
    for (let start = 0; start < corpus.length; start += SLICE) {
      const slice = corpus.slice(start, start + SLICE);
      const round: number[] = [];
      for (const [name, fn] of systems) {
        const t0 = performance.now();
        for (const t of slice) fn(t);
        const rate = slice.length / ((performance.now() - t0) / 1000);
        (rates.get(name) as number[]).push(rate);
        round.push(rate);
      }
      systems.slice(1).forEach(([name], k) => (ratios.get(name) as number[]).push((round[0] as number) / (round[k + 1] as number)));
    }
  }
  const median = (list: number[]): number => {
    const sorted = [...list].sort((a, b) => a - b);
    return sorted[Math.floor(sorted.length / 2)] as number;
  };
  const out = new Map<string, number>();
  for (const [name, list] of rates) {
    out.set(name, median(list));
    console.log(`${name.padEnd(24)} ${Math.round(median(list)).toLocaleString('en-US').padStart(9)} mentions/s  (median of ${list.length} slices)`);
  }
  return { rates: out, ratios: new Map([...ratios].map(([n, l]) => [n, median(l)])) };
}

const BRANDS = [
  { name: 'Acme', aliases: ['acme air'], query: 'acme OR @acme OR @acme_help', own: true },
  { name: 'Globex', aliases: [], query: 'globex NOT "globex careers"', own: false },
];
const analyser = createAnalyser({ brands: BRANDS });
analyser.analyse({ text: 'warm up the journey classifier' }); // first use trains the stage model
const afinn = new Sentiment();
const systems: Array<[string, Fn]> = [
  ['earshot analyse()', (t) => analyser.analyse({ text: t })],
  ['sentiment alone', (t) => afinn.analyze(t)],
  ['vader-sentiment alone', (t) => vader.SentimentIntensityAnalyzer.polarity_scores(t)],
];

console.log(`corpus: ${full.length} synthetic mentions (1 in 12 Spanish), one core (single thread)`);
const a = measure(full, systems);
console.log(
  `analyse() vs vader: ${((a.rates.get('earshot analyse()') as number) / (a.rates.get('vader-sentiment alone') as number)).toFixed(1)}× ` +
    `(paired per slice: ${(a.ratios.get('vader-sentiment alone') as number).toFixed(1)}×)  (targets: ≥ 20,000/s and ≥ 5×)`,
);

console.log(`\ncorpus: the ${englishOnly.length} English mentions only`);
const e = measure(englishOnly, systems.filter(([n]) => n !== 'sentiment alone'));
console.log(
  `English only: ${((e.rates.get('earshot analyse()') as number) / (e.rates.get('vader-sentiment alone') as number)).toFixed(1)}× vader ` +
    `(paired per slice: ${(e.ratios.get('vader-sentiment alone') as number).toFixed(1)}×)`,
);

/**
 * Where analyse() spends its time: each stage alone over the English mentions, with the inputs the
 * stage gets inside analyse() prepared beforehand (same corpus, same warm-up, median of ROUNDS passes).
 * Stages alone run with warmer caches than inside analyse(), so their sum is below analyse() itself.
 */
function breakdown(corpus: string[]): void {
  const queries = BRANDS.map((b) => compileQuery(b.query, b.aliases));
  const locators = BRANDS.map((b) => brandLocator(b.name, b.aliases));
  const vocabulary = queryVocabulary(queries);
  const pain = compilePainPoints({});
  const texts = corpus.map((t) => cleanText(t));
  const scans = texts.map((t) => scan(t));
  const details = texts.map((t, i) => scoreSentiment(t, scans[i]));
  const folded = texts.map((t, i) => (isAscii(t) ? (scans[i] as ReturnType<typeof scan>).lower : fold(t)));
  const docs = folded.map((f) => prepareFolded(f, vocabulary));
  const matched = docs.map((d) => locators.filter((_, k) => (queries[k] as ReturnType<typeof compileQuery>).matchDoc(d)));
  const stages: Array<[string, (i: number) => unknown]> = [
    ['analyse() (all stages)', (i) => analyser.analyse({ text: corpus[i] as string })],
    ['clean text', (i) => cleanText(corpus[i])],
    ['scan (tokens)', (i) => scan(texts[i] as string)],
    ['language', (i) => detectLanguageTokens(texts[i] as string, null, (scans[i] as ReturnType<typeof scan>).tokens)],
    ['sentiment', (i) => scoreSentiment(texts[i] as string, scans[i])],
    [
      'brand queries',
      (i) => {
        const doc = prepareFolded(folded[i] as string, vocabulary);
        return queries.filter((q) => q.matchDoc(doc));
      },
    ],
    ['entities', (i) => analyseEntities(texts[i] as string, matched[i] as ReturnType<typeof brandLocator>[], details[i] ?? null, docs[i]?.folded)],
    ['pain points', (i) => pain.tag(texts[i] as string, details[i] ?? null)],
    ['journey stage', (i) => detectStage(texts[i] as string, undefined, (scans[i] as ReturnType<typeof scan>).lower)],
  ];
  const times = new Map<string, number[]>(stages.map(([n]) => [n, []]));
  for (const [, fn] of stages) for (let w = 0; w < 2; w++) for (let i = 0; i < corpus.length; i++) fn(i);
  for (let r = 0; r < ROUNDS; r++) {
    for (const [name, fn] of stages) {
      const t0 = performance.now();
      for (let i = 0; i < corpus.length; i++) fn(i);
      (times.get(name) as number[]).push(((performance.now() - t0) * 1000) / corpus.length);
    }
  }
  const median = (list: number[]): number => [...list].sort((a, b) => a - b)[Math.floor(list.length / 2)] as number;
  const total = median(times.get('analyse() (all stages)') as number[]);
  console.log(`\nwhere analyse() spends its time (English mentions, each stage alone, median of ${ROUNDS} passes)`);
  for (const [name] of stages) {
    const us = median(times.get(name) as number[]);
    console.log(`${name.padEnd(24)} ${us.toFixed(2).padStart(6)} µs/mention  ${((100 * us) / total).toFixed(0).padStart(3)}%`);
  }
}
breakdown(englishOnly);
