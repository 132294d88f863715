import type { ChannelLinkView, ChannelView, PostbackLogEntry } from '../../../modules/channels';
import { auditActor } from '../../audit-actor';
import { guard, route, type ApiRoute } from '../route-table';
import {
  channelCreateBody,
  channelLinkBody,
  channelLinkResponse,
  channelListResponse,
  channelPatchBody,
  channelResponse,
  channelSavedResponse,
  postbackLogQuery,
  postbackLogResponse,
  postbackResponse,
  postbackSecretResponse,
} from './channels.schemas';

const manage = guard.operator('channels.manage');
const iso = (d: Date) => d.toISOString();
const channelJson = (c: ChannelView) => ({ ...c, createdAt: iso(c.createdAt), updatedAt: iso(c.updatedAt) });
const linkJson = (l: ChannelLinkView) => ({ ...l, createdAt: iso(l.createdAt) });
const postbackJson = (p: PostbackLogEntry) => ({
  ...p,
  occurredAt: iso(p.occurredAt),
  nextAttemptAt: iso(p.nextAttemptAt),
  deliveredAt: p.deliveredAt ? iso(p.deliveredAt) : null,
  createdAt: iso(p.createdAt),
  tries: p.tries.map((t) => ({ ...t, at: iso(t.at) })),
});

/** `/api/admin/v1/channels`: channel partners (渠道), their tracking links and the postback log (permission channels.manage). */
export const adminChannelRoutes: ApiRoute[] = [
  route({
    method: 'get',
    path: '/channels',
    guard: manage,
    summary: 'Channel partners, newest first, with registrations (attributed accounts) and their applications',
    response: channelListResponse,
    responseDescription: '{ channels: [{ id, code, name, type, status, registrations, applications, hasPostback, createdAt }] }',
    handler: async ({ services }) => ({ channels: (await services.channels.list()).map((c) => ({ ...c, createdAt: iso(c.createdAt) })) }),
  }),
  route({
    method: 'post',
    path: '/channels',
    guard: manage,
    summary: 'Onboard a channel partner (audited): code 2–16 lower-case letters or digits, unique and never reused (409 channel_code_taken); contact phone and settlement account number are sealed and answered masked; with a postbackUrl (https) a signing secret is generated and answered once',
    body: channelCreateBody,
    bodyError: '渠道信息有误',
    status: 201,
    errors: [409],
    response: channelSavedResponse,
    responseDescription: '{ channel, postbackSecret }',
    handler: async ({ body, services, req }) => {
      const saved = await services.channels.create(body, auditActor(req));
      return { channel: channelJson(saved.channel), postbackSecret: saved.postbackSecret };
    },
  }),
  route({
    method: 'get',
    path: '/channels/:id',
    guard: manage,
    summary: 'One channel (masked) with its tracking links and their full URLs',
    response: channelResponse,
    responseDescription: '{ channel, links: [{ id, subId, label, landingHeadline, landingSubline, status, trackingUrl, landingUrl, … }] }',
    handler: async ({ params, services }) => {
      const [channel, links] = await Promise.all([services.channels.get(params.id), services.channels.links(params.id)]);
      return { channel: channelJson(channel), links: links.map(linkJson) };
    },
  }),
  route({
    method: 'patch',
    path: '/channels/:id',
    guard: manage,
    summary: 'Change a channel (audited): only the fields sent change; the code never does. status paused or terminated stops new touches and attributions at once; contactPhone or settlementAccountNumber "" clears it; postbackUrl "" stops postbacks, and a first postbackUrl generates the signing secret (answered once)',
    body: channelPatchBody,
    bodyError: '渠道信息有误',
    response: channelSavedResponse,
    responseDescription: '{ channel, postbackSecret }',
    handler: async ({ params, body, services, req }) => {
      const saved = await services.channels.update(params.id, body, auditActor(req));
      return { channel: channelJson(saved.channel), postbackSecret: saved.postbackSecret };
    },
  }),
  route({
    method: 'post',
    path: '/channels/:id/postback-secret',
    guard: manage,
    summary: 'A new postback signing secret (audited), answered once; the old one stops working at once',
    response: postbackSecretResponse,
    responseDescription: '{ postbackSecret }',
    handler: async ({ params, services, req }) => ({ postbackSecret: await services.channels.rotatePostbackSecret(params.id, auditActor(req)) }),
  }),
  route({
    method: 'post',
    path: '/channels/:id/links',
    guard: manage,
    summary: "A tracking link and H5 landing page for a sub-ID ('' = the bare channel link; letters, digits, - and _, up to 40; not `code`), audited; 409 channel_link_exists when the sub-ID has one",
    body: channelLinkBody,
    bodyError: '推广链接信息有误',
    status: 201,
    errors: [409],
    response: channelLinkResponse,
    responseDescription: '{ link }',
    handler: async ({ params, body, services, req }) => ({ link: linkJson(await services.channels.createLink(params.id, body, auditActor(req))) }),
  }),
  route({
    method: 'post',
    path: '/channels/:id/links/:linkId/archive',
    guard: manage,
    summary: 'Archive a tracking link (audited): its landing page no longer opens; 409 channel_link_archived when it already is',
    errors: [409],
    response: channelLinkResponse,
    responseDescription: '{ link }',
    handler: async ({ params, services, req }) => ({ link: linkJson(await services.channels.archiveLink(params.id, params.linkId, auditActor(req))) }),
  }),
  route({
    method: 'get',
    path: '/channels/:id/postbacks',
    guard: manage,
    summary: "The channel's postback delivery log, newest first: each conversion posted (eventId, event, subId, clickId, occurredAt), its status and every attempt with status code, error and duration",
    query: postbackLogQuery,
    response: postbackLogResponse,
    responseDescription: '{ postbacks: [{ id, event, status, attempts, tries: [{ attempt, statusCode, error, durationMs, at }], … }] }',
    handler: async ({ params, query, services }) => ({ postbacks: (await services.channels.postbackLog(params.id, { limit: query.limit })).map(postbackJson) }),
  }),
  route({
    method: 'post',
    path: '/channels/:id/postbacks/:postbackId/retry',
    guard: manage,
    summary: 'Post a pending or given-up postback again at the next delivery run (audited); a given-up one gets one more try. 409 postback_delivered when it was delivered',
    errors: [409],
    response: postbackResponse,
    responseDescription: '{ postback }',
    handler: async ({ params, services, req }) => ({ postback: postbackJson(await services.channels.retryPostback(params.id, params.postbackId, auditActor(req))) }),
  }),
];
