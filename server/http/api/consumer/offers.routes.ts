import { z } from 'zod';
import { OTP_RESEND_SECONDS } from '../../../modules/accounts';
import { auditActor } from '../../audit-actor';
import { requestOrigin } from '../../request-origin';
import { guard, route, type ApiRoute } from '../route-table';
import { smsCodeSentResponse } from '../shared/auth.schemas';
import { acceptOfferBody, declineOfferBody, offerJson, offerListResponse, offerResponse } from './offers.schemas';

/** `/api/v1/offers`: the borrower accepts (signing with an SMS code) or declines what an institution approved. */
export const consumerOfferRoutes: ApiRoute[] = [
  route({
    method: 'get',
    path: '/offers',
    guard: guard.consumer,
    summary: 'My offers: those waiting first, sorted by total cost (the cheapest marked), then the decided ones',
    responseDescription: '{ items }',
    response: offerListResponse,
    handler: async ({ principal: { account }, services }) => ({ items: (await services.offers.listForConsumer(account.id)).map(offerJson) }),
  }),
  route({
    method: 'post',
    path: '/offers/:id/code',
    guard: guard.consumer,
    summary: 'Send the SMS code that confirms accepting and signing this offer (to the account’s own phone; 1 a minute, 10 a day)',
    response: smsCodeSentResponse,
    rateLimit: (limits) => limits.smsCode,
    errors: [404, 409, 429],
    responseDescription: '{ sent, resendAfterSeconds }',
    handler: async ({ params, principal: { account }, services }) => {
      await services.offers.requestSigningCode(account.id, params.id);
      return { sent: true, resendAfterSeconds: OTP_RESEND_SECONDS };
    },
  }),
  route({
    method: 'post',
    path: '/offers/:id/accept',
    guard: guard.consumer,
    summary: 'Accept an offer and sign its loan contract, confirmed by the SMS code: only then may the institution disburse',
    description: 'Refused with 409 `offer_expired` after the offer’s expiry and `offer_decided` once accepted, declined or withdrawn; a wrong or used code is a 400 on `code`.',
    body: acceptOfferBody,
    bodyError: '签署信息有误',
    idempotency: 'required',
    errors: [404, 409],
    response: offerResponse.extend({ contractId: z.string().describe('the signed loan contract: GET /api/v1/contracts/:id/pdf') }),
    responseDescription: 'Offer with contractId',
    handler: async ({ params, body, principal: { account }, services, kit, req, res }) => {
      const accepted = await services.offers.accept(account.id, params.id, body.code, requestOrigin(kit, req, res, 'api'));
      return { ...offerJson(accepted), contractId: accepted.contractId };
    },
  }),
  route({
    method: 'post',
    path: '/offers/:id/decline',
    guard: guard.consumer,
    summary: 'Decline an offer, with an optional reason: the institution cannot disburse and earns no CPS',
    body: declineOfferBody,
    bodyError: '谢绝信息有误',
    idempotency: 'optional',
    errors: [404, 409],
    response: offerResponse,
    responseDescription: 'Offer',
    handler: async ({ params, body, principal: { account }, services, req }) => offerJson(await services.offers.decline(account.id, params.id, body.reason, auditActor(req))),
  }),
];
