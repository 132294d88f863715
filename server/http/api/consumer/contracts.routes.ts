import { auditActor } from '../../audit-actor';
import { guard, route, type ApiRoute } from '../route-table';
import { agreementVersionsBody } from '../shared/auth.schemas';
import { agreementsAcceptedResponse, contractListResponse, contractToJson, currentAgreementsResponse } from '../shared/contracts.schemas';
import type { ContractTemplate } from '../../../modules/contracts';

const agreementJson = (t: ContractTemplate, url: string) => ({ kind: t.kind as 'user_agreement' | 'privacy_policy', version: t.version, title: t.title, body: t.body, changes: t.changes, url });

/** `/api/v1`: the 用户协议 and 隐私政策 in force and agreeing to them; the borrower's signed contracts. */
export const consumerContractRoutes: ApiRoute[] = [
  route({
    method: 'get',
    path: '/legal/agreements',
    guard: guard.public,
    summary: 'The 用户协议 and 隐私政策 in force (their versions go into POST /auth/register and PUT /me/agreements); signed in, which of them wait to be agreed',
    response: currentAgreementsResponse,
    responseDescription: '{ userAgreement, privacyPolicy, outdated }',
    handler: async ({ services, req }) => {
      const current = await services.contracts.currentAgreements();
      const id = req.session?.auth?.consumer?.id;
      const outdated = id ? (await services.contracts.outdatedAgreements(id)).map((t) => t.kind as 'user_agreement' | 'privacy_policy') : null;
      return { userAgreement: agreementJson(current.user_agreement, '/legal/user-agreement'), privacyPolicy: agreementJson(current.privacy_policy, '/legal/privacy'), outdated };
    },
  }),
  route({
    method: 'put',
    path: '/me/agreements',
    guard: guard.consumer,
    summary: 'Agree to the 用户协议 and 隐私政策 versions in force (after a 403 agreements_outdated); other versions are a 409 agreements_changed',
    body: agreementVersionsBody,
    bodyError: '请阅读并同意《用户协议》和《隐私政策》',
    response: agreementsAcceptedResponse,
    errors: [409],
    responseDescription: '{ accepted, userAgreement, privacyPolicy }',
    handler: async ({ body, principal, services, req }) => {
      await services.contracts.acceptAgreements(principal.account.id, body, { ip: req.ip, actor: auditActor(req) });
      return { accepted: true as const, ...body };
    },
  }),
  route({
    method: 'get',
    path: '/contracts',
    guard: guard.consumer,
    summary: 'The borrower’s signed contracts, newest first',
    response: contractListResponse,
    responseDescription: '{ items }',
    handler: async ({ principal, services }) => ({ items: (await services.contracts.listForConsumer(principal.account.id)).map(contractToJson) }),
  }),
  route({
    method: 'get',
    path: '/contracts/:id/pdf',
    guard: guard.consumer,
    summary: 'One of the borrower’s own contracts as PDF (audited); another’s is a 404',
    produces: 'file',
    handler: async ({ params, principal, services, req, res }) => {
      const bytes = await services.contracts.pdfForConsumer(principal.account.id, params.id, auditActor(req));
      res.type('application/pdf').set('Content-Disposition', `attachment; filename="${params.id}.pdf"`).set('Cache-Control', 'private, no-store').send(bytes);
    },
  }),
];
