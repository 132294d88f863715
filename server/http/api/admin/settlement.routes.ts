import { ValidationError } from '../../../lib/errors';
import { shanghaiMidnight } from '../../../modules/settlement';
import { auditActor } from '../../audit-actor';
import { statementJson } from '../../statements-view';
import { dashboardQuery, inYuan, statisticsRequest } from '../../statistics';
import { performanceJson } from '../../staff-performance-view';
import { institutionPerformanceResponse, operatorPerformanceResponse } from '../shared/performance.schemas';
import { guard, route, type ApiRoute } from '../route-table';
import { bankTransferBody, bankTransferResponse, dashboardResponse, receivablesResponse } from './settlement.schemas';
import { statementDetailResponse } from '../responses';

const finance = guard.operator('settlement.view');

/** `/api/admin/v1`: statements, bank transfers, receivables and the platform dashboard. */
export const adminSettlementRoutes: ApiRoute[] = [
  route({
    method: 'get',
    path: '/statements/:id',
    guard: finance,
    summary:
      "One statement (permission settlement.view) with lines and payments; overpaidFen and each payment's overpaymentFen and overpaymentReason show money received beyond the total",
    responseDescription: 'Statement',
    response: statementDetailResponse,
    handler: async ({ params, services }) => statementJson(await services.statements.detail(params.id)),
  }),
  route({
    method: 'post',
    path: '/statements/:id/payments',
    guard: guard.operator('settlement.manage'),
    summary:
      "Records a bank transfer against an issued statement (permission settlement.manage). A reference already recorded on the statement is a 409 (field reference); more than is outstanding is a 400 (field amount, naming the outstanding amount) unless overpayment is true with an overpaymentReason, in which case the excess is kept as the institution's credit",
    body: bankTransferBody,
    bodyError: '付款信息有误',
    idempotency: 'optional',
    status: 201,
    responseDescription: '{ payment, statement }',
    response: bankTransferResponse,
    handler: async ({ params, body, services, req }) => {
      const paidAt = shanghaiMidnight(body.paidOn);
      if (!paidAt) throw new ValidationError('到账日期有误', { paidOn: '到账日期格式为 YYYY-MM-DD' });
      const payment = await services.statements.recordBankTransfer(
        params.id,
        { amountFen: body.amount, paidAt, reference: body.reference, overpayment: body.overpayment, overpaymentReason: body.overpaymentReason },
        auditActor(req),
      );
      return {
        payment: { id: payment.id, method: payment.method, amountFen: payment.amountFen, paidAt: payment.paidAt, reference: payment.reference, overpaymentFen: payment.overpaymentFen, overpaymentReason: payment.overpaymentReason },
        statement: statementJson(await services.statements.detail(params.id)),
      };
    },
  }),
  route({
    method: 'get',
    path: '/receivables',
    guard: finance,
    summary: 'Commission receivable per institution',
    responseDescription: '{ items: [{ institutionId, institutionName, amount }] }',
    response: receivablesResponse,
    handler: async ({ services }) => ({
      items: (await services.settlement.receivables()).map((r) => ({ institutionId: r.institutionId, institutionName: r.institutionName, amount: r.amountFen / 100 })),
    }),
  }),
  route({
    method: 'get',
    path: '/dashboard',
    guard: guard.operator('dashboard.view'),
    summary: 'Platform figures for a period: totals, per day, per institution and the search-to-disbursement funnel; amounts in yuan',
    query: dashboardQuery,
    responseDescription: '{ range, totals, daily, institutions, funnel }',
    response: dashboardResponse,
    handler: async ({ services, req }) => {
      const { range } = statisticsRequest(req.query, false);
      return inYuan(await services.analytics.operatorDashboard(range));
    },
  }),
  route({
    method: 'get',
    path: '/performance/operators',
    guard: guard.operator('performance.view'),
    summary:
      'Operator performance over a period of Asia/Shanghai days (default the last 30): per operator, complaints resolved and the share on time against the SLA, reviews moderated, product versions and onboardings reviewed, feedback answered',
    query: dashboardQuery,
    responseDescription: '{ range, operators }',
    response: operatorPerformanceResponse,
    handler: async ({ services, req }) => {
      const { range } = statisticsRequest(req.query, false);
      return performanceJson(await services.staffPerformance.forOperators(range));
    },
  }),
  route({
    method: 'get',
    path: '/performance/institutions/:id',
    guard: guard.operator('performance.view'),
    summary: "One institution's staff performance over a period (as the institution sees it at /api/partner/v1/statistics/staff); 404 for an unknown institution",
    query: dashboardQuery,
    responseDescription: '{ range, institutionId, staff, totals }',
    response: institutionPerformanceResponse,
    handler: async ({ params, services, req }) => {
      const { range } = statisticsRequest(req.query, false);
      await services.institutions.get(params.id);
      return performanceJson(await services.staffPerformance.forInstitution(params.id, range));
    },
  }),
];
