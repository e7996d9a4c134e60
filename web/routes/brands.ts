/**
 * `/brands` and `/api/brands`: the own brand against its competitors over a window: share of voice
 * over time, net sentiment per brand, brand × pain-point matrix (count and share of the brand's
 * mentions), journey-stage sentiment per brand, comparison and switching mentions.
 */
import type { Express } from 'express';
import type { AppContext } from '../app.js';
import { parseBrand, parseRange, previousRange } from '../../db/filters.js';
import { ALL_BRANDS, sumRollup, switchingFlows } from '../../db/stats.js';
import { listMentions } from '../../db/explore.js';
import { JOURNEY_STAGES } from '../../model.js';
import { fillBuckets } from '../charts/buckets.js';
import { lineChart } from '../charts/line.js';
import { mentionsHref } from '../links.js';
import { bucketLabels, changeRatio, netSentiment, pickerModel, presentMention, resolveBrand } from './common.js';
import { pct } from '../helpers/pct.js';

const BRAND_CLASSES = ['b-1', 'b-2', 'b-3', 'b-4', 'b-5', 'b-6', 'b-7', 'b-8'];

/** The change of a mention count against the previous period, for the delta partial. */
function mentionDelta(cur: number, before: number): { dir: 'up' | 'down' | 'flat'; text: string } {
  const dir = cur > before ? 'up' : cur < before ? 'down' : 'flat';
  if (before === 0) return { dir, text: cur === 0 ? 'no change' : 'new' };
  const r = (cur - before) / before;
  return { dir, text: `${r >= 0 ? '+' : '\u2212'}${pct(Math.abs(r))}` };
}

