/**
 * Journey stage: rules first, then a natural BayesClassifier trained at first use on the team's
 * labelled examples (data/journey-stages.json). Nothing trained is stored: the model is rebuilt from the
 * examples on the first call (≈ tens of ms) and kept in memory.
 *
 * Decision:
 * | rules                     | classifier                  | result                              |
 * |---------------------------|-----------------------------|-------------------------------------|
 * | one stage ≥ RULE_SURE     | —                           | that stage, confidence from rules   |
 * | some evidence             | agrees or unsure            | rule stage, blended confidence      |
 * | some evidence             | disagrees with p ≥ 0.6      | classifier stage                    |
 * | none                      | p ≥ MIN_CONFIDENCE          | classifier stage                    |
 * | none                      | p < MIN_CONFIDENCE          | null (unsure)                       |
 *
 * NEGATIVE ADVOCACY: the classifier alone never puts a negative mention at advocacy. Its word counts
 * lean to advocacy on unfamiliar complaints ("the chatbot told me to check my cables…"), and a
 * complaint is not a customer promoting the brand. A detractor's word of mouth is still advocacy when
 * a rule says so ("I tell everyone to avoid them" has the rules' evidence).
 *
 * Classification uses natural's own Bayes model (apparatus) through its sparse-observation path, so
 * one call costs O(words × stages) instead of O(vocabulary).
 */
import { NATURAL_QUIET } from './quiet-natural.js';
import { createRequire } from 'node:module';
import type { JourneyStage, StageResult } from '../model.js';
import { JOURNEY_STAGES } from '../model.js';
import { hashRange, RangeTable } from './intern.js';
import { RegexGroup } from './prefilter.js';
import { NO_ENTRY } from './sentiment.js';
import type { Token } from './sentiment.js';

const require = createRequire(import.meta.url);

interface NaturalModule {
  BayesClassifier: new (stemmer: unknown) => unknown;
  PorterStemmer: { stem(token: string): string };
}
let naturalModule: NaturalModule | null = null;
/**
 * natural, loaded on first use, and only the two modules used: natural's index takes ≈ 0.6 s to load
 * and loads dotenv, which reads ./.env into process.env and prints a banner; its BayesClassifier and
 * PorterStemmer modules load in ≈ 10 ms and touch neither. quiet-natural has set DOTENV_CONFIG_QUIET in
 * case anything else pulls natural's index in. (require rather than a static import also keeps
 * natural's shipped .ts sources out of our type-check.)
 */
function loadNatural(): NaturalModule {
  if (!NATURAL_QUIET) process.env.DOTENV_CONFIG_QUIET = 'true';
  naturalModule ??= {
    BayesClassifier: require('natural/lib/natural/classifiers/bayes_classifier.js') as NaturalModule['BayesClassifier'],
    PorterStemmer: require('natural/lib/natural/stemmers/porter_stemmer.js') as NaturalModule['PorterStemmer'],
  };
  return naturalModule;
}

/** A labelled example from data/journey-stages.json. */
export interface StageExample {
  text: string;
  stage: JourneyStage;
  domain: string;
}

/** Classifier probability below which (with no rule evidence) the stage is null. */
export const MIN_CONFIDENCE = 0.6;
/** Rule score at which rules alone decide. */
export const RULE_SURE = 3;

/**
 * Rules: [pattern, stage, weight] matched on lower-cased text. Written for every industry Earshot
 * serves; the weights are judgement, checked against the held-back examples.
 */
