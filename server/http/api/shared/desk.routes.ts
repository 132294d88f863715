import type { DeskParty } from '../../../modules/desk';
import { auditActor } from '../../audit-actor';
import type { ConsumerPrincipal, InstitutionPrincipal } from '../../guards';
import { route, type ApiRoute, type guard } from '../route-table';
import { itemsOf } from '../responses';
import {
  deskConversationJson,
  deskConversationResponse,
  deskGroupsResponse,
  deskMessageBody,
  deskOpenBody,
  deskRatingBody,
} from './desk.schemas';

type PartyGuard = typeof guard.consumer | ReturnType<typeof guard.institution>;

/**
 * The desk for one kind of party (a signed-in borrower on /api/v1, institution staff on
 * /api/partner/v1): groups, open, list own, read, post, rate. Anyone else's conversation is a 404.
 */
export function partyDeskRoutes(spec: PartyGuard, audience: 'borrower' | 'institution', who: string): ApiRoute[] {
  const partyOf = (principal: ConsumerPrincipal | InstitutionPrincipal): DeskParty =>
    principal.kind === 'consumer'
      ? { kind: 'consumer', consumerId: principal.account.id }
      : { kind: 'institution', institutionId: principal.institutionId, staffId: principal.account.id };
  return [
    route({
      method: 'get',
      path: '/desk/groups',
      guard: spec,
      summary: `Skill groups ${who} may open a conversation in, with their service hours`,
      responseDescription: '{ items }',
      response: deskGroupsResponse,
      handler: async ({ services }) => ({ items: (await services.desk.groups(audience)).map((g) => ({ id: g.id, name: g.name, hours: g.serviceHours })) }),
    }),
    route({
      method: 'get',
      path: '/desk/conversations',
      guard: spec,
      summary: `${who}’s own conversations with the customer-service desk, latest first`,
      responseDescription: '{ items }',
      response: itemsOf(deskConversationResponse),
      handler: async ({ principal, services }) => ({ items: (await services.desk.listForParty(partyOf(principal))).map((c) => deskConversationJson(c)) }),
    }),
    route({
      method: 'post',
      path: '/desk/conversations',
      guard: spec,
      summary: 'Open a conversation: assigned round robin to an agent on duty in the group, else it waits (waitingNotice says when someone is next on duty)',
      body: deskOpenBody,
      bodyError: '咨询内容有误',
      idempotency: 'optional',
      status: 201,
      responseDescription: 'Conversation with its messages',
      response: deskConversationResponse,
      handler: async ({ body, principal, services, req }) => deskConversationJson(await services.desk.open(partyOf(principal), body, auditActor(req))),
    }),
    route({
      method: 'get',
      path: '/desk/conversations/:id',
      guard: spec,
      summary: 'One own conversation with its messages (never the agents’ internal notes)',
      responseDescription: 'Conversation with its messages',
      response: deskConversationResponse,
      handler: async ({ params, principal, services }) => {
        const party = partyOf(principal);
        const conversation = await services.desk.getForParty(party, params.id);
        await services.desk.seenByParty(party, params.id);
        return deskConversationJson(conversation);
      },
    }),
    route({
      method: 'post',
      path: '/desk/conversations/:id/messages',
      guard: spec,
      summary: 'Write in an own conversation (409 once it is closed)',
      body: deskMessageBody,
      bodyError: '消息有误',
      errors: [409],
      responseDescription: 'Conversation with its messages',
      response: deskConversationResponse,
      handler: async ({ params, body, principal, services, req }) => {
        await services.desk.postByParty(partyOf(principal), params.id, body.body, auditActor(req));
        return deskConversationJson(await services.desk.getForParty(partyOf(principal), params.id));
      },
    }),
    route({
      method: 'post',
      path: '/desk/conversations/:id/rating',
      guard: spec,
      summary: 'Rate a closed conversation, 1–5 with an optional comment, once (409 before it is closed or when already rated)',
      body: deskRatingBody,
      bodyError: '评价有误',
      errors: [409],
      responseDescription: 'Conversation',
      response: deskConversationResponse,
      handler: async ({ params, body, principal, services, req }) => {
        await services.desk.rate(partyOf(principal), params.id, body, auditActor(req));
        return deskConversationJson(await services.desk.getForParty(partyOf(principal), params.id));
      },
    }),
  ];
}
