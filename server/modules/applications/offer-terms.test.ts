import { describe, expect, it } from 'vitest';
import { ValidationError } from '../../lib/errors';
import type { ProductPricingInput } from '../pricing';
import { offerTerms } from './offer-terms';

// 7.2%–18% nominal, a 2% upfront fee deducted: the advertised all-in APR is above the nominal rate
const product: ProductPricingInput = {
  minAmountFen: 100_000,
  maxAmountFen: 20_000_000,
  termOptions: [12, 24],
  repaymentMethods: ['equal_installment', 'equal_principal'],
  rateMin: '0.0720',
  rateMax: '0.1800',
  upfrontFeeRate: '0.02',
  monthlyFeeRate: '0',
};
const base = { amountFen: 5_000_000, termMonths: 12, method: 'equal_installment' as const };
const fieldsOf = (fn: () => unknown) => {
  try {
    fn();
  } catch (err) {
    if (err instanceof ValidationError) return err.fields ?? {};
    throw err;
  }
  throw new Error('not refused');
};

describe('offerTerms: an approval against what the product advertised', () => {
  it('within the range: the figures come from the nominal rate that costs exactly the stated APR, fees included', () => {
    const t = offerTerms(product, { ...base, apr: '0.150000' });
    expect(t.aboveAdvertised).toBe(false);
    expect(t.pricingReason).toBeNull();
    expect(Number(t.nominalRate)).toBeLessThan(0.15); // the fee takes part of the all-in cost
    expect(t.advertisedAprLow).toBeGreaterThan(0.072);
    expect(t.advertisedAprHigh).toBeGreaterThan(0.18);
    // equal instalments: twelve payments, the last absorbing the rounding (fees are deducted upfront, not in the payments)
    expect(Math.abs(t.totalRepaymentFen - 12 * t.firstPaymentFen)).toBeLessThan(12);
    expect(t.totalCostFen).toBeGreaterThan(100_000); // the 1,000 yuan fee at least
    expect(t.totalRepaymentFen).toBeGreaterThan(base.amountFen);
    expect(Number.isInteger(t.firstPaymentFen) && Number.isInteger(t.totalCostFen)).toBe(true);
  });

  it('a higher APR costs more in every figure', () => {
    const low = offerTerms(product, { ...base, apr: '0.100000' });
    const high = offerTerms(product, { ...base, apr: '0.160000' });
    expect(high.firstPaymentFen).toBeGreaterThan(low.firstPaymentFen);
    expect(high.totalCostFen).toBeGreaterThan(low.totalCostFen);
  });

  it('above the advertised range: refused without a reason, kept with one and flagged', () => {
    const above = { ...base, apr: '0.230000' };
    expect(fieldsOf(() => offerTerms(product, above))).toMatchObject({ pricingReason: '请选择定价原因' });
    const t = offerTerms(product, { ...above, pricingReason: 'risk_based' });
    expect(t).toMatchObject({ aboveAdvertised: true, pricingReason: 'risk_based', apr: '0.230000' });
  });

  it('a reason given for an APR within the range is not recorded', () => {
    expect(offerTerms(product, { ...base, apr: '0.120000', pricingReason: 'risk_based' }).pricingReason).toBeNull();
  });

  it('refuses what is above the platform cap, even with a reason, and the legal ceiling whatever the cap says', () => {
    expect(fieldsOf(() => offerTerms(product, { ...base, apr: '0.300000', pricingReason: 'risk_based' }, 0.24))).toEqual({ offeredApr: '综合年化不得超过 24.00%' });
    expect(fieldsOf(() => offerTerms(product, { ...base, apr: '0.370000', pricingReason: 'risk_based' }, 0.5))).toEqual({ offeredApr: '综合年化不得超过 36.00%' });
  });

  it('refuses terms the product does not lend and a method it does not offer, naming the field', () => {
    expect(Object.keys(fieldsOf(() => offerTerms(product, { ...base, amountFen: 50_000_000, apr: '0.1' })))).toEqual(['offeredAmount']);
    expect(Object.keys(fieldsOf(() => offerTerms(product, { ...base, termMonths: 36, apr: '0.1' })))).toEqual(['offeredTermMonths']);
    expect(Object.keys(fieldsOf(() => offerTerms(product, { ...base, method: 'bullet', apr: '0.1' })))).toEqual(['repaymentMethod']);
  });

  it('refuses an APR the fees alone already exceed', () => {
    expect(Object.keys(fieldsOf(() => offerTerms(product, { ...base, apr: '0.010000' })))).toEqual(['offeredApr']);
  });
});
