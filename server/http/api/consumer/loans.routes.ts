import { guard, route, type ApiRoute } from '../route-table';
import { loanDetailJson, loanSummaryJson } from '../loans.serializers';
import { itemsOf, loanDetailResponse, loanSummaryResponse } from '../responses';

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
];
