/**
 * `/journey` and `/api/journey`: the customer-journey stages as columns: volume, sentiment, top pain
 * points, example mentions, CSAT / NPS proxies from star ratings, and time to resolution from alerts.
 *
 * Proxies, over mentions with a 1–5★ rating (reviews). The headline counts every rated mention in the
 * window (for the brand filter), whether or not it has a journey stage; each stage column counts the
 * rated mentions of that stage only, so the columns add up to the headline minus the unstaged ones.
 *   CSAT proxy = share of rated mentions with 4★ or 5★
 *   NPS proxy  = %5★ − %(1–3★)  (5★ as promoters, 4★ passive, 1–3★ detractors), from −100 to +100
 */
import type { Express } from 'express';
import type { AppContext } from '../app.js';
import { parseBrand, parseRange } from '../../db/filters.js';
import { ALL_BRANDS, sumRollup } from '../../db/stats.js';
import { listMentions } from '../../db/explore.js';
import { alertTimings } from '../../db/alerts.js';
import { JOURNEY_STAGES } from '../../model.js';
import { mentionsHref } from '../links.js';
import { netSentiment, pickerModel, presentMention, resolveBrand } from './common.js';

/** Below this many rated mentions the page warns that the proxies are too thin to rely on. */
export const FEW_RATINGS = 20;

/** CSAT and NPS proxies from star counts r[1..5]; null when nothing is rated. */
export function ratingProxies(r: { r1: number; r2: number; r3: number; r4: number; r5: number }): { rated: number; csat: number | null; nps: number | null } {
  const rated = r.r1 + r.r2 + r.r3 + r.r4 + r.r5;
  if (rated === 0) return { rated, csat: null, nps: null };
  return { rated, csat: (r.r4 + r.r5) / rated, nps: Math.round(((r.r5 - (r.r1 + r.r2 + r.r3)) / rated) * 1000) / 10 };
}

/** Loads every figure of the journey page. */
export async function loadJourney(ctx: AppContext, q: Record<string, unknown>) {
  const { db } = ctx.deps;
  const range = parseRange(q, ctx.deps.now(), '30d');
  const { brands, brand } = await resolveBrand(db, parseBrand(q));
  const brandId = brand?.id ?? ALL_BRANDS;
  const bname = brand?.name ?? null;
  const link = (extra: Record<string, unknown>): string => mentionsHref({ brand: bname, from: range.from, to: range.to, ...extra });
  const [rows, painRows, timings] = await Promise.all([
    sumRollup(db, 'main', range, brandId, ['stage', 'sentiment']),
    sumRollup(db, 'pain', range, brandId, ['stage', 'pain_point']),
    alertTimings(db).catch((err: unknown) => {
      ctx.deps.logger.warn({ err: (err as Error).message }, 'web: alert timings unavailable');
      return [];
    }),
  ]);
  const examples = await Promise.all(
    JOURNEY_STAGES.map((s) =>
      listMentions(db, { brand: bname, source: null, sentiment: null, stage: s, painPoint: null, language: null, author: null, q: null, comparison: false, switchFrom: null, switchTo: null, from: range.from, to: range.to }, { limit: 2 }),
    ),
  );
  const zero = () => ({ positive: 0, neutral: 0, negative: 0, unscored: 0, total: 0, r1: 0, r2: 0, r3: 0, r4: 0, r5: 0 });
  const by = new Map<string, ReturnType<typeof zero>>();
  const overall = zero();
  for (const r of rows) {
    const v = by.get(r.stage!) ?? zero();
    for (const t of [v, overall]) {
      t[r.sentiment as 'positive'] += r.mentions;
      t.total += r.mentions;
      t.r1 += r.r1 ?? 0;
      t.r2 += r.r2 ?? 0;
      t.r3 += r.r3 ?? 0;
      t.r4 += r.r4 ?? 0;
      t.r5 += r.r5 ?? 0;
    }
    by.set(r.stage!, v);
  }
  const max = Math.max(1, ...JOURNEY_STAGES.map((s) => by.get(s)?.total ?? 0));
  const stages = JOURNEY_STAGES.map((s, i) => {
    const v = by.get(s) ?? zero();
    const pains = painRows
      .filter((p) => p.stage === s)
      .sort((a, b) => b.mentions - a.mentions || a.pain_point!.localeCompare(b.pain_point!))
      .slice(0, 3)
      .map((p) => ({ id: p.pain_point!, mentions: p.mentions, share: v.total ? p.mentions / v.total : 0, href: link({ stage: s, pain: p.pain_point }) }));
    const scored = v.positive + v.neutral + v.negative;
    return {
      stage: s,
      mentions: v.total,
      href: link({ stage: s }),
      volumeBar: Math.round((v.total / max) * 100),
      positive: v.positive,
      neutral: v.neutral,
      negative: v.negative,
      unscored: v.unscored,
      hrefs: { positive: link({ stage: s, sentiment: 'positive' }), neutral: link({ stage: s, sentiment: 'neutral' }), negative: link({ stage: s, sentiment: 'negative' }) },
      bar: scored ? { pos: (v.positive / scored) * 100, neu: (v.neutral / scored) * 100, neg: (v.negative / scored) * 100, neuX: (v.positive / scored) * 100, negX: ((v.positive + v.neutral) / scored) * 100 } : null,
      net: netSentiment(v.positive, v.negative),
      ...ratingProxies(v),
      painPoints: pains,
      examples: examples[i]!.items.map(presentMention),
    };
  });
  const unstaged = by.get('') ?? zero();
  return {
    brand: bname,
    range: { key: range.key, from: range.from, to: range.to, unit: range.unit },
    stages,
    overall: { mentions: overall.total, staged: overall.total - unstaged.total, net: netSentiment(overall.positive, overall.negative), ...ratingProxies(overall), fewRatings: ratingProxies(overall).rated > 0 && ratingProxies(overall).rated < FEW_RATINGS, href: link({}) },
    unstaged: { mentions: unstaged.total, href: link({ stage: 'none' }) },
    resolution: timings
      .filter((t) => !bname || t.brand === bname)
      .map((t) => ({ ...t, href: link({ brand: t.brand ?? bname, pain: t.painPoint }) })),
    view: { picker: pickerModel('/journey', brands, brand, range) },
  };
}

/** Registers `/journey` and `/api/journey`. */
export function registerJourney(app: Express, ctx: AppContext): void {
  app.get('/journey', async (req, res) => {
    const data = await loadJourney(ctx, req.query as Record<string, unknown>);
    res.send(ctx.views.render('journey', { ...res.locals, ...data, title: 'Customer journey · Earshot' }));
  });
  app.get('/api/journey', async (req, res) => {
    const { view, ...data } = await loadJourney(ctx, req.query as Record<string, unknown>);
    void view;
    res.json(data);
  });
}
