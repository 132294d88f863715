import { z } from 'zod';
import type { Services } from '../../server/container';
import { auditActor } from '../../server/http/audit-actor';
import { requestOrigin } from '../../server/http/request-origin';
import { formFailure } from '../../server/http/form-failure';
import { formIdempotent } from '../../server/http/idempotency';
import { guard, page, type PageContext, type PageRoute } from '../../server/http/page-route';
import { parse } from '../../server/http/validate';
import { declineReasons, type DeclineReason } from '../../server/modules/applications';

type Consumer = PageContext<typeof guard.consumer, string, undefined>;
type OnOffer = Consumer & { params: { id: string } };

const declineBody = z.strictObject({ reason: z.enum(Object.keys(declineReasons) as [DeclineReason, ...DeclineReason[]], { error: '请从列表中选择原因' }).optional() });
const acceptBody = z.strictObject({ code: z.string({ error: '请输入短信验证码' }).trim().regex(/^\d{6}$/, '请输入 6 位短信验证码') });

/** 我的报价: every offer side by side, the waiting ones sorted by total cost with the cheapest marked. */
async function showOffers(ctx: Consumer, extra: Record<string, unknown> = {}) {
  const { principal, services, render } = ctx;
  const offers = await services.offers.listForConsumer(principal.account.id);
  await render('offers', {
    title: '我的报价',
    pending: offers.filter((o) => o.state === 'pending'),
    decided: offers.filter((o) => o.state !== 'pending'),
    declineReasons: Object.entries(declineReasons).map(([value, label]) => ({ value, label })),
    ...extra,
  });
}

/** One offer before signing: its terms as the contract will state them, and the SMS code step. */
async function showSign(ctx: OnOffer, extra: Record<string, unknown> = {}) {
  const { principal, services, render, params } = ctx;
  const offer = await services.offers.getForConsumer(principal.account.id, params.id);
  await render('offer-sign', { title: `签署借款合同：${offer.productName}`, offer, codeSent: ctx.req.query.sent === '1', ...extra });
}

/** `/offers`: the borrower decides on approvals (accept and sign with an SMS code, or decline). */
export const offerPages = ({ idempotency }: Pick<Services, 'idempotency'>): PageRoute[] => [
  page({ method: 'get', path: '/offers', guard: guard.consumer, handler: (ctx) => showOffers(ctx) }),
  page({ method: 'get', path: '/offers/:id/sign', guard: guard.consumer, handler: (ctx) => showSign(ctx) }),
  page({
    method: 'post',
    path: '/offers/:id/code',
    guard: guard.consumer,
    handler: async (ctx) => {
      const { req, res, params, principal, services } = ctx;
      try {
        await services.offers.requestSigningCode(principal.account.id, params.id);
      } catch (err) {
        return showSign(ctx, { error: formFailure(res, err) });
      }
      req.session.flash = { kind: 'success', message: '验证码已发送到你的手机，10 分钟内有效' };
      res.redirect(303, `/offers/${params.id}/sign?sent=1#code`);
    },
  }),
  page({
    method: 'post',
    path: '/offers/:id/accept',
    guard: guard.consumer,
    before: () => formIdempotent(idempotency),
    handler: async (ctx) => {
      const { req, res, params, principal, services, kit } = ctx;
      try {
        const { _csrf, ...fields } = req.body as Record<string, string>;
        void _csrf;
        const body = parse(acceptBody, fields, '签署信息有误');
        await services.offers.accept(principal.account.id, params.id, body.code, requestOrigin(kit, req, res, 'web'));
      } catch (err) {
        return showSign(ctx, { error: formFailure(res, err) });
      }
      req.session.flash = { kind: 'success', message: '已接受报价并签署借款合同，等待机构放款；合同可在「我的合同」下载' };
      res.redirect(303, `/applications/${params.id}`);
    },
  }),
  page({
    method: 'post',
    path: '/offers/:id/decline',
    guard: guard.consumer,
    handler: async (ctx) => {
      const { req, res, params, principal, services } = ctx;
      try {
        const { _csrf, reason } = req.body as Record<string, string>;
        void _csrf;
        const body = parse(declineBody, reason ? { reason } : {}, '谢绝信息有误');
        await services.offers.decline(principal.account.id, params.id, body.reason, auditActor(req));
      } catch (err) {
        return showOffers(ctx, { error: formFailure(res, err) });
      }
      req.session.flash = { kind: 'success', message: '已谢绝该报价' };
      res.redirect(303, '/offers');
    },
  }),
];
