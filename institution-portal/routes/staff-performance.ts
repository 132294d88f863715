import { auditActor } from '../../server/http/audit-actor';
import { sendCsv } from '../../server/http/csv';
import { formFailure } from '../../server/http/form-failure';
import { guard, page } from '../../server/http/page-route';
import { institutionPerformanceCsv, institutionPerformanceView } from '../../server/http/staff-performance-view';
import { presetLinks, statisticsRequest } from '../../server/http/statistics';
import type { InstitutionPerformanceReport } from '../../server/modules/analytics';
import { barChart, shortYuan } from '../../web/charts';

/** The report with its charts: leads handled and amount disbursed per person (those with work in the period). */
export function staffPerformancePage(report: InstitutionPerformanceReport) {
  const view = institutionPerformanceView(report);
  const names = view.active.map((s) => s.name);
  return {
    ...view,
    charts: {
      leads: barChart(names, view.active.map((s) => s.leadsHandled), { title: '处理线索数（按员工）', name: '处理线索' }),
      disbursed: barChart(names, view.active.map((s) => s.disbursedAmountFen), { title: '放款金额（按员工）', name: '放款金额', format: shortYuan }),
    },
  };
}

/** `/partner/statistics/staff`: the institution's own staff, per person over a period, with a CSV. */
export const staffPerformancePages = [
  page({
    method: 'get',
    path: '/statistics/staff',
    guard: guard.institution('statistics.view'),
    handler: async ({ principal, services, render, req, res }) => {
      try {
        const request = statisticsRequest(req.query, false);
        const report = await services.staffPerformance.forInstitution(principal.institutionId, request.range);
        const qs = new URLSearchParams({ from: report.range.from, to: report.range.to });
        await render('staff-performance', {
          title: '员工绩效',
          q: { ...request.raw, ...report.range },
          presets: presetLinks('/partner/statistics/staff', request.raw, request.range),
          report,
          csv: `/partner/statistics/staff.csv?${qs}`,
          ...staffPerformancePage(report),
        });
      } catch (err) {
        const error = formFailure(res, err);
        await render('staff-performance', { title: '员工绩效', q: req.query, error });
      }
    },
  }),
  page({
    method: 'get',
    path: '/statistics/staff.csv',
    guard: guard.institution('statistics.view'),
    handler: async ({ principal, services, req, res }) => {
      const { range } = statisticsRequest(req.query, false);
      const report = await services.staffPerformance.forInstitution(principal.institutionId, range);
      await services.staffPerformance.recordExport(auditActor(req), 'institution_staff', range, principal.institutionId);
      const { filename, rows } = institutionPerformanceCsv(report);
      sendCsv(res, filename, rows);
    },
  }),
];
