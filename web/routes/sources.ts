/**
 * `/sources` and `/api/sources`: the health of each source, from the collectors' `listSourceHealth`.
 */
import type { Express } from 'express';
import type { AppContext } from '../app.js';
import { listSourceHealth } from '../../db/sources.js';
import { mentionsHref } from '../links.js';

/** Loads source health (the page and the API both use this). */
export async function loadSources(ctx: AppContext) {
  const now = ctx.deps.now();
  const list = await listSourceHealth(ctx.deps.db, now);
  const day = new Date(now.getTime() - 86_400_000);
  return {
    sources: list.map((s) => ({
      ...s,
      href: mentionsHref({ source: s.name }),
      href24h: mentionsHref({ source: s.name, from: day, to: now }),
    })),
    summary: {
      total: list.length,
      ok: list.filter((s) => s.status === 'ok').length,
      failing: list.filter((s) => s.status === 'failing').length,
      neverRun: list.filter((s) => s.status === 'never-run').length,
      disabled: list.filter((s) => s.status === 'disabled').length,
    },
  };
}

/** Registers `/sources` and `/api/sources`. */
export function registerSources(app: Express, ctx: AppContext): void {
  app.get('/sources', async (_req, res) => {
    const data = await loadSources(ctx);
    res.send(ctx.views.render('sources', { ...res.locals, ...data, title: 'Sources · Earshot' }));
  });
  app.get('/api/sources', async (_req, res) => {
    res.json(await loadSources(ctx));
  });
}
