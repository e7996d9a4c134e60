/**
 * What a message says about an alert, independent of the channel: the rule, brand, pain point,
 * figures, journey stages and evidence (ids, excerpts, links). Channels format it (webhook.ts, email.ts).
 */
import type { AlertEventType, EvidenceMention, RuleName } from './types.js';

/** An alert as messages describe it. */
export interface AlertMessage {
  event: AlertEventType;
  alert: {
    id: number;
    rule: RuleName | string;
    key: string;
    brand: string | null;
    title: string;
    status: 'open' | 'acknowledged' | 'resolved';
    painPoint: string | null;
    stages: string[];
    window: { start: string; end: string };
    figures: { observed: number; expected: number; score: number };
    openedAt: string;
    resolvedAt: string | null;
    url: string | null;
    details: Record<string, unknown>;
  };
  evidence: { id: number; excerpt: string; url: string | null; author: string | null; authorReach: number | null; publishedAt: string; sentiment: string | null; stage: string | null; painPoints: string[] }[];
  /** When the message was built (the evaluation time). */
  sentAt: string;
}

/** Shortens a text to `max` characters on a word boundary, with an ellipsis. */
export function excerpt(text: string, max = 280): string {
  const t = text.replace(/\s+/g, ' ').trim();
  if (t.length <= max) return t;
  const cut = t.slice(0, max - 1);
  const sp = cut.lastIndexOf(' ');
  return `${(sp > max * 0.6 ? cut.slice(0, sp) : cut).trimEnd()}…`;
}

/** Builds the channel-independent message. */
export function buildMessage(x: {
  event: AlertEventType;
  id: number;
  rule: string;
  key: string;
  brand: string | null;
  title: string;
  status: 'open' | 'acknowledged' | 'resolved';
  painPoint: string | null;
  stages: string[];
  windowStart: Date;
  windowEnd: Date;
  observed: number;
  expected: number;
  score: number;
  openedAt: Date;
  resolvedAt: Date | null;
  details: Record<string, unknown>;
  evidence: readonly EvidenceMention[];
  at: Date;
  dashboardUrl?: string | undefined;
}): AlertMessage {
  return {
    event: x.event,
    alert: {
      id: x.id,
      rule: x.rule,
      key: x.key,
      brand: x.brand,
      title: x.title,
      status: x.status,
      painPoint: x.painPoint,
      stages: x.stages,
      window: { start: x.windowStart.toISOString(), end: x.windowEnd.toISOString() },
      figures: { observed: x.observed, expected: x.expected, score: x.score },
      openedAt: x.openedAt.toISOString(),
      resolvedAt: x.resolvedAt?.toISOString() ?? null,
      url: x.dashboardUrl ? `${x.dashboardUrl.replace(/\/+$/, '')}/alerts/${x.id}` : null,
      details: x.details,
    },
    evidence: x.evidence.map((e) => ({
      id: e.id,
      excerpt: excerpt(e.text),
      url: e.url,
      author: e.author,
      authorReach: e.authorReach,
      publishedAt: e.publishedAt.toISOString(),
      sentiment: e.sentiment,
      stage: e.stage,
      painPoints: e.painPoints,
    })),
    sentAt: x.at.toISOString(),
  };
}
