import { formatMeasuredHours } from '../lib/duration';
import { formatWan, formatYuan } from '../lib/money';
import type { InstitutionPerformanceReport, OperatorPerformanceReport } from '../modules/analytics';
import { csvYuan, type CsvRow } from './csv';
import { hours, inYuan, pct } from './statistics';

/**
 * The staff performance reports as the pages, the CSVs and the APIs show them: money as ¥ and
 * 万元 (yuan numbers in CSV and JSON), times in words, shares with two decimals.
 */
const money = (fen: number) => ({ yuan: formatYuan(fen), wan: formatWan(fen) });

export function institutionPerformanceView(r: InstitutionPerformanceReport) {
  return {
    rows: r.staff.map((s) => ({
      ...s,
      responseText: s.medianFirstResponseHours === null ? '—' : formatMeasuredHours(s.medianFirstResponseHours),
      disbursed: money(s.disbursedAmountFen),
      promised: money(s.promisedAmountFen),
      recovered: money(s.recoveredAmountFen),
      reachedShare: pct(s.contacts ? s.contactsReached / s.contacts : null) || '—',
    })),
    totals: { ...r.totals, disbursed: money(r.totals.disbursedAmountFen), recovered: money(r.totals.recoveredAmountFen) },
    /** the people with any work in the period, for the charts */
    active: r.staff.filter((s) => s.leadsHandled + s.contacts + s.promises > 0),
  };
}

export function operatorPerformanceView(r: OperatorPerformanceReport) {
  return {
    rows: r.operators.map((o) => ({ ...o, onTimeText: pct(o.onTimeShare) || '—' })),
    /** the people with any work in the period, for the chart */
    active: r.operators.filter((o) => o.complaintsResolved + o.reviewsModerated + o.productVersionsReviewed + o.onboardingsReviewed + o.feedbackAnswered > 0),
  };
}

export const institutionPerformanceCsv = (r: InstitutionPerformanceReport): { filename: string; rows: CsvRow[] } => ({
  filename: `staff-performance-${r.range.from}_${r.range.to}.csv`,
  rows: [
    ['员工', '角色', '处理线索', '首次响应线索', '首次响应中位数(小时)', '审批通过', '拒绝', '放款笔数', '放款金额(元)', '催收联系', '联系上', '承诺还款', '承诺金额(元)', '已兑现承诺', '催回金额(元)'],
    ...r.staff.map((s) => [
      s.name,
      s.role,
      s.leadsHandled,
      s.firstResponses,
      hours(s.medianFirstResponseHours),
      s.approvals,
      s.rejections,
      s.disbursements,
      csvYuan(s.disbursedAmountFen),
      s.contacts,
      s.contactsReached,
      s.promises,
      csvYuan(s.promisedAmountFen),
      s.promisesKept,
      csvYuan(s.recoveredAmountFen),
    ]),
  ],
});

export const operatorPerformanceCsv = (r: OperatorPerformanceReport): { filename: string; rows: CsvRow[] } => ({
  filename: `operator-performance-${r.range.from}_${r.range.to}.csv`,
  rows: [
    ['运营人员', '角色', '办结投诉', '按时办结', '按时率', '审核评价', '审核产品版本', '审核入驻', '答复反馈'],
    ...r.operators.map((o) => [o.name, o.role, o.complaintsResolved, o.complaintsOnTime, pct(o.onTimeShare), o.reviewsModerated, o.productVersionsReviewed, o.onboardingsReviewed, o.feedbackAnswered]),
  ],
});

/** The JSON of a report: amounts in yuan (`…Fen` → yuan numbers). */
export const performanceJson = (r: InstitutionPerformanceReport | OperatorPerformanceReport) => inYuan(r);
