/**
 * `/alerts`, `/api/alerts` and the open → acknowledged → resolved actions (POST forms, CSRF-checked),
 * through the alerts helper's db/alerts.ts.
 */
import type { Express, Request, Response } from 'express';
import type { AppContext } from '../app.js';
import { acknowledgeAlert, listAlerts, resolveAlert } from '../../db/alerts.js';
import { ValidationError } from '../../errors.js';
import type { AlertStatus } from '../../model.js';
import { mentionsHref, query } from '../links.js';
import { resolveBrand } from './common.js';

const STATUSES = ['active', 'open', 'acknowledged', 'resolved', 'all'] as const;

/** Loads the alert list (the page and the API both use this). */
export async function loadAlerts(ctx: AppContext, q: Record<string, unknown>) {
  const raw = typeof q.status === 'string' && q.status !== '' ? q.status : 'active';
  if (!(STATUSES as readonly string[]).includes(raw)) throw new ValidationError(`status: '${raw}' is not one of ${STATUSES.join(', ')}`, { field: 'status' });
  const brandName = typeof q.brand === 'string' && q.brand !== '' ? q.brand : null;
  const { brands, brand } = await resolveBrand(ctx.deps.db, brandName);
  const alerts = await listAlerts(ctx.deps.db, {
    ...(raw === 'all' ? {} : { status: raw as AlertStatus | 'active' }),
    ...(brand ? { brand: brand.name } : {}),
    limit: 200,
  });
  return {
    status: raw,
    brand: brand?.name ?? null,
    brands,
    alerts: alerts.map((a) => ({
      ...a,
      mentionsHref: mentionsHref({ brand: a.brand, pain: a.painPoint, from: a.windowStart, to: a.windowEnd }),
      canAck: a.status === 'open',
      canResolve: a.status !== 'resolved',
    })),
    tabs: STATUSES.map((s) => ({ key: s, active: s === raw, href: `/alerts${query({ status: s, brand: brand?.name ?? null })}` })),
  };
}

/** Registers the alert pages and actions. */
export function registerAlerts(app: Express, ctx: AppContext): void {
  app.get('/alerts', async (req, res) => {
    const data = await loadAlerts(ctx, req.query as Record<string, unknown>);
    res.send(ctx.views.render('alerts', { ...res.locals, ...data, returnTo: req.originalUrl, title: 'Alerts · Earshot' }));
  });
  app.get('/api/alerts', async (req, res) => {
    const { brands, tabs, ...data } = await loadAlerts(ctx, req.query as Record<string, unknown>);
    void brands;
    void tabs;
    res.json(data);
  });
  const action = (kind: 'acknowledge' | 'resolve') => async (req: Request, res: Response) => {
    const id = String(req.params.id ?? '');
    if (!/^\d{1,15}$/.test(id)) throw new ValidationError(`id: '${id}' is not an alert id`, { field: 'id' });
    const body = (req.body ?? {}) as Record<string, unknown>;
    const note = typeof body.note === 'string' && body.note.trim() ? body.note.trim().slice(0, 1000) : null;
    const by = typeof body.by === 'string' && body.by.trim() ? body.by.trim().slice(0, 100) : 'dashboard';
    if (kind === 'acknowledge') await acknowledgeAlert(ctx.deps.db, Number(id), by, note);
    else await resolveAlert(ctx.deps.db, Number(id), by, note);
    const back = typeof body.return_to === 'string' && body.return_to.startsWith('/alerts') && !body.return_to.startsWith('//') ? body.return_to : '/alerts';
    res.redirect(303, back);
  };
  app.post('/alerts/:id/acknowledge', action('acknowledge'));
  app.post('/alerts/:id/resolve', action('resolve'));
}
