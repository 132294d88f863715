import { isIsoDate, shanghaiDate, shanghaiDayStart } from '../../lib/shanghai-date';
import { applyRate, formatYuan, type Fen } from '../../lib/money';

/**
 * Commission rules, pure: what an event earns under an agreement, which agreement is in force,
 * which Asia/Shanghai month an instant falls in, whether a reversal is still allowed. The
 * service does the locking, the reading of earlier events and the ledger posting.
 *
 * Tier model: each rule (CPL, CPA, CPS) has a base unit (fen per lead / per approval, or a CPS
 * rate) that applies from the 1st event of an institution's Asia/Shanghai month, and optional
 * tiers `{ fromCount: N, … }` that replace it from the N-th event of the same rule in that month.
 * The N-th event is counted among the institution's accruals of that rule earlier in the same
 * month (reversed ones no longer count), whatever agreement version they were under.
 */
export const commissionRules = ['cpl', 'cpa', 'cps'] as const;
export type CommissionRule = (typeof commissionRules)[number];

export const ruleLabels: Record<CommissionRule, string> = { cpl: 'CPL（按线索）', cpa: 'CPA（按审批）', cps: 'CPS（按放款）' };

export type AgreementTier =
  | { rule: 'cpl' | 'cpa'; fromCount: number; amountFen: Fen }
  | { rule: 'cps'; fromCount: number; rate: string };

export interface AgreementTerms {
  cplFen: Fen;
  cpaFen: Fen;
  /** fraction of the disbursed amount, as a decimal string (0.015 = 1.5%) */
  cpsRate: string;
  tiers: AgreementTier[];
  /** CPS at most this much per loan */
  cpsEventCapFen: Fen | null;
  cplMonthlyCapFen: Fen | null;
  cpaMonthlyCapFen: Fen | null;
  cpsMonthlyCapFen: Fen | null;
  /** a withdrawal or cancellation this many days after the event or sooner reverses the commission */
  reversalWindowDays: number;
}

export interface CommissionEvent {
  rule: CommissionRule;
  applicationId: string;
  /** the disbursed amount, for CPS */
  baseAmountFen?: Fen;
}

/** What the institution has accrued of the same rule earlier in the same month (reversals excluded). */
export interface MonthToDate {
  count: number;
  amountFen: Fen;
}

export interface CommissionCharge {
  rule: CommissionRule;
  /** this event is the n-th of its rule in the month */
  ordinal: number;
  amountFen: Fen;
  /** the unit applied: fen per event, or the CPS rate */
  unit: { amountFen: Fen } | { rate: string };
  capped: 'event' | 'month' | null;
  memo: string;
}

export const sourceKeyFor = (rule: CommissionRule, applicationId: string) => `${rule}:${applicationId}`;
export const reversalKeyFor = (sourceKey: string) => `rev:${sourceKey}`;

export function monthlyCapOf(terms: AgreementTerms, rule: CommissionRule): Fen | null {
  return rule === 'cpl' ? terms.cplMonthlyCapFen : rule === 'cpa' ? terms.cpaMonthlyCapFen : terms.cpsMonthlyCapFen;
}

/** The unit in force for the n-th event of a rule in the month: the last tier reached, else the base. */
export function unitFor(terms: AgreementTerms, rule: CommissionRule, ordinal: number): { amountFen: Fen } | { rate: string } {
  const reached = terms.tiers
    .filter((t) => t.rule === rule && t.fromCount <= ordinal)
    .sort((a, b) => b.fromCount - a.fromCount)[0];
  if (rule === 'cps') return { rate: reached && 'rate' in reached ? reached.rate : terms.cpsRate };
  if (reached && 'amountFen' in reached) return { amountFen: reached.amountFen };
  return { amountFen: rule === 'cpl' ? terms.cplFen : terms.cpaFen };
}

/** What one event earns: the tier's unit, then the per-event cap, then what is left of the monthly cap. */
export function chargeFor(event: CommissionEvent, terms: AgreementTerms, monthToDate: MonthToDate): CommissionCharge {
  const ordinal = monthToDate.count + 1;
  const unit = unitFor(terms, event.rule, ordinal);
  let amountFen: Fen;
  let memo: string;
  if ('rate' in unit) {
    const base = event.baseAmountFen ?? 0;
    amountFen = applyRate(base, unit.rate);
    memo = `CPS 放款 ${formatYuan(base)} × ${(Number(unit.rate) * 100).toFixed(2)}%（本月第 ${ordinal} 笔）`;
  } else {
    amountFen = unit.amountFen;
    memo = `${event.rule.toUpperCase()} 每笔 ${formatYuan(unit.amountFen)}（本月第 ${ordinal} 笔）`;
  }
  let capped: CommissionCharge['capped'] = null;
  if (event.rule === 'cps' && terms.cpsEventCapFen !== null && amountFen > terms.cpsEventCapFen) {
    amountFen = terms.cpsEventCapFen;
    capped = 'event';
    memo += `，单笔封顶 ${formatYuan(terms.cpsEventCapFen)}`;
  }
  const monthlyCap = monthlyCapOf(terms, event.rule);
  if (monthlyCap !== null) {
    const room = Math.max(0, monthlyCap - monthToDate.amountFen);
    if (amountFen > room) {
      amountFen = room;
      capped = 'month';
      memo += `，月度封顶 ${formatYuan(monthlyCap)}`;
    }
  }
  return { rule: event.rule, ordinal, amountFen, unit, capped, memo };
}

