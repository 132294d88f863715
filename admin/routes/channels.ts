import { auditActor } from '../../server/http/audit-actor';
import { failureFlash, formFailure } from '../../server/http/form-failure';
import { guard, page } from '../../server/http/page-route';
import { parse } from '../../server/http/validate';
import { z } from 'zod';
import {
  channelCreateSchema,
  channelLinkSchema,
  channelPatchSchema,
  channelStatuses,
  channelStatusLabels,
  channelTypeLabels,
  channelTypes,
  conversionKindLabels,
  type ChannelStatus,
  type ChannelView,
  postbackStatusLabels,
} from '../../server/modules/channels';
import type { PageTools } from './application-page';

const manage = guard.operator('channels.manage');

const typeOptions = channelTypes.map((value) => ({ value, label: channelTypeLabels[value] }));

/** The text fields of the channel form; anything else posted (the CSRF token) is left out. */
const formFields = [
  'name',
  'code',
  'type',
  'contactName',
  'contactPhone',
  'contactEmail',
  'settlementAccountName',
  'settlementBank',
  'settlementAccountNumber',
  'postbackUrl',
  'notes',
] as const;

function formValues(body: Record<string, unknown>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const f of formFields) if (typeof body[f] === 'string') out[f] = body[f] as string;
  return out;
}

async function showForm({ render }: PageTools, channel: ChannelView | undefined, values: Record<string, unknown>, error?: unknown) {
  await render('channel-form', { title: channel ? `编辑渠道 ${channel.name}` : '新建渠道', channel, values, types: typeOptions, error });
}

async function showChannel({ services, render }: PageTools, id: string, extra: Record<string, unknown> = {}) {
  const [channel, links, postbacks] = await Promise.all([services.channels.get(id), services.channels.links(id), services.channels.postbackLog(id, { limit: 100 })]);
  await render('channel', {
    title: `渠道 ${channel.name}`,
    channel: { ...channel, typeLabel: channelTypeLabels[channel.type], statusLabel: channelStatusLabels[channel.status] },
    statuses: channelStatuses.filter((s) => s !== channel.status).map((value) => ({ value, label: channelStatusLabels[value] })),
    links,
    postbacks: postbacks.map((p) => ({ ...p, eventLabel: conversionKindLabels[p.event], statusLabel: postbackStatusLabels[p.status] })),
    ...extra,
  });
}

const statusBody = z.strictObject({ _csrf: z.string().optional(), status: z.enum(channelStatuses, { error: '请选择状态' }) });

