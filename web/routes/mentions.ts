/**
 * `/mentions` (explorer), `/api/mentions`, `/mentions.csv` (export of the filtered list) and
 * `POST /mentions/:id/correction` (CSRF-protected correction form).
 */
import type { Express, Request } from 'express';
import { stringify } from 'csv-stringify';
import type { AppContext } from '../app.js';
import { formatCursor, parseCursor, parseMentionFilters, SENTIMENT_FILTERS, type MentionFilters } from '../../db/filters.js';
import { countMentions, listFilterOptions, listMentions } from '../../db/explore.js';
import { deleteCorrection, saveCorrection } from '../../db/corrections.js';
import { ValidationError } from '../../errors.js';
import { JOURNEY_STAGES, PAIN_POINTS, SENTIMENT_LABELS, type SentimentLabel } from '../../model.js';
import { mentionsHref } from '../links.js';
import { presentMention, resolveBrand } from './common.js';

const PAGE = 50;
const EXPORT_CAP = 100_000;
let optionsCache: { at: number; value: Awaited<ReturnType<typeof listFilterOptions>> } | null = null;

function parseLimit(q: Record<string, unknown>): number {
  const v = q.limit;
  if (v === undefined || v === '') return PAGE;
  if (typeof v !== 'string' || !/^\d{1,4}$/.test(v) || Number(v) < 1 || Number(v) > 200) throw new ValidationError(`limit: '${String(v)}' is not a number from 1 to 200`, { field: 'limit' });
  return Number(v);
}

function filterLink(f: MentionFilters, change: Partial<Record<string, unknown>> = {}): string {
  return mentionsHref({
    brand: f.brand,
    source: f.source,
    sentiment: f.sentiment,
    stage: f.stage,
    pain: f.painPoint,
    language: f.language,
    author: f.author,
    q: f.q,
    comparison: f.comparison,
    switch_from: f.switchFrom,
    switch_to: f.switchTo,
    from: f.from,
    to: f.to,
    ...change,
  });
}

/** The pain-point ids offered in menus: the default taxonomy plus the config's extras. */
function painOptions(ctx: AppContext): string[] {
  return [...new Set([...PAIN_POINTS, ...Object.keys(ctx.deps.config.analysis?.painPoints ?? {})])].sort();
}

/** Loads one page of the explorer (the page and the API both use this). */
export async function loadMentions(ctx: AppContext, q: Record<string, unknown>) {
  const { db } = ctx.deps;
  const filters = parseMentionFilters(q, ctx.deps.now());
  const after = parseCursor(q);
  const limit = parseLimit(q);
  const { brands } = await resolveBrand(db, filters.brand);
  if (filters.brand) filters.brand = brands.find((b) => b.name.toLowerCase() === filters.brand!.toLowerCase())!.name;
  const [page, count] = await Promise.all([listMentions(db, filters, { limit, after }), countMentions(db, filters)]);
  return { filters, brands, page, count, limit, after };
}

