import { formatYuan, type Fen } from '../../lib/money';

/**
 * Channel payout rules, pure: what one conversion of an attributed borrower earns its channel
 * under a channel agreement, which tier applies, how the monthly cap cuts it, how a commission
 * share is rounded, whether an account's registration lies in a burst. The service does the
 * locking, the reading of earlier payables and the ledger posting.
 *
 * Tier model (the same as institutions' commission tiers): each per-event rule has a base amount
 * that applies from the 1st event of the channel's Asia/Shanghai month, and optional tiers
 * `{ fromCount: N, amountFen }` that replace it from the N-th paid event of that rule in the month
 * (reversed payables and excluded events do not count), whatever agreement version they were under.
 * "0–99 → ¥50, 100+ → ¥80" is base 5000 with the tier { fromCount: 100, amountFen: 8000 }.
 *
 * Monthly cap: one cap per channel and month over every rule together (the platform's budget for
 * the channel): an event earns at most what is left of it; once it is reached events earn ¥0
 * (recorded, shown on the statement, never posted).
 *
 * Commission share: `rate` × the commission the platform accrued for the application (CPL, CPA
 * or CPS, each accrual its own event), ROUNDED DOWN to the fen (exact, in bigint): the channel is
 * never paid a fraction of a fen the platform did not earn.
 */
export const perEventRules = ['registration', 'verified_registration', 'application', 'approval', 'disbursement'] as const;
export type PerEventRule = (typeof perEventRules)[number];
export const payoutRules = [...perEventRules, 'commission_share'] as const;
export type PayoutRule = (typeof payoutRules)[number];

export const payoutRuleLabels: Record<PayoutRule, string> = {
  registration: '注册',
  verified_registration: '实名注册',
  application: '申请',
  approval: '批核',
  disbursement: '放款',
  commission_share: '佣金分成',
};

export interface PayoutTier {
  /** from the N-th paid event of the rule in the channel's month (N ≥ 2) */
  fromCount: number;
  amountFen: Fen;
}

export interface PerEventTerms {
  rule: PerEventRule;
  amountFen: Fen;
  tiers: PayoutTier[];
}

export interface ChannelTerms {
  perEvent: PerEventTerms[];
  /** share of the platform's commission on the borrower's applications, decimal string ("0.1" = 10%); "0" = none */
  shareRate: string;
  /** at most this much per channel and Asia/Shanghai month, all rules together; null = no cap */
  monthlyCapFen: Fen | null;
  /** an invalidated event this many days after it or sooner is reversed */
  reversalWindowDays: number;
}

/** Does the agreement pay this rule at all (a base or a tier above zero, or a share rate)? */
export function pays(terms: ChannelTerms, rule: PayoutRule): boolean {
  if (rule === 'commission_share') return rateParts(terms.shareRate)[0] > 0n;
  const r = terms.perEvent.find((p) => p.rule === rule);
  return !!r && (r.amountFen > 0 || r.tiers.some((t) => t.amountFen > 0));
}

/** The amount in force for the n-th event of a per-event rule in the month: the last tier reached, else the base. */
export function unitFor(terms: ChannelTerms, rule: PerEventRule, ordinal: number): Fen {
  const r = terms.perEvent.find((p) => p.rule === rule);
  if (!r) return 0;
  const reached = r.tiers.filter((t) => t.fromCount <= ordinal).sort((a, b) => b.fromCount - a.fromCount)[0];
  return reached ? reached.amountFen : r.amountFen;
}

function rateParts(rate: string): [bigint, bigint] {
  const m = /^(\d+)(?:\.(\d+))?$/.exec(rate.trim());
  if (!m) throw new RangeError(`not a decimal rate: ${rate}`);
  const decimals = m[2] ?? '';
  return [BigInt(m[1]! + decimals), 10n ** BigInt(decimals.length)];
}

/** commission × rate, rounded DOWN to the fen, exactly (bigint). */
export function shareOf(commissionFen: Fen, rate: string): Fen {
  const [num, den] = rateParts(rate);
  return Number((BigInt(commissionFen) * num) / den);
}

/** What the channel has been paid this month so far: per rule counts (for tiers) and the total (for the cap). */
export interface ChannelMonthToDate {
  /** paid events of this rule earlier in the month, reversed ones excluded */
  ruleCount: number;
  /** the channel's total payables of the month, every rule, reversed ones excluded */
  totalFen: Fen;
}

export interface PayoutEvent {
  rule: PayoutRule;
  /** the commission accrued, for commission_share */
  commissionFen?: Fen;
}

export interface PayoutCharge {
  rule: PayoutRule;
  ordinal: number;
  amountFen: Fen;
  capped: boolean;
  memo: string;
}

const percent = (rate: string) => `${(Number(rate) * 100).toFixed(2)}%`;

/** What one event earns: the tier's amount (or the share), then what is left of the monthly cap. */
export function payoutFor(event: PayoutEvent, terms: ChannelTerms, mtd: ChannelMonthToDate): PayoutCharge {
  const ordinal = mtd.ruleCount + 1;
  let amountFen: Fen;
  let memo: string;
  if (event.rule === 'commission_share') {
    const base = event.commissionFen ?? 0;
    amountFen = shareOf(base, terms.shareRate);
    memo = `佣金 ${formatYuan(base)} × ${percent(terms.shareRate)}（向下取整到分）`;
  } else {
    amountFen = unitFor(terms, event.rule, ordinal);
    memo = `${payoutRuleLabels[event.rule]}每笔 ${formatYuan(amountFen)}（本月第 ${ordinal} 笔）`;
  }
  let capped = false;
  if (terms.monthlyCapFen !== null) {
    const room = Math.max(0, terms.monthlyCapFen - mtd.totalFen);
    if (amountFen > room) {
      amountFen = room;
      capped = true;
      memo += `，已达月度封顶 ${formatYuan(terms.monthlyCapFen)}`;
    }
  }
  return { rule: event.rule, ordinal, amountFen, capped, memo };
}

