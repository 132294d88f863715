import { guard, route, type ApiRoute } from '../route-table';
import { loanDetailJson, loanSummaryJson } from '../loans.serializers';
import { itemsOf, loanDetailResponse, loanSummaryResponse } from '../responses';
import { auditActor } from '../../audit-actor';
import { scheduleChangeRequestBody } from '../../schedule-change-forms';
import { scheduleChangeJson, scheduleChangeResponse, scheduleHistoryJson, scheduleHistoryResponse } from '../schedule-changes.serializers';

/** `/api/v1/loans`: the consumer's own loans. */
export const consumerLoanRoutes: ApiRoute[] = [
  route({
    method: 'get',
    path: '/loans',
    guard: guard.consumer,
    summary: "The consumer's own loans",
    responseDescription: '{ items }',
    response: itemsOf(loanSummaryResponse),
    handler: async ({ principal: { account }, services }) => ({ items: (await services.loans.listForConsumer(account.id)).map(loanSummaryJson) }),
  }),
  route({
    method: 'get',
    path: '/loans/:id',
    guard: guard.consumer,
    summary: 'One of the consumer’s loans: schedule, payments, how to pay, early-settlement estimate for today',
    responseDescription: 'Loan',
    response: loanDetailResponse,
    handler: async ({ params, principal: { account }, services }) => loanDetailJson(await services.loans.getForConsumer(account.id, params.id)),
  }),
  route({
    method: 'get',
    path: '/loans/:id/schedule-changes',
    guard: guard.consumer,
    summary: 'The loan’s 展期 / new-schedule requests and its schedule versions (the current one and the ones it replaced)',
    responseDescription: '{ changes, versions }',
    response: scheduleHistoryResponse,
    handler: async ({ params, principal: { account }, services }) => {
      const loan = await services.loans.getForConsumer(account.id, params.id);
      return scheduleHistoryJson(await services.scheduleChanges.historyOf(loan.id));
    },
  }),
  route({
    method: 'post',
    path: '/loans/:id/schedule-changes',
    guard: guard.consumer,
    summary: 'Ask for 展期 (extraPeriods) or a new schedule (termMonths) with a reason; one open request per loan (409 for a second)',
    body: scheduleChangeRequestBody,
    bodyError: '申请信息有误',
    idempotency: 'required',
    status: 201,
    errors: [409],
    responseDescription: 'Request',
    response: scheduleChangeResponse,
    handler: async ({ params, body, principal: { account }, services, req }) => scheduleChangeJson(await services.scheduleChanges.request(account.id, params.id, body, auditActor(req))),
  }),
  route({
    method: 'post',
    path: '/schedule-changes/:id/accept',
    guard: guard.consumer,
    summary: 'Accept the institution’s offered schedule: it becomes the loan’s current version (repayments made are kept). 409 when a repayment since the offer changed it.',
    idempotency: 'required',
    errors: [409],
    responseDescription: 'Request',
    response: scheduleChangeResponse,
    handler: async ({ params, principal: { account }, services, req }) => scheduleChangeJson(await services.scheduleChanges.accept(account.id, params.id, auditActor(req))),
  }),
  route({
    method: 'post',
    path: '/schedule-changes/:id/withdraw',
    guard: guard.consumer,
    summary: 'Withdraw the request, or turn the offered schedule down; the loan keeps its schedule',
    errors: [409],
    responseDescription: 'Request',
    response: scheduleChangeResponse,
    handler: async ({ params, principal: { account }, services, req }) => scheduleChangeJson(await services.scheduleChanges.withdraw(account.id, params.id, auditActor(req))),
  }),
];
