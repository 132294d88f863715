import { auditActor } from '../../audit-actor';
import { loanDetailJson, loanSummaryJson, repaymentJson } from '../loans.serializers';
import { guard, route, type ApiRoute } from '../route-table';
import { loanListQuery, repaymentBody, scheduleBody } from './loans.schemas';
import { itemsOf, loanDetailResponse, loanSummaryResponse, repaymentResultResponse } from '../responses';
import { z } from 'zod';
import { scheduleChangeDeclineBody, scheduleChangeOfferBody } from '../../schedule-change-forms';
import { scheduleChangeJson, scheduleChangeResponse, scheduleHistoryJson, scheduleHistoryResponse } from '../schedule-changes.serializers';

const manage = guard.institution('loans.manage');

/** `/api/partner/v1/loans`: the institution's loans, its own schedule, and repayments it received. */
export const partnerLoanRoutes: ApiRoute[] = [
  route({
    method: 'get',
    path: '/loans',
    guard: manage,
    summary: "The institution's loans (one per disbursed lead) with balances and next due",
    query: loanListQuery,
    responseDescription: '{ items }',
    response: itemsOf(loanSummaryResponse),
    handler: async ({ query: q, principal, services }) => ({
      items: (await services.loans.listForInstitution(principal.institutionId, { status: q.status, overdue: q.overdue !== undefined })).map(loanSummaryJson),
    }),
  }),
  route({
    method: 'get',
    path: '/loans/:id',
    guard: manage,
    summary: 'One loan: schedule with what is paid, repayments, today’s early-settlement quote',
    responseDescription: 'Loan',
    response: loanDetailResponse,
    handler: async ({ params, principal, services }) => loanDetailJson(await services.loans.getForInstitution(principal.institutionId, params.id)),
  }),
  route({
    method: 'post',
    path: '/loans/:id/schedule',
    guard: manage,
    summary: 'Replace the generated schedule with the institution’s own (principal must sum to the loan principal, due dates increasing; only before any repayment)',
    body: scheduleBody,
    bodyError: '还款计划有误',
    errors: [409],
    responseDescription: 'Loan',
    response: loanDetailResponse,
    handler: async ({ params, body, principal, services, req }) => {
      const lines = body.instalments.map((i, idx) => ({ period: idx + 1, dueDate: i.dueDate, principalFen: i.principal, interestFen: i.interest, feeFen: i.fee ?? 0 }));
      return loanDetailJson(await services.loans.replaceSchedule(principal.institutionId, params.id, lines, auditActor(req)));
    },
  }),
  route({
    method: 'post',
    path: '/loans/:id/repayments',
    guard: manage,
    summary:
      'Report a repayment received; idempotent by transactionId (unique per loan). Allocated oldest instalment first: fees, interest, principal. `settle: true` pays the loan off at today’s quote.',
    body: repaymentBody,
    bodyError: '还款信息有误',
    status: 201,
    alsoAnswers: { 200: '{ repayment, replayed: true, loan } (already recorded)' },
    errors: [409],
    responseDescription: '{ repayment, replayed: false, loan }',
    response: repaymentResultResponse,
    handler: async ({ params, body, principal, services, req, res }) => {
      const result = await services.loans.recordRepayment(
        principal.institutionId,
        params.id,
        { transactionId: body.transactionId, amountFen: body.amount, paidAt: body.paidAt ? new Date(body.paidAt) : undefined, settle: body.settle },
        auditActor(req),
        'api',
      );
      if (result.replayed) res.status(200);
      return repaymentJson(result);
    },
  }),
  route({
    method: 'get',
    path: '/schedule-changes',
    guard: manage,
    summary: 'Borrowers’ 展期 / new-schedule requests: open ones (requested, offered) by default, or decided ones',
    query: z.strictObject({ status: z.enum(['open', 'decided'], { error: '状态为 open 或 decided' }).optional() }),
    responseDescription: '{ items }',
    response: itemsOf(scheduleChangeResponse),
    handler: async ({ query, principal, services }) => ({ items: (await services.scheduleChanges.listForInstitution(principal.institutionId, query.status !== 'decided')).map(scheduleChangeJson) }),
  }),
  route({
    method: 'get',
    path: '/loans/:id/schedule-changes',
    guard: manage,
    summary: 'One loan’s requests and schedule versions',
    responseDescription: '{ changes, versions }',
    response: scheduleHistoryResponse,
    handler: async ({ params, principal, services }) => {
      const loan = await services.loans.getForInstitution(principal.institutionId, params.id);
      return scheduleHistoryJson(await services.scheduleChanges.historyOf(loan.id));
    },
  }),
  route({
    method: 'post',
    path: '/schedule-changes/:id/offer',
    guard: manage,
    summary: 'Offer a new schedule for the outstanding principal (periods, nominal rate, optional one-off fee); the platform computes it and its all-in APR (≤ 36%); the borrower accepts or declines',
    body: scheduleChangeOfferBody,
    bodyError: '新还款计划有误',
    idempotency: 'required',
    errors: [409],
    responseDescription: 'Request with the offer',
    response: scheduleChangeResponse,
    handler: async ({ params, body, principal, services, req }) =>
      scheduleChangeJson(await services.scheduleChanges.offer(principal.institutionId, params.id, { termMonths: body.termMonths, annualRate: body.annualRate, feeFen: body.fee ?? 0 }, auditActor(req))),
  }),
  route({
    method: 'post',
    path: '/schedule-changes/:id/decline',
    guard: manage,
    summary: 'Decline a request with a reason; the borrower is told and the schedule stays',
    body: scheduleChangeDeclineBody,
    bodyError: '拒绝原因有误',
    errors: [409],
    responseDescription: 'Request',
    response: scheduleChangeResponse,
    handler: async ({ params, body, principal, services, req }) => scheduleChangeJson(await services.scheduleChanges.decline(principal.institutionId, params.id, body.reason, auditActor(req))),
  }),
];
