import { describe, expect, it } from 'vitest';
import { nominalRateForApr } from './rate-for-apr';
import { buildSchedule, type LoanFees } from './schedule';

const terms = (fees?: LoanFees) => ({ principalFen: 10_000_000, termMonths: 12, method: 'equal_installment' as const, fees, startDate: new Date('2026-03-05T04:00:00Z') });

describe('nominalRateForApr', () => {
  it('without fees the approved all-in APR is the nominal rate', () => {
    expect(nominalRateForApr(terms(), '0.150000')).toBe('0.150000');
    expect(nominalRateForApr(terms({ upfrontFen: 0, monthlyFeeFen: 0 }), '0.12')).toBe('0.12');
  });

  it.each([
    ['deducted service fee and a monthly fee', { upfrontFen: 200_000, upfrontMode: 'deducted', monthlyFeeFen: 30_000 } as LoanFees, '0.24'],
    ['monthly guarantee fee only', { monthlyFeeFen: 50_000 } as LoanFees, '0.18'],
  ])('with a %s the loan costs the approved APR, never more', (_, fees, target) => {
    const rate = nominalRateForApr(terms(fees), target)!;
    expect(rate).toMatch(/^0\.\d{6}$/);
    expect(Number(rate)).toBeLessThan(Number(target)); // the fees take part of the APR
    const at = (r: string) => buildSchedule({ ...terms(fees), annualRate: r }).apr;
    expect(at(rate)).toBeLessThanOrEqual(Number(target));
    expect(Number(target) - at(rate)).toBeLessThan(0.0001); // within a hundredth of a percentage point
    expect(at((Number(rate) + 0.000002).toFixed(6))).toBeGreaterThan(at(rate));
  });

  it('refuses a target the fees alone exceed', () => {
    expect(nominalRateForApr(terms({ upfrontFen: 1_000_000, upfrontMode: 'deducted', monthlyFeeFen: 100_000 }), '0.05')).toBeNull();
  });
});
