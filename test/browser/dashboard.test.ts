/**
 * Browser tests: Debian's chromium driven by playwright-core against the real server on seeded
 * data. Each page renders its charts, a filter narrows the list, a chart link opens the matching
 * mentions, hostile text stays text; screenshots of every page go to test-output/screenshots/.
 * Skipped (loudly) only when /usr/bin/chromium is absent.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chromium, type Browser, type Page } from 'playwright-core';
import { openTestDb, DB_KIND } from '../helpers/db.js';
import type { Db } from '../../db/index.js';
import { startWeb, type WebServer } from '../../server.js';
import { HOSTILE_TEXT, seed, testDeps } from '../web/seed.js';

const CHROMIUM = '/usr/bin/chromium';
const HAVE = fs.existsSync(CHROMIUM);
if (!HAVE) console.warn(`\n!!! browser tests SKIPPED: ${CHROMIUM} is missing (apt-get install -y chromium) !!!\n`);
const SHOTS = path.resolve('test-output/screenshots');

let db: Db;
let web: WebServer;
let browser: Browser;
let page: Page;
let ids: Awaited<ReturnType<typeof seed>>;
const dialogs: string[] = [];

describe.skipIf(!HAVE)(`dashboard in chromium (${DB_KIND})`, () => {
  beforeAll(async () => {
    fs.mkdirSync(SHOTS, { recursive: true });
    db = await openTestDb();
    ids = await seed(db);
    web = await startWeb(testDeps(db), { host: '127.0.0.1', port: 0 });
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    });
    page = await browser.newPage({ viewport: { width: 1360, height: 900 } });
    page.on('dialog', async (d) => {
      dialogs.push(d.message());
      await d.dismiss();
    });
  }, 60_000);
  afterAll(async () => {
    await browser?.close();
    await web?.close();
    await db?.close();
  });

  const shot = async (name: string): Promise<void> => {
    await page.screenshot({ path: path.join(SHOTS, `${name}.png`), fullPage: true });
  };

  it('renders the overview with its chart and figures', async () => {
    await page.goto(`${web.url}/?range=7d`);
    expect(await page.locator('#chart-volume svg .bars a.seg').count()).toBeGreaterThan(5);
    expect(await page.locator('#chart-volume svg .spikes a').count()).toBe(1);
    expect(await page.locator('#pain-points tbody tr').count()).toBeGreaterThan(2);
    expect(Number((await page.locator('[data-figure=mentions]').textContent())!.replace(/\D/g, ''))).toBeGreaterThan(50);
    await shot('overview');
  });

  it('a chart bar opens the matching mentions', async () => {
    await page.goto(`${web.url}/?range=7d`);
    const seg = page.locator('#chart-volume svg .bars a.seg').first();
    const tip = (await seg.locator('title').textContent())!;
    const n = Number(/: ([\d,]+) /.exec(tip)![1]!.replace(/,/g, ''));
    await seg.locator('rect').click();
    await page.waitForURL(/\/mentions\?/);
    expect(Number(await page.locator('#mention-count').getAttribute('data-count'))).toBe(n);
    expect(await page.locator('#mention-list article').count()).toBe(Math.min(n, 50));
  });

  it('a filter narrows the mention list', async () => {
    await page.goto(`${web.url}/mentions`);
    const all = Number(await page.locator('#mention-count').getAttribute('data-count'));
    await shot('mentions');
    await page.selectOption('#filters select[name=sentiment]', 'negative');
    await page.selectOption('#filters select[name=brand]', 'Nimbus');
    await page.click('#filters button[type=submit]');
    await page.waitForURL(/sentiment=negative/);
    const narrowed = Number(await page.locator('#mention-count').getAttribute('data-count'));
    expect(narrowed).toBeGreaterThan(0);
    expect(narrowed).toBeLessThan(all);
    const badges = await page.locator('#mention-list article .badge.sb-negative').count();
    expect(badges).toBe(await page.locator('#mention-list article').count());
  });

  it('renders script and onerror text as text, with search highlighting', async () => {
    await page.goto(`${web.url}/mentions?q=refund`);
    const m = page.locator(`#m-${ids.hostileId}`);
    expect(await m.locator('.mention-text').textContent()).toBe(HOSTILE_TEXT);
    expect(await m.locator('mark').first().textContent()).toBe('refund');
    expect(await page.locator('#mention-list script, #mention-list img').count()).toBe(0);
    expect(dialogs).toEqual([]);
    await m.locator('summary').click();
    await m.screenshot({ path: path.join(SHOTS, 'mention-correction.png') });
  });

  it('saves a correction through the form', async () => {
    await page.goto(`${web.url}/mentions?q=refund`);
    const m = page.locator(`#m-${ids.hostileId}`);
    await m.locator('summary').click();
    await m.locator('select[name=sentiment]').selectOption('positive');
    await m.locator('button[type=submit]').first().click();
    await page.waitForURL(/q=refund/);
    expect(await page.locator(`#m-${ids.hostileId} .badge.corrected`).count()).toBe(1);
    expect(await page.locator(`#m-${ids.hostileId} .badge.sb-positive`).count()).toBe(1);
  });

  it('renders brands, journey, sources and alerts', async () => {
    await page.goto(`${web.url}/brands?range=30d`);
    expect(await page.locator('#chart-sov svg path.line').count()).toBe(3);
    expect(await page.locator('#pain-matrix tbody tr').count()).toBe(3);
    await shot('brands');
    await page.goto(`${web.url}/journey?range=30d`);
    expect(await page.locator('#journey section.stage').count()).toBe(7);
    expect(await page.locator('#journey svg.sentbar').count()).toBeGreaterThan(3);
    await shot('journey');
    await page.goto(`${web.url}/sources`);
    expect(await page.locator('#source-health tbody tr').count()).toBe(3);
    await shot('sources');
    await page.goto(`${web.url}/alerts`);
    expect(await page.locator('#alert-list tbody tr').count()).toBe(1);
    await shot('alerts');
    await page.goto(`${web.url}/mentions?sentiment=bad`);
    await shot('error-400');
    expect(await page.locator('.error-message').textContent()).toMatch(/^sentiment:/);
  });
});
