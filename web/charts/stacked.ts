/**
 * Stacked bar chart geometry (pure: data in, numbers and strings out; partials/chart-stacked.hbs draws
 * it, so every label is escaped by Handlebars like any other text). d3-scale computes the scales.
 */
import { scaleBand, scaleLinear } from 'd3-scale';

/** One series of the stack (e.g. positive), bottom first. */
export interface StackKey {
  key: string;
  label: string;
  /** CSS class giving the fill (colour-blind-safe palette in app.css). */
  cls: string;
}

/** One bar: its label, per-key values and per-key links. */
export interface StackedDatum {
  label: string;
  /** Short tick label. */
  tick: string;
  values: Record<string, number>;
  hrefs: Record<string, string>;
  /** Link for the whole bar (total). */
  href: string;
  spike?: boolean;
}

/** Everything the partial needs to draw the chart and its table fallback. */
export interface StackedChart {
  id: string;
  title: string;
  width: number;
  height: number;
  plot: { left: number; top: number; right: number; bottom: number };
  segments: Array<{ x: number; y: number; w: number; h: number; cls: string; href: string; tip: string }>;
  /** Invisible full-height hit areas with the bar total (so a bar is clickable even when small). */
  columns: Array<{ x: number; w: number; href: string; tip: string }>;
  xTicks: Array<{ x: number; label: string }>;
  yTicks: Array<{ y: number; label: string }>;
  spikes: Array<{ x: number; y: number; tip: string; href: string }>;
  legend: Array<{ x: number; label: string; cls: string }>;
  table: { head: string[]; rows: Array<{ label: string; cells: Array<{ value: number; href: string }>; total: number; href: string; spike: boolean }> };
  empty: boolean;
}

const fmt = new Intl.NumberFormat('en-US');

/** Lays out a stacked bar chart of `data` (left to right). */
export function stackedBars(opts: { id: string; title: string; keys: readonly StackKey[]; data: readonly StackedDatum[]; width?: number; height?: number; maxTicks?: number }): StackedChart {
  const width = opts.width ?? 1100;
  const height = opts.height ?? 300;
  const plot = { left: 48, top: 34, right: width - 12, bottom: height - 28 };
  const totals = opts.data.map((d) => opts.keys.reduce((a, k) => a + (d.values[k.key] ?? 0), 0));
  const max = Math.max(1, ...totals);
  const x = scaleBand<number>().domain(opts.data.map((_, i) => i)).range([plot.left, plot.right]).paddingInner(0.18).paddingOuter(0.08);
  const y = scaleLinear().domain([0, max]).nice(4).range([plot.bottom, plot.top]);
  const segments: StackedChart['segments'] = [];
  const columns: StackedChart['columns'] = [];
  const spikes: StackedChart['spikes'] = [];
  opts.data.forEach((d, i) => {
    const bx = x(i) ?? 0;
    const bw = Math.max(1, x.bandwidth());
    let acc = 0;
    for (const k of opts.keys) {
      const v = d.values[k.key] ?? 0;
      if (v <= 0) continue;
      const y0 = y(acc);
      const y1 = y(acc + v);
      segments.push({ x: round(bx), y: round(y1), w: round(bw), h: round(Math.max(0.5, y0 - y1)), cls: k.cls, href: d.hrefs[k.key] ?? d.href, tip: `${d.label}: ${fmt.format(v)} ${k.label.toLowerCase()}` });
      acc += v;
    }
    columns.push({ x: round(bx), w: round(bw), href: d.href, tip: `${d.label}: ${fmt.format(totals[i]!)} mentions` });
    if (d.spike) spikes.push({ x: round(bx + bw / 2), y: round(y(totals[i]!) - 6), tip: `Spike: ${d.label}, ${fmt.format(totals[i]!)} mentions`, href: d.href });
  });
  const every = Math.max(1, Math.ceil(opts.data.length / (opts.maxTicks ?? 8)));
  const xTicks = opts.data.flatMap((d, i) => (i % every === 0 ? [{ x: round((x(i) ?? 0) + x.bandwidth() / 2), label: d.tick }] : []));
  const yTicks = y.ticks(4).filter((t) => Number.isInteger(t)).map((t) => ({ y: round(y(t)), label: fmt.format(t) }));
  let lx = plot.left;
  const legend = opts.keys.map((k) => {
    const item = { x: lx, label: k.label, cls: k.cls };
    lx += 24 + k.label.length * 7 + 18;
    return item;
  });
  return {
    id: opts.id,
    title: opts.title,
    width,
    height,
    plot,
    segments,
    columns,
    xTicks,
    yTicks,
    spikes,
    legend,
    table: {
      head: opts.keys.map((k) => k.label),
      rows: opts.data.map((d, i) => ({
        label: d.label,
        cells: opts.keys.map((k) => ({ value: d.values[k.key] ?? 0, href: d.hrefs[k.key] ?? d.href })),
        total: totals[i]!,
        href: d.href,
        spike: d.spike ?? false,
      })),
    },
    empty: totals.every((t) => t === 0),
  };
}

function round(n: number): number {
  return Math.round(n * 10) / 10;
}
