import { auditActor } from '../../audit-actor';
import { guard, route, type ApiRoute } from '../route-table';
import { complaintBody } from '../shared/feedback.schemas';
import { complaintJson } from '../serializers';
import { complaintResponse, itemsOf } from '../responses';

/** `/api/v1/complaints`: the consumer's complaints with their SLA due dates. */
export const consumerComplaintRoutes: ApiRoute[] = [
  route({
    method: 'get',
    path: '/complaints',
    guard: guard.consumer,
    summary: 'The consumer’s complaints',
    responseDescription: '{ items }',
    response: itemsOf(complaintResponse),
    handler: async ({ principal: { account }, services }) => ({ items: (await services.complaints.listForConsumer(account.id)).map((c) => complaintJson(c)) }),
  }),
  route({
    method: 'post',
    path: '/complaints',
    guard: guard.consumer,
    summary: 'File a complaint about the institution of one of the consumer’s applications (applicationId) or about the platform; due dates for the first answer and resolution come back',
    body: complaintBody,
    bodyError: '投诉信息有误',
    idempotency: 'optional',
    status: 201,
    responseDescription: 'Complaint',
    response: complaintResponse,
    handler: async ({ body, principal: { account }, services, req }) => {
      const created = await services.complaints.file(account.id, body, auditActor(req));
      return complaintJson(await services.complaints.getForConsumer(account.id, created.id));
    },
  }),
  route({
    method: 'get',
    path: '/complaints/:id',
    guard: guard.consumer,
    summary: 'One complaint with its progress: status changes and the thread with the platform (SLA due dates in UTC)',
    responseDescription: 'Complaint',
    response: complaintResponse,
    handler: async ({ params, principal: { account }, services }) => complaintJson(await services.complaints.getForConsumer(account.id, params.id)),
  }),
];
