/**
 * The one HTTP module every collector uses: timeout, user agent, body-size cap, retries with exponential
 * backoff and full jitter on timeouts / resets / 5xx, 429 handling that honours `Retry-After` and the
 * `RateLimit-Reset` / `X-RateLimit-Reset` variants (seconds, epoch or ISO), a per-host rate limit, and
 * error mapping to HttpError / RateLimitedError / ParseError. Secrets in query strings (key, token …)
 * are redacted from every message and log line.
 *
 * What happens to a response:
 * | outcome                           | action                                                          |
 * |-----------------------------------|-----------------------------------------------------------------|
 * | 2xx                               | return (body decoded by the caller)                             |
 * | 304                               | return (conditional GET)                                         |
 * | 429, wait ≤ maxInlineWaitMs       | sleep the wait, retry (counts as an attempt)                    |
 * | 429, longer wait / no retries left| RateLimitedError(retryAt): the run stops, next_check_at moves   |
 * | 5xx, timeout, reset, refused, DNS | retry with backoff while attempts remain, then HttpError/Source |
 * | other 4xx                         | HttpError at once                                               |
 * | body over maxBodyBytes            | ParseError at once (never retried)                              |
 */
import axios, { type AxiosInstance, type AxiosResponse } from 'axios';
import { HttpError, ParseError, RateLimitedError, SourceError } from '../errors.js';
import { moduleLogger } from '../log.js';
import type { Logger } from 'pino';

/** Default user agent; a source may set its own (`userAgent`). */
export const DEFAULT_USER_AGENT = 'Earshot/0.1 (+https://github.com/earshot; social listening)';

/** Tunables of a client; every field has a default. Tests shrink the delays. */
export interface HttpOptions {
  /** Module prefix in errors and logs: the source name. */
  source: string;
  userAgent: string;
  timeoutMs: number;
  /** Responses larger than this are refused (ParseError). */
  maxBodyBytes: number;
  /** Retries after the first attempt (timeouts, resets, 5xx, short 429s). */
  retries: number;
  /** First backoff delay; doubles each retry, full jitter, capped at maxDelayMs. */
  baseDelayMs: number;
  maxDelayMs: number;
  /** A 429 asking to wait longer than this ends the run with RateLimitedError instead of sleeping. */
  maxInlineWaitMs: number;
  /** Wait used for a 429 with no usable header. */
  defaultRetryAfterMs: number;
  /** Requests per second to one host (shared by every client in the process); 0 = unlimited. */
  rateLimit: number;
  sleep: (ms: number) => Promise<void>;
  random: () => number;
  now: () => Date;
  logger: Logger;
}

/** A decoded response. */
export interface HttpResponse {
  status: number;
  url: string;
  headers: Record<string, string>;
  body: Buffer;
}

/** Per-request options. */
export interface RequestOptions {
  params?: Record<string, string | number | boolean | undefined | null>;
  headers?: Record<string, string>;
}

/** The client a collector receives. */
export interface HttpClient {
  readonly options: Readonly<HttpOptions>;
  /** GET; returns the raw body (2xx or 304). */
  get(url: string, opts?: RequestOptions): Promise<HttpResponse>;
  /** GET and parse JSON; malformed JSON is a ParseError naming the URL. */
  getJson<T = unknown>(url: string, opts?: RequestOptions): Promise<{ data: T; response: HttpResponse }>;
}

const RETRYABLE_CODES = new Set(['ECONNRESET', 'ETIMEDOUT', 'ECONNABORTED', 'ECONNREFUSED', 'EPIPE', 'EAI_AGAIN', 'ENOTFOUND', 'ENETUNREACH', 'EHOSTUNREACH', 'ERR_SOCKET_CONNECTION_TIMEOUT', 'ECONNRESET']);
const SECRET_PARAM = /^(key|api_key|apikey|access_token|token|client_secret|secret|password|sig|signature)$/i;

