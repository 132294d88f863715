import type { Router } from 'express';
import type { Services } from '../../server/container';
import { auditActor } from '../../server/http/audit-actor';
import type { HttpKit } from '../../server/http/kit';
import type { Render } from '../../server/http/render';
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
export function loanReportRoutes(r: Router, services: Services, kit: HttpKit, render: Render): void {
  const view = kit.guards.operator('page', 'loans.view');

  r.get('/loans/overdue', view, async (req, res) => {
    const months = [3, 6, 12].includes(Number(req.query.months)) ? Number(req.query.months) : 6;
    const report = await services.postLoan.overdueReportForOperator(auditActor(req), new Date(), months);
    await render(req, res, 'loans-overdue', {
      title: '逾期分析',
      months,
      report,
      charts: {
        month: rateChart(report.byMonth, `近 ${months} 个月各月到期的逾期率`, '到期月份'),
        institution: rateChart(report.byInstitution.slice(0, 12), '各机构逾期率', '机构'),
      },
    });
  });
}
