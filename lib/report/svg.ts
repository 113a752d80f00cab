/**
 * The report's charts: inline SVG written as strings, no library and no script. Every chart is an
 * `<svg data-chart="NAME">` so tests and users can find it; a line is one `<polyline data-series>`
 * carrying `data-points` (its vertex count), a bar is a `<rect data-bar>`, a scatter point a
 * `<circle data-point>`, a confusion-matrix cell a `<rect data-cell>`.
 */

/** Escapes text for HTML/SVG content and double-quoted attributes. */
export function esc(s: unknown): string {
  return String(s).replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

/** A number for display: 4 significant digits, no trailing zeros. */
export function fmt(v: number): string {
  if (!Number.isFinite(v)) return String(v);
  if (v === 0) return '0';
  const a = Math.abs(v);
  if (a >= 1e6 || a < 1e-3) return v.toExponential(2);
  if (a >= 1e4) return String(Math.round(v));
  return String(Number(v.toPrecision(4)));
}

/** Coordinates in the SVG: 2 decimals are finer than a pixel and keep the file small. */
function c(v: number): string {
  return String(Math.round(v * 100) / 100);
}

/** Okabe-Ito colours: distinguishable with the common colour-vision deficiencies. */
export const palette = ['#0072B2', '#E69F00', '#009E73', '#D55E00', '#CC79A7', '#56B4E9', '#F0E442', '#000000'];

const W = 600;
const H = 360;
const M = { l: 64, r: 16, t: 36, b: 48 };

type Domain = [number, number];

function extent(values: Iterable<number>): Domain | null {
  let lo = Infinity;
  let hi = -Infinity;
  for (const v of values) {
    if (!Number.isFinite(v)) continue;
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  return lo <= hi ? [lo, hi] : null;
}

/** A domain with 4% padding (or a unit-wide one around a single value). */
function padded(d: Domain | null): Domain {
  if (d === null) return [0, 1];
  const [lo, hi] = d;
  if (lo === hi) {
    const h = Math.abs(lo) > 0 ? Math.abs(lo) * 0.1 : 1;
    return [lo - h, hi + h];
  }
  const p = (hi - lo) * 0.04;
  return [lo - p, hi + p];
}

/** Round tick values (steps of 1, 2 or 5 times a power of ten), about `n` of them inside the domain. */
export function ticks([lo, hi]: Domain, n = 5): number[] {
  const raw = (hi - lo) / n;
  const pow = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 5, 10].map((m) => m * pow).find((s) => s >= raw) ?? 10 * pow;
  const out: number[] = [];
  for (let v = Math.ceil(lo / step) * step; v <= hi + step * 1e-9; v += step) out.push(Math.abs(v) < step * 1e-9 ? 0 : Number(v.toPrecision(12)));
  return out;
}

/**
 * Indices of at most `max` items out of `n`, evenly spaced and keeping the first and the last:
 * how long curves and big scatters are thinned so the file stays small.
 */
export function thinIndices(n: number, max: number): number[] {
  if (n <= max) return Array.from({ length: n }, (_, i) => i);
  if (max <= 1) return n > 0 ? [0] : [];
  const out: number[] = [];
  for (let k = 0; k < max; k++) out.push(Math.round((k * (n - 1)) / (max - 1)));
  return out;
}

interface Frame {
  x: (v: number) => number;
  y: (v: number) => number;
  body: string[];
}

/** The plot area, axes with ticks and labels, and the chart title; returns the scales. */
function frame(title: string, xLabel: string, yLabel: string, xd: Domain, yd: Domain): Frame {
  const pw = W - M.l - M.r;
  const ph = H - M.t - M.b;
  const x = (v: number) => M.l + ((v - xd[0]) / (xd[1] - xd[0])) * pw;
  const y = (v: number) => M.t + ph - ((v - yd[0]) / (yd[1] - yd[0])) * ph;
  const body: string[] = [];
  body.push(`<text class="title" x="${W / 2}" y="20" text-anchor="middle">${esc(title)}</text>`);
  body.push(`<rect class="plot" x="${M.l}" y="${M.t}" width="${pw}" height="${ph}"/>`);
  const g: string[] = ['<g class="axis">'];
  for (const t of ticks(xd)) {
    const px = c(x(t));
    g.push(`<line class="grid" x1="${px}" x2="${px}" y1="${M.t}" y2="${M.t + ph}"/><text x="${px}" y="${M.t + ph + 16}" text-anchor="middle">${esc(fmt(t))}</text>`);
  }
  for (const t of ticks(yd)) {
    const py = c(y(t));
    g.push(`<line class="grid" x1="${M.l}" x2="${M.l + pw}" y1="${py}" y2="${py}"/><text x="${M.l - 6}" y="${py}" dy="0.32em" text-anchor="end">${esc(fmt(t))}</text>`);
  }
  g.push(`<text class="label" x="${M.l + pw / 2}" y="${H - 8}" text-anchor="middle">${esc(xLabel)}</text>`);
  g.push(`<text class="label" transform="translate(14 ${M.t + ph / 2}) rotate(-90)" text-anchor="middle">${esc(yLabel)}</text>`);
  g.push('</g>');
  body.push(g.join(''));
  return { x, y, body };
}

function svg(chart: string, title: string, body: string[], attrs: Record<string, string | number> = {}, width = W, height = H): string {
  const extra = Object.entries(attrs)
    .map(([k, v]) => ` data-${k}="${esc(v)}"`)
    .join('');
  return `<svg data-chart="${esc(chart)}"${extra} viewBox="0 0 ${width} ${height}" width="${width}" height="${height}" role="img" aria-label="${esc(title)}"><title>${esc(title)}</title>${body.join('')}</svg>`;
}

/** Where a chart's legend goes: top-right unless the lines live there (ROC: bottom-right, PR: bottom-left). */
export type LegendPlace = 'top-right' | 'bottom-right' | 'bottom-left';

function legend(names: string[], place: LegendPlace): string {
  if (names.length < 2) return '';
  const x = place === 'bottom-left' ? M.l + 12 : W - M.r - 170;
  const y0 = place === 'top-right' ? M.t + 12 : H - M.b - 12 - (names.length - 1) * 16;
  const items = names.map((n, i) => `<g transform="translate(${x} ${y0 + i * 16})"><line x1="0" x2="18" y1="0" y2="0" stroke="${palette[i % palette.length]}" stroke-width="2.5"/><text x="24" y="0" dy="0.32em">${esc(n)}</text></g>`);
  const box = `<rect x="${x - 6}" y="${y0 - 10}" width="176" height="${names.length * 16 + 4}" fill="#fff" fill-opacity="0.85"/>`;
  return `<g class="legend">${box}${items.join('')}</g>`;
}

/** One line of a {@link lineChart}. */
export interface Series {
  name: string;
  x: ArrayLike<number>;
  y: ArrayLike<number>;
}

/** Options of {@link lineChart}. */
export interface LineChartOptions {
  chart: string;
  title: string;
  xLabel: string;
  yLabel: string;
  series: Series[];
  /** Fixed domains (e.g. [0, 1] for rates); otherwise from the data. */
  xDomain?: Domain;
  yDomain?: Domain;
  /** A dashed reference line from (x0, y0) to (x1, y1) in data units (the chance diagonal of ROC). */
  reference?: [number, number, number, number];
  /** A dashed vertical marker (e.g. the best iteration). */
  marker?: { x: number; label: string };
  /** Most vertices per line; longer lines are thinned evenly (ends kept). */
  maxPoints: number;
  /** Legend position (shown for two lines or more). Default top-right. */
  legend?: LegendPlace;
  attrs?: Record<string, string | number>;
}

/** Lines through (x, y) points, one `<polyline data-series data-points>` per series; non-finite points are skipped. */
export function lineChart(o: LineChartOptions): string {
  const xs = o.series.flatMap((s) => Array.from(s.x));
  const ys = o.series.flatMap((s) => Array.from(s.y));
  const f = frame(o.title, o.xLabel, o.yLabel, o.xDomain ?? padded(extent(xs)), o.yDomain ?? padded(extent(ys)));
  if (o.reference) {
    const [x0, y0, x1, y1] = o.reference;
    f.body.push(`<line class="ref" x1="${c(f.x(x0))}" y1="${c(f.y(y0))}" x2="${c(f.x(x1))}" y2="${c(f.y(y1))}"/>`);
  }
  if (o.marker) {
    const px = c(f.x(o.marker.x));
    f.body.push(`<line class="ref" data-marker x1="${px}" x2="${px}" y1="${M.t}" y2="${H - M.b}"/><text class="note" x="${px}" y="${M.t - 4}" text-anchor="middle">${esc(o.marker.label)}</text>`);
  }
  o.series.forEach((s, i) => {
    const n = Math.min(s.x.length, s.y.length);
    const pts: string[] = [];
    for (const j of thinIndices(n, o.maxPoints)) {
      const xv = s.x[j]!;
      const yv = s.y[j]!;
      if (Number.isFinite(xv) && Number.isFinite(yv)) pts.push(`${c(f.x(xv))},${c(f.y(yv))}`);
    }
    f.body.push(`<polyline data-series="${esc(s.name)}" data-points="${pts.length}" fill="none" stroke="${palette[i % palette.length]}" stroke-width="2" points="${pts.join(' ')}"><title>${esc(s.name)}</title></polyline>`);
  });
  f.body.push(legend(o.series.map((s) => s.name), o.legend ?? 'top-right'));
  return svg(o.chart, o.title, f.body, o.attrs);
}

/** Options of {@link scatterChart}. */
export interface ScatterChartOptions {
  chart: string;
  title: string;
  xLabel: string;
  yLabel: string;
  x: ArrayLike<number>;
  y: ArrayLike<number>;
  /** 'diagonal': the line y = x; 'zero': the line y = 0. */
  reference?: 'diagonal' | 'zero';
  /** Most points drawn; more rows are thinned evenly. */
  maxPoints: number;
}

/** One `<circle data-point>` per (thinned) row. */
export function scatterChart(o: ScatterChartOptions): string {
  const idx = thinIndices(Math.min(o.x.length, o.y.length), o.maxPoints).filter((i) => Number.isFinite(o.x[i]!) && Number.isFinite(o.y[i]!));
  let xd = padded(extent(idx.map((i) => o.x[i]!)));
  let yd = padded(extent(idx.map((i) => o.y[i]!)));
  if (o.reference === 'diagonal') {
    // Same range on both axes so the y = x line is the diagonal of the square of values.
    const d: Domain = [Math.min(xd[0], yd[0]), Math.max(xd[1], yd[1])];
    xd = d;
    yd = d;
  } else if (o.reference === 'zero') {
    yd = [Math.min(yd[0], 0), Math.max(yd[1], 0)];
  }
  const f = frame(o.title, o.xLabel, o.yLabel, xd, yd);
  if (o.reference === 'diagonal') f.body.push(`<line class="ref" x1="${c(f.x(xd[0]))}" y1="${c(f.y(xd[0]))}" x2="${c(f.x(xd[1]))}" y2="${c(f.y(xd[1]))}"/>`);
  if (o.reference === 'zero') f.body.push(`<line class="ref" x1="${M.l}" x2="${W - M.r}" y1="${c(f.y(0))}" y2="${c(f.y(0))}"/>`);
  const pts = idx.map((i) => `<circle data-point cx="${c(f.x(o.x[i]!))}" cy="${c(f.y(o.y[i]!))}" r="2.5"/>`);
  f.body.push(`<g class="points" fill="${palette[0]}" fill-opacity="0.6">${pts.join('')}</g>`);
  return svg(o.chart, o.title, f.body, { points: idx.length });
}

/** Options of {@link barChart}. */
export interface BarChartOptions {
  chart: string;
  title: string;
  /** Label and value of each bar, drawn top to bottom in this order. */
  bars: { label: string; value: number; highlight?: boolean }[];
  xLabel: string;
  /** Fixed value domain; otherwise from 0 (or the least value) to the greatest. */
  domain?: Domain;
}

/** Horizontal bars, one `<rect data-bar data-label data-value>` each, the value printed at the end. */
export function barChart(o: BarChartOptions): string {
  const rowH = 22;
  const left = 170;
  const top = M.t;
  const height = top + o.bars.length * rowH + M.b;
  const pw = W - left - 70;
  const vals = o.bars.map((b) => b.value);
  const e = extent(vals) ?? [0, 1];
  const d: Domain = o.domain ?? [Math.min(0, e[0]), Math.max(0, e[1]) === Math.min(0, e[0]) ? 1 : Math.max(0, e[1])];
  const x = (v: number) => left + ((v - d[0]) / (d[1] - d[0])) * pw;
  const body: string[] = [`<text class="title" x="${W / 2}" y="20" text-anchor="middle">${esc(o.title)}</text>`];
  const zero = x(Math.max(d[0], Math.min(d[1], 0)));
  o.bars.forEach((b, i) => {
    const y = top + i * rowH;
    const v = Number.isFinite(b.value) ? b.value : 0;
    const x0 = Math.min(zero, x(v));
    const w = Math.abs(x(v) - zero);
    const label = b.label.length > 24 ? `${b.label.slice(0, 23)}…` : b.label;
    body.push(
      `<text x="${left - 6}" y="${c(y + rowH / 2)}" dy="0.32em" text-anchor="end">${esc(label)}</text>` +
        `<rect data-bar data-label="${esc(b.label)}" data-value="${esc(b.value)}" x="${c(x0)}" y="${c(y + 3)}" width="${c(w)}" height="${rowH - 6}" fill="${b.highlight ? palette[3] : palette[0]}"><title>${esc(b.label)}: ${esc(fmt(b.value))}</title></rect>` +
        `<text class="value" x="${c(Math.max(x0 + w, zero) + 4)}" y="${c(y + rowH / 2)}" dy="0.32em">${esc(fmt(b.value))}</text>`,
    );
  });
  const axisY = top + o.bars.length * rowH + 4;
  const g = ['<g class="axis">', `<line x1="${left}" x2="${left + pw}" y1="${axisY}" y2="${axisY}" stroke="#888"/>`];
  for (const t of ticks(d, 4)) g.push(`<text x="${c(x(t))}" y="${axisY + 16}" text-anchor="middle">${esc(fmt(t))}</text>`);
  g.push(`<text class="label" x="${left + pw / 2}" y="${axisY + 36}" text-anchor="middle">${esc(o.xLabel)}</text></g>`);
  body.push(g.join(''));
  return svg(o.chart, o.title, body, { bars: o.bars.length }, W, height);
}

/** The confusion matrix as a grid of `<rect data-cell data-row data-col data-value>`, darker for more rows. */
export function heatmap(o: { chart: string; title: string; labels: string[]; counts: ArrayLike<number> }): string {
  const k = o.labels.length;
  const cell = Math.max(28, Math.min(72, Math.floor(420 / Math.max(k, 1))));
  const left = 120;
  const top = 76;
  const width = Math.max(W, left + k * cell + 20);
  const height = top + k * cell + 56;
  let max = 0;
  for (let i = 0; i < k * k; i++) max = Math.max(max, o.counts[i]!);
  const body: string[] = [`<text class="title" x="${width / 2}" y="20" text-anchor="middle">${esc(o.title)}</text>`];
  for (let i = 0; i < k; i++) {
    for (let j = 0; j < k; j++) {
      const v = o.counts[i * k + j]!;
      const t = max > 0 ? v / max : 0;
      // White to the palette's blue; text turns white on dark cells.
      const mix = (a: number, b: number) => Math.round(a + (b - a) * t);
      const fill = `rgb(${mix(255, 0)},${mix(255, 114)},${mix(255, 178)})`;
      const x = left + j * cell;
      const y = top + i * cell;
      body.push(
        `<rect data-cell data-row="${i}" data-col="${j}" data-value="${esc(v)}" x="${x}" y="${y}" width="${cell}" height="${cell}" fill="${fill}" stroke="#fff"><title>true ${esc(o.labels[i])}, predicted ${esc(o.labels[j])}: ${esc(fmt(v))}</title></rect>` +
          `<text x="${x + cell / 2}" y="${y + cell / 2}" dy="0.32em" text-anchor="middle" fill="${t > 0.55 ? '#fff' : '#222'}">${esc(fmt(v))}</text>`,
      );
    }
  }
  const short = (s: string) => (s.length > 14 ? `${s.slice(0, 13)}…` : s);
  for (let i = 0; i < k; i++) {
    body.push(`<text x="${left - 6}" y="${top + i * cell + cell / 2}" dy="0.32em" text-anchor="end">${esc(short(o.labels[i]!))}</text>`);
    body.push(`<text x="${left + i * cell + cell / 2}" y="${top - 6}" text-anchor="middle">${esc(short(o.labels[i]!))}</text>`);
  }
  body.push(`<text class="label" x="${left + (k * cell) / 2}" y="${top - 26}" text-anchor="middle">predicted</text>`);
  body.push(`<text class="label" transform="translate(16 ${top + (k * cell) / 2}) rotate(-90)" text-anchor="middle">true</text>`);
  return svg(o.chart, o.title, body, { classes: k }, width, height);
}
