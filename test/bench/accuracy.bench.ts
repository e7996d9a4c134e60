/**
 * Accuracy benchmark: Earshot vs `sentiment` (AFINN) vs vader-sentiment on a labelled CSV with the
 * airline-dev columns (text, airline_sentiment, negativereason), plus Earshot's pain-point top-1 and the
 * journey-stage accuracy on the team's held-back examples.
 *
 *   npm run bench:accuracy -- --data ../shared/data/airline-dev.csv
 *
 * The data file is read by path only; nothing from it is stored or shipped (its licence is
 * non-commercial). Baselines use their documented default thresholds: AFINN comparative score sign,
 * VADER compound ±0.05.
 *
 * A second, unrelated corpus checks that the sentiment scorer was not fitted to airline tweets: the
 * 50 App Store reviews of test/fixtures/appstore (a photo-sharing app, 2019, captured from Apple's
 * public feed; see test/fixtures/PROVENANCE.md), their star ratings as labels (1–2 negative, 3
 * neutral, 4–5 positive), title and body scored together.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { resolve } from 'node:path';
import { parse } from 'csv-parse/sync';
import Sentiment from 'sentiment';
import { createAnalyser } from '../../analysis/index.js';
import { detectStage, splitExamples, stageExamples, trainStageClassifier } from '../../analysis/journey-stage.js';
import { compilePainPoints } from '../../analysis/pain-points.js';
import { scoreSentiment } from '../../analysis/sentiment.js';

const require = createRequire(import.meta.url);
const vader = require('vader-sentiment') as {
  SentimentIntensityAnalyzer: { polarity_scores(t: string): { compound: number } };
};

const LABELS = ['negative', 'neutral', 'positive'] as const;
type Label = (typeof LABELS)[number];

/** Complaint reason (data set vocabulary) → Earshot pain-point id, as fixed by issue 5. */
const REASON_MAP: Record<string, string> = {
  'Late Flight': 'delay',
  'Cancelled Flight': 'cancellation',
  'Lost Luggage': 'lost-item',
  'Damaged Luggage': 'damaged-item',
  'Customer Service Issue': 'customer-service',
  'Flight Attendant Complaints': 'staff-behaviour',
  'Flight Booking Problems': 'booking',
  longlines: 'waiting-time',
  'Bad Flight': 'product-quality',
};

function argValue(name: string, fallback: string): string {
  const i = process.argv.indexOf(name);
  if (i >= 0 && process.argv[i + 1]) return process.argv[i + 1] as string;
  const eq = process.argv.find((a) => a.startsWith(`${name}=`));
  return eq ? eq.slice(name.length + 1) : fallback;
}

interface Row {
  text: string;
  gold: Label;
  reason: string;
}

interface Metrics {
  accuracy: number;
  macroF1: number;
  f1: Record<Label, number>;
  confusion: number[][];
}

function metrics(gold: Label[], pred: Label[]): Metrics {
  const confusion = LABELS.map(() => LABELS.map(() => 0));
  let ok = 0;
  gold.forEach((g, i) => {
    const p = pred[i] as Label;
    (confusion[LABELS.indexOf(g)] as number[])[LABELS.indexOf(p)]++;
    if (g === p) ok++;
  });
  const f1 = {} as Record<Label, number>;
  LABELS.forEach((l, k) => {
    const tp = (confusion[k] as number[])[k] as number;
    const fp = confusion.reduce((s, row, r) => s + (r === k ? 0 : (row[k] as number)), 0);
    const fn = (confusion[k] as number[]).reduce((s, v, c) => s + (c === k ? 0 : v), 0);
    const prec = tp + fp ? tp / (tp + fp) : 0;
    const rec = tp + fn ? tp / (tp + fn) : 0;
    f1[l] = prec + rec ? (2 * prec * rec) / (prec + rec) : 0;
  });
  return { accuracy: ok / gold.length, macroF1: (f1.negative + f1.neutral + f1.positive) / 3, f1, confusion };
}

