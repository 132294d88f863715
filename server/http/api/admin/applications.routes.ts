import { auditActor } from '../../audit-actor';
import { guard, route, type ApiRoute } from '../route-table';
import { applicationWithCommissionsResponse, statusFilterQuery } from './applications.schemas';
import { applicationJson, journalJson } from '../serializers';
import { applicationListResponse } from '../responses';

const operator = guard.operator('applications.view');

/** `/api/admin/v1/applications`: every application, with its commission journals. */
export const adminApplicationRoutes: ApiRoute[] = [
  route({
    method: 'get',
    path: '/applications',
    guard: operator,
    summary: 'All applications',
    query: statusFilterQuery,
    responseDescription: '{ items }',
    response: applicationListResponse,
    handler: async ({ query, services }) => ({ items: (await services.applications.listAll(query)).map(applicationJson) }),
  }),
  route({
    method: 'get',
    path: '/applications/:id',
    guard: operator,
    summary: 'One application with its status history and commission journals',
    responseDescription: 'Application',
    response: applicationWithCommissionsResponse,
    handler: async ({ params, services, req }) => {
      const application = await services.applications.getForOperator(params.id, auditActor(req));
      const journals = await services.settlement.journalsForApplication(params.id);
      return { ...applicationJson(application), commissions: journals.map(journalJson) };
    },
  }),
];
