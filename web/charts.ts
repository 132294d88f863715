import type { Schedule } from '../server/modules/pricing';
import { formatYuan } from '../server/lib/money';

/**
 * Server-rendered SVG geometry for charts (no script needed, CSP-safe): the pages draw
 * rectangles and paths from these numbers.
 */
export interface BarChart {
  width: number;
  height: number;
  bars: { x: number; width: number; segments: { y: number; height: number; kind: 'principal' | 'interest' | 'fee' }[]; label: string; title: string }[];
  yTicks: { y: number; label: string }[];
  left: number;
}

const yuanShort = (fen: number) => {
  const y = fen / 100;
  return y >= 10000 ? `${(y / 10000).toFixed(y >= 100000 ? 0 : 1).replace(/\.0$/, '')}万` : `${Math.round(y)}`;
};

/** Stacked bars per instalment: principal, interest and fees, on one axis in yuan. */
export function scheduleChart(schedule: Schedule, width = 360, height = 180): BarChart {
  const items = schedule.instalments;
  const pad = { left: 46, right: 6, top: 8, bottom: 18 };
  const plotW = width - pad.left - pad.right;
  const plotH = height - pad.top - pad.bottom;
  const maxPayment = Math.max(1, ...items.map((i) => i.paymentFen));
  const slot = plotW / Math.max(1, items.length);
  const barW = Math.max(1, Math.min(28, slot * 0.7));
  const y = (fen: number) => pad.top + plotH - (fen / maxPayment) * plotH;
  const every = Math.ceil(items.length / 12);
  const bars = items.map((i, idx) => {
    const x = pad.left + idx * slot + (slot - barW) / 2;
    let base = 0;
    const segments = (
      [
        ['principal', i.principalFen],
        ['interest', i.interestFen],
        ['fee', i.feeFen],
      ] as const
    )
      .filter(([, v]) => v > 0)
      .map(([kind, v]) => {
        const seg = { y: y(base + v), height: (v / maxPayment) * plotH, kind };
        base += v;
        return seg;
      });
    return {
      x,
      width: barW,
      segments,
      label: idx % every === 0 ? String(i.period) : '',
      title: `第${i.period}期 应还 ${formatYuan(i.paymentFen)}：本金 ${formatYuan(i.principalFen)}，利息 ${formatYuan(i.interestFen)}${i.feeFen ? `，费用 ${formatYuan(i.feeFen)}` : ''}`,
    };
  });
  const yTicks = [0, 0.5, 1].map((f) => ({ y: y(maxPayment * f), label: `¥${yuanShort(maxPayment * f)}` }));
  return { width, height, bars, yTicks, left: pad.left };
}

/** Shares of the total cost, for a one-line stacked bar: principal, interest, fees. */
export function costShares(schedule: Schedule): { kind: string; label: string; percent: number; offset: number; fen: number }[] {
  const total = Math.max(1, schedule.totalPaymentFen);
  let offset = 0;
  return [
    { kind: 'principal', label: '本金', fen: schedule.totalPrincipalFen },
    { kind: 'interest', label: '利息', fen: schedule.totalInterestFen },
    { kind: 'fee', label: '费用', fen: schedule.totalFeesFen },
  ]
    .filter((s) => s.fen > 0)
    .map((s) => {
      const percent = Math.round((s.fen / total) * 1000) / 10;
      const share = { ...s, percent, offset };
      offset += percent;
      return share;
    });
}

// ---- statistics charts: time series (line), bars, funnel --------------------------------

export interface Tick {
  /** position on the axis (x for the x axis, y for the y axis) */
  at: number;
  label: string;
}

/** A plot area inside the SVG, and its axes. */
export interface Frame {
  width: number;
  height: number;
  left: number;
  right: number;
  top: number;
  bottom: number;
  xTicks: Tick[];
  yTicks: Tick[];
  /** no data, or every value zero: the page says so instead of drawing an axis of zeros */
  empty: boolean;
  /** what the page says when `empty` */
  emptyText: string;
  /** accessible name of the chart */
  title: string;
  /** the same numbers as a table, for screen readers and when SVG is not shown */
  table: { label: string; values: string[] }[];
  /** heading of the table's first column */
  labelHeading: string;
  columns: string[];
}

/** How a series looks, so lines that overlap stay told apart without colour: width, dashes, marker. */
export interface SeriesStyle {
  /** 0–3: the colour class */
  index: number;
  strokeWidth: number;
  /** SVG stroke-dasharray ('' for solid) */
  dash: string;
  marker: 'circle' | 'square' | 'triangle' | 'diamond';
}

