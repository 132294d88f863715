import { describe, expect, it } from 'vitest';
import { barChart, funnelChart, lineChart, niceMax, shortCount, shortYuan } from './charts';

describe('chart scales', () => {
  it('rounds the top of the axis up to a nice number', () => {
    expect([0, -3, 1, 3, 7, 10, 11, 23, 180, 999, 1001].map(niceMax)).toEqual([1, 1, 1, 5, 10, 10, 20, 25, 200, 1000, 2000]);
  });

  it('formats short labels', () => {
    expect(shortCount(1234)).toBe('1234');
    expect(shortCount(12_345)).toBe('1.2万');
    expect(shortCount(250_000)).toBe('25万');
    expect(shortYuan(5_000_000)).toBe('¥5.0万');
  });
});

describe('line chart', () => {
  const days = ['2026-03-01', '2026-03-02', '2026-03-03'];

  it('maps values onto the plot: zero on the bottom, the nice maximum at the top', () => {
    const c = lineChart(days, [{ name: '申请', values: [0, 5, 10] }], { title: 't', width: 640, height: 220 });
    expect(c.empty).toBe(false);
    expect(c.left).toBe(48);
    expect(c.right).toBe(622);
    expect(c.top).toBe(10);
    expect(c.bottom).toBe(198);
    const pts = c.series[0]!.points;
    expect(pts.map((p) => p.x)).toEqual([48, 335, 622]);
    expect(pts.map((p) => p.y)).toEqual([198, 104, 10]);
    expect(c.series[0]!.path).toBe('M48 198 L335 104 L622 10');
    expect(c.yTicks.map((t) => t.label)).toEqual(['0', '5', '10']);
    expect(c.xTicks.map((t) => t.label)).toEqual(['03-01', '03-02', '03-03']);
    expect(c.table).toEqual([
      { label: '2026-03-01', values: ['0'] },
      { label: '2026-03-02', values: ['5'] },
      { label: '2026-03-03', values: ['10'] },
    ]);
  });

  it('puts a single point in the middle', () => {
    // default size 400 × 200: plot from x 48 to 382, y 10 to 178
    const c = lineChart(['2026-03-01'], [{ name: 'x', values: [3] }], { title: 't' });
    expect(c.width).toBe(400);
    expect(c.series[0]!.points).toHaveLength(1);
    expect(c.series[0]!.points[0]!.x).toBe(215);
    expect(c.series[0]!.points[0]!.y).toBe(77.2);
  });

  it('marks empty data and keeps a 0–1 axis', () => {
    const none = lineChart([], [{ name: 'x', values: [] }], { title: 't' });
    expect(none.empty).toBe(true);
    expect(none.series[0]!.path).toBe('');
    const zeros = lineChart(days, [{ name: 'x', values: [0, 0, 0] }], { title: 't' });
    expect(zeros.empty).toBe(true);
    expect(zeros.series[0]!.points.every((p) => p.y === zeros.bottom)).toBe(true);
  });

  it('labels at most about 8 days on the x axis', () => {
    const many = Array.from({ length: 90 }, (_, i) => `2026-01-${String((i % 28) + 1).padStart(2, '0')}`);
    const c = lineChart(many, [{ name: 'x', values: many.map(() => 1) }], { title: 't' });
    expect(c.xTicks.length).toBeLessThanOrEqual(8);
  });
});

describe('bar chart', () => {
  it('draws bars from the bottom with heights in proportion', () => {
    const c = barChart(['a', 'b'], [50, 100], { title: 't', width: 248, height: 220 });
    // plot 182 wide → two slots of 91, bars 28 wide centred
    expect(c.bars.map((b) => b.x)).toEqual([79.5, 170.5]);
    expect(c.bars.map((b) => b.width)).toEqual([28, 28]);
    expect(c.bars.map((b) => b.height)).toEqual([94, 188]);
    expect(c.bars.map((b) => b.y + b.height)).toEqual([198, 198]);
  });

  it('is empty with no data and a single bar is centred', () => {
    expect(barChart([], [], { title: 't' }).empty).toBe(true);
    const one = barChart(['a'], [7], { title: 't' });
    expect(one.bars[0]!.x + one.bars[0]!.width / 2).toBe(215);
  });
});

describe('funnel chart', () => {
  it('draws bars in proportion to the first step with step conversions', () => {
    const c = funnelChart(
      [
        { label: '搜索', count: 200, stepRate: null },
        { label: '申请', count: 50, stepRate: 0.25 },
        { label: '放款', count: 0, stepRate: 0 },
      ],
      { title: 'f', width: 640 },
    );
    expect(c.rows.map((r) => r.barWidth)).toEqual([414, 103.5, 0]);
    expect(c.rows.map((r) => r.rate)).toEqual(['', '转化 25.00%', '转化 0.00%']);
    expect(c.height).toBe(3 * 36 + 10);
  });

  it('copes with all zeros', () => {
    const c = funnelChart([{ label: 'a', count: 0, stepRate: null }], { title: 'f' });
    expect(c.rows[0]!.barWidth).toBe(0);
  });
});
