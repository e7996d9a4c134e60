/**
 * The analyser: composes language detection, sentiment, brands (entity-level sentiment, comparison,
 * switching), pain points and journey stage into one pure analyse() call. No I/O: lexicons and the
 * labelled stage examples ship with the code and are read at module load / first use.
 *
 * createAnalyser() compiles brand queries and lexicons once; analyse() is then cheap (tens of
 * thousands of mentions per second on one core) and never throws: empty, huge (only the first
 * MAX_ANALYSED_CHARS characters are read), HTML or control-character input all give a result.
 *
 * Non-English text gets sentiment { label: null, score: null, confidence: 0 } ("not scored"), never a
 * fake neutral; pain points and journey stage are also left empty for it (their lexicons are English).
 * Text too short to tell (fewer than 12 letters, e.g. "ok" or emoji only) is language 'und' and not
 * scored either, unless the service's languageHint says English: emoji-only posts are left unscored
 * on purpose, since an emoji alone rarely says what it is about.
 */
import type { AnalysisResult, BrandConfig, BrandSentiment, SentimentResult } from '../model.js';
import { compileQuery, prepareDoc, prepareFolded, queryVocabulary } from './brands.js';
import type { CompiledQuery, QueryDoc } from './brands.js';
import { analyseEntities, brandLocator } from './entities.js';
import type { BrandLocator } from './entities.js';
import { detectStage } from './journey-stage.js';
import { detectLanguageTokens } from './language.js';
import { compilePainPoints } from './pain-points.js';
import { scan, scoreSentiment } from './sentiment.js';
import { cleanText, fold } from './text.js';
import type { CleanCheck } from './text.js';

export { compileQuery, QuerySyntaxError } from './brands.js';
export type { CompiledQuery } from './brands.js';

/** Version of the analysis behaviour; stored with every analysis so a change triggers re-analysis. */
export const ANALYSER_VERSION = '2026.11.8';

/** What the analyser is built from (from config). */
export interface AnalyserOptions {
  brands: BrandConfig[];
  /** Extra pain-point categories, or extra words for existing ids. */
  painPoints?: Record<string, string[]>;
}

/** One mention to analyse. */
export interface AnalysisInput {
  text: string;
  title?: string | null;
  /** Language hint from the service (ISO 639-1/3), used when the text is too short to tell. */
  languageHint?: string | null;
  /** The mention belongs to this brand regardless of query match (e.g. own app-store reviews). */
  brandHint?: string | null;
}

/** A compiled analyser. */
export interface Analyser {
  version: string;
  analyse(input: AnalysisInput): AnalysisResult;
  /** Names of the brands whose query (or aliases) match the text. */
  matchBrands(text: string): string[];
}

const NOT_SCORED: SentimentResult = { label: null, score: null, confidence: 0 };

interface CompiledBrand {
  name: string;
  query: CompiledQuery;
  locator: BrandLocator;
}

/** Compiles brand queries and lexicons once. Throws QuerySyntaxError for a bad brand query. */
export function createAnalyser(opts: AnalyserOptions): Analyser {
  const brands: CompiledBrand[] = (opts.brands ?? []).map((b) => ({
    name: b.name,
    query:
      b.query && b.query.trim() !== ''
        ? compileQuery(b.query, b.aliases ?? [])
        : compileQuery('', [b.name, ...(b.aliases ?? [])]),
    locator: brandLocator(b.name, b.aliases ?? []),
  }));
  const byName = new Map(brands.map((b) => [b.name.toLowerCase(), b]));
  // The words the brand queries look at: a mention's document keeps only these (null: all words).
  const vocabulary = queryVocabulary(brands.map((b) => b.query));
  const painPoints = compilePainPoints(opts.painPoints ?? {});

  /** What cleanText() learnt of the text (reused: analyse() is synchronous and not re-entered). */
  const checked: CleanCheck = { ascii: false };

  const matchBrandsIn = (text: string, doc: QueryDoc = prepareDoc(text, vocabulary)): CompiledBrand[] => {
    const out: CompiledBrand[] = [];
    for (const b of brands) if (b.query.matchDoc(doc)) out.push(b);
    return out;
  };

  return {
    version: ANALYSER_VERSION,
    matchBrands(text: string): string[] {
      try {
        return matchBrandsIn(cleanText(text)).map((b) => b.name);
      } catch {
        return [];
      }
    },
    analyse(input: AnalysisInput): AnalysisResult {
      const text = cleanText(input?.text, input?.title, checked);
      try {
        return analyseText(text, input, checked.ascii);
      } catch {
        // Defensive: analysis must never stop a batch. A failure gives an unscored result.
        return { language: 'und', sentiment: NOT_SCORED, painPoints: [], stage: null, brands: [], comparison: false, switching: null };
      }
    },
  };

  /** Analyses cleaned text; `ascii`: isAscii(text), known from cleanText(). */
  function analyseText(text: string, input: AnalysisInput, ascii: boolean): AnalysisResult {
    const scanned = scan(text);
    const language = detectLanguageTokens(text, input.languageHint ?? null, scanned.tokens);
    const english = language === 'en';
    const detail = english ? scoreSentiment(text, scanned) : null;
    const sentiment: SentimentResult = detail
      ? { label: detail.label, score: detail.score, confidence: detail.confidence }
      : NOT_SCORED;

    // fold() of ASCII text is its lower-case form, which the scan has already.
    const doc = brands.length > 0 || input.brandHint ? prepareFolded(ascii ? scanned.lower : fold(text), vocabulary) : null;
    const matched = doc ? matchBrandsIn(text, doc) : [];
    if (input.brandHint) {
      const hinted = byName.get(String(input.brandHint).toLowerCase());
      if (hinted && !matched.includes(hinted)) matched.unshift(hinted);
      else if (!hinted && !matched.some((b) => b.name === input.brandHint)) {
        // A hint naming a brand not in config still attributes the mention to it.
        const name = String(input.brandHint);
        matched.unshift({ name, query: compileQuery('', [name]), locator: brandLocator(name, []) });
      }
    }
    const locators: BrandLocator[] = [];
    for (const b of matched) locators.push(b.locator);
    const entities = analyseEntities(text, locators, detail, doc?.folded);
    const brandsOut: BrandSentiment[] = entities.brands;

    return {
      language,
      sentiment,
      painPoints: english ? painPoints.tag(text, detail) : [],
      stage: english ? detectStage(text, undefined, scanned.lower, scanned.tokens, detail?.label === 'negative') : null,
      brands: brandsOut,
      comparison: entities.comparison,
      switching: entities.switching,
    };
  }
}

/**
 * The `earshot score` output record for one mention: exactly
 * {id, language, sentiment{label,score,confidence}, painPoints[{id,evidence,score}], stage{id,confidence}|null,
 * brands[{name, sentiment: label|null}]}.
 */
export function toScoreRecord(id: string, r: AnalysisResult): object {
  return {
    id,
    language: r.language,
    sentiment: { label: r.sentiment.label, score: r.sentiment.score, confidence: r.sentiment.confidence },
    painPoints: [...r.painPoints]
      .sort((a, b) => b.score - a.score)
      .map((p) => ({ id: p.id, evidence: [...p.evidence], score: p.score })),
    stage: r.stage ? { id: r.stage.id, confidence: r.stage.confidence } : null,
    brands: r.brands.map((b) => ({ name: b.name, sentiment: b.sentiment?.label ?? null })),
  };
}
