import { describe, expect, it } from 'vitest';
import { applyRate, formatRate, formatWan, formatYuan, yuanToFen } from './money';

describe('money', () => {
  it('converts yuan text to fen exactly, refusing more than two decimals', () => {
    expect(yuanToFen('12.34')).toBe(1234);
    expect(yuanToFen('0.1')).toBe(10);
    expect(yuanToFen(50000)).toBe(5_000_000);
    expect(yuanToFen('-3.05')).toBe(-305);
    expect(() => yuanToFen('1.234')).toThrow(RangeError);
    expect(() => yuanToFen('abc')).toThrow(RangeError);
  });

  it('applies a decimal rate with half-up rounding to the fen, without floats', () => {
    expect(applyRate(5_000_000, '0.015')).toBe(75_000); // 50,000 yuan × 1.5% = 750 yuan
    expect(applyRate(333, '0.015')).toBe(5); // 4.995 fen → 5
    expect(applyRate(100, '0.004999')).toBe(0); // 0.4999 fen → 0
    expect(applyRate(100, '0.005')).toBe(1); // 0.5 fen → 1
    // a float would drift here: 0.1 + 0.2; the bigint path does not
    expect(applyRate(9_007_199_254_740, '0.3')).toBe(2_702_159_776_422);
  });

  it('formats for people: ¥ with grouping, 万, two-decimal percentages', () => {
    expect(formatYuan(123_456)).toBe('¥1,234.56');
    expect(formatWan(5_000_000)).toBe('5万');
    expect(formatWan(15_000_000)).toBe('15万');
    expect(formatWan(2_500_000)).toBe('2.5万');
    expect(formatWan(80_000)).toBe('800元');
    expect(formatRate('0.072000')).toBe('7.20%');
  });
});
