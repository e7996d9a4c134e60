/**
 * A local webhook receiver on 127.0.0.1 for alert tests (uptime-kuma's mock-webhook, ky's test
 * server): records every request with its raw body and whether `X-Earshot-Signature` verifies with
 * `secret`. `respond` picks each reply's status (default 200); `delayMs` holds replies (timeouts).
 *
 *   const rx = await startWebhookReceiver({ secret: 's3cret' });
 *   // config: alerts.webhooks: [{ url: rx.url, secret: 's3cret' }]
 *   await rx.waitFor(1);  expect(rx.received[0].verified).toBe(true);
 *   await rx.close();
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { verifySignature } from '../../alerts/webhook.js';

/** One request the receiver got. */
export interface ReceivedWebhook {
  path: string;
  headers: http.IncomingHttpHeaders;
  raw: string;
  body: unknown;
  event: string | null;
  verified: boolean;
  status: number;
}

/** A running receiver. */
export interface WebhookReceiver {
  url: string;
  received: ReceivedWebhook[];
  /** Resolves when at least `n` requests arrived (rejects after `timeoutMs`, default 5 s). */
  waitFor(n: number, timeoutMs?: number): Promise<ReceivedWebhook[]>;
  close(): Promise<void>;
}

/** Starts a receiver on a free port of 127.0.0.1. */
export async function startWebhookReceiver(opts: { secret?: string; respond?: (n: number) => number; delayMs?: (n: number) => number } = {}): Promise<WebhookReceiver> {
  const received: ReceivedWebhook[] = [];
  const waiters: (() => void)[] = [];
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const raw = Buffer.concat(chunks).toString('utf8');
      const n = received.length;
      const status = opts.respond?.(n) ?? 200;
      let body: unknown;
      try {
        body = JSON.parse(raw);
      } catch {
        body = null;
      }
      const sig = req.headers['x-earshot-signature'];
      received.push({
        path: req.url ?? '/',
        headers: req.headers,
        raw,
        body,
        event: (req.headers['x-earshot-event'] as string | undefined) ?? null,
        verified: opts.secret ? verifySignature(raw, opts.secret, Array.isArray(sig) ? sig[0] : sig) : false,
        status,
      });
      waiters.splice(0).forEach((w) => w());
      const reply = () => {
        res.statusCode = status;
        res.end(status < 300 ? 'ok' : 'error');
      };
      const delay = opts.delayMs?.(n) ?? 0;
      if (delay > 0) setTimeout(reply, delay);
      else reply();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/hook`,
    received,
    async waitFor(n, timeoutMs = 5000) {
      const end = Date.now() + timeoutMs;
      while (received.length < n) {
        if (Date.now() > end) throw new Error(`webhook-receiver: waited ${timeoutMs} ms for ${n} requests, got ${received.length}`);
        await new Promise<void>((r) => {
          waiters.push(r);
          setTimeout(r, 50);
        });
      }
      return received;
    },
    close: () => new Promise<void>((resolve) => { server.closeAllConnections(); server.close(() => resolve()); }),
  };
}
