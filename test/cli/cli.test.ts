/**
 * The CLI as a user runs it: `node bin/earshot.js …` in a scratch directory, on PGlite (a data
 * directory of its own) or, with DATABASE_URL, on a private schema of the PostgreSQL server.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { BIN, createCliScratch, type CliScratch } from '../helpers/cli-env.js';

const ROOT = path.resolve(import.meta.dirname, '../..');
const HN_FIXTURE = fs.readFileSync(path.join(ROOT, 'test/fixtures/hackernews/search_story_query_model_context_protocol_2026.json'), 'utf8');

let dir: string;
let env: NodeJS.ProcessEnv;

function earshot(args: string[], input?: string): { code: number; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [BIN, ...args], { cwd: dir, env, input, encoding: 'utf8', timeout: 60_000 });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

function writeConfig(extraSources = ''): void {
  fs.writeFileSync(
    path.join(dir, 'earshot.yaml'),
    `brands:
  - name: MCP
    query: '"model context protocol" OR mcp'
    own: true
  - name: Brightwave
    aliases: [bright wave]
    query: brightwave
sources:
${extraSources || '  []'}
`,
  );
}

let scratch: CliScratch;
beforeAll(async () => {
  scratch = await createCliScratch('cli');
  dir = scratch.dir;
  env = scratch.env;
});

afterAll(async () => {
  await scratch?.cleanup();
});

describe('earshot CLI', { timeout: 120_000 }, () => {
  it('init writes a starter config that validates, and refuses to overwrite it', () => {
    const first = earshot(['init']);
    expect(first.code, first.stderr).toBe(0);
    expect(fs.readFileSync(path.join(dir, 'earshot.yaml'), 'utf8')).toContain('brands:');
    const again = earshot(['init']);
    expect(again.code).toBe(1);
    expect(again.stderr).toMatch(/already exists.*--force/);
  });

  it('names the config key and the problem on a bad config', () => {
    fs.writeFileSync(path.join(dir, 'bad.yaml'), `brands:\n  - name: A\n    query: a\n  - name: B\n    query: '(b OR c'\n`);
    const r = earshot(['--config', 'bad.yaml', 'analyze']);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/brands\[1\]\.query: .*parenthes/i);
    fs.writeFileSync(path.join(dir, 'bad2.yaml'), `brands:\n  - name: A\nsources:\n  - name: x\n    type: carrier-pigeon\n`);
    const r2 = earshot(['--config', 'bad2.yaml', 'analyze']);
    expect(r2.code).toBe(1);
    expect(r2.stderr).toMatch(/sources\[0\]\.type/);
  });

  it('score prints one analysis per input line with exactly the documented keys', () => {
    const input = [
      JSON.stringify({ id: 'a', text: 'Three hours on hold and still no refund. Never again.' }),
      '{not json',
      JSON.stringify({ id: 'b', text: 'Thank you so much, the support team was brilliant!' }),
    ].join('\n');
    const r = earshot(['score'], input);
    expect(r.code).toBe(1); // one bad line is reported, the others are scored
    expect(r.stderr).toMatch(/line 2: not valid JSON/);
    const out = r.stdout.trim().split('\n').map((l) => JSON.parse(l));
    expect(out).toHaveLength(2);
    for (const rec of out) expect(Object.keys(rec).sort()).toEqual(['brands', 'id', 'language', 'painPoints', 'sentiment', 'stage']);
    expect(out[0].id).toBe('a');
    expect(out[0].sentiment.label).toBe('negative');
    expect(out[1].sentiment.label).toBe('positive');
  });

  it('score reads CSV with --id-column and --text-column', () => {
    fs.writeFileSync(path.join(dir, 'texts.csv'), 'ticket,body\nT1,"My router arrived broken, the box was crushed"\nT2,Where is my parcel? Ordered two weeks ago\n');
    const r = earshot(['score', 'texts.csv', '--id-column', 'ticket', '--text-column', 'body']);
    expect(r.code, r.stderr).toBe(0);
    const out = r.stdout.trim().split('\n').map((l) => JSON.parse(l));
    expect(out.map((o) => o.id)).toEqual(['T1', 'T2']);
    expect(out[0].painPoints.map((p: { id: string }) => p.id)).toContain('damaged-item');
  });

  it('score names a missing CSV column once, with the header, and a broken CSV with its line', () => {
    fs.writeFileSync(path.join(dir, 'tickets.csv'), 'ticket,body\nT1,Parcel lost\nT2,Refund still pending\n');
    const r = earshot(['score', 'tickets.csv', '--text-column', 'message']);
    expect(r.code).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(/tickets\.csv: no column 'message' in the CSV header \(columns: ticket, body\)/);
    // A quoted field spanning lines is one record; an unclosed quote stops the file at its line.
    fs.writeFileSync(path.join(dir, 'broken.csv'), 'ticket,body\nT1,"Box crushed,\nscreen cracked"\nT2,"never closed\n');
    const b = earshot(['score', 'broken.csv', '--id-column', 'ticket', '--text-column', 'body']);
    expect(b.code).toBe(1);
    expect(b.stdout.trim().split('\n').map((l) => JSON.parse(l).id)).toEqual(['T1']);
    expect(b.stderr).toMatch(/broken\.csv: .*Quote Not Closed.*line 4/);
  });

  it('import is idempotent on id, reports bad rows, and export returns what was stored', () => {
    writeConfig();
    const lines = [
      { id: 't1', text: 'Brightwave billed me twice this month, still waiting for the refund', author: 'ann', published_at: '2026-11-20T10:00:00Z' },
      { id: 't2', text: 'Switched to Brightwave last week, setup was painless', author: 'bo', published_at: '2026-11-21T10:00:00Z', url: 'https://example.com/2' },
      { id: 't3', text: 'bad date here', published_at: 'yesterday-ish' },
    ];
    fs.writeFileSync(path.join(dir, 'tickets.jsonl'), lines.map((l) => JSON.stringify(l)).join('\n'));
    const first = earshot(['import', 'tickets.jsonl']);
    expect(first.code, first.stderr).toBe(0);
    expect(first.stderr).toMatch(/row 3.*published_at/);
    const s1 = JSON.parse(first.stdout.trim().split('\n').pop()!);
    expect(s1.inserted).toBe(2);
    const second = earshot(['import', 'tickets.jsonl']);
    const s2 = JSON.parse(second.stdout.trim().split('\n').pop()!);
    expect(s2.inserted).toBe(0);

    const exp = earshot(['export', '--format', 'jsonl', '--range', 'all']);
    expect(exp.code, exp.stderr).toBe(0);
    const recs = exp.stdout.trim().split('\n').map((l) => JSON.parse(l));
    expect(recs.map((r) => r.id).sort()).toEqual(['t1', 't2']);
    const t1 = recs.find((r) => r.id === 't1');
    for (const k of ['id', 'source', 'url', 'author', 'published_at', 'text', 'language', 'brands', 'sentiment', 'painPoints', 'stage']) expect(t1).toHaveProperty(k);
    expect(t1.brands).toContain('Brightwave');
    expect(t1.sentiment.label).toBe('negative');
    expect(t1.painPoints.map((p: { id: string }) => p.id)).toEqual(expect.arrayContaining(['billing']));

    const neg = earshot(['export', '--format', 'csv', '--sentiment', 'negative']);
    const rows = neg.stdout.trim().split('\n');
    expect(rows[0]).toMatch(/^id,source,url,author,published_at,text/);
    expect(rows).toHaveLength(2);
  });

  it('collect twice against the same responses stores each mention once', async () => {
    const server = http.createServer((_req, res) => {
      res.setHeader('content-type', 'application/json');
      res.end(HN_FIXTURE);
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const port = (server.address() as { port: number }).port;
    writeConfig(`  - name: hn\n    type: hackernews\n    schedule: '*/15 * * * *'\n    baseUrl: http://127.0.0.1:${port}\n    maxPages: 2\n`);
    try {
      const one = await runAsync(['collect', '--source', 'hn']);
      expect(one.code, one.stderr).toBe(0);
      const two = await runAsync(['collect', '--source', 'hn']);
      expect(two.code, two.stderr).toBe(0);
      const exp = earshot(['export', '--source', 'hn']);
      const recs = exp.stdout.trim().split('\n').filter(Boolean).map((l) => JSON.parse(l));
      const ids = recs.map((r) => r.id);
      expect(ids.length).toBeGreaterThan(0);
      expect(new Set(ids).size).toBe(ids.length);
      const health = earshot(['sources']);
      expect(health.stdout).toMatch(/^hn\s+hackernews\s+ok/m);
    } finally {
      server.close();
    }
  });

  it.skipIf(!!process.env.DATABASE_URL)('refuses a second process on the same PGlite data directory, naming the holder', async () => {
    const child = spawn(process.execPath, [BIN, 'serve', '--port', '0'], { cwd: dir, env, stdio: ['ignore', 'pipe', 'pipe'] });
    try {
      await new Promise<void>((resolve, reject) => {
        const t = setTimeout(() => reject(new Error('serve did not start')), 30_000);
        child.stdout.on('data', (d: Buffer) => {
          if (d.toString().includes('http://')) {
            clearTimeout(t);
            resolve();
          }
        });
      });
      const r = earshot(['import', 'tickets.jsonl']);
      expect(r.code).toBe(1);
      expect(r.stderr).toMatch(new RegExp(`in use by another Earshot process \\(pid ${child.pid}`));
    } finally {
      child.kill('SIGTERM');
      await new Promise((r) => child.once('exit', r));
    }
    // After a clean stop the directory is free again.
    expect(earshot(['import', 'tickets.jsonl']).code).toBe(0);
  });
});

function runAsync(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const c = spawn(process.execPath, [BIN, ...args], { cwd: dir, env });
    let stdout = '';
    let stderr = '';
    c.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    c.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    c.on('exit', (code) => resolve({ code: code ?? -1, stdout, stderr }));
  });
}
