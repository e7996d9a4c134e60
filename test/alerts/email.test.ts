/**
 * The email channel against a tiny SMTP server on 127.0.0.1 (just enough of RFC 5321 for nodemailer):
 * the message carries subject, figures and evidence; a refused message is a failed attempt naming it.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import net from 'node:net';
import type { AddressInfo } from 'node:net';
import { EmailNotifier, emailContent } from '../../alerts/email.js';
import { buildMessage } from '../../alerts/message.js';

interface Mail { from: string; to: string[]; data: string }

/** Accepts every message (or answers `reject` to DATA), recording what it got. */
function smtpServer(opts: { reject?: string } = {}) {
  const mails: Mail[] = [];
  const server = net.createServer((sock) => {
    let mail: Mail = { from: '', to: [], data: '' };
    let inData = false;
    let buf = '';
    sock.write('220 localhost ESMTP test\r\n');
    sock.on('data', (chunk) => {
      buf += chunk.toString('utf8');
      let i: number;
      while ((i = buf.indexOf('\r\n')) >= 0) {
        const line = buf.slice(0, i);
        buf = buf.slice(i + 2);
        if (inData) {
          if (line === '.') {
            inData = false;
            mails.push(mail);
            mail = { from: '', to: [], data: '' };
            sock.write('250 OK queued\r\n');
          } else mail.data += `${line.startsWith('..') ? line.slice(1) : line}\n`;
          continue;
        }
        const cmd = line.slice(0, 4).toUpperCase();
        if (cmd === 'EHLO' || cmd === 'HELO') sock.write('250-localhost\r\n250 8BITMIME\r\n');
        else if (cmd === 'MAIL') {
          mail.from = line;
          sock.write('250 OK\r\n');
        } else if (cmd === 'RCPT') {
          mail.to.push(line);
          sock.write('250 OK\r\n');
        } else if (cmd === 'DATA') {
          if (opts.reject) sock.write(`${opts.reject}\r\n`);
          else {
            inData = true;
            sock.write('354 go ahead\r\n');
          }
        } else if (cmd === 'QUIT') sock.end('221 bye\r\n');
        else sock.write('250 OK\r\n');
      }
    });
  });
  return {
    mails,
    listen: () => new Promise<number>((r) => server.listen(0, '127.0.0.1', () => r((server.address() as AddressInfo).port))),
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
}

const msg = buildMessage({
  event: 'alert.opened', id: 3, rule: 'pain-point-surge', key: 'Acme:delivery', brand: 'Acme', title: 'Acme: 12 delivery complaints in 2 h', status: 'open',
  painPoint: 'delivery', stages: ['experience'], windowStart: new Date('2025-04-05T09:00:00Z'), windowEnd: new Date('2025-04-05T11:00:00Z'),
  observed: 12, expected: 1.5, score: 8.1, openedAt: new Date('2025-04-05T11:00:00Z'), resolvedAt: null, details: {}, at: new Date('2025-04-05T11:00:00Z'),
  evidence: [{ id: 42, text: 'My parcel never arrived', url: 'https://example.test/m/42', author: 'x', authorReach: 10, publishedAt: new Date('2025-04-05T10:00:00Z'), sentiment: 'negative', stage: 'experience', painPoints: ['delivery'] }],
});
const cfg = (port: number) => ({ host: '127.0.0.1', port, secure: false, from: 'earshot@example.test', to: ['cx@example.test', 'lead@example.test'] });

describe('email channel', () => {
  const ok = smtpServer();
  const refusing = smtpServer({ reject: '554 5.7.1 rejected: spam' });
  let okPort = 0;
  let refusingPort = 0;
  beforeAll(async () => {
    okPort = await ok.listen();
    refusingPort = await refusing.listen();
  });
  afterAll(async () => {
    await ok.close();
    await refusing.close();
  });

  it('sends the alert with subject, figures and evidence to every recipient', async () => {
    const n = new EmailNotifier(cfg(okPort), 2000);
    const body = n.format(msg);
    expect(JSON.parse(body)).toEqual(emailContent(msg));
    const r = await n.send(body, { event: 'alert.opened', deliveryId: 9 });
    expect(r).toEqual({ ok: true, status: 250, error: null });
    expect(ok.mails).toHaveLength(1);
    const m = ok.mails[0]!;
    // nodemailer sends long lines quoted-printable: undo soft breaks and =XX escapes.
    const text = m.data.replace(/=\n/g, '').replace(/=([0-9A-F]{2})/g, (_, h: string) => String.fromCharCode(parseInt(h, 16)));
    expect(m.to.join(' ')).toMatch(/cx@example\.test.*lead@example\.test/);
    expect(m.data).toMatch(/^Subject: \[Earshot\] Acme: 12 delivery complaints in 2 h$/m);
    expect(m.data).toMatch(/^X-Earshot-Delivery: 9$/m);
    expect(text).toContain('Rule: pain-point-surge    Brand: Acme    Pain point: delivery    Stages: experience');
    expect(text).toContain('Observed: 12    Expected: 1.5    Score: 8.1');
    expect(text).toContain('- #42 My parcel never arrived');
  });

  it('a refused message is a failed attempt with the SMTP code and the channel named', async () => {
    const n = new EmailNotifier(cfg(refusingPort), 2000);
    const r = await n.send(n.format(msg), { event: 'alert.opened', deliveryId: 10 });
    expect(r.ok).toBe(false);
    expect(r.status).toBe(554);
    expect(r.error).toMatch(/^email 127\.0\.0\.1: .*554/);
  });
});
