import { shanghaiDate, shanghaiMidnight } from './commission';

/**
 * Statement rules, pure: which month a run closes, when a statement is due, how an unpaid
 * statement ages, what status a person sees.
 */
export type StatementStatus = 'draft' | 'issued' | 'disputed' | 'paid';
export type ShownStatus = StatementStatus | 'overdue';

export const statusLabels: Record<ShownStatus, string> = {
  draft: '草稿',
  issued: '已出具',
  disputed: '有异议',
  paid: '已付清',
  overdue: '已逾期',
};

const PERIOD = /^(\d{4})-(0[1-9]|1[0-2])$/;

export function isPeriod(text: string): boolean {
  return PERIOD.test(text);
}

/** "2026-03" → "2026-02"; "2026-01" → "2025-12" */
export function periodBefore(period: string): string {
  const [y, m] = period.split('-').map(Number) as [number, number];
  return m === 1 ? `${y - 1}-12` : `${y}-${String(m - 1).padStart(2, '0')}`;
}

export function periodAfter(period: string): string {
  const [y, m] = period.split('-').map(Number) as [number, number];
  return m === 12 ? `${y + 1}-01` : `${y}-${String(m + 1).padStart(2, '0')}`;
}

/** The month a run at `now` closes: the Asia/Shanghai month before the one `now` is in. */
export function periodToClose(now: Date): string {
  return periodBefore(shanghaiDate(now).slice(0, 7));
}

/** Payment is due on the 15th of the month after the period: "2026-03" → "2026-04-15". */
export function dueDateFor(period: string): string {
  return `${periodAfter(period)}-15`;
}

/** Whole days past the due date at `now` (Asia/Shanghai), 0 when not yet due. */
export function daysPastDue(dueDate: string, now: Date): number {
  const due = shanghaiMidnight(dueDate)!;
  const today = shanghaiMidnight(shanghaiDate(now))!;
  return Math.max(0, Math.round((today.getTime() - due.getTime()) / 86_400_000));
}

/** What a person sees: an issued or disputed statement past its due date, not fully paid, is overdue. */
export function shownStatus(s: { status: StatementStatus; dueDate: string }, now: Date): ShownStatus {
  if ((s.status === 'issued' || s.status === 'disputed') && daysPastDue(s.dueDate, now) > 0) return 'overdue';
  return s.status;
}

/**
 * A bank reference as finance may type it twice: "icbc 2026 0001", "ＩＣＢＣ20260001" and "ICBC20260001"
 * are the same transfer. Full-width forms are folded (NFKC), spaces dropped, letters upper-cased.
 */
export function paymentReferenceKey(reference: string): string {
  return reference.normalize('NFKC').replace(/\s+/g, '').toUpperCase();
}

/** What finance may record against a statement: at most what is outstanding, unless it is an overpayment on purpose. */
export function overpaymentOf(amountFen: number, outstandingFen: number): number {
  return Math.max(0, amountFen - Math.max(0, outstandingFen));
}

export const ageingBuckets = ['current', 'd30', 'd60', 'd90', 'd90plus'] as const;
export type AgeingBucket = (typeof ageingBuckets)[number];
export const ageingLabels: Record<AgeingBucket, string> = {
  current: '未到期',
  d30: '逾期 1–30 天',
  d60: '逾期 31–60 天',
  d90: '逾期 61–90 天',
  d90plus: '逾期 90 天以上',
};

/** By days past the due date: not yet due, 1–30, 31–60, 61–90, more than 90. */
export function ageingBucket(dueDate: string, now: Date): AgeingBucket {
  const days = daysPastDue(dueDate, now);
  if (days === 0) return 'current';
  if (days <= 30) return 'd30';
  if (days <= 60) return 'd60';
  if (days <= 90) return 'd90';
  return 'd90plus';
}
