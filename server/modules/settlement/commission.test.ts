import { describe, expect, it } from 'vitest';
import { commissionFor } from './commission';
import { assertBalanced } from './ledger';

describe('commission rules', () => {
  const terms = { cpaFen: 12_000, cpsRate: '0.015' };

  it('CPA on approval, keyed by the application', () => {
    expect(commissionFor({ type: 'approved', applicationId: 'app_1' }, terms)).toMatchObject({
      rule: 'cpa',
      amountFen: 12_000,
      sourceKey: 'commission:cpa:app_1',
    });
  });

  it('CPS as a share of the disbursed amount, rounded to the fen', () => {
    expect(commissionFor({ type: 'disbursed', applicationId: 'app_1', disbursedAmountFen: 5_000_000 }, terms)).toMatchObject({
      rule: 'cps',
      amountFen: 75_000,
      sourceKey: 'commission:cps:app_1',
    });
    expect(commissionFor({ type: 'disbursed', applicationId: 'a', disbursedAmountFen: 12_345 }, terms)?.amountFen).toBe(185); // 185.175
  });

  it('nothing when the agreement has no such term', () => {
    expect(commissionFor({ type: 'approved', applicationId: 'a' }, { cpaFen: 0, cpsRate: '0.01' })).toBeNull();
    expect(commissionFor({ type: 'disbursed', applicationId: 'a', disbursedAmountFen: 100 }, { cpaFen: 1, cpsRate: '0' })).toBeNull();
  });
});

describe('journal balance', () => {
  it('accepts balanced journals per currency and refuses the rest', () => {
    expect(() => assertBalanced([{ account: 'a', amountFen: 100 }, { account: 'b', amountFen: -100 }])).not.toThrow();
    expect(() => assertBalanced([{ account: 'a', amountFen: 100 }, { account: 'b', amountFen: -99 }])).toThrow(/balance/);
    expect(() =>
      assertBalanced([
        { account: 'a', amountFen: 100, currency: 'CNY' },
        { account: 'b', amountFen: -100, currency: 'USD' },
      ]),
    ).toThrow(/CNY/);
    expect(() => assertBalanced([{ account: 'a', amountFen: 0 }, { account: 'b', amountFen: 0 }])).toThrow(/zero/);
    expect(() => assertBalanced([{ account: 'a', amountFen: 1.5 }, { account: 'b', amountFen: -1.5 }])).toThrow(/integer/);
  });
});
