import { describe, expect, it } from 'vitest';
import { applyRate, formatRate, formatWan, formatYuan, parseYuan, yuanToFen, type YuanSign } from './money';

describe('money', () => {
  it('converts yuan text to fen exactly, refusing more than two decimals', () => {
    expect(yuanToFen('12.34')).toBe(1234);
    expect(yuanToFen('0.1')).toBe(10);
    expect(yuanToFen(50000)).toBe(5_000_000);
    expect(yuanToFen('-3.05')).toBe(-305);
    expect(() => yuanToFen('1.234')).toThrow(RangeError);
    expect(() => yuanToFen('abc')).toThrow(RangeError);
  });

  describe('parseYuan: what a person types, in yuan, to fen', () => {
    const accepted: [input: string | number, fen: number, sign?: YuanSign][] = [
      ['1234', 123_400],
      ['1234.5', 123_450],
      ['1234.50', 123_450],
      ['  1234.50  ', 123_450],
      ['1,234.5', 123_450],
      ['1,234,567.89', 123_456_789],
      ['¥1234', 123_400],
      ['￥1,234.56', 123_456],
      ['¥ 1234', 123_400],
      ['1234元', 123_400],
      ['１２３４．５０', 123_450],
      ['１，２３４', 123_400],
      ['0.01', 1],
      ['12.', 1_200],
      ['007', 700],
      ['999999999999.99', 99_999_999_999_999],
      [1234.5, 123_450],
      [50000, 5_000_000],
      ['0', 0, 'non_negative'],
      ['0.00', 0, 'non_negative'],
      ['-3.05', -305, 'any'],
      ['-¥1,000', -100_000, 'any'],
      ['－５', -500, 'any'],
      ['-0', 0, 'any'],
    ];
    it.each(accepted)('%j → %i fen (%s)', (input, fen, sign) => {
      expect(parseYuan(input, { sign })).toEqual({ ok: true, fen });
    });

    const refused: [input: string | number, reason: string, sign?: YuanSign][] = [
      ['', '请填写还款金额'],
      ['   ', '请填写还款金额'],
      ['1.234', '还款金额须为元，最多两位小数'],
      ['0.001', '还款金额须为元，最多两位小数'],
      [0.1 + 0.2, '还款金额须为元，最多两位小数'],
      ['abc', '还款金额须为元，如 1234.50、1,234.5 或 ¥1234'],
      ['5万', '还款金额须为元，如 1234.50、1,234.5 或 ¥1234'],
      ['12,34', '还款金额须为元，如 1234.50、1,234.5 或 ¥1234'],
      ['1234,567', '还款金额须为元，如 1234.50、1,234.5 或 ¥1234'],
      ['1.2.3', '还款金额须为元，如 1234.50、1,234.5 或 ¥1234'],
      ['.5', '还款金额须为元，如 1234.50、1,234.5 或 ¥1234'],
      ['1e3', '还款金额须为元，如 1234.50、1,234.5 或 ¥1234'],
      ['+5', '还款金额须为元，如 1234.50、1,234.5 或 ¥1234'],
      [Number.NaN, '还款金额须为元，如 1234.50、1,234.5 或 ¥1234'],
      ['1 234', '还款金额须为元，如 1234.50、1,234.5 或 ¥1234'],
      ['1000000000000', '还款金额过大，最多 12 位整数'],
      ['0', '还款金额须大于 0'],
      ['0.00', '还款金额须大于 0'],
      ['-5', '还款金额不能为负数'],
      ['-5', '还款金额不能为负数', 'non_negative'],
    ];
    it.each(refused)('%j is refused: %s (%s)', (input, reason, sign) => {
      expect(parseYuan(input, { label: '还款金额', sign })).toEqual({ ok: false, reason });
    });

    it('names the field 金额 when no label is given', () => {
      expect(parseYuan('x')).toEqual({ ok: false, reason: '金额须为元，如 1234.50、1,234.5 或 ¥1234' });
    });
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
