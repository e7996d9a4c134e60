/**
 * Speed benchmark: mentions per second on one core for the full analyse() next to `sentiment` alone
 * and vader-sentiment alone, on the same synthetic CX corpus (written here, no external data).
 *
 *   npm run bench:analysis
 *
 * Targets (issue 5): analyse() ≥ 20,000 mentions/s and ≥ 5× vader-sentiment.
 *
 * Fairness: every system gets the same inputs, the same warm-up (two full passes, so each JIT has
 * settled), then ROUNDS timed passes; the rounds of the systems are interleaved (A B C A B C …) so a
 * noisy neighbour on the machine slows all of them alike, and each system's figure is its median round.
 */
import { createRequire } from 'node:module';
import Sentiment from 'sentiment';
import { createAnalyser } from '../../analysis/index.js';

const require = createRequire(import.meta.url);
const vader = require('vader-sentiment') as {
  SentimentIntensityAnalyzer: { polarity_scores(t: string): { compound: number } };
};

const ROUNDS = 9;

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

/** Median mentions/s of each system over interleaved rounds on `corpus`. */
function measure(corpus: string[], systems: Array<[string, Fn]>): Map<string, number> {
  for (const [, fn] of systems) for (let w = 0; w < 2; w++) for (const t of corpus) fn(t); // warm-up
  const rates = new Map<string, number[]>(systems.map(([name]) => [name, []]));
  for (let r = 0; r < ROUNDS; r++) {
    for (const [name, fn] of systems) {
      const t0 = performance.now();
      for (const t of corpus) fn(t);
      (rates.get(name) as number[]).push(corpus.length / ((performance.now() - t0) / 1000));
    }
  }
  const out = new Map<string, number>();
  for (const [name, list] of rates) {
    list.sort((a, b) => a - b);
    const median = list[Math.floor(list.length / 2)] as number;
    out.set(name, median);
    const spread = `${Math.round(list[0] as number).toLocaleString('en-US')}–${Math.round(list[list.length - 1] as number).toLocaleString('en-US')}`;
    console.log(`${name.padEnd(24)} ${Math.round(median).toLocaleString('en-US').padStart(9)} mentions/s  (median of ${ROUNDS}; range ${spread})`);
  }
  return out;
}

const analyser = createAnalyser({
  brands: [
    { name: 'Acme', aliases: ['acme air'], query: 'acme OR @acme OR @acme_help', own: true },
    { name: 'Globex', aliases: [], query: 'globex NOT "globex careers"', own: false },
  ],
});
analyser.analyse({ text: 'warm up the journey classifier' }); // first use trains the stage model
const afinn = new Sentiment();
const systems: Array<[string, Fn]> = [
  ['earshot analyse()', (t) => analyser.analyse({ text: t })],
  ['sentiment alone', (t) => afinn.analyze(t)],
  ['vader-sentiment alone', (t) => vader.SentimentIntensityAnalyzer.polarity_scores(t)],
];

console.log(`corpus: ${full.length} synthetic mentions (1 in 12 Spanish), one core (single thread)`);
const a = measure(full, systems);
const ratio = (a.get('earshot analyse()') as number) / (a.get('vader-sentiment alone') as number);
console.log(`analyse() vs vader: ${ratio.toFixed(1)}×  (targets: ≥ 20,000/s and ≥ 5×)`);

console.log(`\ncorpus: the ${englishOnly.length} English mentions only`);
const e = measure(englishOnly, systems.filter(([n]) => n !== 'sentiment alone'));
console.log(`English only: ${((e.get('earshot analyse()') as number) / (e.get('vader-sentiment alone') as number)).toFixed(1)}× vader`);
