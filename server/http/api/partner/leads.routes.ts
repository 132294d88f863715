import { auditActor, staffRef } from '../../audit-actor';
import { sendCsv } from '../../csv';
import { leadsCsv } from '../../lead-csv';
import { toLeadFilter } from '../../lead-filter';
import { toStatusChange } from '../../lead-status';
import { guard, route, type ApiRoute } from '../route-table';
import { messageBody } from '../consumer/applications.schemas';
import { leadDocumentsResponse, leadFilterQuery, leadListResponse, leadRevealResponse, leadStatusBody, leadStatusResponse } from './leads.schemas';
import { applicantJson, applicationJson, leadJson, messageJson } from '../serializers';
import { leadResponse, messageListResponse, messageResponse } from '../responses';

const staff = guard.institution('leads.work');

/** `/api/partner/v1/leads…`: the institution's inbox, its documents and messages, status changes. */
export const partnerLeadRoutes: ApiRoute[] = [
  route({
    method: 'get',
    path: '/leads',
    guard: staff,
    summary: "The institution's leads",
    query: leadFilterQuery,
    responseDescription: '{ items }',
    response: leadListResponse,
    handler: async ({ query, principal, services }) => {
      const leads = await services.applications.listLeads(principal.institutionId, toLeadFilter(query));
      return {
        items: leads.map((l) => ({
          ...applicationJson(l),
          consentWithdrawn: l.consentWithdrawn,
          creditBand: l.creditBand,
          firstResponseAt: l.firstResponseAt,
          responseMinutes: l.responseMinutes,
          stale: l.stale,
        })),
      };
    },
  }),
  route({
    method: 'get',
    path: '/leads/export.csv',
    guard: staff,
    summary: 'The inbox as CSV: consented fields only, identifiers masked; recorded as releases',
    query: leadFilterQuery,
    produces: 'csv',
    handler: async ({ query, principal, services, req, res }) => {
      const leads = await services.applications.exportLeads(principal.institutionId, toLeadFilter(query), auditActor(req));
      sendCsv(res, null, leadsCsv(leads));
    },
  }),
  route({
    method: 'get',
    path: '/leads/:id',
    guard: staff,
    summary: 'One lead (audited read)',
    responseDescription: 'Lead',
    response: leadResponse,
    handler: async ({ params, principal, services, req }) => leadJson(await services.applications.getLead(principal.institutionId, params.id, auditActor(req))),
  }),
  route({
    method: 'get',
    path: '/leads/:id/documents',
    guard: staff,
    summary: 'Documents of a lead (while the consent stands)',
    responseDescription: '{ items }',
    response: leadDocumentsResponse,
    handler: async ({ params, principal, services, req }) => {
      const lead = await services.applications.getLead(principal.institutionId, params.id, auditActor(req));
      const docs = lead.applicant ? await services.documents.listForApplication(lead.id) : [];
      return { items: docs.map((d) => ({ id: d.id, kind: d.kind, mime: d.mime, size: d.size, sha256: d.sha256, createdAt: d.createdAt })) };
    },
  }),
  route({
    method: 'get',
    path: '/documents/:id',
    guard: staff,
    summary: 'One document’s bytes: a recorded release, audited',
    produces: 'file',
    handler: async ({ params, principal, services, req, res }) => {
      const { row, bytes } = await services.documents.openByInstitution(principal.institutionId, params.id, auditActor(req));
      res.type(row.mime).set('Cache-Control', 'private, no-store').send(bytes);
    },
  }),
  route({
    method: 'get',
    path: '/leads/:id/messages',
    guard: staff,
    summary: 'The thread on a lead',
    response: messageListResponse,
    responseDescription: '{ items }',
    handler: async ({ params, principal, services, req }) => {
      await services.applications.getLead(principal.institutionId, params.id, auditActor(req));
      return { items: (await services.messages.thread(params.id)).map(messageJson) };
    },
  }),
  route({
    method: 'post',
    path: '/leads/:id/messages',
    guard: staff,
    summary: 'Write to the applicant (refused when consent is withdrawn or they asked you to stop)',
    response: messageResponse,
    body: messageBody,
    bodyError: '消息有误',
    status: 201,
    responseDescription: 'Message',
    handler: async ({ params, body, principal, services }) => messageJson(await services.messages.postByInstitution(principal.institutionId, params.id, principal.account.id, body.body)),
  }),
  route({
    method: 'post',
    path: '/leads/:id/reveal',
    guard: staff,
    summary: 'The consented fields in clear: a recorded release, audited; 403 after the consent is withdrawn',
    responseDescription: '{ applicant }',
    response: leadRevealResponse,
    handler: async ({ params, principal, services, req }) => ({ applicant: applicantJson(await services.applications.revealLead(principal.institutionId, params.id, auditActor(req), 'api')) }),
  }),
  route({
    method: 'post',
    path: '/leads/:id/status',
    guard: staff,
    summary: 'Move a lead: reviewing, approved (offer), rejected (reason), disbursed (amount). Commission posts once.',
    body: leadStatusBody,
    bodyError: '状态变更信息有误',
    idempotency: 'optional',
    errors: [409],
    responseDescription: 'Lead with the commission it earned and, once disbursed, `loan: { id, href }`; 202 with `review` when an approval above the threshold waits for a second reviewer',
    response: leadStatusResponse,
    handler: async ({ params, body, principal, services, req, res }) => {
      const { institutionId } = principal;
      const { application, commission, review } = await services.applications.changeStatusByInstitution(institutionId, params.id, toStatusChange(body), auditActor(req), staffRef(req));
      if (review) res.status(202);
      const loanId = application.status === 'disbursed' ? await services.loans.idForApplication(application.id, { institutionId }) : null;
      return {
        ...applicationJson(application),
        commission: commission ? { rule: commission.rule, amount: commission.amountFen / 100, journalId: commission.journalId } : null,
        loan: loanId ? { id: loanId, href: `/api/partner/v1/loans/${loanId}` } : null,
        review: review ? { id: review.id, status: 'pending' as const, href: `/api/partner/v1/approval-reviews?status=pending` } : null,
      };
    },
  }),
];
