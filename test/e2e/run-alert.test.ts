/**
 * Issue 7's end-to-end check: a burst of negative delivery complaints lands in a running `earshot run`
 * (through a `file` source on a 2-second schedule) and a signed webhook reaches a local receiver
 * within one scheduler tick of the alerts: collected → analysed → evaluated → delivered.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { BIN, createCliScratch, type CliScratch } from '../helpers/cli-env.js';
import { startWebhookReceiver, type WebhookReceiver } from '../helpers/webhook-receiver.js';
import type { AlertMessage } from '../../alerts/message.js';

const SECRET = 'e2e-secret';
const TICK_SECONDS = 2;

let dir: string;
let env: NodeJS.ProcessEnv;
let scratch: CliScratch;
let rx: WebhookReceiver;
let child: ChildProcess | null = null;

const line = (id: string, text: string, at: Date): string => JSON.stringify({ id, text, author: `user-${id}`, published_at: at.toISOString() });

beforeAll(async () => {
  scratch = await createCliScratch('e2e');
  dir = scratch.dir;
  env = scratch.env;
  rx = await startWebhookReceiver({ secret: SECRET });
  // Two weeks of quiet history: a couple of ordinary mentions a day.
  const now = Date.now();
  const history: string[] = [];
  for (let d = 14; d >= 1; d--) {
    history.push(line(`h${d}a`, 'Ordered from Parcelo again, parcel arrived on time', new Date(now - d * 86_400_000)));
    history.push(line(`h${d}b`, 'Does Parcelo deliver on Sundays?', new Date(now - d * 86_400_000 + 3_600_000)));
  }
  fs.writeFileSync(path.join(dir, 'mentions.jsonl'), history.join('\n') + '\n');
  fs.writeFileSync(
    path.join(dir, 'earshot.yaml'),
    `brands:
  - name: Parcelo
    own: true
    query: parcelo
sources:
  - name: inbox
    type: file
    path: mentions.jsonl
    schedule: '*/${TICK_SECONDS} * * * * *'
alerts:
  schedule: '*/${TICK_SECONDS} * * * * *'
  webhooks:
    - url: ${rx.url}/hook
      secret: ${SECRET}
      format: json
`,
  );
});

afterAll(async () => {
  if (child && child.exitCode === null) {
    child.kill('SIGTERM');
    await new Promise((r) => child!.once('exit', r));
  }
  await rx?.close();
  await scratch?.cleanup();
});

describe('earshot run end to end', () => {
  it('turns a burst of delivery complaints into one signed webhook within a scheduler tick', { timeout: 120_000 }, async () => {
    child = spawn(process.execPath, [BIN, '--data', path.join(dir, 'data'), 'run', '--port', '0'], { cwd: dir, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
    await new Promise<void>((resolve, reject) => {
      const t = setTimeout(() => reject(new Error(`run did not start: ${stderr}`)), 60_000);
      child!.stdout!.on('data', (d: Buffer) => {
        if (d.toString().includes('Earshot is running')) {
          clearTimeout(t);
          resolve();
        }
      });
    });
    // Let the history be collected and analysed; the quiet history raises nothing.
    await new Promise((r) => setTimeout(r, 5 * TICK_SECONDS * 1000));
    expect(rx.received).toHaveLength(0);

    const now = Date.now();
    const burst = [
      'Parcelo lost my parcel, tracking says delivered but nothing arrived',
      'Third day waiting for my Parcelo delivery, the driver never showed up',
      'Parcelo delivery failed again, package stuck at the depot for a week',
      'where is my parcel @parcelo?? still not delivered',
      'Parcelo left my package in the rain, never again',
      'Parcelo courier marked it delivered, nothing here. Useless',
      'My Parcelo order is 5 days late and no one answers',
      'Parcelo missed the delivery slot twice, I took a day off for nothing',
      'parcelo delivery is a joke, parcel returned to sender without trying',
      'Still no delivery from Parcelo, the tracking has not moved since Monday',
      'Parcelo driver threw my parcel over the fence, box crushed and late',
      'Parcelo failed delivery again, this is the worst courier',
    ].map((t, i) => line(`burst-${i}`, t, new Date(now - (12 - i) * 60_000)));
    const appendedAt = Date.now();
    fs.appendFileSync(path.join(dir, 'mentions.jsonl'), burst.join('\n') + '\n');

    // One tick to collect, the pass that follows analyses, evaluates and delivers: allow two ticks
    // plus processing time on a loaded CI machine.
    const [hook] = await rx.waitFor(1, 30_000);
    const latencyMs = Date.now() - appendedAt;
    expect(hook!.verified).toBe(true);
    expect(hook!.event).toBe('alert.opened');
    const msg = hook!.body as AlertMessage;
    expect(msg.alert.brand).toBe('Parcelo');
    expect(msg.alert.figures.observed).toBeGreaterThanOrEqual(6);
    expect(msg.alert.figures.observed).toBeGreaterThan(msg.alert.figures.expected);
    // The evidence is the burst itself.
    expect(msg.evidence.length).toBeGreaterThan(0);
    expect(msg.evidence.every((e) => /parcelo/i.test(e.excerpt))).toBe(true);
    expect(msg.evidence.some((e) => e.sentiment === 'negative')).toBe(true);
    expect(latencyMs).toBeLessThan(30_000);
    process.stderr.write(`e2e: burst appended → webhook received in ${latencyMs} ms (alert tick ${TICK_SECONDS} s)\n`);

    // Later ticks during the same spike update the alerts; none is sent twice.
    await new Promise((r) => setTimeout(r, 3 * TICK_SECONDS * 1000));
    const keys = rx.received.map((h) => `${(h.body as AlertMessage).alert.rule}|${(h.body as AlertMessage).alert.key}|${h.event}`);
    expect(new Set(keys).size).toBe(keys.length);
    // Among them, the pain point that surged: delivery (or its close cousins in this burst).
    const pains = rx.received.map((h) => (h.body as AlertMessage).alert.painPoint).filter(Boolean);
    expect(pains.some((p) => p === 'delivery' || p === 'lost-item' || p === 'delay')).toBe(true);
  });
});