/** `/admin/channels`: channel partners (渠道), their tracking links and landing pages, the postback log. */
export const channelPages = [
  page({
    method: 'get',
    path: '/channels',
    guard: manage,
    handler: async ({ services, render }) => {
      const [rows, windowDays] = await Promise.all([services.channels.list(), services.settings.get('channels.attributionWindowDays')]);
      await render('channels', {
        title: '渠道',
        windowDays,
        channels: rows.map((c) => ({ ...c, typeLabel: channelTypeLabels[c.type], statusLabel: channelStatusLabels[c.status] })),
      });
    },
  }),
  page({ method: 'get', path: '/channels/new', guard: manage, handler: (ctx) => showForm(ctx, undefined, { type: 'feed_ads' }) }),
  page({
    method: 'post',
    path: '/channels',
    guard: manage,
    handler: async (ctx) => {
      const { req, res, services } = ctx;
      const values = formValues(req.body as Record<string, unknown>);
      try {
        const input = parse(channelCreateSchema, values, '渠道信息有误');
        const created = await services.channels.create(input, auditActor(req));
        // the postback secret is shown on this answer only
        res.locals.flash = { kind: 'success', message: `渠道 ${created.channel.name} 已创建` };
        await showChannel(ctx, created.channel.id, { secret: created.postbackSecret });
      } catch (err) {
        await showForm(ctx, undefined, values, formFailure(res, err));
      }
    },
  }),
  page({ method: 'get', path: '/channels/:id', guard: manage, handler: (ctx) => showChannel(ctx, ctx.params.id) }),
  page({
    method: 'get',
    path: '/channels/:id/edit',
    guard: manage,
    handler: async (ctx) => {
      const channel = await ctx.services.channels.get(ctx.params.id);
      await showForm(ctx, channel, { ...channel, postbackUrl: channel.postbackUrl ?? '' });
    },
  }),
  page({
    method: 'post',
    path: '/channels/:id',
    guard: manage,
    handler: async (ctx) => {
      const { req, res, services, params } = ctx;
      const channel = await services.channels.get(params.id);
      const values = formValues(req.body as Record<string, unknown>);
      try {
        // the code never changes; a blank phone or account number keeps the one on file (they are shown masked only)
        const { code: _code, contactPhone, settlementAccountNumber, ...rest } = values;
        const input = parse(
          channelPatchSchema,
          { ...rest, ...(contactPhone?.trim() ? { contactPhone } : {}), ...(settlementAccountNumber?.trim() ? { settlementAccountNumber } : {}) },
          '渠道信息有误',
        );
        const updated = await services.channels.update(params.id, input, auditActor(req));
        if (updated.postbackSecret) {
          res.locals.flash = { kind: 'success', message: '已保存' };
          await showChannel(ctx, params.id, { secret: updated.postbackSecret });
          return;
        }
        req.session.flash = { kind: 'success', message: '已保存' };
        res.redirect(303, `/admin/channels/${params.id}`);
      } catch (err) {
        await showForm(ctx, channel, { ...values, code: channel.code }, formFailure(res, err));
      }
    },
  }),
  page({
    method: 'post',
    path: '/channels/:id/status',
    guard: manage,
    handler: async ({ req, res, services, params }) => {
      try {
        const { status } = parse(statusBody, req.body, '状态有误');
        await services.channels.setStatus(params.id, status as ChannelStatus, auditActor(req));
        req.session.flash = { kind: 'success', message: `渠道已${channelStatusLabels[status]}` };
      } catch (err) {
        req.session.flash = failureFlash(err);
      }
      res.redirect(303, `/admin/channels/${params.id}`);
    },
  }),
  page({
    method: 'post',
    path: '/channels/:id/secret',
    guard: manage,
    handler: async (ctx) => {
      const secret = await ctx.services.channels.rotatePostbackSecret(ctx.params.id, auditActor(ctx.req));
      ctx.res.locals.flash = { kind: 'success', message: '已生成新的回传密钥，旧密钥立即失效' };
      await showChannel(ctx, ctx.params.id, { secret });
    },
  }),
  page({
    method: 'post',
    path: '/channels/:id/links',
    guard: manage,
    handler: async (ctx) => {
      const { req, res, services, params } = ctx;
      const body = req.body as Record<string, unknown>;
      const values = Object.fromEntries(['subId', 'label', 'landingHeadline', 'landingSubline'].filter((k) => typeof body[k] === 'string').map((k) => [k, body[k] as string]));
      try {
        const input = parse(channelLinkSchema, values, '推广链接信息有误');
        const link = await services.channels.createLink(params.id, input, auditActor(req));
        req.session.flash = { kind: 'success', message: `推广链接已创建：${link.landingUrl}` };
        res.redirect(303, `/admin/channels/${params.id}`);
      } catch (err) {
        await showChannel(ctx, params.id, { linkError: formFailure(res, err), linkValues: values });
      }
    },
  }),
  page({
    method: 'post',
    path: '/channels/:id/postbacks/:postbackId/retry',
    guard: manage,
    handler: async ({ req, res, services, params }) => {
      try {
        await services.channels.retryPostback(params.id, params.postbackId, auditActor(req));
        req.session.flash = { kind: 'success', message: '已安排在下一轮重新投递' };
      } catch (err) {
        req.session.flash = failureFlash(err);
      }
      res.redirect(303, `/admin/channels/${params.id}`);
    },
  }),
  page({
    method: 'post',
    path: '/channels/:id/links/:linkId/archive',
    guard: manage,
    handler: async ({ req, res, services, params }) => {
      try {
        await services.channels.archiveLink(params.id, params.linkId, auditActor(req));
        req.session.flash = { kind: 'success', message: '推广链接已归档，落地页不再开放' };
      } catch (err) {
        req.session.flash = failureFlash(err);
      }
      res.redirect(303, `/admin/channels/${params.id}`);
    },
  }),
];
