/**
 * `/healthz` and `/metrics`: what a load balancer and Prometheus watch.
 *
 * - `GET /healthz`: 200 `{"status":"ok"}` when the database answers `select 1` within 2 s and its schema is
 *   at the version this code needs; 503 with the reason otherwise (a probe restarts or drains the process).
 * - `GET /metrics`: Prometheus text format 0.0.4 — mentions stored, analysis backlog (queued, leased),
 *   per-source last success / last error time and run counts, alerts by status, deliveries by status,
 *   process memory (RSS, heap) and uptime. Every figure is a count of a small table or a planner estimate,
 *   so a scrape every 15 s costs nothing at 1M mentions.
 *
 * Register before authentication (probes carry no token): `registerHealth(app, ctx)`.
 */
import type { Express, Request, Response } from 'express';
import type { Deps } from '../../deps.js';
import { readPipelineMetrics } from '../../db/jobs.js';
import { currentVersion, latestVersion } from '../../db/migrate.js';

const HEALTH_TIMEOUT_MS = 2000;

function withTimeout<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let t: NodeJS.Timeout | undefined;
  return Promise.race([
    p.finally(() => clearTimeout(t)),
    new Promise<T>((_, reject) => {
      t = setTimeout(() => reject(new Error(`health: ${what} took longer than ${ms} ms`)), ms);
    }),
  ]);
}

/** Escapes a Prometheus label value. */
export function promLabel(v: string): string {
  return v.replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/"/g, '\\"');
}

/** Renders the metrics page from the figures (pure, for tests). */
export function renderMetrics(m: Awaited<ReturnType<typeof readPipelineMetrics>>, mem: NodeJS.MemoryUsage, uptimeS: number): string {
  const out: string[] = [];
  const metric = (name: string, type: 'gauge' | 'counter', help: string, rows: [Record<string, string>, number][]): void => {
    out.push(`# HELP ${name} ${help}`, `# TYPE ${name} ${type}`);
    for (const [labels, v] of rows) {
      const l = Object.entries(labels).map(([k, x]) => `${k}="${promLabel(x)}"`).join(',');
      out.push(`${name}${l ? `{${l}}` : ''} ${Number.isFinite(v) ? v : 0}`);
    }
  };
  const secs = (d: Date | null): number => (d ? Math.floor(d.getTime() / 1000) : 0);
  metric('earshot_mentions_total', 'gauge', 'Mentions stored (planner estimate above 100k).', [[{}, m.mentionsTotal]]);
  metric('earshot_analysis_backlog', 'gauge', 'Mentions waiting for analysis.', [[{}, m.analysisQueued]]);
  metric('earshot_analysis_leased', 'gauge', 'Queued mentions a worker holds right now.', [[{}, m.analysisLeased]]);
  metric('earshot_source_last_success_timestamp_seconds', 'gauge', 'Last successful run of a source (0: never).', m.sources.map((s) => [{ source: s.name, type: s.type }, secs(s.lastSuccessAt)]));
  metric('earshot_source_last_error_timestamp_seconds', 'gauge', 'Last failed run of a source (0: never).', m.sources.map((s) => [{ source: s.name, type: s.type }, secs(s.lastErrorAt)]));
  metric('earshot_source_consecutive_errors', 'gauge', 'Failed runs of a source since its last success.', m.sources.map((s) => [{ source: s.name, type: s.type }, s.consecutiveErrors]));
  metric('earshot_source_runs_total', 'counter', 'Runs of a source by outcome.', m.sources.flatMap((s) => [
    [{ source: s.name, type: s.type, outcome: 'ok' }, s.okRuns] as [Record<string, string>, number],
    [{ source: s.name, type: s.type, outcome: 'error' }, s.errorRuns] as [Record<string, string>, number],
  ]));
  metric('earshot_alerts', 'gauge', 'Alerts by status.', m.alerts.map((a) => [{ status: a.status }, a.n]));
  metric('earshot_alert_deliveries', 'gauge', 'Alert deliveries by status.', m.deliveries.map((d) => [{ status: d.status }, d.n]));
  metric('process_resident_memory_bytes', 'gauge', 'Resident set size.', [[{}, mem.rss]]);
  metric('nodejs_heap_used_bytes', 'gauge', 'V8 heap used.', [[{}, mem.heapUsed]]);
  metric('process_uptime_seconds', 'gauge', 'Seconds since the process started.', [[{}, Math.round(uptimeS)]]);
  return `${out.join('\n')}\n`;
}

/** Registers `/healthz` and `/metrics`. */
export function registerHealth(app: Express, ctx: { deps: Deps }): void {
  app.get('/healthz', async (_req: Request, res: Response) => {
    const t0 = Date.now();
    res.set('Cache-Control', 'no-store');
    try {
      await withTimeout(ctx.deps.db.query('select 1'), HEALTH_TIMEOUT_MS, 'select 1');
      const version = await withTimeout(currentVersion(ctx.deps.db), HEALTH_TIMEOUT_MS, 'schema version');
      const want = latestVersion();
      if (version < want) {
        res.status(503).json({ status: 'error', db: 'ok', error: `schema at version ${version}, needs ${want}: run 'earshot migrate'` });
        return;
      }
      res.json({ status: 'ok', db: 'ok', schema: version, latency_ms: Date.now() - t0 });
    } catch (err) {
      res.status(503).json({ status: 'error', db: 'unreachable', error: (err as Error).message });
    }
  });

  app.get('/metrics', async (_req: Request, res: Response) => {
    res.set('Cache-Control', 'no-store');
    try {
      const m = await withTimeout(readPipelineMetrics(ctx.deps.db), 5000, 'metrics query');
      res.type('text/plain; version=0.0.4').send(renderMetrics(m, process.memoryUsage(), process.uptime()));
    } catch (err) {
      res.status(503).type('text/plain').send(`# metrics unavailable: ${(err as Error).message}\n`);
    }
  });
}