interface Dated {
  effectiveFrom: Date;
  effectiveTo: Date | null;
}

/** The version in force at an instant: effectiveFrom ≤ at < effectiveTo. */
export function inForceAt<T extends Dated>(versions: readonly T[], at: Date): T | undefined {
  const t = at.getTime();
  return versions.find((v) => v.effectiveFrom.getTime() <= t && (v.effectiveTo === null || t < v.effectiveTo.getTime()));
}

const SHANGHAI_OFFSET_MS = 8 * 3600_000; // no daylight saving time in China

/** "2026-03" — the Asia/Shanghai month an instant falls in. */
export function shanghaiMonth(at: Date): string {
  return new Date(at.getTime() + SHANGHAI_OFFSET_MS).toISOString().slice(0, 7);
}

/** "2026-03-01" → the instant of Asia/Shanghai midnight starting that day; undefined when not a real date. */
export function shanghaiMidnight(date: string): Date | undefined {
  return isIsoDate(date) ? shanghaiDayStart(date) : undefined;
}

/** The Asia/Shanghai calendar date of an instant, "2026-03-01". */
export { shanghaiDate };

/** A reversal at `at` is allowed when it comes no later than `days` × 24 hours after the event. */
export function withinReversalWindow(eventAt: Date, at: Date, days: number): boolean {
  const elapsed = at.getTime() - eventAt.getTime();
  return elapsed >= 0 && elapsed <= days * 24 * 3600_000;
}

export interface VersionPlan {
  /** the version whose effectiveTo becomes the new version's effectiveFrom */
  truncate?: { id: string; effectiveTo: Date };
  version: number;
}

/**
 * Where a new version goes among the existing ones. The first version may start at any time;
 * after that a version in force is immutable, so a change starts in the future, after the
 * latest version's start, and ends the latest version where it begins. Versions never overlap.
 * Returns the field and the reason when refused.
 */
export function planNewVersion(
  existing: readonly (Dated & { id: string; version: number })[],
  next: { effectiveFrom: Date; effectiveTo: Date | null },
  now: Date,
): VersionPlan | { refused: { field: 'effectiveFrom' | 'effectiveTo'; reason: string; conflict: boolean } } {
  if (next.effectiveTo && next.effectiveTo.getTime() <= next.effectiveFrom.getTime()) {
    return { refused: { field: 'effectiveTo', reason: '结束日期必须晚于生效日期', conflict: false } };
  }
  const version = existing.reduce((max, v) => Math.max(max, v.version), 0) + 1;
  if (existing.length === 0) return { version };
  if (next.effectiveFrom.getTime() <= now.getTime()) {
    return { refused: { field: 'effectiveFrom', reason: '已有协议生效，新版本只能从未来的日期开始', conflict: false } };
  }
  const latest = [...existing].sort((a, b) => b.effectiveFrom.getTime() - a.effectiveFrom.getTime())[0]!;
  if (next.effectiveFrom.getTime() <= latest.effectiveFrom.getTime()) {
    return {
      refused: { field: 'effectiveFrom', reason: `与第 ${latest.version} 版的有效期重叠：新版本须晚于 ${shanghaiDate(latest.effectiveFrom)} 开始`, conflict: true },
    };
  }
  if (latest.effectiveTo === null || latest.effectiveTo.getTime() > next.effectiveFrom.getTime()) {
    return { version, truncate: { id: latest.id, effectiveTo: next.effectiveFrom } };
  }
  return { version };
}

/** Field-named problems with a set of terms; empty when they are acceptable. */
export function termProblems(terms: AgreementTerms): Record<string, string> {
  const problems: Record<string, string> = {};
  const fen = (v: number) => Number.isSafeInteger(v) && v >= 0;
  const rate = (r: string) => /^\d+(\.\d{1,6})?$/.test(r) && Number(r) < 1;
  if (!fen(terms.cplFen)) problems.cpl = 'CPL 须为不小于 0 的金额';
  if (!fen(terms.cpaFen)) problems.cpa = 'CPA 须为不小于 0 的金额';
  if (!rate(terms.cpsRate)) problems.cpsRate = 'CPS 比例须在 0 至 100% 之间，最多 4 位小数';
  const caps = { cpsEventCap: terms.cpsEventCapFen, cplMonthlyCap: terms.cplMonthlyCapFen, cpaMonthlyCap: terms.cpaMonthlyCapFen, cpsMonthlyCap: terms.cpsMonthlyCapFen };
  for (const [field, cap] of Object.entries(caps)) if (cap !== null && !(fen(cap) && cap > 0)) problems[field] = '封顶金额须大于 0，不封顶请留空';
  if (!Number.isInteger(terms.reversalWindowDays) || terms.reversalWindowDays < 0 || terms.reversalWindowDays > 365) {
    problems.reversalWindowDays = '冲回期限须为 0 至 365 天';
  }
  for (const rule of commissionRules) {
    const tiers = terms.tiers.filter((t) => t.rule === rule);
    const counts = tiers.map((t) => t.fromCount);
    const field = `${rule}Tiers`;
    if (counts.some((c) => !Number.isInteger(c) || c < 2 || c > 1_000_000)) problems[field] = '阶梯须从本月第 2 笔或之后开始';
    else if (new Set(counts).size !== counts.length) problems[field] = '同一笔数只能有一个阶梯';
    else if (tiers.some((t) => ('rate' in t ? !rate(t.rate) : !fen(t.amountFen)))) problems[field] = '阶梯的金额或比例无效';
  }
  return problems;
}
