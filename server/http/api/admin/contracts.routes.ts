import { verifyFailureLabels } from '../../../modules/contracts';
import { auditActor } from '../../audit-actor';
import { guard, route, type ApiRoute } from '../route-table';
import { verifyResponse } from '../shared/contracts.schemas';

/** `/api/admin/v1`: verifying a signed contract. */
export const adminContractRoutes: ApiRoute[] = [
  route({
    method: 'get',
    path: '/contracts/:id/verify',
    guard: guard.operator('audit.view'),
    summary: 'Verify one contract: the stored file against its SHA-256, its evidence row against the chain hash, the link to the previous row (audited)',
    response: verifyResponse,
    responseDescription: '{ contractId, ok, failures, failureLabels }',
    handler: async ({ params, services, req }) => {
      const r = await services.contracts.verify(params.id, auditActor(req));
      return { ...r, failureLabels: r.failures.map((f) => verifyFailureLabels[f]) };
    },
  }),
];
