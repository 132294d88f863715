import { auditActor } from '../../audit-actor';
import { statementJson } from '../../statements-view';
import { dashboardQuery, inYuan, statisticsQuery, statisticsRequest } from '../../statistics';
import { performanceJson } from '../../staff-performance-view';
import { institutionPerformanceResponse } from '../shared/performance.schemas';
import { guard, route, type ApiRoute } from '../route-table';
import { institutionStatisticsResponse, reconciliationBody, reconciliationImportedResponse, reconciliationResponse, unbilledResponse } from './settlement.schemas';
import { itemsOf, statementDetailResponse, statementResponse } from '../responses';

const importJson = (r: { id: string; source: string; rowCount: number; matched: number; fromMonth: string; toMonth: string; createdAt: Date }) => ({
  id: r.id,
  source: r.source,
  rowCount: r.rowCount,
  matched: r.matched,
  fromMonth: r.fromMonth,
  toMonth: r.toMonth,
  createdAt: r.createdAt,
});

const differenceJson = (d: { applicationId: string; kind: string; ourAmountFen: number | null; theirAmountFen: number | null; status: string; resolutionNote: string | null }) => ({
  applicationId: d.applicationId,
  kind: d.kind,
  ourAmountFen: d.ourAmountFen,
  theirAmountFen: d.theirAmountFen,
  status: d.status,
  resolutionNote: d.resolutionNote,
});

const settlementView = guard.institution('settlement.view');

/** `/api/partner/v1/statements…`, `/reconciliations` and `/statistics`: the institution's settlement and figures by API (API keys included). */
export const partnerSettlementRoutes: ApiRoute[] = [
  route({
    method: 'get',
    path: '/statistics',
    guard: guard.institution('statistics.view'),
    summary:
      "The institution's own statistics for a period of Asia/Shanghai days (default the last 30, at most 366): KPIs, per day, per product, per channel, per city and customer mix (groups under 5 people withheld); amounts in yuan",
    query: statisticsQuery,
    responseDescription: '{ range, kpis, daily, byProduct, byChannel, byRegion, mix }',
    response: institutionStatisticsResponse,
    handler: async ({ principal, services, req }) => {
      const { range, productId } = statisticsRequest(req.query, true);
      return inYuan(await services.analytics.institutionStatistics(principal.institutionId, range, productId));
    },
  }),
  route({
    method: 'get',
    path: '/statistics/staff',
    guard: guard.institution('statistics.view'),
    summary:
      "Staff performance: per staff member of the institution over a period of Asia/Shanghai days (default the last 30): leads handled, median time to first response, approvals, rejections, disbursements (count, yuan), collection contacts, promises and recovered amounts",
    query: dashboardQuery,
    responseDescription: '{ range, institutionId, staff, totals }',
    response: institutionPerformanceResponse,
    handler: async ({ principal, services, req }) => {
      const { range } = statisticsRequest(req.query, false);
      return performanceJson(await services.staffPerformance.forInstitution(principal.institutionId, range));
    },
  }),
  route({
    method: 'get',
    path: '/statements',
    guard: settlementView,
    summary: "The institution's issued statements, newest period first: totals, paid, outstanding, due date and status (issued, disputed, overdue, paid); amounts in fen",
    responseDescription: '{ items }',
    response: itemsOf(statementResponse),
    handler: async ({ principal, services }) => ({ items: (await services.statements.list({ institutionId: principal.institutionId })).map(statementJson) }),
  }),
  route({
    method: 'get',
    path: '/statements/unbilled',
    guard: settlementView,
    summary: 'Commission owed but on no issued statement yet: this month (billed at the next monthly close) and earlier months; amounts in fen',
    responseDescription: '{ period, currentFen, currentItems, earlierFen, earlierItems, totalFen, nextCloseOn }',
    response: unbilledResponse,
    handler: async ({ principal, services }) => services.statements.unbilled(principal.institutionId),
  }),
  route({
    method: 'get',
    path: '/statements/:id',
    guard: settlementView,
    summary: 'One statement with its lines (kind, application, source event, rule, amount in fen, late, review) and payments',
    responseDescription: 'Statement',
    response: statementDetailResponse,
    handler: async ({ params, principal, services, req }) => {
      return statementJson(await services.statements.viewForInstitution(auditActor(req), principal.institutionId, params.id));
    },
  }),
  route({
    method: 'post',
    path: '/reconciliations',
    guard: guard.institution('settlement.manage'),
    summary:
      "The institution's disbursement report for reconciliation. Any bad row rejects the whole report (400, fields named `line N`); an identical report imports once (201 the first time, then 200 with duplicate: true)",
    body: reconciliationBody,
    bodyError: '对账数据有误',
    status: 201,
    alsoAnswers: { 200: '{ id, matched, duplicate: true, differences }' },
    responseDescription: '{ id, rowCount, matched, differences }',
    response: reconciliationImportedResponse,
    handler: async ({ body, principal: { institutionId }, services, req, res }) => {
      const { import: imp, duplicate } = await services.reconciliation.submitRows(institutionId, body.rows, auditActor(req));
      const detail = await services.reconciliation.detail(imp.id, institutionId);
      if (duplicate) res.status(200);
      return { ...importJson(imp), duplicate, differences: detail.differences.map(differenceJson) };
    },
  }),
  route({
    method: 'get',
    path: '/reconciliations/:id',
    guard: settlementView,
    summary: 'One reconciliation: matched count and each difference (missing_ours, missing_theirs, amount) with how it was resolved',
    responseDescription: 'Reconciliation',
    response: reconciliationResponse,
    handler: async ({ params, principal, services }) => {
      const detail = await services.reconciliation.detail(params.id, principal.institutionId);
      return { ...importJson(detail), differences: detail.differences.map(differenceJson) };
    },
  }),
];
