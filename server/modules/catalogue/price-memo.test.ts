import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { methodFor, priceRangeIfOffered } from '../pricing';
import { PriceMemo } from './price-memo';
import { pricingInput, type ProductView } from './product-view';

/** only the pricing fields are read */
const view = (over: Partial<ProductView> = {}): ProductView =>
  ({
    id: 'prd_a',
    minAmountFen: 100_000,
    maxAmountFen: 20_000_000,
    termOptions: [6, 12, 24],
    repaymentMethods: ['equal_installment', 'interest_first'],
    rateMin: '0.072',
    rateMax: '0.18',
    upfrontFeeRate: '0.01',
    monthlyFeeRate: '0',
    guaranteeFeeRate: '0',
    insuranceFeeRate: '0',
    upfrontFeeMode: 'deducted',
    ...over,
  }) as ProductView;

const direct = (v: ProductView, amountFen: number, termMonths: number, method?: string) => {
  const input = pricingInput(v);
  const range = priceRangeIfOffered(input, { amountFen, termMonths, method: methodFor(input, method) });
  if (!range) return undefined;
  const { best: _best, worst: _worst, ...figures } = range; // the memo keeps the figures, not the schedules
  return figures;
};

describe('PriceMemo', () => {
  it('answers what priceRangeIfOffered answers (its figures), asked once or again, in any order', () => {
    const products = [view(), view({ id: 'prd_b', rateMax: '0.24', repaymentMethods: ['bullet'] }), view({ id: 'prd_c', termOptions: [12], minAmountFen: 1_000_000 })];
    const ask = fc.tuple(
      fc.constantFrom(...products),
      fc.constantFrom(50_000, 500_000, 5_000_000, 30_000_000),
      fc.constantFrom(3, 6, 12, 24),
      fc.constantFrom(undefined, 'equal_installment', 'interest_first', 'bullet', 'no_such_method'),
    );
    fc.assert(
      fc.property(fc.array(ask, { minLength: 1, maxLength: 30 }), (asks) => {
        const memo = new PriceMemo();
        for (const [v, amount, term, method] of [...asks, ...asks]) expect(memo.priceOf(v, amount, term, method)).toEqual(direct(v, amount, term, method));
      }),
      { numRuns: 50 },
    );
  });

  it('prices a new version of a product afresh (a new view object), not from the old one', () => {
    const memo = new PriceMemo();
    const before = view();
    const after = view({ rateMax: '0.30' });
    const old = memo.priceOf(before, 5_000_000, 12);
    const changed = memo.priceOf(after, 5_000_000, 12);
    expect(changed).toEqual(direct(after, 5_000_000, 12));
    expect(changed!.aprHigh).toBeGreaterThan(old!.aprHigh);
  });
});