const fmt = (x: number): string => x.toFixed(3);

function main(): void {
  const path = resolve(process.cwd(), argValue('--data', '../shared/data/airline-dev.csv'));
  const records = parse(readFileSync(path, 'utf8'), { columns: true, skip_empty_lines: true }) as Array<Record<string, string>>;
  const rows: Row[] = records
    .filter((r) => LABELS.includes(r.airline_sentiment as Label) && typeof r.text === 'string')
    .map((r) => ({ text: r.text as string, gold: r.airline_sentiment as Label, reason: r.negativereason ?? '' }));
  if (rows.length === 0) throw new Error(`bench: no labelled rows in ${path} (need text, airline_sentiment columns)`);

  const analyser = createAnalyser({ brands: [] });
  const afinn = new Sentiment();
  const systems: Record<string, (t: string) => Label> = {
    earshot: (t) => (analyser.analyse({ text: t, languageHint: 'en' }).sentiment.label ?? 'neutral') as Label,
    sentiment: (t) => {
      const c = afinn.analyze(t).comparative;
      return c > 0 ? 'positive' : c < 0 ? 'negative' : 'neutral';
    },
    vader: (t) => {
      const c = vader.SentimentIntensityAnalyzer.polarity_scores(t).compound;
      return c >= 0.05 ? 'positive' : c <= -0.05 ? 'negative' : 'neutral';
    },
  };

  const gold = rows.map((r) => r.gold);
  const preds: Record<string, Label[]> = {};
  for (const [name, fn] of Object.entries(systems)) preds[name] = rows.map((r) => fn(r.text));

  console.log(`data: ${path} (${rows.length} labelled rows)`);
  console.log("Earshot gets languageHint 'en' (as a collector passes the service's language); rows it still");
  console.log('finds non-English are "not scored" and count as neutral here. Baselines: default thresholds.');
  console.log('\nThree-class sentiment (all rows)');
  console.log('system      accuracy  macro-F1  F1(neg)  F1(neu)  F1(pos)');
  const all: Record<string, Metrics> = {};
  for (const name of Object.keys(systems)) {
    const m = metrics(gold, preds[name] as Label[]);
    all[name] = m;
    console.log(
      `${name.padEnd(11)} ${fmt(m.accuracy).padStart(8)}  ${fmt(m.macroF1).padStart(8)}  ${fmt(m.f1.negative).padStart(7)}  ${fmt(m.f1.neutral).padStart(7)}  ${fmt(m.f1.positive).padStart(7)}`,
    );
  }
  console.log('\nConfusion matrices (rows = gold neg/neu/pos, columns = predicted neg/neu/pos)');
  const names = Object.keys(systems);
  console.log(names.map((n) => n.padEnd(22)).join(' '));
  for (let r = 0; r < 3; r++) {
    console.log(
      names
        .map((n) => `${(LABELS[r] as string).slice(0, 3)} ${((all[n] as Metrics).confusion[r] as number[]).map((v) => String(v).padStart(5)).join('')}`.padEnd(22))
        .join(' '),
    );
  }

  console.log('\nHalves (odd / even rows): macro-F1');
  for (const name of names) {
    const halves = [0, 1].map((h) => {
      const idx = rows.map((_, i) => i).filter((i) => i % 2 === h);
      return metrics(idx.map((i) => gold[i] as Label), idx.map((i) => (preds[name] as Label[])[i] as Label));
    });
    console.log(`${name.padEnd(11)} odd ${fmt((halves[0] as Metrics).macroF1)}  even ${fmt((halves[1] as Metrics).macroF1)}`);
  }

  // Pain points: top-1 on negative rows with a mapped reason.
  const ungated = compilePainPoints({}, { requireComplaint: false });
  let ungatedHit = 0;
  let n = 0;
  let hit = 0;
  const halfHits = [0, 0];
  const halfN = [0, 0];
  const perReason = new Map<string, [number, number]>();
  rows.forEach((r, i) => {
    if (r.gold !== 'negative') return;
    const want = REASON_MAP[r.reason];
    if (!want) return;
    const got = analyser.analyse({ text: r.text, languageHint: 'en' }).painPoints[0]?.id;
    if (ungated.tag(r.text, scoreSentiment(r.text))[0]?.id === want) ungatedHit++;
    n++;
    (halfN[i % 2] as number)++;
    const pr = perReason.get(want) ?? [0, 0];
    pr[1]++;
    if (got === want) {
      hit++;
      (halfHits[i % 2] as number)++;
      pr[0]++;
    }
    perReason.set(want, pr);
  });
  console.log(`\nPain-point top-1 accuracy (Earshot, ${n} negative rows with a known reason): ${fmt(hit / Math.max(1, n))}`);
  console.log(`  odd rows ${fmt((halfHits[0] as number) / Math.max(1, halfN[0] as number))}  even rows ${fmt((halfHits[1] as number) / Math.max(1, halfN[1] as number))}`);
  console.log(
    `  for reference, keywords without the complaint requirement: ${fmt(ungatedHit / Math.max(1, n))} (Earshot keeps the requirement)`,
  );
  for (const [id, [h, t]] of [...perReason].sort((a, b) => b[1][1] - a[1][1])) console.log(`  ${id.padEnd(18)} ${fmt(h / t)}  (${t})`);

  otherCorpus(systems);

  // Journey stage on the team's held-back examples.
  const { train, heldBack } = splitExamples(stageExamples());
  const clf = trainStageClassifier(train);
  let stageOk = 0;
  let stageNull = 0;
  for (const ex of heldBack) {
    // As analyse() calls it: with the mention's sentiment (NEGATIVE ADVOCACY).
    const s = detectStage(ex.text, clf, undefined, undefined, scoreSentiment(ex.text).label === 'negative');
    if (!s) stageNull++;
    else if (s.id === ex.stage) stageOk++;
  }
  console.log(
    `\nJourney stage (team's held-back set, ${heldBack.length} of ${train.length + heldBack.length} examples, trained on the rest): accuracy ${fmt(stageOk / Math.max(1, heldBack.length))} (null ${stageNull})`,
  );
}

