import { describe, expect, it } from 'vitest';
import { buildSchedule } from '../pricing';
import { allocate, owedOn, principalOutstanding, totalOwed, unpaid, type InstalmentState } from './allocation';
import { periodsRemaining, reschedule } from './reschedule';

const start = new Date('2026-01-15T04:00:00Z');
/** 12,000.00 yuan over 6 months at 12%, equal instalments, with 5.00 yuan a month in fees. */
function original(): InstalmentState[] {
  return buildSchedule({ principalFen: 1_200_000, annualRate: '0.12', termMonths: 6, method: 'equal_installment', fees: { monthlyFeeFen: 500 }, startDate: start }).instalments.map(unpaid);
}
const amountOf = (i: InstalmentState) => i.principalFen + i.interestFen + i.feeFen;
const paidOf = (list: InstalmentState[]) => list.reduce((s, i) => s + i.paidPrincipalFen + i.paidInterestFen + i.paidFeeFen, 0);

describe('reschedule (展期 / 重新安排)', () => {
  it('keeps the repayments made, to the fen, and spreads exactly the principal still owed over the new term', () => {
    const before = original();
    // the first instalment paid in full, the second partly (200.00 yuan)
    const paid = allocate(before, amountOf(before[0]!) + 20_000).instalments;
    const outstanding = principalOutstanding(paid);
    const result = reschedule(paid, { termMonths: 7, annualRate: '0.12', method: 'equal_installment', monthlyFeeFen: 500, changeFeeFen: 0, startDate: new Date('2026-02-20T04:00:00Z'), today: '2026-02-20' });
    // what was paid stays paid, on the same periods
    expect(result.kept.map((k) => k.period)).toEqual([1, 2]);
    expect(paidOf(result.kept)).toBe(paidOf(paid));
    expect(result.kept.every((k) => owedOn(k).totalFen === 0)).toBe(true);
    expect(result.kept[0]).toEqual(paid[0]);
    // the new periods follow on, and carry exactly the principal not yet repaid
    expect(result.added.map((a) => a.period)).toEqual([3, 4, 5, 6, 7, 8, 9]);
    expect(result.outstandingPrincipalFen).toBe(outstanding);
    expect(result.added.reduce((s, a) => s + a.principalFen, 0)).toBe(outstanding);
    // the whole loan's principal is still exactly the principal lent
    expect([...result.kept, ...result.added].reduce((s, i) => s + i.principalFen, 0)).toBe(1_200_000);
    // nothing was due yet beyond what was paid: no arrears; the first new due date is a month after the start
    expect(result.arrearsInterestFen + result.arrearsFeeFen).toBe(0);
    expect(result.added[0]!.dueDate).toBe('2026-03-20');
    expect(result.newTotalFen).toBe(totalOwed(result.added));
    expect(result.newCostFen).toBe(result.newTotalFen - outstanding);
    // the all-in APR with a 5 yuan monthly fee on a shrinking balance is above the nominal 12%
    expect(result.apr).toBeGreaterThan(0.12);
    expect(result.apr).toBeLessThan(0.2);
  });

  it('carries interest and fees already due into the first new instalment, adds the change fee there, and states it in the APR', () => {
    const before = original();
    // nothing paid, two instalments past due on 2026-03-20
    const terms = { termMonths: 6, annualRate: '0.12', method: 'equal_installment' as const, monthlyFeeFen: 500, startDate: new Date('2026-03-20T04:00:00Z'), today: '2026-03-20' };
    const noFee = reschedule(before, { ...terms, changeFeeFen: 0 });
    const withFee = reschedule(before, { ...terms, changeFeeFen: 10_000 });
    const dueInterest = before[0]!.interestFen + before[1]!.interestFen;
    expect(noFee.kept).toEqual([]);
    expect(noFee.arrearsInterestFen).toBe(dueInterest);
    expect(noFee.arrearsFeeFen).toBe(1_000);
    expect(noFee.outstandingPrincipalFen).toBe(1_200_000);
    const plain = buildSchedule({ principalFen: 1_200_000, annualRate: '0.12', termMonths: 6, method: 'equal_installment', fees: { monthlyFeeFen: 500 }, startDate: terms.startDate }).instalments;
    expect(noFee.added[0]!.interestFen).toBe(plain[0]!.interestFen + dueInterest);
    expect(noFee.added[0]!.feeFen).toBe(500 + 1_000);
    expect(withFee.added[0]!.feeFen).toBe(500 + 1_000 + 10_000);
    expect(withFee.newTotalFen - noFee.newTotalFen).toBe(10_000);
    // a fee for the change is a cost: the APR says so
    expect(withFee.apr).toBeGreaterThan(noFee.apr);
  });

  it('展期 counts the periods still owed; a loan with no principal left has nothing to reschedule', () => {
    const before = original();
    expect(periodsRemaining(before)).toBe(6);
    const paid = allocate(before, amountOf(before[0]!) + amountOf(before[1]!)).instalments;
    expect(periodsRemaining(paid)).toBe(4);
    const allPaid = allocate(before, totalOwed(before)).instalments;
    expect(() => reschedule(allPaid, { termMonths: 3, annualRate: '0.1', method: 'equal_installment', monthlyFeeFen: 0, changeFeeFen: 0, startDate: start, today: '2026-01-15' })).toThrow(/nothing to reschedule/);
    expect(() => reschedule(before, { termMonths: 3, annualRate: '0.1', method: 'equal_installment', monthlyFeeFen: 0, changeFeeFen: -1, startDate: start, today: '2026-01-15' })).toThrow(RangeError);
  });
});
