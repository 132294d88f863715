import { guard, route, type ApiRoute } from '../route-table';
import { precheckJson, precheckQuery, precheckResponse } from './precheck.schemas';

/** `/api/v1/precheck`: 预审, what applying would decide, asked before any consent. */
export const consumerPrecheckRoutes: ApiRoute[] = [
  route({
    method: 'get',
    path: '/precheck',
    guard: guard.consumer,
    summary: '预审 before consent: per product, eligible or not with the reasons, an application to it in the last 30 days, the approval odds and my price; writes nothing',
    description:
      '`products`: 1–10 product ids, comma-separated or repeated. With `amount` (yuan) and `termMonths`, each item carries `price` (first monthly payment and total cost at the lowest and highest rate, yuan; APR fractions) and an amount or term the product does not offer is a reason. Ids that are not listed products are answered under `missing`, not as an error. The odds are a band and range (数据不足 with the prior from the product’s stated criteria until enough decisions exist), never a promise.',
    query: precheckQuery,
    queryError: '预审参数有误',
    responseDescription: '{ items: [{ productId, productName, institutionName, eligible, reasons, duplicateOf, price, odds }], missing }',
    response: precheckResponse,
    handler: async ({ query, principal: { account }, services }) =>
      precheckJson(await services.submission.precheck(account.id, query.products, { amountFen: query.amount, termMonths: query.termMonths })),
  }),
];