export const STAGE_RULES: Array<[RegExp, JourneyStage, number]> = [
  [/\b(?:just (?:heard|found out|saw|learned|discovered)|never heard of|first time (?:hearing|seeing)|saw (?:your|an|the|this) (?:ad|advert|commercial|billboard|post)|new (?:ad|commercial|campaign)|(?:what|who) is (?:this|that)\b|is this (?:a|the) new|announc(?:es|ed|ing|ement)|launch(?:es|ed|ing)?\b|coming soon|now available|partnership with|who makes (?:these|this|those)|what(?:'s| is) the catch)/, 'awareness', 3],
  [/\b(?:thinking (?:of|about) (?:switching|getting|buying|trying|joining|signing up|moving|booking|ordering|opening)|should i (?:get|buy|go with|choose|switch|pick|try|book|use|sign up)|(?:which|what) (?:one |plan |card |phone |airline |bank |app )?(?:is|should) (?:better|best)|vs\.?\b|versus|compar(?:e|ing|ison)|worth it\??|is it worth|pros and cons|deciding between|torn between|any (?:recommendations|suggestions)|recommend (?:a|an|me)|looking (?:for|at) (?:a|an|new|options)|considering|shopping around|get a quote|how much (?:is|does|would)|do you (?:offer|have|ship|fly|deliver|support)|does (?:it|this) (?:work|come|support)|reviews? (?:of|for)\b|would (?:you|your \w+) (?:recommend|work)|would i be able|can (?:your|it|the) \w+ (?:handle|do|work|support)|(?:better|cheaper|faster) (?:for|to)\b.*\bor\b|lowest (?:fees|price|prices|rates?)|before i (?:commit|buy|sign|decide))/, 'consideration', 3],
  [/\b(?:just (?:bought|ordered|booked|purchased|signed up|subscribed|upgraded|paid|reserved|opened an account)|(?:placed|place) (?:an|my) order|checkout|check out page|payment (?:went through|failed|declined|page)|order (?:confirmation|confirmed|number)|booking confirmation|(?:promo|discount|coupon|voucher) code|pre-?order|add(?:ed)? to cart|(?:can'?t|cannot|unable to) (?:complete|finish) (?:my )?(?:purchase|order|booking|payment|checkout)|buying (?:a|my|the|tickets)|bought (?:a|my|the|tickets)|booked (?:a|my|our|the)|(?:card|payment) (?:was )?declined|(?:purchase|purchased)\b|signed up for|signed the|applied for|application (?:for|was) |opened (?:a|an|my|our|a joint) (?:\w+ )?account|ordered (?:\w+ ){0,3}(?:for|through|from|on)\b|just (?:got|joined))/, 'purchase', 3],
  [/\b(?:arrived|delivered|delivery|unbox(?:ed|ing)|setup|set up|setting up|onboarding|installed|on board|onboard|the flight|my flight|our flight|delayed|cancelled|canceled|taking off|landed|seat|legroom|food (?:was|is)|tastes?|the app (?:is|keeps|crashed)|keeps crashing|crash(?:es|ed)|bug|glitch|outage|is down|no signal|slow internet|wifi|battery|quality|broken|damaged|lost (?:my|our) (?:bag|luggage|package)|my (?:bag|luggage|package|order) (?:is|was|has|never)|using (?:it|the|your)|works (?:great|perfectly|well)|since the update|update (?:broke|ruined))/, 'experience', 1.5],
  [/\b(?:keeps? (?:crashing|dropping|freezing|logging|rebooting|overheating|spinning|failing|disconnecting)|spins forever|ran out|forgot (?:half |my |our |the )|is missing|was missing|came with|showed up|finally works|logs me out|(?:is|was|are|were) (?:cold|late|broken|damaged|wrong|stale|soggy|chaotic|inconsistent|packed|confusing|slow|great|perfect|delicious|smooth)|took forever|worked perfectly|(?:card|payment) (?:got |was )?declined at|ate my card|nothing like the (?:photos?|pictures?|description)|for no reason)/, 'experience', 2.5],
  [/\b(?:customer (?:service|support|care)|support (?:team|ticket|agent)|(?:on|been on) hold|hung up|(?:live )?chat (?:agent|support)|agent|representative|\brep\b|call cent(?:er|re)|helpline|hotline|(?:sent|send|check) (?:a |your |my )?(?:dm|dms|email)|please (?:help|dm|respond|reply|call)|can (?:you|someone|anyone) help|no (?:response|reply|one answers)|(?:opened|open|filed|raised) (?:a )?(?:ticket|complaint|case)|ticket number|case number|escalat(?:e|ed|ion)|complaint|refund|get back to me|still waiting (?:for|on) (?:a )?(?:response|reply|call|answer|refund)|need help|help me|speak to (?:a|someone|a manager)|reset my password|locked out|called (?:the|your|three|twice|customer|support)|help cent(?:er|re)|(?:the )?docs\b|reach a human|real person|sorted (?:out )?my|reported (?:this|the|a) (?:bug|issue|problem)|(?:closed|close) the (?:case|ticket)|call me back)/, 'support', 3],
  [/\b(?:cancel(?:l?ing|l?ed)? my (?:subscription|account|membership|plan|contract|service|card|policy)|close (?:my|our) account|closing my account|(?<!(?:of|about|considering|should i|worth) )switch(?:ed|ing)? (?:to|from|over|providers|carriers|banks)|leaving (?:you|for)|moving (?:to|my)|renew(?:al|ed|ing)?\b|loyal(?:ty)?|member(?:ship)? (?:for|since)|customer (?:for|since) (?:\d+|years|a decade)|(?:\d+|many|ten|five) years (?:as a|with you|loyal)|status\b|frequent flyer|rewards (?:program|member)|points (?:expired|balance)|miles (?:expired|balance)|unsubscrib|churn|never again|last time i (?:fly|use|order|buy|book)|won'?t be (?:back|renewing|using|flying|ordering)|lost (?:a|my) (?:customer|business)|take my business elsewhere|port(?:ing)? my number|retention|contract (?:ends|is up)|how (?:do|can) i cancel|closing (?:my|our) (?:\w+ )?(?:account|card)|used to (?:order|fly|shop|use|bank|buy|love)|not anymore|no longer (?:a customer|using|ordering|flying))/, 'retention', 3],
  [/\b(?:(?:highly |would |always |definitely )?recommend(?:ed|ing)? (?:you|it|them|this|\w+ )?to (?:everyone|anyone|friends|my|all)|tell(?:ing)? (?:everyone|all my friends)|told (?:all )?my (?:friends|family)|best (?:airline|bank|app|service|company|carrier|provider|delivery|store|shop|customer service|experience) (?:ever|in|by far)|(?:big |huge )?fan (?:of|for life)|5 stars|five stars|10\/10|shout ?out|kudos|you (?:guys |all )?(?:rock|rule|are the best|'re the best)|love (?:you|this company|this app|this brand)|won me over|brand ambassador|will (?:always )?(?:fly|use|order|bank|shop) (?:with )?(?:you|them) again|keep up the (?:great|good) work|thank you (?:so much )?for (?:the )?(?:amazing|great|wonderful|excellent))/, 'advocacy', 3],
];

/** The best stage of a classification and the probability of a stage asked for (see StageClassifier.top). */
export interface TopStage {
  stage: JourneyStage;
  p: number;
  /** Probability of the stage asked for. */
  pOf: number;
}

/** A trained stage classifier. */
export interface StageClassifier {
  /**
   * Probabilities by stage, summing to 1, best first (empty when no known word). `lowered`: the text is
   * lower-cased already (skips lower-casing it again). `tokens`: the sentiment scanner's tokens of that
   * lower-cased text (scan(…).tokens), whose words' vocabulary entries may hold their feature index.
   */
  classify(text: string, lowered?: boolean, tokens?: readonly Token[]): Array<{ stage: JourneyStage; p: number }>;
  /**
   * classify(lowered, true, tokens)[0] and the probability of `stage` in that list (0 when absent),
   * without building the list; null when classify() would answer []. The answer is reused by the next
   * call (detectStage reads it at once).
   */
  top(lowered: string, tokens: readonly Token[] | undefined, stage: JourneyStage | null): TopStage | null;
  /** The same through natural's own getClassifications (slower; for checking). */
  naturalClassify(text: string): Array<{ stage: JourneyStage; p: number }>;
}

interface NaturalLike {
  addDocument(text: string, label: string): void;
  train(): void;
  features: Record<string, number>;
  classifier: {
    classFeatures: Record<string, Record<number, number>>;
    classTotals: Record<string, number>;
    totalExamples: number;
    smoothing: number;
    getClassifications(obs: Record<number, number>): Array<{ label: string; value: number }>;
  };
  stemmer: { tokenizeAndStem(text: string, keepStops?: boolean): string[] };
}

/**
 * Trains natural's BayesClassifier on the examples (fast: ≈ 50 ms for 500 examples). `onWordEntries`:
 * this is the default classifier, which keeps each word's feature index on the scanner's vocabulary
 * entry (WordEntry.stageFeature; one classifier only, since the entry has one slot).
 */
export function trainStageClassifier(examples: StageExample[], onWordEntries = false): StageClassifier {
  const { BayesClassifier, PorterStemmer } = loadNatural();
  const bayes = new BayesClassifier(PorterStemmer) as NaturalLike;
  for (const ex of examples) bayes.addDocument(ex.text, ex.stage);
  bayes.train();
  // Same order natural itself uses (for…in over features) → feature index.
  const index = new Map<string, number>();
  let i = 0;
  for (const f in bayes.features) index.set(f, i++);
  const apparatus = bayes.classifier;

  // natural's Bayes model (apparatus) scores a class as P(c) · Π count(f, c) / total(c) over the
  // features present, with `smoothing` for unseen ones. The same numbers as log tables, read from the
  // trained model once, turn classification into additions (natural's getClassifications gives the
  // same ranking and, normalised, the same probabilities: checked in test/analysis).
  const labels = Object.keys(apparatus.classFeatures) as JourneyStage[];
  const logPrior = labels.map((l) => Math.log((apparatus.classTotals[l] as number) / apparatus.totalExamples));
  // Feature-major: the classes' numbers for one feature sit together (one cache line per feature).
  const C = labels.length;
  const logP = new Float64Array(index.size * C);
  labels.forEach((l, c) => {
    const total = apparatus.classTotals[l] as number;
    const unseen = Math.log(apparatus.smoothing / total);
    for (let k = 0; k < index.size; k++) logP[k * C + c] = unseen;
    for (const [k, count] of Object.entries(apparatus.classFeatures[l] ?? {})) logP[Number(k) * C + c] = Math.log(count / total);
  });

  // natural's tokenizeAndStem (split on [^a-zA-Z0-9'\-/], drop stop words, Porter stem), with the
  // stop words in a Set and stems memoised: the same features, several times faster.
  const stops = new Set((require('natural/lib/natural/util/stopwords.js') as { words: string[] }).words);
  // Token → feature index (-1: a stop word or a stem the model never saw), memoised: one lookup per
  // token instead of stop-word test, stemming and feature lookup.
  // (A RangeTable finds a token in place: a token seen before costs no new string.)
  const featureCache = new RangeTable<number>(4096);
  const stemmer = PorterStemmer;
  /** The answer of featureIndices (reused by the next call: each caller reads it at once). */
  const features: number[] = [];
  function featureIndices(text: string, tokens?: readonly Token[]): number[] {
    const out = features;
    out.length = 0;
    // Maximal runs of [a-zA-Z0-9'-/]: the tokens of natural's split on /[^a-zA-Z0-9'\-/]+/.
    const n = text.length;
    let i = 0;
    // The scanner's next token at or after the current one (tokens are in text order).
    let next = 0;
    const scanned = onWordEntries && tokens !== undefined ? tokens.length : 0;
    while (i < n) {
      while (i < n && !isTokenChar(text.charCodeAt(i))) i++;
      if (i >= n) break;
      const start = i;
      while (i < n && isTokenChar(text.charCodeAt(i))) i++;
      // A token the scanner cut the same (same start and length in this text: the same string) has
      // its feature index on its vocabulary entry once this classifier has met the word.
      let entry = NO_ENTRY;
      if (next < scanned) {
        let t = (tokens as readonly Token[])[next] as Token;
        while (t.index < start && ++next < scanned) t = (tokens as readonly Token[])[next] as Token;
        if (t.index === start && t.k === 'word' && t.text.length === i - start && t.entry !== undefined) {
          entry = t.entry;
          const cached = entry.stageFeature;
          if (cached !== undefined) {
            if (cached >= 0 && !out.includes(cached)) out.push(cached);
            continue;
          }
        }
      }
      const hash = hashRange(text, start, i);
      const found = featureCache.find(text, start, i, hash);
      let k: number;
      if (found >= 0) k = featureCache.value(found);
      else {
        const tok = text.slice(start, i);
        k = stops.has(tok) ? -1 : index.get(stemmer.stem(tok)) ?? -1;
        // (Short tokens only: a long slice may share the whole text's memory.)
        if (featureCache.size < 50_000 && i - start < 13) featureCache.add(tok, k, hash);
      }
      if (entry !== NO_ENTRY) entry.stageFeature = k;
      if (k >= 0 && !out.includes(k)) out.push(k);
    }
    return out;
  }
  /** Per-call class scores (reused: classification is synchronous). */
  const scores = new Float64Array(labels.length);
  /**
   * Scores the classes for the features into `scores` (exp of the log score less the best, so they
   * sum to the returned total; a class's probability is scores[c] / total). 0: no feature.
   */
  function score(feats: number[]): number {
    if (feats.length === 0) return 0;
    let max = -Infinity;
    for (let c = 0; c < C; c++) {
      let sc = logPrior[c] as number;
      for (const k of feats) sc += logP[k * C + c] as number;
      scores[c] = sc;
      if (sc > max) max = sc;
    }
    let total = 0;
    for (let c = 0; c < C; c++) total += (scores[c] = Math.exp((scores[c] as number) - max));
    return total;
  }
  /** The answer of top() (reused by the next call). */
  const best: TopStage = { stage: labels[0] as JourneyStage, p: 0, pOf: 0 };
  return {
    classify(text: string, lowered = false, tokens?: readonly Token[]) {
      const total = score(featureIndices(lowered ? text : text.toLowerCase(), lowered ? tokens : undefined));
      if (total === 0) return [];
      // Insertion sort, best first (a handful of stages; stable like Array.prototype.sort).
      const out: Array<{ stage: JourneyStage; p: number }> = [];
      for (let c = 0; c < labels.length; c++) {
        const item = { stage: labels[c] as JourneyStage, p: (scores[c] as number) / total };
        let k = out.length;
        out.push(item);
        while (k > 0 && (out[k - 1] as { p: number }).p < item.p) {
          out[k] = out[k - 1] as { stage: JourneyStage; p: number };
          k--;
        }
        out[k] = item;
      }
      return out;
    },
    top(lowered: string, tokens: readonly Token[] | undefined, stage: JourneyStage | null) {
      const total = score(featureIndices(lowered, tokens));
      if (total === 0) return null;
      // classify()[0]: the first class (in label order) of the highest probability; and `stage`'s.
      best.p = -1;
      best.pOf = 0;
      for (let c = 0; c < C; c++) {
        const p = (scores[c] as number) / total;
        if (p > best.p) {
          best.stage = labels[c] as JourneyStage;
          best.p = p;
        }
        if (labels[c] === stage) best.pOf = p;
      }
      return best;
    },
    naturalClassify(text: string) {
      const obs: Record<number, number> = {};
      featureIndices(text.toLowerCase()).forEach((k, n) => (obs[n] = k));
      const raw = apparatus.getClassifications(obs);
      let total = 0;
      for (const r of raw) total += r.value;
      return total > 0 ? raw.map((r) => ({ stage: r.label as JourneyStage, p: r.value / total })) : [];
    },
  };
}

let defaultExamples: StageExample[] | null = null;
/** The team's labelled examples (loaded once). */
export function stageExamples(): StageExample[] {
  defaultExamples ??= (require('./data/journey-stages.json') as StageExample[]).filter((e) =>
    (JOURNEY_STAGES as readonly string[]).includes(e.stage),
  );
  return defaultExamples;
}

/**
 * Deterministic held-back split: every fifth example of each stage is held back for evaluation.
 * The bench trains on `train` and reports accuracy on `heldBack`; the shipped model trains on all.
 */
export function splitExamples(all: StageExample[]): { train: StageExample[]; heldBack: StageExample[] } {
  const counts = new Map<string, number>();
  const train: StageExample[] = [];
  const heldBack: StageExample[] = [];
  for (const ex of all) {
    const c = counts.get(ex.stage) ?? 0;
    counts.set(ex.stage, c + 1);
    (c % 5 === 4 ? heldBack : train).push(ex);
  }
  return { train, heldBack };
}

let defaultClassifier: StageClassifier | null = null;
/** The default classifier, trained on all examples at first use. */
export function defaultStageClassifier(): StageClassifier {
  defaultClassifier ??= trainStageClassifier(stageExamples(), true);
  return defaultClassifier;
}

/** STAGE_RULES as one group: a rule runs only when the text holds one of its literal starts (built at first use). */
let ruleGroup: RegexGroup | null = null;

/** Rule scores by stage for lower-cased text. */
export function ruleScores(lower: string): Map<JourneyStage, number> {
  const out = new Map<JourneyStage, number>();
  ruleGroup ??= new RegexGroup(STAGE_RULES.map(([re]) => re));
  const hits = ruleGroup.test(lower);
  for (let k = 0; k < STAGE_RULES.length; k++) {
    if (hits[k] !== 1) continue;
    const [, stage, w] = STAGE_RULES[k] as [RegExp, JourneyStage, number];
    out.set(stage, (out.get(stage) ?? 0) + w);
  }
  return out;
}

/** A character natural's tokenizer keeps in a token: [a-zA-Z0-9'\-/]. */
function isTokenChar(c: number): boolean {
  return (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || (c >= 48 && c <= 57) || c === 39 || c === 45 || c === 47;
}

function round(x: number): number {
  return Math.round(Math.min(0.99, x) * 100) / 100;
}

/** Journey stage of a mention, or null when unsure. See the decision table above. */
export function detectStage(
  text: string,
  classifier: StageClassifier = defaultStageClassifier(),
  lowerText?: string,
  /** The scanner's tokens of lowerText (scan(text).tokens), for the classifier's word lookups. */
  tokens?: readonly Token[],
  /** The mention's sentiment is negative (see NEGATIVE_ADVOCACY). */
  negative = false,
): StageResult | null {
  const lower = lowerText ?? text.toLowerCase().replace(/\u2019/g, "'");
  // ruleScores(lower) without its Map: stages in the order of their first matching rule, with sums.
  ruleGroup ??= new RegexGroup(STAGE_RULES.map(([re]) => re));
  const hits = ruleGroup.test(lower);
  let stages: JourneyStage[] | null = null;
  let sums: number[] | null = null;
  for (let k = 0; k < STAGE_RULES.length; k++) {
    if (hits[k] !== 1) continue;
    const [, stage, w] = STAGE_RULES[k] as [RegExp, JourneyStage, number];
    stages ??= [];
    sums ??= [];
    const slot = stages.indexOf(stage);
    if (slot < 0) {
      stages.push(stage);
      sums.push(w);
    } else sums[slot] = (sums[slot] as number) + w;
  }
  let best: JourneyStage | null = null;
  let bestScore = 0;
  let ruleTotal = 0;
  if (stages !== null && sums !== null) {
    for (let j = 0; j < stages.length; j++) {
      const v = sums[j] as number;
      ruleTotal += v;
      if (v > bestScore) {
        best = stages[j] as JourneyStage;
        bestScore = v;
      }
    }
  }
  // Rules alone decide when one stage is sure and no other stage has evidence.
  if (best && bestScore >= RULE_SURE && bestScore === ruleTotal) {
    return { id: best, confidence: round(0.75 + 0.05 * Math.min(3, bestScore - RULE_SURE + 1)) };
  }
  // The classifier's best stage and the rule stage's probability (classify()'s list, not built).
  const top = classifier.top(lower, lowerText !== undefined ? tokens : undefined, best);
  const pBest = top?.pOf ?? 0;
  if (best) {
    const share = bestScore / ruleTotal;
    if (top && top.stage !== best && top.p >= 0.6 && bestScore < RULE_SURE && !(negative && top.stage === 'advocacy')) {
      return { id: top.stage, confidence: round(top.p * 0.9) };
    }
    const conf = 0.5 * share + 0.25 * Math.min(1, bestScore / RULE_SURE) + 0.25 * pBest;
    return { id: best, confidence: round(Math.max(0.3, conf)) };
  }
  // (The classifier's other stages are below 1 - MIN_CONFIDENCE here: a refused advocacy leaves null.)
  if (top && top.p >= MIN_CONFIDENCE && !(negative && top.stage === 'advocacy')) return { id: top.stage, confidence: round(top.p) };
  return null;
}
