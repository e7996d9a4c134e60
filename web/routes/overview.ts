/**
 * `/` and `/api/overview`: one brand (or all mentions) over a window: volume and sentiment per
 * bucket (stacked, spikes marked), net sentiment, change against the previous period, top pain
 * points with their trend, top sources, top authors by reach, most engaged mentions.
 */
import type { Express } from 'express';
import type { AppContext } from '../app.js';
import { parseBrand, parseRange, previousRange, unitMs, type TimeRange } from '../../db/filters.js';
import { ALL_BRANDS, mostEngagedMentionIds, sumRollup, topAuthorsByReach } from '../../db/stats.js';
import { getMentionsByIds } from '../../db/explore.js';
import { listSourceHealth } from '../../db/sources.js';
import { fillBuckets } from '../charts/buckets.js';
import { defaultSpikeRule, markSpikes } from '../charts/spikes.js';
import { stackedBars } from '../charts/stacked.js';
import { mentionsHref } from '../links.js';
import { pct } from '../helpers/pct.js';
import { bucketLabels, changeRatio, netSentiment, pickerModel, presentMention, resolveBrand, SENTIMENT_KEYS, type SentimentKey } from './common.js';

const KEYS = SENTIMENT_KEYS.map((k) => k.key);

/** Loads every figure of the overview (the page and the API both use this). */
export async function loadOverview(ctx: AppContext, q: Record<string, unknown>) {
  const { db } = ctx.deps;
  const now = ctx.deps.now();
  const range = parseRange(q, now, '7d');
  const { brands, brand } = await resolveBrand(db, parseBrand(q));
  const brandId = brand?.id ?? ALL_BRANDS;
  const bname = brand?.name ?? null;
  const prev = previousRange(range);
  const rule = defaultSpikeRule(range.unit);
  const history: TimeRange = { ...range, from: new Date(range.from.getTime() - rule.window * unitMs(range.unit)) };

  const [seriesRows, prevRows, pains, prevPains, sources, authors, engagedIds] = await Promise.all([
    sumRollup(db, 'main', history, brandId, ['bucket', 'sentiment']),
    sumRollup(db, 'main', prev, brandId, ['sentiment']),
    sumRollup(db, 'pain', range, brandId, ['pain_point']),
    sumRollup(db, 'pain', prev, brandId, ['pain_point']),
    sumRollup(db, 'source', range, brandId, ['channel']),
    topAuthorsByReach(db, brandId, range, 5),
    mostEngagedMentionIds(db, brandId, range, 5),
  ]);
  const engaged = await getMentionsByIds(db, engagedIds.map((e) => e.id));
  const gettingStarted = await loadGettingStarted(ctx, now);

  const all = fillBuckets(
    seriesRows.map((r) => ({ bucket: r.bucket!, key: r.sentiment as SentimentKey, value: r.mentions })),
    KEYS,
    history.from,
    range.to,
    range.unit,
  );
  const spikes = markSpikes(all.map((b) => b.total), rule);
  const offset = all.findIndex((b) => b.start.getTime() >= range.from.getTime());
  const buckets = all.slice(offset).map((b, i) => ({ ...b, spike: spikes[offset + i]!.spike, baseline: spikes[offset + i]!.baseline }));

  const sum = (k: SentimentKey): number => buckets.reduce((a, b) => a + b.values[k], 0);
  const totals = { positive: sum('positive'), neutral: sum('neutral'), negative: sum('negative'), unscored: sum('unscored') };
  const mentions = totals.positive + totals.neutral + totals.negative + totals.unscored;
  const prevBy = Object.fromEntries(KEYS.map((k) => [k, 0])) as Record<SentimentKey, number>;
  for (const r of prevRows) prevBy[r.sentiment as SentimentKey] = (prevBy[r.sentiment as SentimentKey] ?? 0) + r.mentions;
  const prevMentions = KEYS.reduce((a, k) => a + prevBy[k], 0);
  const net = netSentiment(totals.positive, totals.negative);
  const prevNet = netSentiment(prevBy.positive, prevBy.negative);
  const link = (extra: Record<string, unknown> = {}, r: TimeRange = range): string => mentionsHref({ brand: bname, from: r.from, to: r.to, ...extra });

  const series = buckets.map((b) => ({
    start: b.start,
    end: b.end,
    ...b.values,
    total: b.total,
    spike: b.spike,
    baseline: b.baseline,
    href: mentionsHref({ brand: bname, from: b.start, to: b.end }),
  }));
  const chart = stackedBars({
    id: 'volume',
    title: `Mentions per ${range.unit} by sentiment`,
    keys: SENTIMENT_KEYS,
    data: buckets.map((b) => {
      const l = bucketLabels(b.start, range.unit);
      return {
        label: l.label,
        tick: l.tick,
        values: b.values,
        hrefs: Object.fromEntries(KEYS.map((k) => [k, mentionsHref({ brand: bname, sentiment: k, from: b.start, to: b.end })])),
        href: mentionsHref({ brand: bname, from: b.start, to: b.end }),
        spike: b.spike,
      };
    }),
  });

  const prevPain = new Map(prevPains.map((p) => [p.pain_point!, p.mentions]));
  const painPoints = pains
    .sort((a, b) => b.mentions - a.mentions || a.pain_point!.localeCompare(b.pain_point!))
    .slice(0, 8)
    .map((p) => {
      const before = prevPain.get(p.pain_point!) ?? 0;
      const change = changeRatio(p.mentions, before);
      return {
        id: p.pain_point!,
        mentions: p.mentions,
        share: mentions ? p.mentions / mentions : 0,
        previous: before,
        change,
        changeText: change === null ? '' : `${change >= 0 ? '+' : '\u2212'}${pct(Math.abs(change))}`,
        trend: before === 0 ? 'new' : p.mentions > before ? 'up' : p.mentions < before ? 'down' : 'flat',
        href: link({ pain: p.pain_point }),
        previousHref: link({ pain: p.pain_point }, prev),
      };
    });
  const sourceList = sources
    .sort((a, b) => b.mentions - a.mentions || a.channel!.localeCompare(b.channel!))
    .slice(0, 8)
    .map((s) => ({ channel: s.channel!, mentions: s.mentions, share: mentions ? s.mentions / mentions : 0, href: link({ source: s.channel }) }));

  return {
    brand: bname,
    range: { key: range.key, from: range.from, to: range.to, unit: range.unit },
    previousRange: { from: prev.from, to: prev.to },
    totals: {
      mentions,
      ...totals,
      net,
      href: link(),
      hrefs: Object.fromEntries(KEYS.map((k) => [k, link({ sentiment: k })])),
    },
    previous: { mentions: prevMentions, ...prevBy, net: prevNet, href: link({}, prev) },
    change: {
      mentions: mentions - prevMentions,
      mentionsRatio: changeRatio(mentions, prevMentions),
      net: net !== null && prevNet !== null ? net - prevNet : null,
      dir: mentions > prevMentions ? 'up' : mentions < prevMentions ? 'down' : 'flat',
      text: prevMentions === 0 ? (mentions === 0 ? 'no change' : 'new') : `${mentions >= prevMentions ? '+' : '\u2212'}${pct(Math.abs(changeRatio(mentions, prevMentions)!))}`,
    },
    series,
    spikeRule: rule,
    painPoints,
    sources: sourceList,
    authors: authors.map((a) => ({ ...a, href: link({ author: a.author }) })),
    engaged: engaged.map((m, i) => ({ ...presentMention(m), engagementTotal: engagedIds[i]?.engagement ?? m.engagementTotal })),
    gettingStarted,
    view: { brands, chart, picker: pickerModel('/', brands, brand, range) },
  };
}