/** Sentiment on the App Store reviews fixture (star ratings as labels), every system alike. */
function otherCorpus(systems: Record<string, (t: string) => Label>): void {
  const file = new URL('../fixtures/appstore/customerreviews_us_id389801252_mostrecent_2019.json', import.meta.url);
  const feed = JSON.parse(readFileSync(file, 'utf8')) as {
    feed: { entry: Array<{ title: { label: string }; content: { label: string }; 'im:rating': { label: string } }> };
  };
  const reviews = feed.feed.entry.map((e) => {
    const stars = Number(e['im:rating'].label);
    const gold: Label = stars <= 2 ? 'negative' : stars === 3 ? 'neutral' : 'positive';
    return { text: `${e.title.label}. ${e.content.label}`, gold };
  });
  const counts = LABELS.map((l) => reviews.filter((r) => r.gold === l).length).join(' / ');
  console.log(`\nOther corpus: ${reviews.length} App Store reviews (star ratings as labels; neg / neu / pos ${counts})`);
  console.log('system      accuracy  macro-F1  F1(neg)  F1(neu)  F1(pos)');
  for (const [name, fn] of Object.entries(systems)) {
    const m = metrics(reviews.map((r) => r.gold), reviews.map((r) => fn(r.text)));
    console.log(
      `${name.padEnd(11)} ${fmt(m.accuracy).padStart(8)}  ${fmt(m.macroF1).padStart(8)}  ${fmt(m.f1.negative).padStart(7)}  ${fmt(m.f1.neutral).padStart(7)}  ${fmt(m.f1.positive).padStart(7)}`,
    );
  }
}

main();
