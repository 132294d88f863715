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
  return y >= 10000 ? `${(y / 10000).toFixed(y >= 100000 ? 0 : 1)}万` : `${Math.round(y)}`;
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
  /** no data, or every value zero: the page says so */
  empty: boolean;
  /** accessible name of the chart */
  title: string;
  /** the same numbers as a table, for screen readers and when SVG is not shown */
  table: { label: string; values: string[] }[];
  columns: string[];
}

export interface LineChart extends Frame {
  series: { name: string; index: number; path: string; points: { x: number; y: number; title: string }[] }[];
}

export interface ColumnChart extends Frame {
  bars: { x: number; y: number; width: number; height: number; title: string }[];
}

export interface FunnelChart {
  width: number;
  height: number;
  title: string;
  rows: { y: number; barWidth: number; label: string; value: string; rate: string; textY: number; valueX: number }[];
  labelWidth: number;
  barHeight: number;
}

/** The smallest "nice" number (1, 2, 2.5 or 5 × 10ⁿ) at least `max`; 1 for zero or less. */
export function niceMax(max: number): number {
  if (!(max > 0) || !Number.isFinite(max)) return 1;
  const power = 10 ** Math.floor(Math.log10(max));
  for (const step of [1, 2, 2.5, 5, 10]) if (step * power >= max) return step * power;
  return 10 * power;
}

/** Plain counts: 1234 → "1234", 12345 → "1.2万". */
export function shortCount(n: number): string {
  if (Math.abs(n) >= 10_000) return `${(n / 10_000).toFixed(n >= 100_000 ? 0 : 1).replace(/\.0$/, '')}万`;
  return Number.isInteger(n) ? String(n) : n.toFixed(1);
}

/** Fen as short yuan for an axis: "¥800", "¥1.2万". */
export function shortYuan(fen: number): string {
  return `¥${yuanShort(fen)}`;
}

interface AxisOptions {
  width?: number;
  height?: number;
  title: string;
  /** axis and tooltip formatting of values */
  format?: (n: number) => string;
}

// right padding leaves room for half of the last day label, centred on the last point
const PAD = { left: 48, right: 18, top: 10, bottom: 22 };

function frame(labels: string[], max: number, opts: AxisOptions, xAt: (i: number) => number): Omit<Frame, 'empty' | 'title' | 'table' | 'columns'> {
  const width = opts.width ?? 400;
  const height = opts.height ?? 200;
  const format = opts.format ?? shortCount;
  const top = PAD.top;
  const bottom = height - PAD.bottom;
  const every = Math.max(1, Math.ceil(labels.length / 8));
  const xTicks = labels.map((label, i) => ({ at: xAt(i), label: i % every === 0 ? label : '' })).filter((t) => t.label);
  const yTicks = [0, 0.5, 1].map((f) => ({ at: bottom - f * (bottom - top), label: format(max * f) }));
  return { width, height, left: PAD.left, right: width - PAD.right, top, bottom, xTicks, yTicks };
}

/** A day label on the axis: "2026-03-05" → "03-05" (other labels as given). */
const axisLabel = (label: string) => (/^\d{4}-\d{2}-\d{2}$/.test(label) ? label.slice(5) : label);

/**
 * Lines over a shared x axis (days): one series or several on one scale. A single point sits
 * in the middle; with no data or only zeros the chart is `empty` and the axis runs 0–1.
 */
export function lineChart(labels: string[], series: { name: string; values: number[] }[], opts: AxisOptions): LineChart {
  const format = opts.format ?? shortCount;
  const dataMax = Math.max(0, ...series.flatMap((s) => s.values));
  const max = niceMax(dataMax);
  const width = opts.width ?? 400;
  const plotW = width - PAD.left - PAD.right;
  const xAt = (i: number) => PAD.left + (labels.length <= 1 ? plotW / 2 : (i * plotW) / (labels.length - 1));
  const f = frame(labels.map(axisLabel), max, opts, xAt);
  const yAt = (v: number) => f.bottom - (v / max) * (f.bottom - f.top);
  const round = (n: number) => Math.round(n * 10) / 10;
  return {
    ...f,
    title: opts.title,
    empty: labels.length === 0 || dataMax === 0,
    series: series.map((s, index) => {
      const points = labels.map((label, i) => ({ x: round(xAt(i)), y: round(yAt(s.values[i] ?? 0)), title: `${label} ${s.name}：${format(s.values[i] ?? 0)}` }));
      return { name: s.name, index, points, path: points.map((p, i) => `${i === 0 ? 'M' : 'L'}${p.x} ${p.y}`).join(' ') };
    }),
    columns: series.map((s) => s.name),
    table: labels.map((label, i) => ({ label, values: series.map((s) => format(s.values[i] ?? 0)) })),
  };
}

/** Vertical bars, one per label, from zero. */
export function barChart(labels: string[], values: number[], opts: AxisOptions & { name?: string }): ColumnChart {
  const format = opts.format ?? shortCount;
  const dataMax = Math.max(0, ...values);
  const max = niceMax(dataMax);
  const width = opts.width ?? 400;
  const plotW = width - PAD.left - PAD.right;
  const slot = plotW / Math.max(1, labels.length);
  const barW = Math.max(1, Math.min(28, slot * 0.7));
  const xAt = (i: number) => PAD.left + i * slot + slot / 2;
  const f = frame(labels.map(axisLabel), max, opts, xAt);
  const plotH = f.bottom - f.top;
  const round = (n: number) => Math.round(n * 10) / 10;
  return {
    ...f,
    title: opts.title,
    empty: labels.length === 0 || dataMax === 0,
    bars: labels.map((label, i) => {
      const v = Math.max(0, values[i] ?? 0);
      const h = (v / max) * plotH;
      return { x: round(xAt(i) - barW / 2), y: round(f.bottom - h), width: round(barW), height: round(h), title: `${label}：${format(v)}` };
    }),
    columns: [opts.name ?? opts.title],
    table: labels.map((label, i) => ({ label, values: [format(values[i] ?? 0)] })),
  };
}

/**
 * A funnel as horizontal bars, widths proportional to the first (largest) step, each with its
 * count and the conversion from the step before.
 */
export function funnelChart(steps: { label: string; count: number; stepRate: number | null }[], opts: { width?: number; title: string }): FunnelChart {
  const width = opts.width ?? 400;
  const labelWidth = 76;
  const barHeight = 26;
  const gap = 10;
  const valueRoom = 150;
  const plotW = width - labelWidth - valueRoom;
  const max = Math.max(1, ...steps.map((s) => s.count));
  return {
    width,
    height: steps.length * (barHeight + gap) + gap,
    title: opts.title,
    labelWidth,
    barHeight,
    rows: steps.map((s, i) => {
      const y = gap + i * (barHeight + gap);
      const barWidth = Math.round((s.count / max) * plotW * 10) / 10;
      return {
        y,
        textY: y + barHeight / 2 + 4,
        barWidth: s.count > 0 ? Math.max(1, barWidth) : 0,
        valueX: labelWidth + Math.max(1, barWidth) + 6,
        label: s.label,
        value: shortCount(s.count),
        rate: s.stepRate === null ? '' : `转化 ${(s.stepRate * 100).toFixed(2)}%`,
      };
    }),
  };
}
