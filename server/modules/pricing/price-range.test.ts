import { describe, expect, it } from 'vitest';
import { COST_SORT_DEFAULT, compareChoice, costSortChoice, formatRateRange, formatYuanRange, priceRange, priceRangeIfOffered, priceRangeText, productSchedule, type ProductPricingInput } from './index';

const base: ProductPricingInput = {
  minAmountFen: 100_000,
  maxAmountFen: 20_000_000,
  termOptions: [6, 12, 24],
  repaymentMethods: ['equal_installment', 'interest_first'],
  rateMin: '0.072',
  rateMax: '0.18',
  upfrontFeeRate: '0',
  monthlyFeeRate: '0',
};
const choice = { amountFen: 5_000_000, termMonths: 12, method: 'equal_installment' as const };

describe('priceRange', () => {
  it('a flat-rate product has the same low and high', () => {
    const r = priceRange({ ...base, rateMin: '0.1', rateMax: '0.1' }, choice);
    expect(r.aprLow).toBe(r.aprHigh);
    expect(r.monthlyLow).toBe(r.monthlyHigh);
    expect(r.totalCostLow).toBe(r.totalCostHigh);
    expect(priceRangeText(r).monthly).not.toContain('–');
  });

  it('a range product costs more at the high end, from the lowest and the highest rate', () => {
    const r = priceRange(base, choice);
    expect(r.aprHigh).toBeGreaterThan(r.aprLow);
    expect(r.monthlyHigh).toBeGreaterThan(r.monthlyLow);
    expect(r.totalCostHigh).toBeGreaterThan(r.totalCostLow);
    const lo = productSchedule(base, { principalFen: 5_000_000, termMonths: 12, method: 'equal_installment', annualRate: '0.072' });
    const hi = productSchedule(base, { principalFen: 5_000_000, termMonths: 12, method: 'equal_installment', annualRate: '0.18' });
    expect(r.monthlyLow).toBe(lo.instalments[0]!.paymentFen);
    expect(r.monthlyHigh).toBe(hi.instalments[0]!.paymentFen);
    expect(r.totalCostHigh).toBe(hi.totalInterestFen);
    expect(r.aprLow).toBeCloseTo(0.072 * 1.0, 2);
    // 等额本息 has no separate last payment
    expect(r.lastPaymentLow).toBeUndefined();
  });

  it('includes every fee: monthly fees raise the payment and cost, an upfront fee raises the APR', () => {
    const plain = priceRange(base, choice);
    const fees = priceRange({ ...base, upfrontFeeRate: '0.02', monthlyFeeRate: '0.001', guaranteeFeeRate: '0.0005' }, choice);
    // 0.15% of ¥50,000 a month
    expect(fees.monthlyLow - plain.monthlyLow).toBe(7_500);
    expect(fees.totalCostLow - plain.totalCostLow).toBe(100_000 + 12 * 7_500);
    expect(fees.aprLow).toBeGreaterThan(plain.aprLow + 0.03);
    expect(fees.aprHigh).toBeGreaterThan(fees.aprLow);
  });

  it('先息后本 shows the last payment (the principal) as well', () => {
    const r = priceRange(base, { ...choice, method: 'interest_first' });
    expect(r.monthlyLow).toBe(30_000);
    expect(r.lastPaymentLow).toBe(5_030_000);
    expect(r.lastPaymentHigh).toBe(5_075_000);
  });

  it('refuses an amount, term or method the product does not offer (never clamps)', () => {
    expect(() => priceRange(base, { ...choice, amountFen: 99_999 })).toThrow(/amount outside/);
    expect(() => priceRange(base, { ...choice, amountFen: 20_000_001 })).toThrow(/amount outside/);
    expect(() => priceRange(base, { ...choice, termMonths: 36 })).toThrow(/term not offered/);
    expect(() => priceRange(base, { ...choice, method: 'bullet' })).toThrow(/method not offered/);
    expect(priceRangeIfOffered(base, { ...choice, termMonths: 36 })).toBeUndefined();
    expect(priceRangeIfOffered(base, choice)?.totalCostHigh).toBeGreaterThan(0);
  });

  it('formats ¥ with thousands separators and APR with two decimals, one figure when equal', () => {
    expect(formatYuanRange(123_400, 145_600)).toBe('¥1,234.00–¥1,456.00');
    expect(formatYuanRange(123_400, 123_400)).toBe('¥1,234.00');
    expect(formatRateRange(0.072, 0.18)).toBe('7.20%–18.00%');
    expect(formatRateRange(0.1, 0.100001)).toBe('10.00%');
  });
});

describe('the choices prices are made for', () => {
  it('the cost sort prices the amount and term asked, ¥50,000 over 12 months standing in, by the one repayment method ticked', () => {
    expect(costSortChoice({ amountFen: 2_000_000, termMonths: 6, repayment: ['bullet'] })).toEqual({ amountFen: 2_000_000, termMonths: 6, method: 'bullet' });
    expect(costSortChoice({ repayment: ['bullet', 'interest_first'] })).toEqual({ ...COST_SORT_DEFAULT, method: undefined });
  });

  it('a comparison without an amount or term uses ¥50,000 within every product’s limits and 12 months when all offer it', () => {
    const a = { minAmountFen: 100_000, maxAmountFen: 3_000_000, termOptions: [6, 12] };
    const b = { minAmountFen: 1_000_000, maxAmountFen: 20_000_000, termOptions: [12, 24] };
    expect(compareChoice([a, b], {})).toEqual({ amountFen: 3_000_000, termMonths: 12, sharedTerms: [12] });
    expect(compareChoice([a, { ...b, termOptions: [6, 24] }], {})).toMatchObject({ termMonths: 6, sharedTerms: [6] });
    expect(compareChoice([a, { ...b, termOptions: [24] }], { amountFen: 123 })).toMatchObject({ amountFen: 123, termMonths: 6, sharedTerms: [] });
    expect(() => compareChoice([], {})).toThrow(RangeError);
  });
});
