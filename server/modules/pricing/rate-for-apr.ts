import { buildSchedule, type LoanTerms } from './schedule';

/**
 * The nominal annual rate at which a loan with these fees costs `targetApr` all-in (IRR, every
 * fee included): what an approval stated as 综合年化 means for the schedule. Without fees the
 * two are the same. With fees the rate is found by bisection (the all-in APR rises with the
 * rate) to six decimals, never above the target, so the borrower is never charged more than
 * approved. Null when the fees alone already cost more than the target. Pure.
 */
export function nominalRateForApr(terms: Omit<LoanTerms, 'annualRate'>, targetApr: string): string | null {
  const target = Number(targetApr);
  if (!Number.isFinite(target) || target < 0) return null;
  const fees = terms.fees;
  if (!fees || ((fees.upfrontFen ?? 0) === 0 && (fees.monthlyFeeFen ?? 0) === 0)) return targetApr;
  const aprAt = (rate: number) => buildSchedule({ ...terms, annualRate: rate.toFixed(6) }).apr;
  if (aprAt(0) > target) return null;
  let lo = 0; // all-in APR at lo is within the target
  let hi = target; // a nominal rate above the all-in target always costs more than it
  while (hi - lo > 5e-7) {
    const mid = (lo + hi) / 2;
    if (aprAt(mid) <= target) lo = mid;
    else hi = mid;
  }
  return (Math.floor(lo * 1e6) / 1e6).toFixed(6);
}
