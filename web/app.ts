/**
 * The dashboard app factory: middleware, routes, 404 and error handler, in that order. Never listens
 * (server.ts does). Pages are rendered on the server and work without client JavaScript; the JSON API
 * under /api/ returns the same figures as the pages.
 */
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import express, { type NextFunction, type Request, type Response } from 'express';
import Handlebars from 'handlebars';
import type { Deps } from '../deps.js';
import { isNotFoundError, isValidationError } from '../errors.js';
import { createViewEngine, type ViewEngine } from './view-engine.js';
import { csrf, requireToken, securityHeaders } from './security.js';
import { registerHealth } from './routes/health.js';
import { registerOverview } from './routes/overview.js';
import { registerMentions } from './routes/mentions.js';
import { registerBrands } from './routes/brands.js';
import { registerJourney } from './routes/journey.js';
import { registerSources } from './routes/sources.js';
import { registerAlerts } from './routes/alerts.js';
import { registerLogin } from './routes/login.js';
import { NAV } from './routes/common.js';

const STATIC_DIR = path.join(path.dirname(fileURLToPath(import.meta.url)), 'static');

/** Options of createApp. */
export interface AppOptions {
  /** When set, every page and API call requires this token (server.ts sets it off loopback). */
  authToken?: string | null;
  /** HMAC secret for CSRF and login cookies (random per process by default). */
  secret?: Buffer;
}

/** What every route module receives. */
export interface AppContext {
  deps: Deps;
  views: ViewEngine;
  secret: Buffer;
  authToken: string | null;
}

/** Builds the Express app. */
export function createApp(deps: Deps, opts: AppOptions = {}): express.Express {
  const app = express();
  const views = createViewEngine();
  const secret = opts.secret ?? randomBytes(32);
  const ctx: AppContext = { deps, views, secret, authToken: opts.authToken ?? null };
  const log = deps.logger.child({ module: 'web' });

  app.disable('x-powered-by');
  app.set('query parser', 'extended');
  app.use(securityHeaders());
  app.use('/static', express.static(STATIC_DIR, { maxAge: '1h', fallthrough: false }));
  // Probes (load balancers, Prometheus) send no token and no CSRF cookie: before both.
  registerHealth(app, ctx);
  app.use(express.urlencoded({ extended: false, limit: '32kb', parameterLimit: 200 }));
  if (ctx.authToken) app.use(requireToken(secret, ctx.authToken));
  app.use(csrf(secret));
  app.use((req, res, next) => {
    // Shared by every page (set once here, Ghost update-global-template-options).
    res.locals.nav = NAV.map((n) => ({ ...n, active: n.path === '/' ? req.path === '/' : req.path.startsWith(n.path) }));
    res.locals.loginRequired = Boolean(ctx.authToken);
    next();
  });

  registerLogin(app, ctx);
  registerOverview(app, ctx);
  registerBrands(app, ctx);
  registerJourney(app, ctx);
  registerMentions(app, ctx);
  registerSources(app, ctx);
  registerAlerts(app, ctx);

  app.use((req: Request, res: Response) => {
    if (req.path.startsWith('/api/')) {
      res.status(404).json({ error: `web: no API route ${req.method} ${req.path}` });
      return;
    }
    res.status(404).send(renderError(views, res, 404, 'Page not found', `There is no page at ${req.path}.`));
  });

  app.use((err: unknown, req: Request, res: Response, _next: NextFunction) => {
    void _next;
    const e = err as { status?: number; statusCode?: number; expose?: boolean; message?: string; field?: string | null };
    let status = 500;
    let message = 'Something went wrong on our side. The error has been logged.';
    if (isValidationError(err)) {
      status = 400;
      message = err.message;
    } else if (isNotFoundError(err)) {
      status = 404;
      message = err.message;
    } else if ((e.status ?? e.statusCode) && (e.status ?? e.statusCode)! < 500) {
      status = (e.status ?? e.statusCode)!;
      message = e.expose !== false && e.message ? e.message : 'Bad request';
    }
    if (status >= 500) log.error({ err, path: req.path, method: req.method }, 'web: request failed');
    if (res.headersSent) return;
    if (req.path.startsWith('/api/') || req.path.endsWith('.csv')) {
      res.status(status).json({ error: message, ...(isValidationError(err) && err.field ? { parameter: err.field } : {}) });
      return;
    }
    const title = status === 400 ? 'Bad request' : status === 403 ? 'Forbidden' : status === 404 ? 'Not found' : status === 401 ? 'Login required' : 'Error';
    res.status(status).send(renderError(views, res, status, title, message));
  });
  return app;
}

/** The error page, or an escaped plain fallback when the template itself fails. */
function renderError(views: ViewEngine, res: Response, status: number, title: string, message: string): string {
  try {
    return views.render('error', { ...res.locals, title: `${title} · Earshot`, status, heading: title, message });
  } catch {
    const esc = Handlebars.escapeExpression;
    return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${esc(title)}</title></head><body><h1>${status} ${esc(title)}</h1><p>${esc(message)}</p><p><a href="/">Back to the overview</a></p></body></html>`;
  }
}
