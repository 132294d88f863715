import type { ApprovalReviewView } from '../../../modules/applications';
import { auditActor, staffRef } from '../../audit-actor';
import { guard, route, type ApiRoute } from '../route-table';
import { itemsOf } from '../responses';
import { applicationJson } from '../serializers';
import { leadStatusResponse } from './leads.schemas';
import { approvalPolicyBody, approvalPolicyResponse, approvalReviewResponse, reviewListQuery, reviewReturnBody } from './reviews.schemas';

export function approvalReviewJson(r: ApprovalReviewView) {
  return {
    id: r.id,
    applicationId: r.applicationId,
    amount: r.amountFen / 100,
    termMonths: r.termMonths,
    apr: Number(r.apr),
    status: r.status,
    statusLabel: r.statusLabel,
    maker: { id: r.makerId, name: r.makerName },
    checker: r.checkerId ? { id: r.checkerId, name: r.checkerName ?? '' } : null,
    returnReason: r.returnReason,
    createdAt: r.createdAt,
    decidedAt: r.decidedAt,
  };
}

/**
 * `/api/partner/v1/approval-reviews…`: approvals above the institution's threshold wait here for a
 * second staff member (复核). Confirming needs `leads.confirm`, which API keys never hold: a key may
 * make an approval, but only a person different from its maker confirms it.
 */
export const partnerReviewRoutes: ApiRoute[] = [
  route({
    method: 'get',
    path: '/approval-reviews',
    guard: guard.institution('leads.work'),
    summary: 'Approvals waiting for a second reviewer (default), or the confirmed or returned ones',
    query: reviewListQuery,
    responseDescription: '{ items }',
    response: itemsOf(approvalReviewResponse),
    handler: async ({ query, principal, services }) => ({
      items: (await services.applications.listApprovalReviews(principal.institutionId, query.status ?? 'pending')).map(approvalReviewJson),
    }),
  }),
  route({
    method: 'post',
    path: '/approval-reviews/:id/confirm',
    guard: guard.institution('leads.confirm'),
    summary: 'Confirm another staff member’s approval: it takes effect as a one-step approval (offer, commission, notification). 403 for its own maker; 409 when already decided.',
    idempotency: 'optional',
    errors: [409],
    responseDescription: 'Lead with the commission it earned',
    response: leadStatusResponse,
    handler: async ({ params, principal, services, req }) => {
      const { application, commission } = await services.applications.confirmApproval(principal.institutionId, params.id, staffRef(req), auditActor(req));
      return {
        ...applicationJson(application),
        commission: commission ? { rule: commission.rule, amount: commission.amountFen / 100, journalId: commission.journalId } : null,
        loan: null,
        review: null,
      };
    },
  }),
  route({
    method: 'post',
    path: '/approval-reviews/:id/return',
    guard: guard.institution('leads.confirm'),
    summary: 'Send a waiting approval back to its maker with a reason; the lead stays where it was',
    body: reviewReturnBody,
    bodyError: '退回原因有误',
    errors: [409],
    responseDescription: 'Review',
    response: approvalReviewResponse,
    handler: async ({ params, body, principal, services, req }) =>
      approvalReviewJson(await services.applications.returnApproval(principal.institutionId, params.id, body.reason, staffRef(req), auditActor(req))),
  }),
  route({
    method: 'get',
    path: '/approval-policy',
    guard: guard.institution('workflow.manage'),
    summary: 'The amount above which an approval needs a second reviewer (null: off)',
    responseDescription: '{ threshold }',
    response: approvalPolicyResponse,
    handler: async ({ principal, services }) => {
      const fen = await services.applications.approvalThreshold(principal.institutionId);
      return { threshold: fen === null ? null : fen / 100 };
    },
  }),
  route({
    method: 'put',
    path: '/approval-policy',
    guard: guard.institution('workflow.manage'),
    summary: 'Set the maker-checker threshold (audited); null turns it off',
    body: approvalPolicyBody,
    bodyError: '复核金额有误',
    responseDescription: '{ threshold }',
    response: approvalPolicyResponse,
    handler: async ({ body, principal, services, req }) => {
      await services.applications.setApprovalThreshold(principal.institutionId, body.threshold, auditActor(req));
      return { threshold: body.threshold === null ? null : body.threshold / 100 };
    },
  }),
];
