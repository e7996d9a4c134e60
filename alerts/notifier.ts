/**
 * Notifiers: one small interface, one explicit registry (uptime-kuma's notification providers,
 * miniflux's integrations). A notifier turns a message into the exact body it sends (stored with the
 * delivery, so a retry after a restart sends the same bytes) and makes one attempt to send it; the
 * service owns retries, backoff and the delivery log.
 */
import { createHash } from 'node:crypto';
import type { AlertMessage } from './message.js';
import type { AlertsConfig } from './config.js';
import { ConfigError } from '../errors.js';

/** The outcome of one attempt. */
export interface SendResult {
  ok: boolean;
  /** HTTP status (webhooks) or SMTP reply code, when there was one. */
  status: number | null;
  /** What went wrong, with the channel named: "webhook hooks.example.com: HTTP 500". */
  error: string | null;
}

/** One channel an alert goes to. */
export interface Notifier {
  /** Kind: 'webhook', 'email'. */
  readonly type: string;
  /** Stable id stored with deliveries (no secrets in it). */
  readonly channel: string;
  /** Human label for logs ("webhook hooks.example.com"). */
  readonly label: string;
  /** The exact body for this message. */
  format(msg: AlertMessage): string;
  /** One attempt. Never throws: failures come back as `ok: false`. */
  send(body: string, meta: { event: string; deliveryId: number }): Promise<SendResult>;
}

/** Builds the notifiers of one type from the alerts config. */
export type NotifierFactory = (cfg: AlertsConfig) => Notifier[];

/** A short stable id for a secret-bearing string (Slack webhook URLs carry a token). */
export function channelId(type: string, identity: string): string {
  return `${type}:${createHash('sha256').update(identity).digest('hex').slice(0, 12)}`;
}

/**
 * The registry: notifier types by name. Refuses a duplicate type, and a duplicate channel (the same
 * webhook configured twice would send everything twice).
 */
export class NotifierRegistry {
  private readonly factories = new Map<string, NotifierFactory>();

  /** Adds a type; throws on a duplicate name. */
  register(type: string, factory: NotifierFactory): this {
    if (this.factories.has(type)) throw new ConfigError(`alerts: notifier type '${type}' registered twice`);
    this.factories.set(type, factory);
    return this;
  }

  /** Every configured channel. */
  create(cfg: AlertsConfig): Notifier[] {
    const out: Notifier[] = [];
    const seen = new Set<string>();
    for (const [, factory] of this.factories) {
      for (const n of factory(cfg)) {
        if (seen.has(n.channel)) throw new ConfigError(`alerts: ${n.label} is configured twice`, 'alerts');
        seen.add(n.channel);
        out.push(n);
      }
    }
    return out;
  }
}
