/**
 * Security middleware: security headers and a Content Security Policy (helmet; the pages use no
 * script at all), CSRF protection for every form, and the token login required when the server
 * listens on anything but loopback.
 *
 * CSRF: a random per-browser value in an HttpOnly, SameSite=Strict cookie; each form carries
 * HMAC(secret, cookie) and a POST without the matching token is refused with 403 (double submit,
 * signed, so a planted cookie is useless without the server secret).
 * Login: `POST /login` with the token sets an HttpOnly cookie holding HMAC(secret, token); API clients
 * may send `Authorization: Bearer <token>` instead.
 */
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import type { NextFunction, Request, Response, RequestHandler } from 'express';
import helmet from 'helmet';

const CSRF_COOKIE = 'earshot_csrf';
const AUTH_COOKIE = 'earshot_auth';

/** Parses the Cookie header (no dependency needed for this). */
export function parseCookies(header: string | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const part of (header ?? '').split(';')) {
    const i = part.indexOf('=');
    if (i < 1) continue;
    const k = part.slice(0, i).trim();
    try {
      out[k] = decodeURIComponent(part.slice(i + 1).trim());
    } catch {
      /* ignore a malformed cookie */
    }
  }
  return out;
}

function hmac(secret: Buffer, value: string): string {
  return createHmac('sha256', secret).update(value).digest('base64url');
}

/** Constant-time string comparison. */
export function safeEqual(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

/** helmet with a strict CSP: no script anywhere, styles and images from this origin only. */
export function securityHeaders(): RequestHandler {
  return helmet({
    contentSecurityPolicy: {
      useDefaults: false,
      directives: {
        defaultSrc: ["'self'"],
        scriptSrc: ["'none'"],
        styleSrc: ["'self'"],
        imgSrc: ["'self'", 'data:'],
        fontSrc: ["'self'"],
        connectSrc: ["'self'"],
        formAction: ["'self'"],
        frameAncestors: ["'none'"],
        objectSrc: ["'none'"],
        baseUri: ["'none'"],
      },
    },
    strictTransportSecurity: false,
    referrerPolicy: { policy: 'same-origin' },
  });
}

/** CSRF middleware and the token for the current request (`res.locals.csrfToken`). */
export function csrf(secret: Buffer): RequestHandler {
  return (req: Request, res: Response, next: NextFunction) => {
    const cookies = parseCookies(req.headers.cookie);
    let id = cookies[CSRF_COOKIE];
    if (!id || !/^[A-Za-z0-9_-]{20,64}$/.test(id)) {
      id = randomBytes(24).toString('base64url');
      res.append('Set-Cookie', `${CSRF_COOKIE}=${id}; Path=/; HttpOnly; SameSite=Strict`);
    }
    const token = hmac(secret, `csrf:${id}`);
    res.locals.csrfToken = token;
    if (req.method === 'GET' || req.method === 'HEAD' || req.method === 'OPTIONS') return next();
    const sent = typeof (req.body as Record<string, unknown> | undefined)?._csrf === 'string' ? String((req.body as Record<string, unknown>)._csrf) : String(req.headers['x-csrf-token'] ?? '');
    if (!cookies[CSRF_COOKIE] || !sent || !safeEqual(sent, token)) {
      res.status(403);
      return next(Object.assign(new Error('web: the form token is missing or out of date; reload the page and try again'), { status: 403, expose: true }));
    }
    next();
  };
}

/** Token login: every route except /login and /static needs the auth cookie or a bearer token. */
export function requireToken(secret: Buffer, token: string): RequestHandler {
  const expected = hmac(secret, `auth:${token}`);
  return (req, res, next) => {
    if (req.path === '/login' || req.path.startsWith('/static/')) return next();
    const cookies = parseCookies(req.headers.cookie);
    const bearer = /^Bearer (.+)$/.exec(req.headers.authorization ?? '')?.[1];
    if ((cookies[AUTH_COOKIE] && safeEqual(cookies[AUTH_COOKIE], expected)) || (bearer && safeEqual(bearer, token))) return next();
    if (req.path.startsWith('/api/') || req.method !== 'GET') {
      res.status(401).json({ error: 'web: a token is required (log in at /login or send Authorization: Bearer <token>)' });
      return;
    }
    res.redirect(303, `/login?next=${encodeURIComponent(req.originalUrl)}`);
  };
}

/** The cookie that marks a browser as logged in. */
export function authCookie(secret: Buffer, token: string): string {
  return `${AUTH_COOKIE}=${hmac(secret, `auth:${token}`)}; Path=/; HttpOnly; SameSite=Strict`;
}
