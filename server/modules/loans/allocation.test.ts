import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { buildSchedule, type RepaymentMethod } from '../pricing';
import {
  addDays,
  allocate,
  applySettlement,
  daysBetween,
  owedOn,
  principalOutstanding,
  settlementQuote,
  statusOf,
  totalOwed,
  validateSchedule,
  unpaid,
  type InstalmentState,
} from './allocation';

const fresh = (principalFen: number, termMonths: number, method: RepaymentMethod, rate: string, monthlyFeeFen: number): InstalmentState[] =>
  buildSchedule({ principalFen, termMonths, method, annualRate: rate, fees: { monthlyFeeFen }, startDate: new Date('2026-01-31T04:00:00Z') }).instalments.map(unpaid);

const loanArb = fc.record({
  principal: fc.integer({ min: 100, max: 50_000_000 }),
  term: fc.integer({ min: 1, max: 36 }),
  method: fc.constantFrom<RepaymentMethod>('equal_installment', 'equal_principal', 'interest_first', 'bullet'),
  rate: fc.integer({ min: 0, max: 3600 }).map((bp) => (bp / 10_000).toFixed(4)),
  fee: fc.integer({ min: 0, max: 10_000 }),
});

describe('allocation (property)', () => {
  it('over any sequence of payments: allocated = paid up to what was owed, nothing negative, principal outstanding = principal − principal paid', () => {
    fc.assert(
      fc.property(loanArb, fc.array(fc.integer({ min: 1, max: 30_000_000 }), { minLength: 1, maxLength: 15 }), (loan, payments) => {
        let state = fresh(loan.principal, loan.term, loan.method, loan.rate, loan.fee);
        const owedAtStart = totalOwed(state);
        let paid = 0;
        let allocated = 0;
        let principalPaid = 0;
        for (const amount of payments) {
          const before = totalOwed(state);
          const result = allocate(state, amount);
          paid += amount;
          allocated += result.allocatedFen;
          expect(result.allocatedFen + result.unallocatedFen).toBe(amount);
          expect(result.allocatedFen).toBe(Math.min(amount, before));
          expect(result.lines.reduce((s, l) => s + l.feeFen + l.interestFen + l.principalFen, 0)).toBe(result.allocatedFen);
          principalPaid += result.lines.reduce((s, l) => s + l.principalFen, 0);
          state = result.instalments;
          for (const i of state) {
            const o = owedOn(i);
            expect(o.feeFen).toBeGreaterThanOrEqual(0);
            expect(o.interestFen).toBeGreaterThanOrEqual(0);
            expect(o.principalFen).toBeGreaterThanOrEqual(0);
          }
          expect(principalOutstanding(state)).toBe(loan.principal - principalPaid);
          expect(totalOwed(state)).toBe(owedAtStart - allocated);
        }
        expect(allocated).toBe(Math.min(paid, owedAtStart));
      }),
      { numRuns: 300 },
    );
  });

  it('pays oldest first: a later instalment receives nothing while an earlier one still owes', () => {
    fc.assert(
      fc.property(loanArb, fc.integer({ min: 1, max: 30_000_000 }), (loan, amount) => {
        const result = allocate(fresh(loan.principal, loan.term, loan.method, loan.rate, loan.fee), amount);
        const open = result.instalments.findIndex((i) => owedOn(i).totalFen > 0);
        if (open >= 0) for (const i of result.instalments.slice(open + 1)) expect(i.paidFeeFen + i.paidInterestFen + i.paidPrincipalFen).toBe(0);
        // within an instalment: no principal before its fee and interest are paid
        for (const i of result.instalments) {
          if (i.paidPrincipalFen > 0) {
            expect(owedOn(i).feeFen).toBe(0);
            expect(owedOn(i).interestFen).toBe(0);
          }
        }
      }),
    );
  });

  it('an early settlement quote, paid, leaves nothing owed and the early fee unallocated', () => {
    fc.assert(
      fc.property(
        loanArb,
        fc.integer({ min: 0, max: 400 }),
        fc.integer({ min: 0, max: 20_000_000 }),
        fc.integer({ min: 0, max: 500 }).map((bp) => (bp / 10_000).toFixed(4)),
        fc.integer({ min: 0, max: 12 }),
        (loan, day, prepaid, rate, freeAfter) => {
          let state = fresh(loan.principal, loan.term, loan.method, loan.rate, loan.fee);
          if (prepaid > 0) state = allocate(state, prepaid).instalments;
          const today = addDays('2026-01-31', day);
          const quote = settlementQuote(state, today, { rate, freeAfterPeriods: freeAfter });
          const owed = totalOwed(state);
          expect(quote.totalFen - quote.earlyFeeFen + quote.waivedFeeFen + quote.waivedInterestFen).toBe(owed);
          const settled = allocate(applySettlement(state, today), quote.totalFen - quote.earlyFeeFen || 1);
          if (owed > 0) {
            expect(settled.unallocatedFen).toBe(0);
            expect(totalOwed(settled.instalments)).toBe(0);
            expect(principalOutstanding(settled.instalments)).toBe(0);
            for (const i of settled.instalments) expect(statusOf(i, today)).toBe('paid');
          }
        },
      ),
    );
  });
});

