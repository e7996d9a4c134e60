/**
 * Optional email channel through SMTP (nodemailer), configured as
 * `alerts.email: {host, port, secure?, user?, password?, from, to}`. The stored body is JSON
 * `{subject, text}` so a retry sends the same message.
 */
import nodemailer, { type Transporter } from 'nodemailer';
import type { AlertMessage } from './message.js';
import type { AlertsConfig } from './config.js';
import { channelId, type Notifier, type SendResult } from './notifier.js';

/** Plain-text email for a message. */
export function emailContent(msg: AlertMessage): { subject: string; text: string } {
  const a = msg.alert;
  const subject = `[Earshot] ${msg.event === 'alert.resolved' ? 'Resolved: ' : ''}${a.title}`.slice(0, 200);
  const lines = [
    a.title,
    '',
    `Rule: ${a.rule}    Brand: ${a.brand ?? '-'}    Pain point: ${a.painPoint ?? '-'}    Stages: ${a.stages.join(', ') || '-'}`,
    `Observed: ${a.figures.observed}    Expected: ${a.figures.expected}    Score: ${a.figures.score}`,
    `Window: ${a.window.start} to ${a.window.end}`,
    ...(a.url ? [`Open: ${a.url}`] : []),
    '',
    'Evidence:',
    ...msg.evidence.slice(0, 10).map((e) => `- #${e.id} ${e.excerpt}${e.url ? `\n  ${e.url}` : ''}`),
  ];
  return { subject, text: lines.join('\n') };
}

/** Sends alert messages by SMTP. */
export class EmailNotifier implements Notifier {
  readonly type = 'email';
  readonly channel: string;
  readonly label: string;
  private readonly transport: Transporter;

  constructor(private readonly cfg: NonNullable<AlertsConfig['email']>, timeoutMs: number) {
    this.channel = channelId('email', `${cfg.host}:${cfg.port}:${cfg.to.join(',')}`);
    this.label = `email ${cfg.host}`;
    this.transport = nodemailer.createTransport({
      host: cfg.host,
      port: cfg.port,
      secure: cfg.secure,
      connectionTimeout: timeoutMs,
      greetingTimeout: timeoutMs,
      socketTimeout: timeoutMs,
      ...(cfg.user ? { auth: { user: cfg.user, pass: cfg.password ?? '' } } : {}),
    });
  }

  format(msg: AlertMessage): string {
    return JSON.stringify(emailContent(msg));
  }

  async send(body: string, meta: { event: string; deliveryId: number }): Promise<SendResult> {
    try {
      const { subject, text } = JSON.parse(body) as { subject: string; text: string };
      await this.transport.sendMail({ from: this.cfg.from, to: this.cfg.to, subject, text, headers: { 'X-Earshot-Event': meta.event, 'X-Earshot-Delivery': String(meta.deliveryId) } });
      return { ok: true, status: 250, error: null };
    } catch (err) {
      const code = (err as { responseCode?: number }).responseCode ?? null;
      return { ok: false, status: code, error: `${this.label}: ${(err as Error).message}` };
    }
  }
}

/** Factory for the registry: zero or one email notifier. */
export function emailNotifiers(cfg: AlertsConfig): Notifier[] {
  return cfg.email ? [new EmailNotifier(cfg.email, cfg.delivery.timeoutMs)] : [];
}
