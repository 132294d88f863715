import { z } from 'zod';
import { auditActor } from '../../audit-actor';
import { channelStatementJson, channelStatementSummaryJson } from '../../channel-payouts-view';
import { parseDateRange } from '../../../modules/analytics';
import { channelStatementListResponse, channelStatementResponse } from '../admin/channel-payouts.schemas';
import { guard, route, type ApiRoute } from '../route-table';
import { channelFunnelQuery, channelFunnelResponse, channelLinksResponse, channelMeResponse, channelPostbacksResponse } from './portal.schemas';

const staff = guard.channel('portal.view');
const disputeBody = z.strictObject({ reason: z.string().max(1000) });

/** `/api/channel/v1`: a channel partner's own figures; counts only, never a borrower's personal data. */
export const channelPortalRoutes: ApiRoute[] = [
  route({
    method: 'get',
    path: '/me',
    guard: staff,
    summary: 'The channel the signed-in staff member belongs to, and how many borrowers it brought',
    response: channelMeResponse,
    responseDescription: '{ channel, attributedBorrowers }',
    handler: async ({ principal, services }) => {
      const channel = await services.channelPortal.channel(principal.channelId);
      return {
        channel: { id: channel.id, code: channel.code, name: channel.name, type: channel.type, typeLabel: channel.typeLabel, status: channel.status, statusLabel: channel.statusLabel },
        attributedBorrowers: await services.channelPortal.attributedCount(principal.channelId),
      };
    },
  }),
  route({
    method: 'get',
    path: '/links',
    guard: staff,
    summary: 'The channel’s tracking links: the site URL with ch/sub and the H5 landing page per sub-ID',
    response: channelLinksResponse,
    responseDescription: '{ items }',
    handler: async ({ principal, services }) => ({
      items: (await services.channelPortal.links(principal.channelId)).map((l) => ({ ...l, createdAt: l.createdAt.toISOString() })),
    }),
  }),
  route({
    method: 'get',
    path: '/postbacks',
    guard: staff,
    summary: 'The conversions posted back to the channel, newest first (100): event, sub-ID, your click id, delivery status and attempts',
    response: channelPostbacksResponse,
    responseDescription: '{ items }',
    handler: async ({ principal, services }) => ({
      items: (await services.channelPortal.postbacks(principal.channelId)).map((p) => ({
        id: p.id,
        event: p.event,
        eventLabel: p.eventLabel,
        subId: p.subId,
        clickId: p.clickId,
        occurredAt: p.occurredAt.toISOString(),
        status: p.status,
        statusLabel: p.statusLabel,
        attempts: p.attempts,
        lastStatusCode: p.lastStatusCode,
        lastError: p.lastError,
        deliveredAt: p.deliveredAt?.toISOString() ?? null,
        nextAttemptAt: p.nextAttemptAt.toISOString(),
      })),
    }),
  }),
  route({
    method: 'get',
    path: '/funnel',
    guard: staff,
    summary: 'Visits, registrations, verified registrations, applications, approvals and disbursements of the channel, by day or by sub-ID (counts only)',
    description: 'from/to are Asia/Shanghai days (YYYY-MM-DD), both inclusive; days picks a length ending at to (default the last 30 days); at most 366 days.',
    query: channelFunnelQuery,
    queryError: '查询参数有误',
    response: channelFunnelResponse,
    responseDescription: '{ range, by, rows, total }',
    handler: async ({ query, principal, services }) => {
      const range = parseDateRange(query);
      const by = query.by ?? 'day';
      const funnel = await services.channelPortal.funnel(principal.channelId, range, by);
      return { range: { from: range.from, to: range.to }, by, ...funnel };
    },
  }),
  route({
    method: 'get',
    path: '/statements',
    guard: staff,
    summary: 'The channel’s monthly statements once issued (what the platform owes it), newest first; amounts in fen',
    response: channelStatementListResponse,
    responseDescription: '{ items }',
    handler: async ({ principal, services }) => ({ items: (await services.channelPayouts.statementsForChannel(principal.channelId)).map(channelStatementSummaryJson) }),
  }),
  route({
    method: 'get',
    path: '/statements/:id',
    guard: staff,
    summary: 'One statement with its lines (paid events, reversals, adjustments, and events excluded as invalid traffic with the evidence); another channel’s or a draft is a 404. Audited.',
    response: channelStatementResponse,
    responseDescription: 'the statement with lines, subtotals and payment',
    handler: async ({ params, principal, services, req }) => channelStatementJson(await services.channelPayouts.statement(principal.channelId, params.id, auditActor(req))),
  }),
  route({
    method: 'post',
    path: '/statement-lines/:id/dispute',
    guard: guard.channel('statements.manage'),
    summary: 'Dispute one statement line with a reason (channel admin); 409 when the statement is paid or the line already disputed',
    body: disputeBody,
    bodyError: '异议信息有误',
    status: 204,
    errors: [409],
    handler: async ({ params, body, principal, services, req }) => {
      await services.channelPayouts.disputeLine(principal.channelId, Number(params.id), body.reason, auditActor(req));
    },
  }),
];
