import { auditActor } from '../../audit-actor';
import { guard, route, type ApiRoute } from '../route-table';
import { contractListResponse, contractToJson } from '../shared/contracts.schemas';

const staff = guard.institution('loans.manage');

/** `/api/partner/v1`: the contracts the institution is a party to. */
export const partnerContractRoutes: ApiRoute[] = [
  route({
    method: 'get',
    path: '/contracts',
    guard: staff,
    summary: 'Contracts the institution is a party to (借款合同, 授权书, 合作协议), newest first',
    response: contractListResponse,
    responseDescription: '{ items }',
    handler: async ({ principal, services }) => ({ items: (await services.contracts.listForInstitution(principal.institutionId)).map(contractToJson) }),
  }),
  route({
    method: 'get',
    path: '/contracts/:id/pdf',
    guard: staff,
    summary: 'One of the institution’s contracts as PDF (audited); another institution’s is a 404',
    produces: 'file',
    handler: async ({ params, principal, services, req, res }) => {
      const bytes = await services.contracts.pdfForInstitution(principal.institutionId, params.id, auditActor(req));
      res.type('application/pdf').set('Content-Disposition', `attachment; filename="${params.id}.pdf"`).set('Cache-Control', 'private, no-store').send(bytes);
    },
  }),
];