export interface LineChart extends Frame {
  series: (SeriesStyle & { name: string; path: string; legendMarker: string; points: { x: number; y: number; marker: string; title: string }[] })[];
}

export interface ColumnChart extends Frame {
  bars: { x: number; y: number; width: number; height: number; title: string }[];
}

export interface FunnelChart {
  width: number;
  height: number;
  title: string;
  /** nothing entered the funnel: the page says so */
  empty: boolean;
  rows: { y: number; barWidth: number; label: string; value: string; rates: string; textY: number; valueX: number }[];
  labelWidth: number;
  barHeight: number;
}

/**
 * Ticks for a value axis from zero: a step of 1, 2 or 5 × 10ⁿ giving at most `most` intervals,
 * the top a whole number of steps at least `max`. With `integer` (counts, fen) the step is never
 * below 1, so a count axis never shows "0.5" or "2.5". `max` of zero or less gives one step.
 */
export function niceTicks(max: number, options: { integer?: boolean; most?: number } = {}): { step: number; top: number; values: number[] } {
  const integer = options.integer ?? true;
  const most = options.most ?? 5;
  const m = Number.isFinite(max) && max > 0 ? max : 1;
  const raw = m / most;
  const power = 10 ** Math.floor(Math.log10(raw));
  let step = [1, 2, 5, 10].map((k) => k * power).find((s) => s >= raw)!;
  if (integer) step = Math.max(1, Math.round(step));
  // floating steps (0.1, 0.2 …) are rounded to their own precision so labels stay clean
  const digits = Math.max(0, -Math.floor(Math.log10(step)));
  const clean = (n: number) => Number(n.toFixed(digits));
  const intervals = Math.max(1, Math.ceil(m / step - 1e-9));
  const values = Array.from({ length: intervals + 1 }, (_, i) => clean(i * step));
  return { step: clean(step), top: values[values.length - 1]!, values };
}

/** The smallest "nice" number (1, 2 or 5 × 10ⁿ steps) at least `max`; 1 for zero or less. */
export function niceMax(max: number, integer = true): number {
  return niceTicks(max, { integer }).top;
}

/** Plain counts: 1234 → "1234", 12345 → "1.2万". */
export function shortCount(n: number): string {
  if (Math.abs(n) >= 10_000) return `${(n / 10_000).toFixed(n >= 100_000 ? 0 : 1).replace(/\.0$/, '')}万`;
  return Number.isInteger(n) ? String(n) : n.toFixed(1);
}

/** Fen as short yuan for an axis: "¥800", "¥1.2万", "¥5万". */
export function shortYuan(fen: number): string {
  return `¥${yuanShort(fen)}`;
}

interface AxisOptions {
  width?: number;
  height?: number;
  title: string;
  /** axis and tooltip formatting of values */
  format?: (n: number) => string;
  /** values are whole numbers (counts, fen): whole-number ticks only. Default true */
  integer?: boolean;
  /** said instead of the chart when there is nothing to draw; default 该时间段无数据 */
  emptyText?: string;
  /** heading of the labels' column in the data table; default 日期 */
  labelHeading?: string;
}

/**
 * Geometry in SVG units. The charts are drawn 360 units wide and shown at the width of their
 * grid column (at least 320 px, see app.css), so the 13-unit axis text is never drawn smaller
 * than about 12 px; the x axis labels at most one day per 60 units so they do not collide.
 */
export const CHART_WIDTH = 360;
export const AXIS_FONT_UNITS = 13;
const PAD = { left: 50, right: 20, top: 12, bottom: 24 };

/** The looks of the n-th series: the first is drawn widest and solid, later ones narrower, dashed, with other markers. */
export const seriesStyles: readonly Omit<SeriesStyle, 'index'>[] = [
  { strokeWidth: 4, dash: '', marker: 'circle' },
  { strokeWidth: 2.5, dash: '7 4', marker: 'square' },
  { strokeWidth: 2, dash: '2 3', marker: 'triangle' },
  { strokeWidth: 2, dash: '10 3 2 3', marker: 'diamond' },
];

const r1 = (n: number) => Math.round(n * 10) / 10;

/** A marker centred on (x, y) as an SVG path, about 7 units across. */
export function markerPath(kind: SeriesStyle['marker'], x: number, y: number): string {
  const p = (dx: number, dy: number) => `${r1(x + dx)} ${r1(y + dy)}`;
  switch (kind) {
    case 'circle':
      return `M${p(-3.5, 0)} A3.5 3.5 0 1 0 ${p(3.5, 0)} A3.5 3.5 0 1 0 ${p(-3.5, 0)} Z`;
    case 'square':
      return `M${p(-3, -3)} L${p(3, -3)} L${p(3, 3)} L${p(-3, 3)} Z`;
    case 'triangle':
      return `M${p(0, -4)} L${p(4, 3)} L${p(-4, 3)} Z`;
    case 'diamond':
      return `M${p(0, -4)} L${p(4, 0)} L${p(0, 4)} L${p(-4, 0)} Z`;
  }
}

