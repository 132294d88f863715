import Decimal from 'decimal.js';
import { ValidationError } from '../lib/errors';
import { formatYuan, parseYuan, type Fen } from '../lib/money';
import {
  exclusionLabels,
  payoutRuleLabels,
  perEventRules,
  type ChannelAgreement,
  type ChannelAgreementInput,
  type ChannelStatementDetail,
  type ChannelStatementSummary,
  type PerEventRule,
  type PerEventTerms,
} from '../modules/channel-payouts';
import { shanghaiDate, shanghaiMidnight } from '../modules/settlement';

/**
 * Channel agreements and statements between the services and the doors: the admin form read into
 * an agreement's terms, terms in words for tables, statements as pages and the API show them.
 */

export const channelStatementStatusLabels = { draft: '草稿', issued: '已出具', disputed: '有异议', paid: '已付款' } as const;
const lineKindLabels = { payable: '计费', excluded: '未计费', reversal: '冲回', adjustment: '调整' } as const;

const percentPattern = /^\d{1,2}(\.\d{1,4})?$/;
const yuanText = (fen: number | null | undefined) => (fen === null || fen === undefined ? '' : (fen / 100).toFixed(2).replace(/\.00$/, ''));

/** The fields of the new-version form, every one a string. */
export type ChannelAgreementForm = Record<string, string>;

/** The form → a new version's terms, every problem named by its field. Blank amount = the rule is not paid. */
export function channelAgreementFromForm(channelId: string, form: ChannelAgreementForm): ChannelAgreementInput {
  const problems: Record<string, string> = {};
  const text = (k: string) => (form[k] ?? '').trim();
  const perEvent: PerEventTerms[] = [];
  for (const rule of perEventRules) {
    const amountText = text(rule);
    const tierText = text(`${rule}Tiers`);
    if (amountText === '' && tierText === '') continue;
    let amountFen: Fen = 0;
    if (amountText !== '') {
      const parsed = parseYuan(amountText, { label: payoutRuleLabels[rule], sign: 'non_negative' });
      if (!parsed.ok) problems[rule] = parsed.reason;
      else amountFen = parsed.fen;
    }
    const tiers = [];
    for (const line of tierText.split(/\r?\n/).map((l) => l.trim()).filter(Boolean)) {
      const m = /^(\d{1,7})\s*[=:：\s]\s*([\d.,]+)$/.exec(line);
      const amount = m ? parseYuan(m[2]!, { sign: 'non_negative' }) : null;
      if (!m || !amount?.ok) {
        problems[`${rule}Tiers`] = '每行一个阶梯，如「100=80」：从本月第 100 笔起每笔 80 元';
        break;
      }
      tiers.push({ fromCount: Number(m[1]), amountFen: amount.fen });
    }
    perEvent.push({ rule, amountFen, tiers });
  }
  let shareRate = '0';
  const share = text('sharePercent');
  if (share !== '') {
    if (!percentPattern.test(share)) problems.shareRate = '佣金分成须为百分数，如 10 或 12.5，最多 4 位小数';
    else shareRate = new Decimal(share).div(100).toFixed();
  }
  let monthlyCapFen: Fen | null = null;
  if (text('monthlyCap') !== '') {
    const cap = parseYuan(text('monthlyCap'), { label: '月度封顶', sign: 'positive' });
    if (!cap.ok) problems.monthlyCap = cap.reason;
    else monthlyCapFen = cap.fen;
  }
  let reversalWindowDays = 30;
  if (text('reversalWindowDays') !== '') {
    if (!/^\d{1,3}$/.test(text('reversalWindowDays'))) problems.reversalWindowDays = '冲回期限须为 0 至 365 的整数天数';
    else reversalWindowDays = Number(text('reversalWindowDays'));
  }
  const effectiveFrom = shanghaiMidnight(text('effectiveFrom'));
  if (!effectiveFrom) problems.effectiveFrom = '请选择生效日期（YYYY-MM-DD）';
  let effectiveTo: Date | null = null;
  if (text('effectiveTo') !== '') {
    effectiveTo = shanghaiMidnight(text('effectiveTo')) ?? null;
    if (!effectiveTo) problems.effectiveTo = '失效日期格式应为 YYYY-MM-DD，或留空';
  }
  if (text('note').length > 200) problems.note = '备注最多 200 字';
  if (Object.keys(problems).length) throw new ValidationError('渠道协议条款有误，请检查标出的字段', problems);
  return { channelId, perEvent, shareRate, monthlyCapFen, reversalWindowDays, effectiveFrom: effectiveFrom!, effectiveTo, note: text('note') };
}

