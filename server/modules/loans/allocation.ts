/**
 * Pure repayment arithmetic in integer fen: what each instalment still owes, how a payment is
 * allocated (oldest instalment first; within one, fees, then interest, then principal), the
 * status an instalment is in on a given day, and the quote for settling the whole loan early.
 * No database, no clock: the service passes `today` (YYYY-MM-DD, Asia/Shanghai).
 */
import { formatYuan } from '../../lib/money';

export interface InstalmentState {
  period: number;
  /** YYYY-MM-DD, Asia/Shanghai */
  dueDate: string;
  principalFen: number;
  interestFen: number;
  feeFen: number;
  paidPrincipalFen: number;
  paidInterestFen: number;
  paidFeeFen: number;
  /** interest and fees forgiven by an early settlement (never paid, never owed) */
  waivedInterestFen: number;
  waivedFeeFen: number;
}

/** A scheduled instalment nothing has been paid on yet. */
export function unpaid(line: Pick<InstalmentState, 'period' | 'dueDate' | 'principalFen' | 'interestFen' | 'feeFen'>): InstalmentState {
  const { period, dueDate, principalFen, interestFen, feeFen } = line;
  return { period, dueDate, principalFen, interestFen, feeFen, paidPrincipalFen: 0, paidInterestFen: 0, paidFeeFen: 0, waivedInterestFen: 0, waivedFeeFen: 0 };
}

export type InstalmentStatus = 'pending' | 'partly_paid' | 'paid' | 'overdue';

export const instalmentStatusLabels: Record<InstalmentStatus, string> = {
  pending: '待还',
  partly_paid: '部分已还',
  paid: '已还清',
  overdue: '已逾期',
};

export interface Owed {
  feeFen: number;
  interestFen: number;
  principalFen: number;
  totalFen: number;
}

export interface AllocationLine {
  period: number;
  feeFen: number;
  interestFen: number;
  principalFen: number;
}

export interface AllocationResult {
  lines: AllocationLine[];
  allocatedFen: number;
  /** what was paid beyond everything owed (refunded by the institution; never allocated) */
  unallocatedFen: number;
  instalments: InstalmentState[];
}

export function owedOn(i: InstalmentState): Owed {
  const feeFen = i.feeFen - i.waivedFeeFen - i.paidFeeFen;
  const interestFen = i.interestFen - i.waivedInterestFen - i.paidInterestFen;
  const principalFen = i.principalFen - i.paidPrincipalFen;
  return { feeFen, interestFen, principalFen, totalFen: feeFen + interestFen + principalFen };
}

export function totalOwed(instalments: readonly InstalmentState[]): number {
  return instalments.reduce((sum, i) => sum + owedOn(i).totalFen, 0);
}

export function principalOutstanding(instalments: readonly InstalmentState[]): number {
  return instalments.reduce((sum, i) => sum + i.principalFen - i.paidPrincipalFen, 0);
}

/** Paid in full, overdue (past its due date with something left), partly paid, or pending. */
export function statusOf(i: InstalmentState, today: string): InstalmentStatus {
  const owed = owedOn(i);
  if (owed.totalFen <= 0) return 'paid';
  if (i.dueDate < today) return 'overdue';
  return i.paidFeeFen + i.paidInterestFen + i.paidPrincipalFen > 0 ? 'partly_paid' : 'pending';
}

/** Whole days from one YYYY-MM-DD to another (positive when `to` is later). */
export function daysBetween(from: string, to: string): number {
  return Math.round((Date.parse(`${to}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`)) / 86_400_000);
}

/** YYYY-MM-DD plus n days. */
export function addDays(date: string, n: number): string {
  return new Date(Date.parse(`${date}T00:00:00Z`) + n * 86_400_000).toISOString().slice(0, 10);
}

/**
 * Allocates `amountFen` over the instalments in period order: each instalment's fee, then its
 * interest, then its principal, before the next. Never allocates more than is owed; the rest is
 * returned as `unallocatedFen`. Returns new instalment states (the input is not changed).
 */
export function allocate(instalments: readonly InstalmentState[], amountFen: number): AllocationResult {
  if (!Number.isSafeInteger(amountFen) || amountFen <= 0) throw new RangeError('payment must be a positive integer number of fen');
  let left = amountFen;
  const lines: AllocationLine[] = [];
  const next = [...instalments].sort((a, b) => a.period - b.period).map((i) => ({ ...i }));
  for (const i of next) {
    if (left === 0) break;
    const owed = owedOn(i);
    if (owed.totalFen <= 0) continue;
    const fee = Math.min(left, owed.feeFen);
    left -= fee;
    const interest = Math.min(left, owed.interestFen);
    left -= interest;
    const principal = Math.min(left, owed.principalFen);
    left -= principal;
    i.paidFeeFen += fee;
    i.paidInterestFen += interest;
    i.paidPrincipalFen += principal;
    lines.push({ period: i.period, feeFen: fee, interestFen: interest, principalFen: principal });
  }
  return { lines, allocatedFen: amountFen - left, unallocatedFen: left, instalments: next };
}

export interface EarlyFeeRule {
  /** fraction of the principal repaid early, e.g. "0.020000" */
  rate: string;
  /** free once this many instalments have fallen due (0: the fee always applies) */
  freeAfterPeriods: number;
}

