import { requestOrigin } from '../../request-origin';
import { guard, route, type ApiRoute } from '../route-table';
import { creditAnswersBody, creditAnswersOf, creditProfileJson, creditProfileResponse } from './credit.schemas';

/** `/api/v1/credit-profile`: the borrower's 信用评估 (the platform's estimate, not a bureau score). */
export const consumerCreditRoutes: ApiRoute[] = [
  route({
    method: 'get',
    path: '/credit-profile',
    guard: guard.consumer,
    summary: 'The borrower’s latest 信用评估 (score 350–950, band, factors, tips) and its history; before the first assessment score, band and source are null and the lists empty',
    responseDescription: 'CreditProfile',
    response: creditProfileResponse,
    handler: async ({ principal: { account }, services }) =>
      creditProfileJson(await services.credit.current(account.id), await services.credit.history(account.id)),
  }),
  route({
    method: 'put',
    path: '/credit-profile',
    guard: guard.consumer,
    summary: 'Answer the 信用评估 questionnaire: a new assessment is scored and kept (the history grows); answers the score with its factors, tips and history',
    body: creditAnswersBody,
    bodyError: '信用评估信息有误',
    responseDescription: 'CreditProfile',
    response: creditProfileResponse,
    handler: async ({ body, principal: { account }, services, kit, req, res }) => {
      const assessed = await services.credit.assess(requestOrigin(kit, req, res, 'api'), creditAnswersOf(body));
      return creditProfileJson(assessed, await services.credit.history(account.id));
    },
  }),
];