/**
 * What a new user sees before any mention is stored (fresh `earshot run`): the configured sources, when
 * each is next checked, and how to get data sooner. Null once there is at least one mention.
 */
async function loadGettingStarted(ctx: AppContext, now: Date) {
  const any = await ctx.deps.db.query('select 1 from mentions limit 1');
  if (any.rowCount > 0) return null;
  const sources = (await listSourceHealth(ctx.deps.db, now)).filter((s) => s.enabled);
  const next = sources.map((s) => s.nextCheckAt).filter((d): d is Date => d !== null).sort((a, b) => a.getTime() - b.getTime())[0] ?? null;
  return {
    sources: sources.map((s) => ({ name: s.name, type: s.type, schedule: s.schedule, status: s.status, nextCheckAt: s.nextCheckAt, lastError: s.lastError })),
    failing: sources.filter((s) => s.status === 'failing').length,
    nextCheckAt: next,
  };
}

/** Registers `/` and `/api/overview`. */
export function registerOverview(app: Express, ctx: AppContext): void {
  app.get('/', async (req, res) => {
    const data = await loadOverview(ctx, req.query as Record<string, unknown>);
    res.send(ctx.views.render('overview', { ...res.locals, ...data, title: data.gettingStarted ? 'Getting started · Earshot' : `Overview · ${data.brand ?? 'All brands'} · Earshot` }));
  });
  app.get('/api/overview', async (req, res) => {
    const { view, ...data } = await loadOverview(ctx, req.query as Record<string, unknown>);
    void view;
    res.json(data);
  });
}
