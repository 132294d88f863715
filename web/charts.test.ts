import { describe, expect, it } from 'vitest';
import { AXIS_FONT_UNITS, CHART_WIDTH, barChart, funnelChart, lineChart, niceMax, niceTicks, percentText, reliabilityChart, seriesStyles, shortCount, shortYuan } from './charts';

describe('chart scales', () => {
  it('rounds the top of the axis up to a whole number of 1, 2 or 5 × 10ⁿ steps', () => {
    expect([0, -3, 1, 3, 7, 10, 11, 23, 180, 999, 1001].map((n) => niceMax(n))).toEqual([1, 1, 1, 3, 8, 10, 15, 25, 200, 1000, 1500]);
  });

  it('puts only whole numbers on a count axis (never 0.5 or 2.5)', () => {
    expect(niceTicks(1).values).toEqual([0, 1]);
    expect(niceTicks(2).values).toEqual([0, 1, 2]);
    expect(niceTicks(5).values).toEqual([0, 1, 2, 3, 4, 5]);
    expect(niceTicks(5, { most: 4 }).values).toEqual([0, 2, 4, 6]);
    expect(niceTicks(10).values).toEqual([0, 2, 4, 6, 8, 10]);
    expect(niceTicks(10, { most: 4 }).values).toEqual([0, 5, 10]);
    for (let max = 0; max <= 1000; max += 1) {
      const t = niceTicks(max, { most: 4 });
      expect(t.values.every(Number.isInteger)).toBe(true);
      expect(t.top).toBeGreaterThanOrEqual(max);
      expect(t.values.length).toBeLessThanOrEqual(5 + 1);
    }
  });

  it('allows fractional steps for rates, with clean labels', () => {
    expect(niceTicks(0.4, { integer: false, most: 4 }).values).toEqual([0, 0.1, 0.2, 0.3, 0.4]);
    expect(niceTicks(0.3, { integer: false, most: 4 }).values).toEqual([0, 0.1, 0.2, 0.3]);
    expect(niceTicks(3.2, { integer: false, most: 4 }).values).toEqual([0, 1, 2, 3, 4]);
    expect(niceTicks(2.04, { integer: true, most: 4 }).top).toBe(3);
  });

  it('formats short labels', () => {
    expect(shortCount(1234)).toBe('1234');
    expect(shortCount(12_345)).toBe('1.2万');
    expect(shortCount(250_000)).toBe('25万');
    expect(shortYuan(5_000_000)).toBe('¥5万');
    expect(shortYuan(2_500_000)).toBe('¥2.5万');
    expect(shortYuan(77_500)).toBe('¥775');
  });

  it('draws axis text large enough to read at the narrowest column (320 px): at least 11.5 px', () => {
    expect((AXIS_FONT_UNITS * 320) / CHART_WIDTH).toBeGreaterThanOrEqual(11.5);
  });
});

