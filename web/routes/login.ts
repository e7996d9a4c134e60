/**
 * `/login`: the token form shown when the server listens off loopback (see web/security.ts).
 */
import type { Express } from 'express';
import type { AppContext } from '../app.js';
import { authCookie, safeEqual } from '../security.js';

function safeNext(v: unknown): string {
  return typeof v === 'string' && v.startsWith('/') && !v.startsWith('//') && !v.startsWith('/\\') ? v : '/';
}

/** Registers GET/POST /login (only meaningful when a token is required). */
export function registerLogin(app: Express, ctx: AppContext): void {
  app.get('/login', (req, res) => {
    res.send(ctx.views.render('login', { ...res.locals, title: 'Log in · Earshot', next: safeNext(req.query.next), failed: false }));
  });
  app.post('/login', (req, res) => {
    const body = (req.body ?? {}) as Record<string, unknown>;
    const next = safeNext(body.next);
    const token = typeof body.token === 'string' ? body.token : '';
    if (!ctx.authToken || !safeEqual(token, ctx.authToken)) {
      res.status(401).send(ctx.views.render('login', { ...res.locals, title: 'Log in · Earshot', next, failed: true }));
      return;
    }
    res.append('Set-Cookie', authCookie(ctx.secret, ctx.authToken));
    res.redirect(303, next);
  });
}
