import { auditActor } from '../../server/http/audit-actor';
import { channelStatementStatusLabels, channelStatementView } from '../../server/http/channel-payouts-view';
import { formFailure } from '../../server/http/form-failure';
import { guard, page, type PageContext } from '../../server/http/page-route';

const staff = guard.channel('portal.view');
type Ctx = PageContext<ReturnType<typeof guard.channel>, string, undefined>;

const showStatement = async ({ req, principal, services, render }: Ctx, id: string, extra: Record<string, unknown> = {}) => {
  const s = await services.channelPayouts.statement(principal.channelId, id, auditActor(req));
  await render('statement', { title: `${s.period} 结算单`, s: channelStatementView(s), ...extra });
};

/** `/channel/statements`: the channel's issued monthly statements; a line can be disputed with a reason (channel admin). */
export const channelStatementPages = [
  page({
    method: 'get',
    path: '/statements',
    guard: staff,
    handler: async ({ principal, services, render }) => {
      const list = await services.channelPayouts.statementsForChannel(principal.channelId);
      await render('statements', { title: '结算单', statements: list.map((s) => ({ ...s, statusLabel: channelStatementStatusLabels[s.status] })) });
    },
  }),
  page({
    method: 'get',
    path: '/statements/:id',
    guard: staff,
    handler: async (ctx) => showStatement(ctx, ctx.params.id),
  }),
  page({
    method: 'post',
    path: '/statements/:id/lines/:lineId/dispute',
    guard: guard.channel('statements.manage'),
    handler: async (ctx) => {
      const { req, res, params, principal, services } = ctx;
      try {
        await services.channelPayouts.disputeLine(principal.channelId, Number(params.lineId), String(req.body.reason ?? ''), auditActor(req));
        req.session.flash = { kind: 'success', message: '异议已提交，平台财务处理后会在此显示结果' };
        res.redirect(303, `/channel/statements/${params.id}#line-${params.lineId}`);
      } catch (err) {
        const error = formFailure(res, err);
        await showStatement(ctx, params.id, { error, failedLine: Number(params.lineId), reason: String(req.body.reason ?? '') });
      }
    },
  }),
];