describe('line chart', () => {
  const days = ['2026-03-01', '2026-03-02', '2026-03-03'];

  it('maps values onto the plot: zero on the bottom, the top of the axis at the top', () => {
    const c = lineChart(days, [{ name: '申请', values: [0, 5, 10] }], { title: 't', width: 640, height: 220 });
    expect(c.empty).toBe(false);
    expect([c.left, c.right, c.top, c.bottom]).toEqual([50, 620, 12, 196]);
    const pts = c.series[0]!.points;
    expect(pts.map((p) => p.x)).toEqual([50, 335, 620]);
    expect(pts.map((p) => p.y)).toEqual([196, 104, 12]);
    expect(c.series[0]!.path).toBe('M50 196 L335 104 L620 12');
    expect(c.yTicks.map((t) => t.label)).toEqual(['0', '5', '10']);
    expect(c.xTicks.map((t) => t.label)).toEqual(['03-01', '03-02', '03-03']);
    expect(c.table).toEqual([
      { label: '2026-03-01', values: ['0'] },
      { label: '2026-03-02', values: ['5'] },
      { label: '2026-03-03', values: ['10'] },
    ]);
    expect(c.labelHeading).toBe('日期');
  });

  it('counts on the axis are whole numbers even for a maximum of 1 or 5', () => {
    for (const top of [1, 3, 5]) {
      const c = lineChart(days, [{ name: 'x', values: [0, top, 0] }], { title: 't' });
      expect(c.yTicks.map((t) => Number(t.label)).every(Number.isInteger)).toBe(true);
    }
    expect(lineChart(days, [{ name: 'x', values: [0, 1, 0] }], { title: 't' }).yTicks.map((t) => t.label)).toEqual(['0', '1']);
  });

  it('puts a single point in the middle', () => {
    const c = lineChart(['2026-03-01'], [{ name: 'x', values: [3] }], { title: 't' });
    expect(c.width).toBe(CHART_WIDTH);
    expect(c.series[0]!.points).toHaveLength(1);
    expect(c.series[0]!.points[0]!.x).toBe(195);
    expect(c.series[0]!.points[0]!.y).toBe(12);
  });

  it('is empty with no data or only zeros, and says so in its own words', () => {
    const none = lineChart([], [{ name: 'x', values: [] }], { title: 't' });
    expect(none.empty).toBe(true);
    expect(none.emptyText).toBe('该时间段无数据');
    expect(none.series[0]!.path).toBe('');
    const zeros = lineChart(days, [{ name: 'x', values: [0, 0, 0] }], { title: 't', emptyText: '没有数据' });
    expect(zeros.empty).toBe(true);
    expect(zeros.emptyText).toBe('没有数据');
  });

  it('gives overlapping series different widths, dashes and markers, the first widest (drawn underneath)', () => {
    const c = lineChart(
      days,
      [
        { name: '申请', values: [1, 1, 1] },
        { name: '审批通过', values: [1, 1, 1] },
        { name: '放款', values: [1, 1, 1] },
      ],
      { title: 't' },
    );
    expect(c.series.map((s) => s.path)).toEqual([c.series[0]!.path, c.series[0]!.path, c.series[0]!.path]);
    const looks = c.series.map((s) => `${s.strokeWidth}|${s.dash}|${s.marker}`);
    expect(new Set(looks).size).toBe(3);
    expect(c.series[0]!.strokeWidth).toBeGreaterThan(c.series[1]!.strokeWidth);
    expect(c.series[1]!.strokeWidth).toBeGreaterThanOrEqual(c.series[2]!.strokeWidth);
    expect(c.series[1]!.dash).not.toBe('');
    expect(c.series[0]!.points[0]!.marker).toMatch(/^M[\d. ]+A/);
    expect(c.series[1]!.points[0]!.marker).toMatch(/^M[\d. ]+L/);
    expect(seriesStyles.length).toBeGreaterThanOrEqual(3);
  });

  it('labels at most one day per 60 units on the x axis', () => {
    const many = Array.from({ length: 90 }, (_, i) => `2026-01-${String((i % 28) + 1).padStart(2, '0')}`);
    const c = lineChart(many, [{ name: 'x', values: many.map(() => 1) }], { title: 't' });
    expect(c.xTicks.length).toBeLessThanOrEqual(Math.floor((c.right - c.left) / 60));
    const gaps = c.xTicks.slice(1).map((t, i) => t.at - c.xTicks[i]!.at);
    expect(Math.min(...gaps)).toBeGreaterThanOrEqual(55);
  });
});

describe('bar chart', () => {
  it('draws bars from the bottom with heights in proportion', () => {
    const c = barChart(['a', 'b'], [50, 100], { title: 't', width: 250, height: 220 });
    // plot 180 wide → two slots of 90, bars 28 wide centred
    expect(c.bars.map((b) => b.x)).toEqual([81, 171]);
    expect(c.bars.map((b) => b.width)).toEqual([28, 28]);
    expect(c.bars.map((b) => b.height)).toEqual([92, 184]);
    expect(c.bars.map((b) => b.y + b.height)).toEqual([196, 196]);
  });

  it('is empty with no data or all zeros (no axis of ¥0 ¥0 ¥0), and a single bar is centred', () => {
    expect(barChart([], [], { title: 't' }).empty).toBe(true);
    const zeros = barChart(['未到期', '1–30 天'], [0, 0], { title: 't', format: shortYuan, emptyText: '没有应收' });
    expect(zeros.empty).toBe(true);
    expect(zeros.emptyText).toBe('没有应收');
    const one = barChart(['a'], [7], { title: 't' });
    expect(one.bars[0]!.x + one.bars[0]!.width / 2).toBe(195);
  });

  it('labels a money axis in distinct amounts', () => {
    const c = barChart(['a'], [77_500], { title: 't', format: shortYuan });
    const labels = c.yTicks.map((t) => t.label);
    expect(new Set(labels).size).toBe(labels.length);
    expect(labels[0]).toBe('¥0');
    expect(labels.at(-1)).toBe('¥800');
  });
});