/** Loads every figure of the brands page. */
export async function loadBrands(ctx: AppContext, q: Record<string, unknown>) {
  const { db } = ctx.deps;
  const range = parseRange(q, ctx.deps.now(), '30d');
  const { brands, brand: focus } = await resolveBrand(db, parseBrand(q));
  const prev = previousRange(range);
  const [seriesRows, sentRows, prevRows, painRows, stageRows, switching, comparisons] = await Promise.all([
    sumRollup(db, 'main', range, 'each', ['bucket', 'brand_id']),
    sumRollup(db, 'main', range, 'each', ['brand_id', 'sentiment']),
    sumRollup(db, 'main', prev, 'each', ['brand_id']),
    sumRollup(db, 'pain', range, 'each', ['brand_id', 'pain_point']),
    sumRollup(db, 'main', range, 'each', ['brand_id', 'stage', 'sentiment']),
    switchingFlows(db, ALL_BRANDS, range),
    listMentions(db, { brand: null, source: null, sentiment: null, stage: null, painPoint: null, language: null, author: null, q: null, comparison: true, switchFrom: null, switchTo: null, from: range.from, to: range.to }, { limit: 6 }),
  ]);
  const link = (extra: Record<string, unknown>): string => mentionsHref({ from: range.from, to: range.to, ...extra });
  const byId = new Map(brands.map((b) => [b.id, b]));
  const ids = brands.map((b) => String(b.id));

  const per = new Map<number, { positive: number; neutral: number; negative: number; unscored: number; total: number }>();
  for (const b of brands) per.set(b.id, { positive: 0, neutral: 0, negative: 0, unscored: 0, total: 0 });
  for (const r of sentRows) {
    const p = per.get(r.brand_id!);
    if (!p) continue;
    p[r.sentiment as 'positive'] += r.mentions;
    p.total += r.mentions;
  }
  const allTotal = [...per.values()].reduce((a, p) => a + p.total, 0);
  const prevBy = new Map(prevRows.map((r) => [r.brand_id!, r.mentions]));
  const table = brands.map((b, i) => {
    const p = per.get(b.id)!;
    return {
      name: b.name,
      own: b.own,
      cls: BRAND_CLASSES[i % BRAND_CLASSES.length],
      focus: focus?.id === b.id,
      mentions: p.total,
      share: allTotal ? p.total / allTotal : 0,
      positive: p.positive,
      neutral: p.neutral,
      negative: p.negative,
      net: netSentiment(p.positive, p.negative),
      previous: prevBy.get(b.id) ?? 0,
      change: changeRatio(p.total, prevBy.get(b.id) ?? 0),
      changeDelta: mentionDelta(p.total, prevBy.get(b.id) ?? 0),
      previousHref: mentionsHref({ brand: b.name, from: prev.from, to: prev.to }),
      href: link({ brand: b.name }),
      hrefs: { positive: link({ brand: b.name, sentiment: 'positive' }), neutral: link({ brand: b.name, sentiment: 'neutral' }), negative: link({ brand: b.name, sentiment: 'negative' }) },
      netBar: { x: 50, w: 0 },
    };
  });
  for (const t of table) {
    const n = t.net ?? 0;
    t.netBar = { x: n >= 0 ? 50 : 50 + n * 50, w: Math.abs(n) * 50 };
  }

  // Share of voice per bucket.
  const filled = fillBuckets(seriesRows.map((r) => ({ bucket: r.bucket!, key: String(r.brand_id), value: r.mentions })), ids, range.from, range.to, range.unit);
  const sovSeries = brands.map((b, i) => ({
    name: b.name,
    cls: BRAND_CLASSES[i % BRAND_CLASSES.length]!,
    values: filled.map((f) => (f.total ? f.values[String(b.id)]! / f.total : 0)),
    hrefs: filled.map((f) => mentionsHref({ brand: b.name, from: f.start, to: f.end })),
  }));
  const labels = filled.map((f) => bucketLabels(f.start, range.unit));
  const sovChart = lineChart({
    id: 'sov',
    title: `Share of voice per ${range.unit}`,
    labels: labels.map((l) => l.label),
    ticks: labels.map((l) => l.tick),
    series: sovSeries,
    format: (v) => pct(v),
    yMax: 1,
  });

  // Brand × pain point.
  const painTotals = new Map<string, number>();
  for (const r of painRows) painTotals.set(r.pain_point!, (painTotals.get(r.pain_point!) ?? 0) + r.mentions);
  const pains = [...painTotals.entries()].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0])).slice(0, 10).map(([id]) => id);
  const cell = new Map(painRows.map((r) => [`${r.brand_id}:${r.pain_point}`, r.mentions]));
  const matrix = {
    pains,
    rows: brands.map((b) => {
      const total = per.get(b.id)!.total;
      return {
        brand: b.name,
        cells: pains.map((p) => {
          const n = cell.get(`${b.id}:${p}`) ?? 0;
          const share = total ? n / total : 0;
          return { pain: p, mentions: n, share, heat: Math.min(5, Math.ceil(share * 20)), href: link({ brand: b.name, pain: p }) };
        }),
      };
    }),
  };

  // Stage sentiment per brand.
  const st = new Map<string, { pos: number; neg: number; total: number }>();
  for (const r of stageRows) {
    const k = `${r.brand_id}:${r.stage}`;
    const v = st.get(k) ?? { pos: 0, neg: 0, total: 0 };
    if (r.sentiment === 'positive') v.pos += r.mentions;
    if (r.sentiment === 'negative') v.neg += r.mentions;
    v.total += r.mentions;
    st.set(k, v);
  }
  const stages = {
    stages: [...JOURNEY_STAGES],
    rows: brands.map((b) => ({
      brand: b.name,
      cells: JOURNEY_STAGES.map((s) => {
        const v = st.get(`${b.id}:${s}`) ?? { pos: 0, neg: 0, total: 0 };
        const net = netSentiment(v.pos, v.neg);
        return { stage: s, mentions: v.total, net, tone: net === null ? 'none' : net > 0.2 ? 'pos' : net < -0.2 ? 'neg' : 'mid', href: link({ brand: b.name, stage: s }), negHref: link({ brand: b.name, stage: s, sentiment: 'negative' }), negative: v.neg };
      }),
    })),
  };

  const name = (id: number): string => byId.get(id)?.name ?? String(id);
  void name;
  return {
    range: { key: range.key, from: range.from, to: range.to, unit: range.unit },
    brands: table,
    totalMentions: allTotal,
    shareOfVoice: filled.map((f, i) => ({ start: f.start, end: f.end, total: f.total, shares: Object.fromEntries(brands.map((b) => [b.name, sovSeries.find((s) => s.name === b.name)!.values[i]])) })),
    painMatrix: matrix,
    stageSentiment: stages,
    switching: {
      comparisons: switching.comparisons,
      comparisonsHref: link({ comparison: true }),
      flows: switching.flows.slice(0, 10).map((f) => ({ ...f, href: link({ switch_from: f.from, switch_to: f.to, comparison: true }) })),
      examples: comparisons.items.map(presentMention),
    },
    view: { sovChart, picker: pickerModel('/brands', brands, focus, range, { allBrands: false }) },
  };
}

/** Registers `/brands` and `/api/brands`. */
export function registerBrands(app: Express, ctx: AppContext): void {
  app.get('/brands', async (req, res) => {
    const data = await loadBrands(ctx, req.query as Record<string, unknown>);
    res.send(ctx.views.render('brands', { ...res.locals, ...data, title: 'Brands · Earshot' }));
  });
  app.get('/api/brands', async (req, res) => {
    const { view, ...data } = await loadBrands(ctx, req.query as Record<string, unknown>);
    void view;
    res.json(data);
  });
}
