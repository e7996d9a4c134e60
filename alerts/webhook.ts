/**
 * Webhook delivery: a signed POST per message (miniflux internal/integration/webhook).
 *
 * Headers: `Content-Type: application/json`, `User-Agent: Earshot-Webhook/1`, `X-Earshot-Event`
 * (alert.opened | alert.resolved), `X-Earshot-Delivery` (the delivery id: receivers de-duplicate on it,
 * since a message may arrive twice if the process stops between a 2xx and recording it), and with a
 * secret `X-Earshot-Signature: sha256=<hex HMAC-SHA256 of the exact body bytes with the secret>`.
 *
 * Bodies: `format: json` sends the AlertMessage as is (event, alert {rule, brand, painPoint, stages,
 * window, figures}, evidence [{id, excerpt, url, …}]); `format: slack` sends Slack's incoming-webhook
 * shape (`text` plus `blocks`).
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import axios, { type AxiosInstance } from 'axios';
import type { AlertMessage } from './message.js';
import type { AlertsConfig } from './config.js';
import { channelId, type Notifier, type SendResult } from './notifier.js';

/** Header names. */
export const SIGNATURE_HEADER = 'X-Earshot-Signature';
export const EVENT_HEADER = 'X-Earshot-Event';
export const DELIVERY_HEADER = 'X-Earshot-Delivery';

/** `sha256=<hex>` for a body and secret. */
export function signBody(body: string | Buffer, secret: string): string {
  return `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`;
}

/** Checks a signature header against the raw body, in constant time. For receivers and tests. */
export function verifySignature(body: string | Buffer, secret: string, header: string | null | undefined): boolean {
  if (!header) return false;
  const want = Buffer.from(signBody(body, secret));
  const got = Buffer.from(header);
  return want.length === got.length && timingSafeEqual(want, got);
}

/** The generic JSON body. */
export function jsonPayload(msg: AlertMessage): string {
  return JSON.stringify(msg);
}

/** A Slack-compatible body: a fallback `text` and blocks with the figures and up to five evidence lines. */
export function slackPayload(msg: AlertMessage): string {
  const a = msg.alert;
  const head = msg.event === 'alert.resolved' ? `Resolved: ${a.title}` : a.title;
  const fig = `*Rule* ${a.rule}  ·  *Brand* ${a.brand ?? '—'}  ·  *Pain point* ${a.painPoint ?? '—'}  ·  *Stages* ${a.stages.join(', ') || '—'}\n` +
    `*Observed* ${a.figures.observed}  ·  *Expected* ${a.figures.expected}  ·  *Score* ${a.figures.score}  ·  ${a.window.start.slice(0, 16)}–${a.window.end.slice(11, 16)} UTC`;
  const esc = (s: string): string => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
  const lines = msg.evidence.slice(0, 5).map((e) => `• ${e.url ? `<${e.url}|#${e.id}>` : `#${e.id}`} ${esc(e.excerpt.slice(0, 200))}`);
  const blocks: unknown[] = [
    { type: 'header', text: { type: 'plain_text', text: head.slice(0, 150) } },
    { type: 'section', text: { type: 'mrkdwn', text: esc(fig) } },
  ];
  if (lines.length) blocks.push({ type: 'section', text: { type: 'mrkdwn', text: lines.join('\n') } });
  if (a.url) blocks.push({ type: 'context', elements: [{ type: 'mrkdwn', text: `<${a.url}|Open alert #${a.id} in Earshot>` }] });
  return JSON.stringify({ text: head, blocks });
}

/** Turns an axios failure into "webhook <host>: HTTP 500" / "timeout after 5000 ms" / "ECONNREFUSED". */
export function describeFailure(label: string, err: unknown, timeoutMs: number): { status: number | null; error: string } {
  if (axios.isAxiosError(err)) {
    if (err.response) return { status: err.response.status, error: `${label}: HTTP ${err.response.status}` };
    if (err.code === 'ECONNABORTED' || err.code === 'ETIMEDOUT' || /timeout/i.test(err.message)) return { status: null, error: `${label}: timeout after ${timeoutMs} ms` };
    return { status: null, error: `${label}: ${err.code ?? err.message}` };
  }
  return { status: null, error: `${label}: ${(err as Error)?.message ?? String(err)}` };
}

/** One configured webhook. */
export class WebhookNotifier implements Notifier {
  readonly type = 'webhook';
  readonly channel: string;
  readonly label: string;
  private readonly http: AxiosInstance;

  constructor(
    private readonly hook: { url: string; secret?: string | undefined; format: 'json' | 'slack' },
    private readonly timeoutMs: number,
  ) {
    this.channel = channelId('webhook', hook.url);
    this.label = `webhook ${new URL(hook.url).host}`;
    this.http = axios.create({ timeout: timeoutMs, maxRedirects: 0, validateStatus: (s) => s >= 200 && s < 300, transitional: { clarifyTimeoutError: true } });
  }

  format(msg: AlertMessage): string {
    return this.hook.format === 'slack' ? slackPayload(msg) : jsonPayload(msg);
  }

  async send(body: string, meta: { event: string; deliveryId: number }): Promise<SendResult> {
    const headers: Record<string, string> = {
      'Content-Type': 'application/json',
      'User-Agent': 'Earshot-Webhook/1',
      [EVENT_HEADER]: meta.event,
      [DELIVERY_HEADER]: String(meta.deliveryId),
    };
    if (this.hook.secret) headers[SIGNATURE_HEADER] = signBody(body, this.hook.secret);
    try {
      const res = await this.http.post(this.hook.url, body, { headers, transformRequest: [(d: unknown) => d], responseType: 'text' });
      return { ok: true, status: res.status, error: null };
    } catch (err) {
      return { ok: false, ...describeFailure(this.label, err, this.timeoutMs) };
    }
  }
}

/** Factory for the registry: one notifier per `alerts.webhooks` entry. */
export function webhookNotifiers(cfg: AlertsConfig): Notifier[] {
  return cfg.webhooks.map((h) => new WebhookNotifier(h, cfg.delivery.timeoutMs));
}
