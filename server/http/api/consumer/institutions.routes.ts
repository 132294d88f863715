import { guard, route, type ApiRoute } from '../route-table';
import { lenderProfileJson, lenderProfileResponse } from '../shared/institution-profiles.schemas';

/** `/api/v1/institutions/:id`: a lender's public page as JSON. */
export const consumerInstitutionRoutes: ApiRoute[] = [
  route({
    method: 'get',
    path: '/institutions/:id',
    guard: guard.public,
    summary: "A lender's public profile: licence, regulator, customer service, listed products, approval rate and median first-response time over the last 90 days (null below the minimum sample), approved reviews, and the complaint record of the last 365 days",
    responseDescription: 'Lender profile',
    response: lenderProfileResponse,
    handler: async ({ params, services }) => lenderProfileJson(await services.lenderProfiles.publicProfile(params.id)),
  }),
];