/** The URL with secret query parameters replaced by `***`, for messages and logs. */
export function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    let changed = false;
    for (const k of [...u.searchParams.keys()]) {
      if (SECRET_PARAM.test(k)) {
        u.searchParams.set(k, '***');
        changed = true;
      }
    }
    if (u.password) {
      u.password = '***';
      changed = true;
    }
    return changed ? u.toString() : url;
  } catch {
    return url;
  }
}

/**
 * When a 429 (or 503) says we may retry, from `Retry-After` (seconds or HTTP date), else
 * `RateLimit-Reset` / `X-RateLimit-Reset` (seconds to wait, epoch seconds/ms, or ISO time). Null when
 * no header tells.
 */
export function retryAtFrom(headers: Record<string, string>, now: Date): Date | null {
  const ra = headers['retry-after'];
  if (ra !== undefined && ra.trim() !== '') {
    const s = ra.trim();
    if (/^\d+(\.\d+)?$/.test(s)) return new Date(now.getTime() + Number(s) * 1000);
    const t = Date.parse(s);
    if (!Number.isNaN(t)) return new Date(t);
  }
  for (const name of ['ratelimit-reset', 'x-ratelimit-reset', 'x-rate-limit-reset']) {
    const v = headers[name];
    if (v === undefined || v.trim() === '') continue;
    const s = v.trim();
    if (/^\d+(\.\d+)?$/.test(s)) {
      const n = Number(s);
      // Small numbers are "seconds from now" (IETF draft); big ones are epoch seconds or milliseconds.
      if (n < 1e9) return new Date(now.getTime() + n * 1000);
      if (n < 1e12) return new Date(n * 1000);
      return new Date(n);
    }
    const t = Date.parse(s);
    if (!Number.isNaN(t)) return new Date(t);
  }
  return null;
}

/** Next free slot per host, shared by every client of this process. */
const hostSlots = new Map<string, number>();

/** Forgets the per-host rate-limit slots (tests). */
export function resetHostSlots(): void {
  hostSlots.clear();
}

const realSleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** Default tunables. */
export function defaultHttpOptions(source: string): HttpOptions {
  return {
    source,
    userAgent: DEFAULT_USER_AGENT,
    timeoutMs: 20_000,
    maxBodyBytes: 10 * 1024 * 1024,
    retries: 3,
    baseDelayMs: 500,
    maxDelayMs: 30_000,
    maxInlineWaitMs: 10_000,
    defaultRetryAfterMs: 60_000,
    rateLimit: 2,
    sleep: realSleep,
    random: Math.random,
    now: () => new Date(),
    logger: moduleLogger('http').child({ source }),
  };
}

function lowerHeaders(h: AxiosResponse['headers']): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(h ?? {})) {
    if (v === undefined || v === null) continue;
    out[k.toLowerCase()] = Array.isArray(v) ? v.join(', ') : String(v);
  }
  return out;
}

function buildUrl(url: string, params: RequestOptions['params']): string {
  if (!params) return url;
  const u = new URL(url);
  for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== null) u.searchParams.set(k, String(v));
  return u.toString();
}

