/**
 * `earshot alerts list | ack ID | resolve ID | backtest`: the alert workflow from the command line.
 * The lead wires it into cli.ts with `registerAlertCommands(program, openDeps)`.
 */
import type { Command } from 'commander';
import type { Deps } from '../deps.js';
import { ValidationError } from '../errors.js';
import { acknowledgeAlert, listAlerts, resolveAlert } from '../db/alerts.js';
import type { Alert, AlertStatus } from '../model.js';
import { backtest } from './service.js';

type Open = () => Promise<Deps & { close(): Promise<void> }>;

function parseId(v: string): number {
  const n = Number(v);
  if (!Number.isSafeInteger(n) || n <= 0) throw new ValidationError(`alerts: '${v}' is not an alert id`, { field: 'id' });
  return n;
}

function parseDate(v: string, flag: string): Date {
  const d = new Date(/^\d{4}-\d{2}-\d{2}$/.test(v) ? `${v}T00:00:00Z` : v);
  if (Number.isNaN(d.getTime())) throw new ValidationError(`alerts: ${flag} '${v}' is not a date (YYYY-MM-DD or ISO 8601)`, { field: flag });
  return d;
}

const fmt = (d: Date | null): string => (d ? d.toISOString().replace('T', ' ').slice(0, 16) : '—');

function printTable(rows: string[][]): void {
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
  for (const r of rows) process.stdout.write(`${r.map((c, i) => c.padEnd(widths[i]!)).join('  ').trimEnd()}\n`);
}

function printAlerts(alerts: Alert[]): void {
  if (alerts.length === 0) {
    process.stdout.write('no alerts\n');
    return;
  }
  printTable([
    ['ID', 'STATUS', 'RULE', 'BRAND', 'PAIN POINT', 'OBSERVED', 'EXPECTED', 'OPENED', 'TITLE'],
    ...alerts.map((a) => [String(a.id), a.status, a.rule, a.brand ?? '—', a.painPoint ?? '—', String(a.observed), String(a.expected), fmt(a.openedAt), a.title.slice(0, 80)]),
  ]);
}

async function withDeps<T>(openDeps: Open, fn: (d: Deps) => Promise<T>): Promise<T> {
  const deps = await openDeps();
  try {
    return await fn(deps);
  } finally {
    await deps.close();
  }
}

/** Adds `alerts list|ack|resolve|backtest` to the program. */
export function registerAlertCommands(program: Command, openDeps: Open): void {
  const alerts = program.command('alerts').description('list, acknowledge and resolve alerts; backtest the rules');
  alerts
    .command('list')
    .description('alerts, active first')
    .option('--status <status>', 'open | acknowledged | resolved | active')
    .option('--brand <name>', 'one brand')
    .option('--limit <n>', 'at most this many', '50')
    .option('--json', 'one JSON object per line')
    .action(async (o: { status?: string; brand?: string; limit: string; json?: boolean }) => {
      await withDeps(openDeps, async (d) => {
        const rows = await listAlerts(d.db, { status: o.status as AlertStatus | 'active' | undefined, brand: o.brand, limit: Number(o.limit) || 50 });
        if (o.json) for (const a of rows) process.stdout.write(`${JSON.stringify(a)}\n`);
        else printAlerts(rows);
      });
    });
  alerts
    .command('ack <id>')
    .description('acknowledge an open alert')
    .option('--by <name>', 'who acknowledges', process.env.USER || 'cli')
    .option('--note <text>', 'a note')
    .action(async (id: string, o: { by: string; note?: string }) => {
      await withDeps(openDeps, async (d) => {
        const a = await acknowledgeAlert(d.db, parseId(id), o.by, o.note ?? null, d.now());
        process.stdout.write(`alert ${a.id} acknowledged by ${a.acknowledgedBy} at ${fmt(a.acknowledgedAt)}\n`);
      });
    });
  alerts
    .command('resolve <id>')
    .description('resolve an open or acknowledged alert')
    .option('--by <name>', 'who resolves', process.env.USER || 'cli')
    .option('--note <text>', 'what was done')
    .action(async (id: string, o: { by: string; note?: string }) => {
      await withDeps(openDeps, async (d) => {
        const a = await resolveAlert(d.db, parseId(id), o.by, o.note ?? null, d.now());
        process.stdout.write(`alert ${a.id} resolved by ${a.resolvedBy} at ${fmt(a.resolvedAt)}\n`);
      });
    });
  alerts
    .command('backtest')
    .description('replay stored mentions and list the alerts the current rules would have raised (sends and stores nothing)')
    .requiredOption('--from <date>', 'start (YYYY-MM-DD or ISO 8601)')
    .requiredOption('--to <date>', 'end')
    .option('--step <minutes>', 'evaluate every N minutes', '15')
    .option('--json', 'one JSON object per line')
    .action(async (o: { from: string; to: string; step: string; json?: boolean }) => {
      const from = parseDate(o.from, '--from');
      const to = parseDate(o.to, '--to');
      if (to <= from) throw new ValidationError('alerts: --to must be after --from', { field: '--to' });
      const step = Number(o.step);
      if (!(step >= 1)) throw new ValidationError(`alerts: --step '${o.step}' is not a number of minutes`, { field: '--step' });
      await withDeps(openDeps, async (d) => {
        const rows = await backtest(d, { from, to, stepMinutes: step });
        if (o.json) {
          for (const r of rows) process.stdout.write(`${JSON.stringify(r)}\n`);
          return;
        }
        if (rows.length === 0) {
          process.stdout.write('no alerts would have been raised\n');
          return;
        }
        printTable([
          ['OPENED', 'RESOLVED', 'RULE', 'BRAND', 'PAIN POINT', 'PEAK', 'EXPECTED', 'SCORE', 'TITLE'],
          ...rows.map((r) => [fmt(r.openedAt), fmt(r.resolvedAt), r.rule, r.brand, r.painPoint ?? '—', String(r.peakObserved), String(r.expected), String(r.score), r.title.slice(0, 80)]),
        ]);
        process.stdout.write(`${rows.length} alert(s) would have been raised\n`);
      });
    });
}
