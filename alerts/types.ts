/**
 * Alert types shared by the rules, the evaluator, the notifiers and the service.
 */

/** Rule names as stored in `alerts.rule` and sent in payloads. */
export const RULE_NAMES = ['volume-spike', 'negative-share', 'pain-point-surge', 'emerging-complaint', 'share-of-voice', 'high-reach'] as const;
export type RuleName = (typeof RULE_NAMES)[number];

/** Which mentions back a finding (the service loads the evidence rows). */
export interface EvidenceQuery {
  negativeOnly: boolean;
  painPoint?: string;
  /** Exactly these mentions (emerging phrase, high reach). */
  mentionIds?: number[];
}

/** What one rule found for one key at one evaluation time: a rule that fires. */
export interface Finding {
  rule: RuleName;
  /** Identifies the thing that fires: one open alert per (rule, key). */
  key: string;
  brand: string;
  title: string;
  windowStart: Date;
  windowEnd: Date;
  observed: number;
  expected: number;
  score: number;
  painPoint: string | null;
  evidence: EvidenceQuery;
  /** Rule-specific figures (samples, baseline kind, phrase, share…). */
  details: Record<string, unknown>;
}

/** One mention shown as evidence. */
export interface EvidenceMention {
  id: number;
  text: string;
  url: string | null;
  author: string | null;
  authorReach: number | null;
  publishedAt: Date;
  sentiment: string | null;
  stage: string | null;
  painPoints: string[];
}

/** Event types sent to channels (also the `X-Earshot-Event` header). */
export type AlertEventType = 'alert.opened' | 'alert.resolved';
