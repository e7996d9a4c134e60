/**
 * `earshot alerts list | ack | resolve | backtest` through registerAlertCommands on a fresh commander
 * program, against a real database with a generated spike (the injected clock is the deps' `now`).
 */
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { Command } from 'commander';
import { openTestDb, DB_KIND } from '../helpers/db.js';
import type { Db } from '../../db/index.js';
import type { Deps } from '../../deps.js';
import { parseConfig } from '../../config.js';
import { logger } from '../../log.js';
import { registerAlertCommands } from '../../alerts/cli.js';
import { runAlertCycle } from '../../alerts/service.js';
import { listAlertEvents, listAlerts } from '../../db/alerts.js';
import { background, insertMentions, makeBrand, prng } from './series.js';

const NOW = new Date('2025-05-06T10:20:00Z');
let db: Db;
let opened = 0;
let closed = 0;

function deps(): Deps {
  const config = parseConfig(`brands: [{name: Acme, query: acme}]\nalerts:\n  rules: {emergingComplaint: {enabled: false}}\n`);
  return { db, config, logger, now: () => NOW };
}

/** Runs one command line; returns what it printed. */
async function cli(...args: string[]): Promise<string> {
  const program = new Command().exitOverride();
  registerAlertCommands(program, async () => {
    opened++;
    return { ...deps(), close: async () => void closed++ };
  });
  const out: string[] = [];
  const spy = vi.spyOn(process.stdout, 'write').mockImplementation((s: string | Uint8Array) => (out.push(String(s)), true));
  try {
    await program.parseAsync(['node', 'earshot', ...args]);
  } finally {
    spy.mockRestore();
  }
  return out.join('');
}

describe(`earshot alerts CLI (${DB_KIND})`, () => {
  beforeAll(async () => {
    db = await openTestDb();
    const ids = await makeBrand(db, 'Acme');
    await insertMentions(db, ids, background(prng(5), new Date('2025-05-01T00:00:00Z'), 5 * 24 + 9, () => 4));
    await insertMentions(db, ids, Array.from({ length: 30 }, (_, i) => ({
      at: new Date(Date.parse('2025-05-06T10:00:00Z') + i * 40_000), text: `Acme lost my bag ${i}`, label: 'negative' as const, pains: ['baggage'], stage: 'experience',
    })));
    expect((await runAlertCycle(deps())).opened).toBeGreaterThanOrEqual(1);
  });
  afterAll(async () => db?.close());

  it('list prints the open alerts as a table, or JSON lines', async () => {
    const text = await cli('alerts', 'list');
    const lines = text.trim().split('\n');
    expect(lines[0]).toMatch(/^ID\s+STATUS\s+RULE\s+BRAND\s+PAIN POINT\s+OBSERVED\s+EXPECTED\s+OPENED\s+TITLE$/);
    expect(lines.slice(1).every((l) => /^\d+\s+open\s+\S+\s+Acme\s/.test(l))).toBe(true);
    expect(text).toContain('volume-spike');
    const json = (await cli('alerts', 'list', '--json', '--status', 'open')).trim().split('\n').map((l) => JSON.parse(l));
    expect(json.map((a) => a.rule)).toContain('volume-spike');
    expect(await cli('alerts', 'list', '--status', 'resolved')).toBe('no alerts\n');
    expect(opened).toBe(closed);
  });

  it('ack and resolve move the alert on, recording who, when and the note; a wrong step throws', async () => {
    const vol = (await listAlerts(db)).find((a) => a.rule === 'volume-spike')!;
    expect(await cli('alerts', 'ack', String(vol.id), '--by', 'dana', '--note', 'looking')).toBe(`alert ${vol.id} acknowledged by dana at 2025-05-06 10:20\n`);
    await expect(cli('alerts', 'ack', String(vol.id), '--by', 'dana')).rejects.toThrow(/only an open alert can be acknowledged/);
    expect(await cli('alerts', 'resolve', String(vol.id), '--by', 'lee', '--note', 'found the bags')).toBe(`alert ${vol.id} resolved by lee at 2025-05-06 10:20\n`);
    expect((await listAlertEvents(db, vol.id)).slice(1).map((e) => [e.kind, e.by, e.note])).toEqual([['acknowledged', 'dana', 'looking'], ['resolved', 'lee', 'found the bags']]);
    await expect(cli('alerts', 'resolve', '999999', '--by', 'lee')).rejects.toThrow(/no alert with id 999999/);
    await expect(cli('alerts', 'ack', 'abc')).rejects.toThrow(/'abc' is not an alert id/);
    expect(opened).toBe(closed);
  });

  it('backtest lists what the rules would have raised, and stores nothing', async () => {
    const before = (await listAlerts(db)).length;
    const text = await cli('alerts', 'backtest', '--from', '2025-05-06T06:00:00Z', '--to', '2025-05-06T14:00:00Z', '--step', '20');
    expect(text).toMatch(/^OPENED\s+RESOLVED\s+RULE/);
    expect(text).toMatch(/2025-05-06 10:20\s+\S.*volume-spike\s+Acme/);
    expect(text).toMatch(/\d+ alert\(s\) would have been raised\n$/);
    const rows = (await cli('alerts', 'backtest', '--from', '2025-05-06', '--to', '2025-05-06T14:00:00Z', '--json')).trim().split('\n').map((l) => JSON.parse(l));
    expect(rows.filter((r) => r.rule === 'volume-spike')).toHaveLength(1);
    expect(await cli('alerts', 'backtest', '--from', '2025-05-02', '--to', '2025-05-05')).toBe('no alerts would have been raised\n');
    await expect(cli('alerts', 'backtest', '--from', '2025-05-06', '--to', '2025-05-01')).rejects.toThrow(/--to must be after --from/);
    expect((await listAlerts(db)).length).toBe(before);
  });
});