/** The form prefilled from a version (the one in force), starting on `effectiveFrom`. */
export function channelAgreementFormValues(a: ChannelAgreement | undefined, effectiveFrom: string): ChannelAgreementForm {
  const values: ChannelAgreementForm = {
    sharePercent: a ? new Decimal(a.shareRate).times(100).toFixed() : '0',
    monthlyCap: yuanText(a?.monthlyCapFen ?? null),
    reversalWindowDays: String(a?.reversalWindowDays ?? 30),
    effectiveFrom,
    effectiveTo: '',
    note: '',
  };
  for (const rule of perEventRules) {
    const r = a?.perEvent.find((p) => p.rule === rule);
    values[rule] = r ? yuanText(r.amountFen) : '';
    values[`${rule}Tiers`] = r ? r.tiers.map((t) => `${t.fromCount}=${yuanText(t.amountFen)}`).join('\n') : '';
  }
  return values;
}

/** Terms in words, one line per paid rule: "放款 每笔 ¥50.00，第 100 笔起 ¥80.00". */
export function channelTermsSummary(a: ChannelAgreement): string[] {
  const lines = a.perEvent.map(
    (r) => `${payoutRuleLabels[r.rule]} 每笔 ${formatYuan(r.amountFen)}${r.tiers.map((t) => `，本月第 ${t.fromCount} 笔起 ${formatYuan(t.amountFen)}`).join('')}`,
  );
  if (Number(a.shareRate) > 0) lines.push(`佣金分成 ${(Number(a.shareRate) * 100).toFixed(2)}%（向下取整到分）`);
  lines.push(a.monthlyCapFen === null ? '月度不封顶' : `每月封顶 ${formatYuan(a.monthlyCapFen)}`);
  return lines;
}

export function channelAgreementJson(a: ChannelAgreement) {
  return {
    id: a.id,
    channelId: a.channelId,
    version: a.version,
    perEvent: a.perEvent.map((r) => ({ rule: r.rule, amountFen: r.amountFen, tiers: r.tiers })),
    shareRate: a.shareRate,
    monthlyCapFen: a.monthlyCapFen,
    reversalWindowDays: a.reversalWindowDays,
    effectiveFrom: a.effectiveFrom.toISOString(),
    effectiveTo: a.effectiveTo?.toISOString() ?? null,
    note: a.note,
    terms: channelTermsSummary(a),
  };
}

export function channelStatementSummaryJson(s: ChannelStatementSummary) {
  return {
    id: s.id,
    channelId: s.channelId,
    channelName: s.channelName,
    period: s.period,
    status: s.status,
    totalFen: s.totalFen,
    paidFen: s.paidFen,
    lineCount: s.lineCount,
    excludedCount: s.excludedCount,
    openDisputes: s.openDisputes,
    closedAt: s.closedAt.toISOString(),
    issuedAt: s.issuedAt?.toISOString() ?? null,
    paidAt: s.paidAt?.toISOString() ?? null,
  };
}

export function channelStatementJson(s: ChannelStatementDetail) {
  return {
    ...channelStatementSummaryJson(s),
    lines: s.lines.map((l) => ({
      id: l.id,
      lineNo: l.lineNo,
      kind: l.kind,
      rule: l.rule,
      subId: l.subId,
      eventAt: l.eventAt.toISOString(),
      amountFen: l.amountFen,
      late: l.late,
      description: l.description,
      evidence: l.evidence ?? null,
      dispute: l.dispute ? { reason: l.dispute.reason, raisedAt: l.dispute.raisedAt.toISOString(), resolution: l.dispute.resolution, resolutionNote: l.dispute.resolutionNote } : null,
    })),
    subtotals: s.subtotals,
    payment: s.payment ? { amountFen: s.payment.amountFen, paidAt: s.payment.paidAt.toISOString(), reference: s.payment.reference } : null,
  };
}

/** A statement for the admin page: labels for status, line kinds and dispute state. */
export function channelStatementView(s: ChannelStatementDetail) {
  return {
    ...s,
    statusLabel: channelStatementStatusLabels[s.status],
    lines: s.lines.map((l) => ({
      ...l,
      kindLabel: lineKindLabels[l.kind],
      exclusionLabel: l.evidence ? exclusionLabels[l.evidence.code] : null,
      openDispute: !!l.dispute && l.dispute.resolution === null,
      disputeLabel: !l.dispute ? '' : l.dispute.resolution === 'adjusted' ? '异议已调整' : l.dispute.resolution === 'rejected' ? '异议已驳回' : '渠道有异议',
    })),
  };
}

export const perEventRuleFields = perEventRules.map((rule: PerEventRule) => ({ rule, label: payoutRuleLabels[rule] }));
export { shanghaiDate };
