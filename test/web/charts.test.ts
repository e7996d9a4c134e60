/**
 * Pure chart code: gap filling, the spike rule, and the SVG the partials draw (parsed, not eyeballed).
 */
import { describe, expect, it } from 'vitest';
import * as cheerio from 'cheerio';
import { fillBuckets } from '../../web/charts/buckets.js';
import { defaultSpikeRule, markSpikes } from '../../web/charts/spikes.js';
import { stackedBars } from '../../web/charts/stacked.js';
import { lineChart } from '../../web/charts/line.js';
import { createViewEngine } from '../../web/view-engine.js';
import { highlight } from '../../web/helpers/highlight.js';
import { signed } from '../../web/helpers/signed.js';
import { pct } from '../../web/helpers/pct.js';
import { humanize } from '../../web/helpers/humanize.js';

describe('fillBuckets', () => {
  it('fills missing hours with zeros and sums rows into their bucket', () => {
    const from = new Date('2025-01-01T00:00:00Z');
    const to = new Date('2025-01-01T04:00:00Z');
    const out = fillBuckets([{ bucket: new Date('2025-01-01T01:00:00Z'), key: 'a', value: 3 }, { bucket: new Date('2025-01-01T01:00:00Z'), key: 'b', value: 2 }, { bucket: new Date('2025-01-01T09:00:00Z'), key: 'a', value: 9 }], ['a', 'b'], from, to, 'hour');
    expect(out.map((b) => b.total)).toEqual([0, 5, 0, 0]);
    expect(out[1]!.values).toEqual({ a: 3, b: 2 });
  });
});

describe('spike rule', () => {
  it.each([
    [[2, 3, 2, 3, 2, 3, 2, 20], 7, true],
    [[2, 3, 2, 3, 2, 3, 2, 4], 7, false],
    [[0, 0, 0, 0, 0, 0, 0, 4], 7, false],
    [[50, 50, 50, 50, 50, 50, 50, 90], 7, false],
    [[1, 20], 1, false],
  ])('%j → spike at %i is %s', (counts, i, spike) => {
    expect(markSpikes(counts, defaultSpikeRule('day'))[i]!.spike).toBe(spike);
  });
});

describe('stacked bars SVG', () => {
  const chart = stackedBars({
    id: 't',
    title: 'Mentions <by> day',
    keys: [{ key: 'negative', label: 'Negative', cls: 's-negative' }, { key: 'positive', label: 'Positive', cls: 's-positive' }],
    data: [
      { label: 'Mon', tick: 'Mon', values: { negative: 2, positive: 6 }, hrefs: { negative: '/mentions?sentiment=negative&a=1', positive: '/p' }, href: '/all', spike: false },
      { label: 'Tue', tick: 'Tue', values: { negative: 0, positive: 4 }, hrefs: {}, href: '/all2', spike: true },
    ],
  });
  const svg = createViewEngine().render('error', { status: 1, heading: 'x', message: 'y', nav: [] }) && '';
  void svg;

  it('stacks segments with heights proportional to values and links each', () => {
    const seg = chart.segments;
    expect(seg).toHaveLength(3);
    const [neg, pos] = seg;
    expect(pos!.h / neg!.h).toBeCloseTo(3, 1);
    expect(neg!.y).toBeCloseTo(pos!.y + pos!.h, 0);
    expect(neg!.href).toBe('/mentions?sentiment=negative&a=1');
    expect(chart.spikes).toHaveLength(1);
    expect(chart.table.rows.map((r) => r.total)).toEqual([8, 4]);
  });

  it('renders through the partial with escaped labels, titles and a table fallback', async () => {
    const Handlebars = (await import('handlebars')).default;
    const fs = await import('node:fs');
    const hbs = Handlebars.create();
    const { registerHelpers } = await import('../../web/helpers/index.js');
    registerHelpers(hbs);
    const tpl = hbs.compile(fs.readFileSync(new URL('../../web/views/partials/chart-stacked.hbs', import.meta.url), 'utf8'));
    const $ = cheerio.load(tpl({ chart }), { xml: false });
    expect($('svg title').first().text()).toBe('Mentions <by> day');
    expect($('svg .bars a.seg').length).toBe(3);
    expect($('svg .bars a.seg').first().attr('href')).toBe('/mentions?sentiment=negative&a=1');
    expect($('svg .legend text').map((_, e) => $(e).text()).get()).toEqual(['Negative', 'Positive']);
    expect($('svg .spikes a title').text()).toContain('Spike: Tue');
    expect($('table tbody tr').length).toBe(2);
    expect($('svg rect.s-negative').length).toBeGreaterThan(0);
  });
});

describe('line chart', () => {
  it('draws one path per series through every point', () => {
    const c = lineChart({ id: 'l', title: 'SoV', labels: ['a', 'b', 'c'], ticks: ['a', 'b', 'c'], series: [{ name: 'X', cls: 'b-1', values: [0.5, 0.25, 1], hrefs: ['/1', '/2', '/3'] }], format: pct, yMax: 1 });
    expect(c.lines[0]!.d).toMatch(/^M[\d.]+,[\d.]+L[\d.]+,[\d.]+L[\d.]+,[\d.]+$/);
    const ys = c.lines[0]!.points.map((p) => p.y);
    expect(ys[2]).toBeLessThan(ys[0]!);
    expect(ys[1]).toBeGreaterThan(ys[0]!);
    expect(c.table.rows[1]!.cells[0]!.text).toBe('25%');
  });
});

describe('view helpers', () => {
  it('highlight escapes everything and only adds <mark>', () => {
    expect(highlight('a <b>\uE000refund\uE001</b> <script>').toString()).toBe('a &lt;b&gt;<mark>refund</mark>&lt;/b&gt; &lt;script&gt;');
    expect(highlight('\uE000unclosed <x>').toString()).toBe('<mark>unclosed &lt;x&gt;</mark>');
  });
  it.each([
    [0.234, undefined, '+0.23'],
    [-0.1, undefined, '\u22120.10'],
    [0, undefined, '0.00'],
    [null, undefined, '–'],
    [12.4, 0, '+12'],
  ])('signed(%s, %s) = %s', (v, d, out) => {
    expect(signed(v, d)).toBe(out);
  });
  it('labels ids', () => {
    expect(humanize('customer-service')).toBe('Customer service');
    expect(humanize('experience')).toBe('Experience (onboarding/use)');
    expect(pct(0.045)).toBe('4.5%');
  });
});