/** Registers the explorer routes. */
export function registerMentions(app: Express, ctx: AppContext): void {
  app.get('/mentions', async (req, res) => {
    const q = req.query as Record<string, unknown>;
    const { filters, brands, page, count, after } = await loadMentions(ctx, q);
    if (!optionsCache || Date.now() - optionsCache.at > 60_000) optionsCache = { at: Date.now(), value: await listFilterOptions(ctx.deps.db) };
    const opts = optionsCache.value;
    const pains = painOptions(ctx);
    const returnTo = req.originalUrl.startsWith('/mentions') ? req.originalUrl : '/mentions';
    const active: Array<{ name: string; value: string; removeHref: string }> = [];
    const fmtDate = (d: Date): string => (d.getTime() % 86_400_000 === 0 ? d.toISOString().slice(0, 10) : d.toISOString().replace('.000Z', 'Z'));
    const chips: Array<[string, string | null, string]> = [
      ['Brand', filters.brand, 'brand'],
      ['Source', filters.source, 'source'],
      ['Sentiment', filters.sentiment, 'sentiment'],
      ['Stage', filters.stage, 'stage'],
      ['Pain point', filters.painPoint, 'pain'],
      ['Language', filters.language, 'language'],
      ['Author', filters.author, 'author'],
      ['Search', filters.q, 'q'],
      ['Comparing or switching', filters.comparison ? 'yes' : null, 'comparison'],
      ['Switched from', filters.switchFrom, 'switch_from'],
      ['Switched to', filters.switchTo, 'switch_to'],
      ['From', filters.from ? fmtDate(filters.from) : null, 'from'],
      ['Before', filters.to ? fmtDate(filters.to) : null, 'to'],
    ];
    for (const [name, value, key] of chips) if (value) active.push({ name, value, removeHref: filterLink(filters, { [key]: null }) });
    res.send(
      ctx.views.render('mentions', {
        ...res.locals,
        title: 'Mentions · Earshot',
        filters,
        active,
        clearHref: '/mentions',
        count,
        items: page.items.map((m) => ({
          ...presentMention(m),
          form: {
            action: `/mentions/${m.id}/correction`,
            returnTo,
            sentiments: SENTIMENT_LABELS.map((s) => ({ value: s, selected: m.corrected && m.sentiment === s })),
            stages: JOURNEY_STAGES.map((s) => ({ value: s, selected: m.corrected && m.stage === s })),
            pains: pains.map((p) => ({ value: p, checked: m.painPoints.some((x) => x.id === p) })),
            painBefore: m.painPoints.map((p) => p.id).sort().join(','),
          },
        })),
        nextHref: page.next ? `${filterLink(filters)}${filterLink(filters).includes('?') ? '&' : '?'}after=${encodeURIComponent(formatCursor(page.next))}` : null,
        firstHref: after ? filterLink(filters) : null,
        csvHref: `/mentions.csv${filterLink(filters).slice('/mentions'.length)}`,
        menus: {
          brands: brands.map((b) => ({ value: b.name, selected: b.name === filters.brand })),
          sources: [...new Set([...opts.channels, ...opts.sources])].map((s) => ({ value: s, selected: s === filters.source })),
          sentiments: SENTIMENT_FILTERS.map((s) => ({ value: s, selected: s === filters.sentiment })),
          stages: [...JOURNEY_STAGES, 'none'].map((s) => ({ value: s, selected: s === filters.stage })),
          pains: pains.map((p) => ({ value: p, selected: p === filters.painPoint })),
          languages: opts.languages.map((l) => ({ value: l, selected: l === filters.language })),
        },
        fromValue: filters.from ? fmtDate(filters.from) : '',
        toValue: filters.to ? fmtDate(filters.to) : '',
      }),
    );
  });

  app.get('/api/mentions', async (req, res) => {
    const { page, count } = await loadMentions(ctx, req.query as Record<string, unknown>);
    res.json({
      count: count.count,
      capped: count.capped,
      items: page.items,
      next: page.next ? formatCursor(page.next) : null,
    });
  });

  app.get('/mentions.csv', async (req, res) => {
    const q = req.query as Record<string, unknown>;
    const filters = parseMentionFilters(q, ctx.deps.now());
    await resolveBrand(ctx.deps.db, filters.brand);
    res.setHeader('Content-Type', 'text/csv; charset=utf-8');
    res.setHeader('Content-Disposition', `attachment; filename="earshot-mentions-${ctx.deps.now().toISOString().slice(0, 10)}.csv"`);
    const csv = stringify({
      header: true,
      columns: ['id', 'published_at', 'source', 'channel', 'url', 'author', 'author_reach', 'brands', 'sentiment', 'stage', 'pain_points', 'language', 'rating', 'engagement', 'corrected', 'title', 'text'],
      // Spreadsheet formula injection: a cell starting with = + - @ is prefixed with '.
      cast: { string: (v) => (/^[=+\-@\t\r]/.test(v) ? `'${v}` : v) },
    });
    csv.pipe(res);
    let after = null;
    let written = 0;
    while (written < EXPORT_CAP) {
      const page = await listMentions(ctx.deps.db, filters, { limit: 1000, after });
      for (const m of page.items) {
        const ok = csv.write({
          id: m.id,
          published_at: m.publishedAt.toISOString(),
          source: m.sourceName,
          channel: m.channel,
          url: m.url ?? '',
          author: m.author ?? '',
          author_reach: m.authorReach ?? '',
          brands: m.brands.join('|'),
          sentiment: m.sentiment,
          stage: m.stage ?? '',
          pain_points: m.painPoints.map((p) => p.id).join('|'),
          language: m.language ?? '',
          rating: m.rating ?? '',
          engagement: m.engagementTotal,
          corrected: m.corrected ? 'yes' : 'no',
          title: m.title ?? '',
          text: m.text,
        });
        if (!ok) await new Promise((r) => csv.once('drain', r));
      }
      written += page.items.length;
      if (!page.next) break;
      after = page.next;
    }
    csv.end();
  });

  app.post('/mentions/:id/correction', async (req: Request, res) => {
    const id = String(req.params.id ?? '');
    if (!/^\d{1,15}$/.test(id)) throw new ValidationError(`id: '${id}' is not a mention id`, { field: 'id' });
    const body = (req.body ?? {}) as Record<string, unknown>;
    const str = (k: string): string | null => (typeof body[k] === 'string' && (body[k] as string).trim() !== '' ? (body[k] as string).trim() : null);
    const returnTo = str('return_to');
    const back = returnTo && returnTo.startsWith('/mentions') && !returnTo.startsWith('//') ? returnTo : '/mentions';
    if (str('reset')) {
      await deleteCorrection(ctx.deps.db, Number(id));
    } else {
      const sentiment = str('sentiment');
      if (sentiment !== null && !(SENTIMENT_LABELS as readonly string[]).includes(sentiment)) throw new ValidationError(`sentiment: '${sentiment}' is not one of ${SENTIMENT_LABELS.join(', ')}`, { field: 'sentiment' });
      const stage = str('stage');
      if (stage !== null && !(JOURNEY_STAGES as readonly string[]).includes(stage)) throw new ValidationError(`stage: '${stage}' is not one of ${JOURNEY_STAGES.join(', ')}`, { field: 'stage' });
      const raw = body.pain_points;
      const list = (Array.isArray(raw) ? raw : raw === undefined ? [] : [raw]).map(String).filter((s) => s !== '');
      for (const p of list) if (!/^[a-z0-9-]{1,60}$/.test(p)) throw new ValidationError(`pain_points: '${p}' is not a pain-point id`, { field: 'pain_points' });
      const before = (str('pain_before') ?? '').split(',').filter(Boolean).sort().join(',');
      // Pain points are only corrected when the ticked set differs from what was shown.
      const painPoints = [...list].sort().join(',') === before && !str('pain_set') ? null : list;
      if (sentiment === null && stage === null && painPoints === null) throw new ValidationError('sentiment: choose a sentiment, a stage or different pain points to correct', { field: 'sentiment' });
      await saveCorrection(ctx.deps.db, Number(id), { sentiment: sentiment as SentimentLabel | null, stage, painPoints, by: 'dashboard' });
    }
    res.redirect(303, `${back}#m-${id}`);
  });
}

