import { auditActor } from '../../server/http/audit-actor';
import { sendCsv } from '../../server/http/csv';
import { formFailure } from '../../server/http/form-failure';
import { guard, page } from '../../server/http/page-route';
import { institutionPerformanceCsv, operatorPerformanceCsv, operatorPerformanceView } from '../../server/http/staff-performance-view';
import { presetLinks, statisticsRequest } from '../../server/http/statistics';
import { NotFoundError } from '../../server/lib/errors';
import { barChart } from '../../web/charts';
import { staffPerformancePage } from '../../institution-portal/routes/staff-performance';

const view = guard.operator('performance.view');

const institutionQuery = (q: Record<string, unknown>) => {
  const { institutionId, ...rest } = q;
  return { institutionId: typeof institutionId === 'string' ? institutionId : '', rest };
};

/** `/admin/performance`: the operators' work per person, and any institution's staff, over a period, with CSVs. */
export const performancePages = [
  page({
    method: 'get',
    path: '/performance',
    guard: view,
    handler: async ({ services, render, req, res }) => {
      try {
        const request = statisticsRequest(req.query, false);
        const report = await services.staffPerformance.forOperators(request.range);
        const v = operatorPerformanceView(report);
        const qs = new URLSearchParams({ from: report.range.from, to: report.range.to });
        await render('performance', {
          title: '运营绩效',
          q: { ...request.raw, ...report.range },
          presets: presetLinks('/admin/performance', request.raw, request.range),
          report,
          ...v,
          chart: barChart(v.active.map((o) => o.name), v.active.map((o) => o.complaintsResolved), { title: '办结投诉数（按运营人员）', name: '办结投诉' }),
          csv: `/admin/performance.csv?${qs}`,
        });
      } catch (err) {
        const error = formFailure(res, err);
        await render('performance', { title: '运营绩效', q: req.query, error });
      }
    },
  }),
  page({
    method: 'get',
    path: '/performance.csv',
    guard: view,
    handler: async ({ services, req, res }) => {
      const { range } = statisticsRequest(req.query, false);
      const report = await services.staffPerformance.forOperators(range);
      await services.staffPerformance.recordExport(auditActor(req), 'operators', range);
      const { filename, rows } = operatorPerformanceCsv(report);
      sendCsv(res, filename, rows);
    },
  }),
  page({
    method: 'get',
    path: '/performance/institutions',
    guard: view,
    handler: async ({ services, render, req, res }) => {
      const institutions = await services.institutions.list();
      const { institutionId, rest } = institutionQuery(req.query);
      try {
        const request = statisticsRequest(rest, false);
        const chosen = institutions.find((i) => i.id === institutionId);
        if (institutionId && !chosen) throw new NotFoundError('机构');
        const base = { title: '机构员工绩效', institutions, q: { ...request.raw, from: request.range.from, to: request.range.to, institutionId } };
        if (!chosen) return await render('performance-institution', { ...base, presets: presetLinks('/admin/performance/institutions', request.raw, request.range) });
        const report = await services.staffPerformance.forInstitution(chosen.id, request.range);
        const qs = new URLSearchParams({ from: report.range.from, to: report.range.to, institutionId: chosen.id });
        await render('performance-institution', {
          ...base,
          institution: chosen,
          presets: presetLinks('/admin/performance/institutions', { ...request.raw, institutionId }, request.range),
          report,
          csv: `/admin/performance/institutions.csv?${qs}`,
          ...staffPerformancePage(report),
        });
      } catch (err) {
        const error = formFailure(res, err);
        await render('performance-institution', { title: '机构员工绩效', institutions, q: req.query, error });
      }
    },
  }),
  page({
    method: 'get',
    path: '/performance/institutions.csv',
    guard: view,
    handler: async ({ services, req, res }) => {
      const { institutionId, rest } = institutionQuery(req.query);
      const { range } = statisticsRequest(rest, false);
      const chosen = (await services.institutions.list()).find((i) => i.id === institutionId);
      if (!chosen) throw new NotFoundError('机构');
      const report = await services.staffPerformance.forInstitution(chosen.id, range);
      await services.staffPerformance.recordExport(auditActor(req), 'institution_staff', range, chosen.id);
      const { filename, rows } = institutionPerformanceCsv(report);
      sendCsv(res, filename, rows);
    },
  }),
];
