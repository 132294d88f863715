import { auditActor } from '../../server/http/audit-actor';
import { guard, page } from '../../server/http/page-route';
import type { OverdueReportRow } from '../../server/modules/loans';
import { barChart } from '../../web/charts';

const pct = (n: number) => `${n.toFixed(2)}%`;
const rateChart = (rows: OverdueReportRow[], title: string, labelHeading: string) =>
  barChart(
    rows.map((r) => r.label),
    rows.map((r) => r.rate * 100),
    { title, name: '逾期率', format: pct, integer: false, labelHeading, emptyText: '没有逾期' },
  );

/** `/admin/loans/overdue`: overdue rates by institution, product, region and month, with charts. */
export const loanReportPages = [
  page({
    method: 'get',
    path: '/loans/overdue',
    guard: guard.operator('loans.view'),
    handler: async ({ req, services, render }) => {
      const months = [3, 6, 12].includes(Number(req.query.months)) ? Number(req.query.months) : 6;
      const report = await services.postLoan.overdueReportForOperator(auditActor(req), new Date(), months);
      await render('loans-overdue', {
        title: '逾期分析',
        months,
        report,
        charts: {
          month: rateChart(report.byMonth, `近 ${months} 个月各月到期的逾期率`, '到期月份'),
          institution: rateChart(report.byInstitution.slice(0, 12), '各机构逾期率', '机构'),
        },
      });
    },
  }),
];
