import type { Schedule } from '../server/modules/pricing';

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
      title: `第${i.period}期 应还 ¥${(i.paymentFen / 100).toFixed(2)}：本金 ¥${(i.principalFen / 100).toFixed(2)}，利息 ¥${(i.interestFen / 100).toFixed(2)}${i.feeFen ? `，费用 ¥${(i.feeFen / 100).toFixed(2)}` : ''}`,
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
