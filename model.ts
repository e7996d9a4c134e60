/**
 * Shared types only. This module imports nothing, so every folder may depend on it.
 */

/** Source types Earshot knows; each has one file in collectors/. */
export const SOURCE_TYPES = [
  'reddit',
  'hackernews',
  'mastodon',
  'bluesky',
  'rss',
  'appstore',
  'youtube',
  'stackexchange',
  'file',
] as const;
export type SourceType = (typeof SOURCE_TYPES)[number];

/** Customer-journey stages, in journey order. */
export const JOURNEY_STAGES = [
  'awareness',
  'consideration',
  'purchase',
  'experience',
  'support',
  'retention',
  'advocacy',
] as const;
export type JourneyStage = (typeof JOURNEY_STAGES)[number];

/** Default pain-point taxonomy ids (the config may add more). */
export const PAIN_POINTS = [
  'delay',
  'cancellation',
  'lost-item',
  'damaged-item',
  'delivery',
  'customer-service',
  'staff-behaviour',
  'booking',
  'billing',
  'refund',
  'pricing',
  'product-quality',
  'bug',
  'outage',
  'usability',
  'account-access',
  'privacy-security',
  'waiting-time',
] as const;

export const SENTIMENT_LABELS = ['positive', 'neutral', 'negative'] as const;
export type SentimentLabel = (typeof SENTIMENT_LABELS)[number];

/** Engagement counters as the source reports them; missing ones are absent. */
export interface Engagement {
  likes?: number;
  replies?: number;
  shares?: number;
  score?: number;
  views?: number;
}

/** What a collector emits: one normalised mention, before storage. */
export interface RawMention {
  /** Stable id within the source (the natural key with the source). */
  externalId: string;
  url: string | null;
  author: string | null;
  /** Followers / subscribers of the author where the service gives it. */
  authorReach: number | null;
  title: string | null;
  /** Plain text (HTML already converted). */
  text: string;
  /** Language hint from the service (ISO 639-1/3), if any. */
  language: string | null;
  publishedAt: Date;
  engagement: Engagement;
  /** Star rating 1–5 for reviews. */
  rating: number | null;
  /** Brand names this mention belongs to regardless of matching (source `brand`). */
  brandHint?: string | null;
}

/** A stored mention. */
export interface Mention extends RawMention {
  id: number;
  sourceId: number;
  sourceName: string;
  sourceType: string;
  collectedAt: Date;
  duplicateOf: number | null;
}

export interface SentimentResult {
  /** null when the language cannot be scored ("not scored"). */
  label: SentimentLabel | null;
  /** In [-1, 1]; null when not scored. */
  score: number | null;
  /** In [0, 1]. */
  confidence: number;
}

export interface PainPointTag {
  id: string;
  /** The words or phrases that triggered the tag. */
  evidence: string[];
  score: number;
}

export interface StageResult {
  id: JourneyStage;
  confidence: number;
}

export interface BrandSentiment {
  name: string;
  sentiment: SentimentResult | null;
}

export interface SwitchingResult {
  from: string | null;
  to: string | null;
}

/** Output of analysis/index.ts analyse(). */
export interface AnalysisResult {
  language: string;
  sentiment: SentimentResult;
  painPoints: PainPointTag[];
  stage: StageResult | null;
  brands: BrandSentiment[];
  /** Set when the mention compares brands. */
  comparison: boolean;
  switching: SwitchingResult | null;
}

/** A brand as declared in config. */
export interface BrandConfig {
  name: string;
  aliases: string[];
  query: string;
  own: boolean;
}

export type AlertStatus = 'open' | 'acknowledged' | 'resolved';

export interface Alert {
  id: number;
  rule: string;
  key: string;
  brand: string | null;
  status: AlertStatus;
  title: string;
  windowStart: Date;
  windowEnd: Date;
  observed: number;
  expected: number;
  score: number;
  painPoint: string | null;
  stages: string[];
  evidence: number[];
  openedAt: Date;
  updatedAt: Date;
  acknowledgedAt: Date | null;
  acknowledgedBy: string | null;
  resolvedAt: Date | null;
  resolvedBy: string | null;
  note: string | null;
}