export interface SettlementQuote {
  /** as of this day */
  date: string;
  /** everything due by today (past due or due today), in full */
  dueFen: number;
  /** the current period's fee and interest (the first instalment not yet due) */
  currentChargesFen: number;
  /** every fen of principal still outstanding */
  principalFen: number;
  /** interest and fees of later periods that settling today forgives */
  waivedInterestFen: number;
  waivedFeeFen: number;
  /** principal not yet due, on which the early-repayment fee is charged */
  earlyPrincipalFen: number;
  earlyFeeFen: number;
  /** the one amount that settles the loan today */
  totalFen: number;
}

/** fen × decimal rate string, half-up, with bigint: exact. */
export function feeOn(fen: number, rate: string): number {
  const m = /^(\d+)(?:\.(\d+))?$/.exec(rate.trim());
  if (!m) throw new RangeError(`not a decimal rate: ${rate}`);
  const decimals = m[2] ?? '';
  const num = BigInt(m[1]! + decimals);
  const den = 10n ** BigInt(decimals.length);
  return Number((2n * BigInt(fen) * num + den) / (2n * den));
}

/**
 * What settles the loan on `today`: everything due by today; the current period's fee and interest;
 * all remaining principal; later periods' interest and fees are forgiven; plus the product's
 * early-repayment fee on the principal not yet due, unless enough periods have fallen due.
 */
export function settlementQuote(instalments: readonly InstalmentState[], today: string, rule: EarlyFeeRule): SettlementQuote {
  const sorted = [...instalments].sort((a, b) => a.period - b.period);
  let overdue = 0;
  let current = 0;
  let principal = 0;
  let waivedInterest = 0;
  let waivedFee = 0;
  let early = 0;
  let currentSeen = false;
  for (const i of sorted) {
    const owed = owedOn(i);
    if (i.dueDate <= today) {
      overdue += owed.totalFen;
      continue;
    }
    principal += owed.principalFen;
    early += owed.principalFen;
    if (!currentSeen) {
      currentSeen = true;
      current += owed.feeFen + owed.interestFen;
    } else {
      waivedInterest += owed.interestFen;
      waivedFee += owed.feeFen;
    }
  }
  // principal due by today counts in `dueFen`; `principal` is the part not yet due
  const periodsDue = sorted.filter((i) => i.dueDate <= today).length;
  const free = rule.freeAfterPeriods > 0 && periodsDue >= rule.freeAfterPeriods;
  const earlyFee = free || early === 0 ? 0 : feeOn(early, rule.rate);
  return {
    date: today,
    dueFen: overdue,
    currentChargesFen: current,
    principalFen: principal,
    waivedInterestFen: waivedInterest,
    waivedFeeFen: waivedFee,
    earlyPrincipalFen: early,
    earlyFeeFen: earlyFee,
    totalFen: overdue + current + principal + earlyFee,
  };
}

/**
 * The instalments after an early settlement is accepted: later periods' interest and fees
 * waived, then the payment (less the early fee) allocated; everything ends paid.
 */
export function applySettlement(instalments: readonly InstalmentState[], today: string): InstalmentState[] {
  const sorted = [...instalments].sort((a, b) => a.period - b.period).map((i) => ({ ...i }));
  let currentSeen = false;
  for (const i of sorted) {
    if (i.dueDate <= today) continue;
    if (!currentSeen) {
      currentSeen = true;
      continue;
    }
    const owed = owedOn(i);
    i.waivedInterestFen += owed.interestFen;
    i.waivedFeeFen += owed.feeFen;
  }
  return sorted;
}

export interface ScheduleLine {
  period: number;
  dueDate: string;
  principalFen: number;
  interestFen: number;
  feeFen: number;
}

/**
 * Checks an institution's own schedule: periods 1..n in order, dates valid and strictly
 * increasing, amounts non-negative integers, principal summing to the loan principal.
 * Returns field → reason; empty when valid.
 */
export function validateSchedule(lines: readonly ScheduleLine[], principalFen: number, disbursedOn: string): Record<string, string> {
  const errors: Record<string, string> = {};
  if (lines.length === 0) return { instalments: '至少需要一期' };
  if (lines.length > 360) return { instalments: '最多 360 期' };
  let previous = disbursedOn;
  let sum = 0;
  lines.forEach((l, idx) => {
    const at = `instalments.${idx}`;
    if (!/^\d{4}-\d{2}-\d{2}$/.test(l.dueDate) || Number.isNaN(Date.parse(`${l.dueDate}T00:00:00Z`)) || new Date(`${l.dueDate}T00:00:00Z`).toISOString().slice(0, 10) !== l.dueDate) {
      errors[`${at}.dueDate`] = '日期格式为 YYYY-MM-DD';
      return;
    }
    if (l.dueDate <= previous) errors[`${at}.dueDate`] = idx === 0 ? '第一期还款日须晚于放款日' : '还款日须逐期递增';
    previous = l.dueDate;
    for (const k of ['principalFen', 'interestFen', 'feeFen'] as const) {
      if (!Number.isSafeInteger(l[k]) || l[k] < 0) errors[`${at}.${k}`] = '金额须为不小于 0 的整数分';
    }
    sum += l.principalFen;
  });
  if (Object.keys(errors).length === 0 && sum !== principalFen) {
    errors.instalments = `各期本金合计 ${formatYuan(sum)}，须等于贷款本金 ${formatYuan(principalFen)}`;
  }
  return errors;
}
