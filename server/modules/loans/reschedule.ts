/**
 * 展期 and restructuring in integer fen: a new schedule for what is still owed, with the
 * repayments already made kept where they are. No database, no clock: the service passes
 * `today` (YYYY-MM-DD, Asia/Shanghai) and the start date.
 *
 * - Instalments with anything paid stay, closed at what was paid (a fully paid one is unchanged;
 *   a partly paid one keeps its payments, its unpaid principal moves on).
 * - The principal not yet repaid is amortised again over the new term at the new rate, by the
 *   pricing module's schedule (so the method's rounding rules hold), from `startDate`.
 * - Interest and fees already due and unpaid (arrears) are carried into the first new
 *   instalment, so nothing owed is lost; interest and fees not yet due are replaced by the new
 *   schedule's. A one-off fee for the change is charged with the first new instalment too.
 * - The all-in APR of the new schedule is the IRR of the balance taken on (principal plus
 *   arrears) against the new instalments, every fee included.
 */
import { allInApr, buildSchedule, type RepaymentMethod } from '../pricing';
import { owedOn, unpaid, type InstalmentState } from './allocation';

export interface RescheduleTerms {
  /** periods over which the outstanding principal is spread */
  termMonths: number;
  /** nominal annual rate, fraction as a decimal string */
  annualRate: string;
  method: RepaymentMethod;
  /** the loan's fixed fee per instalment */
  monthlyFeeFen: number;
  /** a one-off fee for the change (展期费), 0 when none */
  changeFeeFen: number;
  /** the new schedule's first instalment falls one month after this */
  startDate: Date;
  /** YYYY-MM-DD (Asia/Shanghai): what is due on or before it is arrears */
  today: string;
}

export interface Rescheduled {
  /** the instalments with payments, closed at what was paid */
  kept: InstalmentState[];
  /** the new instalments, nothing paid */
  added: InstalmentState[];
  outstandingPrincipalFen: number;
  arrearsInterestFen: number;
  arrearsFeeFen: number;
  /** every fen the borrower will pay on the new instalments */
  newTotalFen: number;
  /** new total − outstanding principal: interest, fees and arrears */
  newCostFen: number;
  /** all-in APR of the new schedule (fraction, not rounded) */
  apr: number;
}

const paidOn = (i: InstalmentState) => i.paidPrincipalFen + i.paidInterestFen + i.paidFeeFen;

/** The instalments the borrower still has to pay anything on, counted for 展期 (extension adds periods to these). */
export function periodsRemaining(instalments: readonly InstalmentState[]): number {
  return instalments.filter((i) => owedOn(i).totalFen > 0).length;
}

export function reschedule(instalments: readonly InstalmentState[], terms: RescheduleTerms): Rescheduled {
  if (!Number.isSafeInteger(terms.changeFeeFen) || terms.changeFeeFen < 0) throw new RangeError('the change fee must be a non-negative integer number of fen');
  const sorted = [...instalments].sort((a, b) => a.period - b.period);
  const kept: InstalmentState[] = [];
  let outstandingPrincipalFen = 0;
  let arrearsInterestFen = 0;
  let arrearsFeeFen = 0;
  for (const i of sorted) {
    const owed = owedOn(i);
    outstandingPrincipalFen += owed.principalFen;
    if (i.dueDate <= terms.today) {
      arrearsInterestFen += owed.interestFen;
      arrearsFeeFen += owed.feeFen;
    }
    if (paidOn(i) > 0 || i.waivedInterestFen + i.waivedFeeFen > 0) {
      kept.push({ ...i, principalFen: i.paidPrincipalFen, interestFen: i.paidInterestFen + i.waivedInterestFen, feeFen: i.paidFeeFen + i.waivedFeeFen });
    }
  }
  if (outstandingPrincipalFen <= 0) throw new RangeError('no principal is outstanding: nothing to reschedule');
  const schedule = buildSchedule({
    principalFen: outstandingPrincipalFen,
    annualRate: terms.annualRate,
    termMonths: terms.termMonths,
    method: terms.method,
    fees: { monthlyFeeFen: terms.monthlyFeeFen },
    startDate: terms.startDate,
  });
  const base = kept.length ? kept[kept.length - 1]!.period : 0;
  const added: InstalmentState[] = schedule.instalments.map((n, idx) =>
    unpaid({
      period: base + n.period,
      dueDate: n.dueDate,
      principalFen: n.principalFen,
      interestFen: n.interestFen + (idx === 0 ? arrearsInterestFen : 0),
      feeFen: n.feeFen + (idx === 0 ? arrearsFeeFen + terms.changeFeeFen : 0),
    }),
  );
  const payments = added.map((i) => i.principalFen + i.interestFen + i.feeFen);
  const newTotalFen = payments.reduce((s, p) => s + p, 0);
  const financed = outstandingPrincipalFen + arrearsInterestFen + arrearsFeeFen;
  return {
    kept,
    added,
    outstandingPrincipalFen,
    arrearsInterestFen,
    arrearsFeeFen,
    newTotalFen,
    newCostFen: newTotalFen - outstandingPrincipalFen,
    apr: newTotalFen > financed ? allInApr(financed, payments) : 0,
  };
}