function frame(labels: string[], dataMax: number, opts: AxisOptions, xAt: (i: number) => number) {
  const width = opts.width ?? CHART_WIDTH;
  const height = opts.height ?? 200;
  const format = opts.format ?? shortCount;
  const top = PAD.top;
  const bottom = height - PAD.bottom;
  const ticks = niceTicks(dataMax, { integer: opts.integer ?? true, most: 4 });
  const room = Math.max(1, Math.floor((width - PAD.left - PAD.right) / 60));
  const every = Math.max(1, Math.ceil(labels.length / room));
  const xTicks = labels.map((label, i) => ({ at: xAt(i), label: i % every === 0 ? label : '' })).filter((t) => t.label);
  const yTicks = ticks.values.map((v) => ({ at: r1(bottom - (v / ticks.top) * (bottom - top)), label: format(v) }));
  return {
    frame: { width, height, left: PAD.left, right: width - PAD.right, top, bottom, xTicks, yTicks },
    max: ticks.top,
    texts: { emptyText: opts.emptyText ?? '该时间段无数据', labelHeading: opts.labelHeading ?? '日期' },
  };
}

/** A day label on the axis: "2026-03-05" → "03-05" (other labels as given). */
const axisLabel = (label: string) => (/^\d{4}-\d{2}-\d{2}$/.test(label) ? label.slice(5) : label);

/**
 * Lines over a shared x axis (days): one series or several on one scale, each with its own
 * width, dash pattern and marker so a line lying on another stays visible. A single point sits
 * in the middle; with no data or only zeros the chart is `empty` (the page shows a sentence).
 */
export function lineChart(labels: string[], series: { name: string; values: number[] }[], opts: AxisOptions): LineChart {
  const format = opts.format ?? shortCount;
  const dataMax = Math.max(0, ...series.flatMap((s) => s.values));
  const width = opts.width ?? CHART_WIDTH;
  const plotW = width - PAD.left - PAD.right;
  const xAt = (i: number) => PAD.left + (labels.length <= 1 ? plotW / 2 : (i * plotW) / (labels.length - 1));
  const { frame: f, max, texts } = frame(labels.map(axisLabel), dataMax, opts, xAt);
  const yAt = (v: number) => f.bottom - (v / max) * (f.bottom - f.top);
  return {
    ...f,
    ...texts,
    title: opts.title,
    empty: labels.length === 0 || dataMax === 0,
    series: series.map((s, index) => {
      const style = { index, ...seriesStyles[index % seriesStyles.length]! };
      const points = labels.map((label, i) => {
        const x = r1(xAt(i));
        const y = r1(yAt(s.values[i] ?? 0));
        return { x, y, marker: markerPath(style.marker, x, y), title: `${label} ${s.name}：${format(s.values[i] ?? 0)}` };
      });
      return { ...style, name: s.name, legendMarker: markerPath(style.marker, 15, 5), points, path: points.map((p, i) => `${i === 0 ? 'M' : 'L'}${p.x} ${p.y}`).join(' ') };
    }),
    columns: series.map((s) => s.name),
    table: labels.map((label, i) => ({ label, values: series.map((s) => format(s.values[i] ?? 0)) })),
  };
}

/** Vertical bars, one per label, from zero. */
export function barChart(labels: string[], values: number[], opts: AxisOptions & { name?: string }): ColumnChart {
  const format = opts.format ?? shortCount;
  const dataMax = Math.max(0, ...values);
  const width = opts.width ?? CHART_WIDTH;
  const plotW = width - PAD.left - PAD.right;
  const slot = plotW / Math.max(1, labels.length);
  const barW = Math.max(1, Math.min(28, slot * 0.7));
  const xAt = (i: number) => PAD.left + i * slot + slot / 2;
  const { frame: f, max, texts } = frame(labels.map(axisLabel), dataMax, opts, xAt);
  const plotH = f.bottom - f.top;
  return {
    ...f,
    ...texts,
    title: opts.title,
    empty: labels.length === 0 || dataMax === 0,
    bars: labels.map((label, i) => {
      const v = Math.max(0, values[i] ?? 0);
      const h = (v / max) * plotH;
      return { x: r1(xAt(i) - barW / 2), y: r1(f.bottom - h), width: r1(barW), height: r1(h), title: `${label}：${format(v)}` };
    }),
    columns: [opts.name ?? opts.title],
    table: labels.map((label, i) => ({ label, values: [format(values[i] ?? 0)] })),
  };
}

