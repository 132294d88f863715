import { z } from 'zod';
import type { DeskAgent } from '../../../modules/desk';
import { auditActor } from '../../audit-actor';
import type { OperatorPrincipal } from '../../guards';
import { guard, route, type ApiRoute, type RouteContext } from '../route-table';
import {
  deskAgentConversationJson,
  deskAgentConversationResponse,
  deskAssignBody,
  deskComplaintBody,
  deskMessageBody,
  deskReplyBody,
  deskReportJson,
  deskReportQuery,
  deskReportResponse,
  deskTransferBody,
  reportRange,
} from '../shared/desk.schemas';
import type { Request } from 'express';

const work = guard.operator('desk.work');
const agentOf = (principal: OperatorPrincipal, req: Request): DeskAgent => ({ id: principal.account.id, actor: auditActor(req) });

/** The conversation as the agent now sees it, after an action. */
const after = async ({ params, principal, services, req }: Pick<RouteContext<typeof work, '/:id', undefined, undefined>, 'params' | 'principal' | 'services' | 'req'>) =>
  deskAgentConversationJson(await services.desk.getForAgent(agentOf(principal, req), params.id));

/** An agent's action on a conversation of their groups; answers with the conversation afterwards. */
function action<B extends z.ZodType>(path: string, summary: string, body: B, run: (ctx: RouteContext<typeof work, '/:id', undefined, B> & { agent: DeskAgent }) => Promise<unknown>): ApiRoute {
  return route({
    method: 'post',
    path: `/desk/conversations/:id/${path}`,
    guard: work,
    summary,
    body,
    bodyError: '请求有误',
    errors: [409],
    responseDescription: 'Conversation (agent view, masked)',
    response: deskAgentConversationResponse,
    handler: async (ctx) => {
      const withId = ctx as unknown as RouteContext<typeof work, '/:id', undefined, B>;
      await run({ ...withId, agent: agentOf(ctx.principal, ctx.req) });
      return after(withId);
    },
  });
}

/** `/api/admin/v1/desk`: the agents' queue and actions, canned replies, and the supervisors' reports. */
export const adminDeskRoutes: ApiRoute[] = [
  route({
    method: 'get',
    path: '/desk/queue',
    guard: work,
    summary: 'Waiting and open conversations of the groups the agent belongs to, oldest first, with who is on duty in each group',
    responseDescription: '{ groups: [{ id, name, serviceHours, onDutyCount, nextOnDutyAt, waiting }], items }',
    response: z.object({
      groups: z.array(z.object({ id: z.string(), name: z.string(), serviceHours: z.string(), onDutyCount: z.number().int(), nextOnDutyAt: z.string().nullable(), waiting: z.number().int() })),
      items: z.array(deskAgentConversationResponse),
    }),
    handler: async ({ principal, services }) => {
      const q = await services.desk.queue(principal.account.id);
      return {
        groups: q.groups.map((g) => ({ id: g.id, name: g.name, serviceHours: g.serviceHours, onDutyCount: g.onDutyCount, nextOnDutyAt: g.nextAt?.toISOString() ?? null, waiting: g.waiting })),
        items: q.conversations.map((c) => deskAgentConversationJson(c)),
      };
    },
  }),
  route({
    method: 'get',
    path: '/desk/canned-replies',
    guard: work,
    summary: 'Canned replies, with their variables unfilled ({{称呼}}, {{坐席}}, {{会话编号}} are filled in when sent)',
    responseDescription: '{ items }',
    response: z.object({ items: z.array(z.object({ id: z.string(), title: z.string(), body: z.string(), groupId: z.string().nullable(), groupName: z.string() })) }),
    handler: async ({ services }) => ({ items: await services.desk.cannedReplies() }),
  }),
  route({
    method: 'get',
    path: '/desk/reports',
    guard: guard.operator('desk.manage'),
    summary: 'Per agent and per group for conversations opened in a date range (Shanghai days, both ends included; default the last 7 days): first response and handling time, backlog now, satisfaction, complaints created',
    query: deskReportQuery,
    responseDescription: 'Report',
    response: deskReportResponse,
    handler: async ({ query, services }) => {
      const range = reportRange(query, new Date());
      return deskReportJson(await services.desk.report(range.from, range.to));
    },
  }),
  route({
    method: 'get',
    path: '/desk/conversations/:id',
    guard: work,
    summary: 'A conversation of one of the agent’s groups, with internal notes; phone and ID numbers masked; the read is audited (404 outside the agent’s groups)',
    responseDescription: 'Conversation (agent view, masked)',
    response: deskAgentConversationResponse,
    handler: (ctx) => after(ctx),
  }),
  action('take', 'Take a waiting conversation (409 when another agent serves it)', z.strictObject({}), ({ params, agent, services }) => services.desk.take(agent, params.id)),
  action('assign', 'Hand the conversation to another member of its group', deskAssignBody, ({ params, body, agent, services }) => services.desk.assign(agent, params.id, body.agentId)),
  action('transfer', 'Move the conversation to another group (to a named member, or round robin among those on duty)', deskTransferBody, ({ params, body, agent, services }) =>
    services.desk.transfer(agent, params.id, body),
  ),
  action('reply', 'Reply to the borrower or institution, in words or with a canned reply (variables filled in now); the first reply is the first response', deskReplyBody, ({ params, body, agent, services }) =>
    services.desk.reply(agent, params.id, body),
  ),
  action('notes', 'An internal note (agents only)', deskMessageBody, ({ params, body, agent, services }) => services.desk.note(agent, params.id, body.body)),
  action('complaint', 'Turn a signed-in borrower’s conversation into a complaint with its SLA, linked back (409 for visitors and institutions, or when done already)', deskComplaintBody, ({ params, body, agent, services }) =>
    services.desk.toComplaint(agent, params.id, body),
  ),
  action('close', 'Close the conversation; the borrower may then rate it', z.strictObject({}), ({ params, agent, services }) => services.desk.close(agent, params.id)),
];