describe('funnel chart', () => {
  it('draws bars in proportion to the largest step, with the share of the step before and of the first', () => {
    const c = funnelChart(
      [
        { label: '访客', count: 200, stepRate: null, overallRate: 1 },
        { label: '提交申请', count: 50, stepRate: 0.25, overallRate: 0.25 },
        { label: '成功放款', count: 0, stepRate: 0, overallRate: 0 },
      ],
      { title: 'f', width: 640 },
    );
    expect(c.rows.map((r) => r.barWidth)).toEqual([306, 76.5, 0]);
    expect(c.rows.map((r) => r.rates)).toEqual(['', '较上一步 25.0% · 占首步 25.0%', '较上一步 0.0% · 占首步 0.0%']);
    expect(c.height).toBe(3 * 36 + 10);
    expect(c.empty).toBe(false);
  });

  it('never shows NaN: no base gives —, and an empty funnel says so', () => {
    const c = funnelChart(
      [
        { label: 'a', count: 0, stepRate: null, overallRate: null },
        { label: 'b', count: 0, stepRate: null, overallRate: null },
      ],
      { title: 'f' },
    );
    expect(c.empty).toBe(true);
    expect(c.rows[0]!.barWidth).toBe(0);
    expect(c.rows[1]!.rates).toBe('较上一步 — · 占首步 —');
    expect(JSON.stringify(c)).not.toContain('NaN');
  });

  it('writes shares with one decimal and — for nothing to divide by', () => {
    expect(percentText(0.25)).toBe('25.0%');
    expect(percentText(2 / 3)).toBe('66.7%');
    expect(percentText(null)).toBe('—');
    expect(percentText(Number.NaN)).toBe('—');
  });
});

describe('reliabilityChart (下款概率 calibration)', () => {
  const bins = Array.from({ length: 10 }, (_, i) => ({ from: i / 10, to: (i + 1) / 10, meanPredicted: i === 3 ? null : i / 10 + 0.05, observedRate: i === 3 ? null : i / 10 + 0.04, count: i === 3 ? 0 : 20 }));

  it('draws one point per non-empty bin inside the square plot, over the diagonal, and tables every bin', () => {
    const chart = reliabilityChart(bins, { title: '校准图' });
    expect(chart.empty).toBe(false);
    expect(chart.points).toHaveLength(9);
    expect(chart.table).toHaveLength(10);
    expect(chart.table[3]).toEqual({ range: '30%–40%', predicted: '—', observed: '—', count: 0 });
    expect(chart.diagonal).toBe(`M${chart.left} ${chart.bottom} L${chart.right} ${chart.top}`);
    const coords = [...chart.path.matchAll(/[ML]([\d.]+) ([\d.]+)/g)].map((m) => [Number(m[1]), Number(m[2])] as const);
    expect(coords).toHaveLength(9);
    for (const [x, y] of coords) {
      expect(x).toBeGreaterThanOrEqual(chart.left);
      expect(x).toBeLessThanOrEqual(chart.right);
      expect(y).toBeGreaterThanOrEqual(chart.top);
      expect(y).toBeLessThanOrEqual(chart.bottom);
    }
    expect(chart.points[0]!.title).toBe('预测 0%–10%：平均预测 5.0%，实际获批 4.0%（20 笔）');
  });

  it('is empty with no model', () => {
    expect(reliabilityChart([], { title: '校准图' })).toMatchObject({ empty: true, points: [], table: [], path: '' });
  });
});