/** A share as people read it: 0.256 → "25.6%", null (nothing to divide by) → "—". */
export function percentText(rate: number | null): string {
  if (rate === null || !Number.isFinite(rate)) return '—';
  return `${(Math.round(rate * 1000) / 10).toFixed(1)}%`;
}

/**
 * A funnel as horizontal bars, widths proportional to the largest step, each with its count,
 * the conversion from the step before and from the first step ("—" where there is nothing to
 * divide by, never NaN).
 */
export function funnelChart(
  steps: { label: string; count: number; stepRate: number | null; overallRate: number | null }[],
  opts: { width?: number; title: string },
): FunnelChart {
  const width = opts.width ?? 640;
  const labelWidth = 84;
  const barHeight = 26;
  const gap = 10;
  const valueRoom = 250;
  const plotW = width - labelWidth - valueRoom;
  const max = Math.max(1, ...steps.map((s) => s.count));
  return {
    width,
    height: steps.length * (barHeight + gap) + gap,
    title: opts.title,
    empty: steps.every((s) => s.count === 0),
    labelWidth,
    barHeight,
    rows: steps.map((s, i) => {
      const y = gap + i * (barHeight + gap);
      const barWidth = s.count > 0 ? Math.max(1, r1((s.count / max) * plotW)) : 0;
      return {
        y,
        textY: y + barHeight / 2 + 5,
        barWidth,
        valueX: labelWidth + barWidth + 8,
        label: s.label,
        value: shortCount(s.count),
        rates: i === 0 ? '' : `较上一步 ${percentText(s.stepRate)} · 占首步 ${percentText(s.overallRate)}`,
      };
    }),
  };
}

/** A reliability diagram (下款概率 calibration): predicted against observed on held-out decisions. */
export interface ReliabilityChart {
  width: number;
  height: number;
  left: number;
  right: number;
  top: number;
  bottom: number;
  title: string;
  empty: boolean;
  ticks: { at: number; x: number; y: number; label: string }[];
  /** the perfect-calibration diagonal */
  diagonal: string;
  path: string;
  points: { marker: string; title: string }[];
  table: { range: string; predicted: string; observed: string; count: number }[];
}

/**
 * Each non-empty bin of predicted probability as a point at (mean predicted, observed rate), joined
 * in order, over the diagonal where a perfectly calibrated model's points would lie. Square plot,
 * both axes 0–100%; the bins' numbers (with their counts) as a table.
 */
export function reliabilityChart(
  bins: readonly { from: number; to: number; meanPredicted: number | null; observedRate: number | null; count: number }[],
  opts: { title: string; width?: number },
): ReliabilityChart {
  const width = opts.width ?? CHART_WIDTH;
  const pad = { left: 50, right: 20, top: 12, bottom: 30 };
  const side = Math.min(width - pad.left - pad.right, 280);
  const height = pad.top + side + pad.bottom;
  const x = (p: number) => r1(pad.left + p * side);
  const y = (p: number) => r1(pad.top + side - p * side);
  const filled = bins.filter((b) => b.count > 0 && b.meanPredicted !== null && b.observedRate !== null);
  const pct = (p: number) => `${Math.round(p * 100)}%`;
  return {
    width,
    height,
    left: pad.left,
    right: pad.left + side,
    top: pad.top,
    bottom: pad.top + side,
    title: opts.title,
    empty: filled.length === 0,
    ticks: [0, 0.25, 0.5, 0.75, 1].map((p) => ({ at: p, x: x(p), y: y(p), label: pct(p) })),
    diagonal: `M${x(0)} ${y(0)} L${x(1)} ${y(1)}`,
    path: filled.map((b, i) => `${i === 0 ? 'M' : 'L'}${x(b.meanPredicted!)} ${y(b.observedRate!)}`).join(' '),
    points: filled.map((b) => ({
      marker: markerPath('circle', x(b.meanPredicted!), y(b.observedRate!)),
      title: `预测 ${pct(b.from)}–${pct(b.to)}：平均预测 ${percentText(b.meanPredicted)}，实际获批 ${percentText(b.observedRate)}（${b.count} 笔）`,
    })),
    table: bins.map((b) => ({ range: `${pct(b.from)}–${pct(b.to)}`, predicted: percentText(b.meanPredicted), observed: percentText(b.observedRate), count: b.count })),
  };
}