/** Field-named problems with a set of terms; empty when they are acceptable. */
export function termProblems(terms: ChannelTerms): Record<string, string> {
  const problems: Record<string, string> = {};
  const fen = (v: number) => Number.isSafeInteger(v) && v >= 0;
  if (!/^\d+(\.\d{1,6})?$/.test(terms.shareRate) || Number(terms.shareRate) >= 1) problems.shareRate = '佣金分成比例须在 0 至 100% 之间，最多 4 位小数';
  if (terms.monthlyCapFen !== null && !(fen(terms.monthlyCapFen) && terms.monthlyCapFen > 0)) problems.monthlyCap = '月度封顶须大于 0，不封顶请留空';
  if (!Number.isInteger(terms.reversalWindowDays) || terms.reversalWindowDays < 0 || terms.reversalWindowDays > 365) problems.reversalWindowDays = '冲回期限须为 0 至 365 天';
  const seen = new Set<string>();
  for (const r of terms.perEvent) {
    if (!(perEventRules as readonly string[]).includes(r.rule)) {
      problems.perEvent = `未知的计费事件：${String(r.rule)}`;
      continue;
    }
    if (seen.has(r.rule)) problems[r.rule] = '同一事件只能有一条单价';
    seen.add(r.rule);
    if (!fen(r.amountFen)) problems[r.rule] = '单价须为不小于 0 的金额';
    const counts = r.tiers.map((t) => t.fromCount);
    if (counts.some((c) => !Number.isInteger(c) || c < 2 || c > 1_000_000)) problems[`${r.rule}Tiers`] = '阶梯须从本月第 2 笔或之后开始';
    else if (new Set(counts).size !== counts.length) problems[`${r.rule}Tiers`] = '同一笔数只能有一个阶梯';
    else if (r.tiers.some((t) => !fen(t.amountFen))) problems[`${r.rule}Tiers`] = '阶梯金额无效';
  }
  if (!terms.perEvent.some((r) => pays(terms, r.rule)) && !(problems.shareRate === undefined && pays(terms, 'commission_share'))) {
    problems.perEvent ??= '请至少约定一项计费：按事件单价或佣金分成';
  }
  return problems;
}

export const BURST_WINDOW_MS = 10 * 60_000;

/**
 * The largest number of registrations (the same channel and sub-ID) in any `windowMs` window that
 * contains the registration at `at`, with that window: `times` are the registrations around it
 * (at least [at − window, at + window]), `at` among them.
 */
export function burstAround(times: readonly Date[], at: Date, windowMs = BURST_WINDOW_MS): { count: number; from: Date; to: Date } {
  const sorted = times.map((t) => t.getTime()).sort((a, b) => a - b);
  const t = at.getTime();
  let best = { count: 0, from: t, to: t + windowMs };
  for (const start of sorted) {
    if (start > t || start < t - windowMs) continue;
    // the window [start, start + window) contains t
    const end = start + windowMs;
    const count = sorted.filter((x) => x >= start && x < end).length;
    if (count > best.count) best = { count, from: start, to: end };
  }
  return { count: best.count, from: new Date(best.from), to: new Date(best.to) };
}

/** Why a source event is not paid (excluded) or is taken back (reversed), with its evidence. */
export type InvalidTraffic =
  | { code: 'risk_flag'; evidence: { flags: { code: string; label: string; at: string }[] } }
  | { code: 'shared_device'; evidence: { deviceRef: string; accounts: number; threshold: number } }
  | { code: 'burst'; evidence: { channelId: string; subId: string; from: string; to: string; count: number; threshold: number } };

export const exclusionLabels: Record<InvalidTraffic['code'], string> = {
  risk_flag: '账号有风险提示',
  shared_device: '同一设备注册的账号过多',
  burst: '短时间内同一渠道注册过多',
};

const shanghaiClock = (iso: string) => new Date(new Date(iso).getTime() + 8 * 3600_000).toISOString().slice(0, 16).replace('T', ' ');

/** The evidence in words, for the statement line. */
export function evidenceText(reason: InvalidTraffic): string {
  switch (reason.code) {
    case 'risk_flag':
      return `账号有风险提示：${reason.evidence.flags.map((f) => `${f.label}（${shanghaiClock(f.at)}）`).join('；')}`;
    case 'shared_device':
      return `设备 ${reason.evidence.deviceRef} 上已有 ${reason.evidence.accounts} 个账号（上限 ${reason.evidence.threshold} 个）`;
    case 'burst':
      return `子渠道「${reason.evidence.subId || '（无）'}」在 ${shanghaiClock(reason.evidence.from)}–${shanghaiClock(reason.evidence.to).slice(11)} 的 10 分钟内注册 ${reason.evidence.count} 个（上限 ${reason.evidence.threshold} 个）`;
  }
}

/** Why a paid event is reversed: its own invalidity or invalid traffic found later. */
export type ReversalCause =
  | { code: 'application_withdrawn'; text: string }
  | { code: 'commission_reversed'; text: string }
  | { code: 'invalid_traffic'; text: string; reason: InvalidTraffic };

/** A reversal at `at` is allowed when it comes no later than `days` × 24 hours after the event. */
export function withinWindow(eventAt: Date, at: Date, days: number): boolean {
  const elapsed = at.getTime() - eventAt.getTime();
  return elapsed >= 0 && elapsed <= days * 24 * 3600_000;
}