describe('instalment status and settlement examples', () => {
  const state = fresh(1_200_000, 12, 'equal_principal', '0.12', 0);

  it('due dates after 31 January follow month ends (28 Feb, 31 Mar, 30 Apr)', () => {
    expect(state.slice(0, 3).map((i) => i.dueDate)).toEqual(['2026-02-28', '2026-03-31', '2026-04-30']);
  });

  it('is pending, partly paid, paid or overdue', () => {
    const first = state[0]!;
    expect(statusOf(first, '2026-02-28')).toBe('pending');
    expect(statusOf(first, '2026-03-01')).toBe('overdue');
    const partly = allocate(state, 5_000).instalments[0]!;
    expect(statusOf(partly, '2026-02-10')).toBe('partly_paid');
    expect(statusOf(partly, '2026-03-01')).toBe('overdue');
    const full = allocate(state, owedOn(first).totalFen).instalments[0]!;
    expect(statusOf(full, '2026-03-05')).toBe('paid');
  });

  it('charges the early fee on principal not yet due, unless enough periods have fallen due', () => {
    // 10 Feb: nothing due; current period 1 charges its interest (12,000); later interest is waived
    const q = settlementQuote(state, '2026-02-10', { rate: '0.02', freeAfterPeriods: 3 });
    expect(q.dueFen).toBe(0);
    expect(q.currentChargesFen).toBe(12_000);
    expect(q.principalFen).toBe(1_200_000);
    expect(q.earlyFeeFen).toBe(24_000);
    expect(q.totalFen).toBe(1_200_000 + 12_000 + 24_000);
    // after three periods fell due, free
    expect(settlementQuote(state, '2026-04-30', { rate: '0.02', freeAfterPeriods: 3 }).earlyFeeFen).toBe(0);
    // 0 means the fee always applies
    expect(settlementQuote(state, '2026-06-01', { rate: '0.02', freeAfterPeriods: 0 }).earlyFeeFen).toBeGreaterThan(0);
  });

  it('validates an institution schedule: principal sum and increasing dates', () => {
    const ok = [
      { period: 1, dueDate: '2026-02-28', principalFen: 600, interestFen: 10, feeFen: 0 },
      { period: 2, dueDate: '2026-03-31', principalFen: 400, interestFen: 5, feeFen: 0 },
    ];
    expect(validateSchedule(ok, 1000, '2026-01-31')).toEqual({});
    expect(validateSchedule(ok, 1001, '2026-01-31').instalments).toMatch(/须等于贷款本金/);
    expect(validateSchedule([ok[1]!, ok[0]!], 1000, '2026-01-31')['instalments.1.dueDate']).toBe('还款日须逐期递增');
    expect(validateSchedule([{ ...ok[0]!, dueDate: '2026-02-30' }], 600, '2026-01-31')['instalments.0.dueDate']).toBeDefined();
    expect(daysBetween('2026-01-31', '2026-03-01')).toBe(29);
  });
});