/** Creates the client of one source. */
export function createHttpClient(opts: Partial<HttpOptions> & { source: string }): HttpClient {
  const o: HttpOptions = { ...defaultHttpOptions(opts.source), ...stripUndefined(opts) };
  const ax: AxiosInstance = axios.create({
    timeout: o.timeoutMs,
    maxContentLength: o.maxBodyBytes,
    maxBodyLength: o.maxBodyBytes,
    responseType: 'arraybuffer',
    decompress: true,
    maxRedirects: 5,
    validateStatus: () => true,
    transitional: { clarifyTimeoutError: true },
    headers: { 'User-Agent': o.userAgent, Accept: 'application/json, application/xml;q=0.9, text/xml;q=0.9, */*;q=0.5' },
  });
  const log = o.logger;

  const waitForSlot = async (url: string): Promise<void> => {
    if (!(o.rateLimit > 0)) return;
    let host: string;
    try {
      host = new URL(url).host;
    } catch {
      return;
    }
    const interval = 1000 / o.rateLimit;
    const nowMs = Date.now();
    const slot = Math.max(nowMs, hostSlots.get(host) ?? 0);
    hostSlots.set(host, slot + interval);
    if (slot > nowMs) await o.sleep(slot - nowMs);
  };

  const backoff = (attempt: number): number => Math.round(o.random() * Math.min(o.maxDelayMs, o.baseDelayMs * 2 ** attempt));

  const get = async (url: string, req: RequestOptions = {}): Promise<HttpResponse> => {
    const full = buildUrl(url, req.params);
    const shown = redactUrl(full);
    for (let attempt = 0; ; attempt++) {
      await waitForSlot(full);
      const started = Date.now();
      let res: AxiosResponse<ArrayBuffer>;
      try {
        res = await ax.get<ArrayBuffer>(full, req.headers ? { headers: req.headers } : {});
      } catch (err) {
        const e = err as { code?: string; message?: string };
        const msg = e.message ?? String(err);
        if (/maxContentLength|maxBodyLength/i.test(msg) || e.code === 'ERR_FR_MAX_BODY_LENGTH_EXCEEDED') {
          throw new ParseError(o.source, `response from ${shown} is larger than ${o.maxBodyBytes} bytes: refused`, { cause: err });
        }
        const what = e.code === 'ETIMEDOUT' || e.code === 'ECONNABORTED' ? `timed out after ${o.timeoutMs} ms` : `${e.code ?? 'network error'}: ${msg}`;
        if (attempt < o.retries && (RETRYABLE_CODES.has(e.code ?? '') || e.code === undefined)) {
          const delay = backoff(attempt);
          log.warn({ url: shown, attempt: attempt + 1, delay_ms: delay, err: what }, `${o.source}: request failed, retrying`);
          await o.sleep(delay);
          continue;
        }
        throw new SourceError(o.source, `GET ${shown} ${what}`, 'NETWORK', { cause: err });
      }
      const headers = lowerHeaders(res.headers);
      const response: HttpResponse = { status: res.status, url: full, headers, body: Buffer.from(res.data ?? new ArrayBuffer(0)) };
      log.debug({ url: shown, status: res.status, bytes: response.body.length, duration_ms: Date.now() - started }, `${o.source}: GET`);
      if ((res.status >= 200 && res.status < 300) || res.status === 304) return response;
      if (res.status === 429 || (res.status === 503 && headers['retry-after'] !== undefined)) {
        const now = o.now();
        const retryAt = retryAtFrom(headers, now) ?? new Date(now.getTime() + o.defaultRetryAfterMs);
        const wait = Math.max(0, retryAt.getTime() - now.getTime());
        if (attempt < o.retries && wait <= o.maxInlineWaitMs) {
          log.warn({ url: shown, status: res.status, wait_ms: wait }, `${o.source}: rate limited, waiting`);
          await o.sleep(wait);
          continue;
        }
        throw new RateLimitedError(o.source, shown, retryAt);
      }
      if (res.status >= 500 && attempt < o.retries) {
        const delay = backoff(attempt);
        log.warn({ url: shown, status: res.status, attempt: attempt + 1, delay_ms: delay }, `${o.source}: server error, retrying`);
        await o.sleep(delay);
        continue;
      }
      throw new HttpError(o.source, res.status, shown);
    }
  };

  return {
    options: o,
    get,
    async getJson<T>(url: string, req: RequestOptions = {}) {
      const response = await get(url, req);
      try {
        return { data: JSON.parse(response.body.toString('utf8')) as T, response };
      } catch (err) {
        throw new ParseError(o.source, `malformed JSON from ${redactUrl(response.url)}: ${(err as Error).message}`, { cause: err });
      }
    },
  };
}

function stripUndefined<T extends object>(o: T): Partial<T> {
  const out: Partial<T> = {};
  for (const [k, v] of Object.entries(o)) if (v !== undefined) (out as Record<string, unknown>)[k] = v;
  return out;
}
