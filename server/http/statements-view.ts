import type { Response } from 'express';
import { formatYuan } from '../lib/money';
import { ruleLabels, statementStatusLabels, type StatementDetail, type StatementSummary } from '../modules/settlement';
import { viewHelpers } from './view-helpers';
import { csvYuan, sendCsv, type CsvRow } from './csv';

const datetime = (v: Date) => String(viewHelpers.datetime(v));

const kindLabels = { accrual: '佣金', reversal: '冲回', adjustment: '调整' } as const;
const reviewLabels = { confirmed: '已确认', disputed: '有异议' } as const;
const resolutionLabels = { adjusted: '已调整', rejected: '异议未采纳' } as const;

/** A statement as the pages show it: labels in Chinese, each line with its review state. */
export function statementSummaryView(s: StatementSummary) {
  return { ...s, statusLabel: statementStatusLabels[s.shown], payable: (s.shown === 'issued' || s.shown === 'overdue' || s.shown === 'disputed') && s.outstandingFen > 0 };
}

export function statementDetailView(s: StatementDetail) {
  return {
    ...statementSummaryView(s),
    subtotalRows: s.subtotals.map((t) => ({ ...t, label: ruleLabels[t.rule as keyof typeof ruleLabels] ?? t.rule })),
    lines: s.lines.map((l) => ({
      ...l,
      kindLabel: kindLabels[l.kind],
      ruleLabel: l.rule ? ruleLabels[l.rule] : '—',
      reviewLabel: l.review ? (l.review.resolution ? resolutionLabels[l.review.resolution] : reviewLabels[l.review.decision]) : '待确认',
      reviewState: l.review ? (l.review.resolution ?? l.review.decision) : 'pending',
      openDispute: l.review?.decision === 'disputed' && !l.review.resolution,
      reviewable: !l.review?.resolution && s.status !== 'paid',
      /** what crediting the whole line back would be, as the default adjustment */
      creditYuan: (-l.amountFen / 100).toFixed(2),
    })),
    payments: s.payments.map((p) => ({ ...p, methodLabel: p.method === 'stripe' ? '在线支付（Stripe）' : '银行转账' })),
  };
}

/** The statement as CSV, one row per line plus totals; amounts are numbers (a reversal is -12.50). */
export function sendStatementCsv(res: Response, s: StatementDetail): void {
  const rows: CsvRow[] = [
    ['序号', '类型', '申请编号', '事件', '规则', '事件时间', '所属月份', '迟到', '金额(元)', '说明', '确认状态'],
    ...s.lines.map((l) => [
      l.lineNo,
      kindLabels[l.kind],
      l.applicationId ?? '',
      l.sourceKey,
      l.rule ? ruleLabels[l.rule] : '',
      datetime(l.eventAt),
      l.eventMonth,
      l.late ? '是' : '',
      csvYuan(l.amountFen),
      l.description,
      l.review ? (l.review.resolution ? resolutionLabels[l.review.resolution] : reviewLabels[l.review.decision]) : '',
    ]),
    [],
    ...s.subtotals.map((t) => ['小计', ruleLabels[t.rule as keyof typeof ruleLabels] ?? t.rule, '', '', '', '', '', '', csvYuan(t.amountFen), `${t.count} 笔`, '']),
    ['调整', '', '', '', '', '', '', '', csvYuan(s.adjustmentsFen), '', ''],
    ['应付合计', '', '', '', '', '', '', '', csvYuan(s.totalFen), `到期日 ${s.dueDate}`, ''],
    ['已付', '', '', '', '', '', '', '', csvYuan(s.paidFen), '', ''],
    ...(s.overpaidFen > 0 ? [['多付', '', '', '', '', '', '', '', csvYuan(s.overpaidFen), s.payments.map((p) => p.overpaymentReason).filter(Boolean).join('；'), '']] : []),
  ];
  sendCsv(res, `statement-${s.institutionName}-${s.period}.csv`, rows);
}

/** The statement for the JSON APIs. */
export function statementJson(s: StatementSummary | StatementDetail) {
  const base = {
    id: s.id,
    period: s.period,
    status: s.shown,
    totalFen: s.totalFen,
    adjustmentsFen: s.adjustmentsFen,
    lateFen: s.lateFen,
    paidFen: s.paidFen,
    outstandingFen: s.outstandingFen,
    overpaidFen: s.overpaidFen,
    dueDate: s.dueDate,
    subtotals: s.subtotals,
    lineCount: s.lineCount,
    closedAt: s.closedAt,
    issuedAt: s.issuedAt,
    paidAt: s.paidAt,
    total: formatYuan(s.totalFen),
  };
  if (!('lines' in s)) return base;
  return {
    ...base,
    lines: s.lines.map((l) => ({
      id: l.id,
      lineNo: l.lineNo,
      kind: l.kind,
      applicationId: l.applicationId,
      sourceKey: l.sourceKey,
      rule: l.rule,
      eventAt: l.eventAt,
      eventMonth: l.eventMonth,
      late: l.late,
      amountFen: l.amountFen,
      description: l.description,
      review: l.review ? { decision: l.review.decision, reason: l.review.reason, resolution: l.review.resolution, resolutionNote: l.review.resolutionNote } : null,
    })),
    payments: s.payments.map((p) => ({
      method: p.method,
      amountFen: p.amountFen,
      paidAt: p.paidAt,
      reference: p.reference,
      overpaymentFen: p.overpaymentFen,
      overpaymentReason: p.overpaymentReason,
    })),
  };
}
