/**
 * Multi-series line chart geometry (share of voice over time). Pure: d3-scale for the scales,
 * d3-shape for the path strings; partials/chart-line.hbs draws it with a table fallback.
 */
import { scaleLinear, scalePoint } from 'd3-scale';
import { line } from 'd3-shape';

/** One line. `cls` sets its colour (app.css). */
export interface LineSeries {
  name: string;
  cls: string;
  values: number[];
  hrefs: string[];
}

/** What the partial draws. */
export interface LineChart {
  id: string;
  title: string;
  width: number;
  height: number;
  plot: { left: number; top: number; right: number; bottom: number };
  lines: Array<{ name: string; cls: string; d: string; points: Array<{ x: number; y: number; href: string; tip: string }> }>;
  xTicks: Array<{ x: number; label: string }>;
  yTicks: Array<{ y: number; label: string }>;
  legend: Array<{ x: number; label: string; cls: string }>;
  table: { head: string[]; rows: Array<{ label: string; cells: Array<{ text: string; href: string }> }> };
  empty: boolean;
}

/**
 * Lays out lines over shared x labels. `format` renders a value (axis, tips and table);
 * `yMax` fixes the top of the scale (1 for shares).
 */
export function lineChart(opts: {
  id: string;
  title: string;
  labels: readonly string[];
  ticks: readonly string[];
  series: readonly LineSeries[];
  format: (v: number) => string;
  yMax?: number;
  width?: number;
  height?: number;
}): LineChart {
  const width = opts.width ?? 1100;
  const height = opts.height ?? 300;
  const plot = { left: 52, top: 34, right: width - 16, bottom: height - 28 };
  const max = opts.yMax ?? Math.max(1e-9, ...opts.series.flatMap((s) => s.values));
  const x = scalePoint<number>().domain(opts.labels.map((_, i) => i)).range([plot.left, plot.right]).padding(0.3);
  const y = scaleLinear().domain([0, max]).nice(4).range([plot.bottom, plot.top]);
  const gen = line<number>()
    .x((_, i) => x(i) ?? 0)
    .y((v) => y(v));
  const lines = opts.series.map((s) => ({
    name: s.name,
    cls: s.cls,
    d: gen(s.values) ?? '',
    points: s.values.map((v, i) => ({ x: round(x(i) ?? 0), y: round(y(v)), href: s.hrefs[i] ?? '', tip: `${s.name}, ${opts.labels[i]}: ${opts.format(v)}` })),
  }));
  const every = Math.max(1, Math.ceil(opts.labels.length / 8));
  const xTicks = opts.ticks.flatMap((t, i) => (i % every === 0 ? [{ x: round(x(i) ?? 0), label: t }] : []));
  const yTicks = y.ticks(4).map((t) => ({ y: round(y(t)), label: opts.format(t) }));
  let lx = plot.left;
  const legend = opts.series.map((s) => {
    const item = { x: lx, label: s.name, cls: s.cls };
    lx += 24 + s.name.length * 7 + 18;
    return item;
  });
  return {
    id: opts.id,
    title: opts.title,
    width,
    height,
    plot,
    lines,
    xTicks,
    yTicks,
    legend,
    table: {
      head: opts.series.map((s) => s.name),
      rows: opts.labels.map((label, i) => ({ label, cells: opts.series.map((s) => ({ text: opts.format(s.values[i] ?? 0), href: s.hrefs[i] ?? '' })) })),
    },
    empty: opts.series.every((s) => s.values.every((v) => v === 0)),
  };
}

function round(n: number): number {
  return Math.round(n * 10) / 10;
}
