import { z } from 'zod';
import { auditActor } from '../../server/http/audit-actor';
import { guard, page } from '../../server/http/page-route';
import { sendStatementCsv, statementDetailView, statementSummaryView } from '../../server/http/statements-view';
import { parse } from '../../server/http/validate';
import { ValidationError } from '../../server/lib/errors';
import { failureFlash, formFailure } from '../../server/http/form-failure';
import type { StaffPage } from './context';

const reviewForm = z
  .object({
    _csrf: z.string().optional(),
    decision: z.enum(['confirmed', 'disputed'], { error: '请选择确认或提出异议' }),
    reason: z.string().max(500, '原因最多 500 字').default(''),
  })
  .strict();

const lineIdOf = (lineId: string) => {
  const id = Number(lineId);
  if (!Number.isSafeInteger(id) || id <= 0) throw new ValidationError('明细编号无效', { lineId: '明细编号无效' });
  return id;
};

const detailPage = async ({ params, principal, services, render }: StaffPage<{ id: string }>, extra: Record<string, unknown> = {}) => {
  const s = await services.statements.detail(params.id, { institutionId: principal.institutionId });
  const noCps = await services.offers.closedWithoutLoan(principal.institutionId, s.period);
  await render('statement', { title: `${s.period} 结算单`, s: statementDetailView(s), noCps, stripe: services.statements.gateway !== null, ...extra });
};

/**
 * `/partner/statements`: the institution's monthly statements (list, detail, CSV, printable page),
 * line-by-line confirmation or dispute with a reason, and payment (Stripe Checkout when configured,
 * otherwise bank-transfer instructions).
 */
export const statementPages = [
  page({
    method: 'get',
    path: '/statements',
    guard: guard.institution('settlement.view'),
    handler: async ({ principal, services, render }) => {
      const [list, unbilled] = await Promise.all([services.statements.list({ institutionId: principal.institutionId }), services.statements.unbilled(principal.institutionId)]);
      const billedOutstandingFen = list.filter((s) => s.outstandingFen > 0).reduce((n, s) => n + s.outstandingFen, 0);
      await render('statements', { title: '结算单', statements: list.map(statementSummaryView), unbilled, billedOutstandingFen });
    },
  }),
  page({ method: 'get', path: '/statements/:id', guard: guard.institution('settlement.view'), handler: (ctx) => detailPage(ctx) }),
  page({
    method: 'get',
    path: '/statements/:id/print',
    guard: guard.institution('settlement.view'),
    handler: async ({ params, principal, services, render }) => {
      const s = await services.statements.detail(params.id, { institutionId: principal.institutionId });
      await render('statement-print', { layout: 'print', title: `${s.institutionName} ${s.period} 结算单`, s: statementDetailView(s) });
    },
  }),
  page({
    method: 'get',
    path: '/statements/:id/download.csv',
    guard: guard.institution('settlement.view'),
    handler: async ({ params, principal, services, req, res }) => {
      sendStatementCsv(res, await services.statements.downloadForInstitution(auditActor(req), principal.institutionId, params.id));
    },
  }),
  page({
    method: 'post',
    path: '/statements/:id/lines/:lineId/review',
    guard: guard.institution('settlement.manage'),
    handler: async (ctx) => {
      const { params, principal, services, req, res } = ctx;
      try {
        const form = parse(reviewForm, req.body, '请选择确认或提出异议');
        await services.statements.review(principal.institutionId, params.id, lineIdOf(params.lineId), form, auditActor(req));
        req.session.flash = { kind: 'success', message: form.decision === 'confirmed' ? '已确认该明细' : '已提交异议，平台财务将处理' };
        res.redirect(303, `/partner/statements/${encodeURIComponent(params.id)}#line-${params.lineId}`);
      } catch (err) {
        const error = formFailure(res, err);
        await detailPage(ctx, { error, failedLine: Number(params.lineId), values: req.body });
      }
    },
  }),
  page({
    method: 'get',
    path: '/statements/:id/pay',
    guard: guard.institution('settlement.manage'),
    handler: async ({ params, principal, services, render }) => {
      const s = await services.statements.detail(params.id, { institutionId: principal.institutionId });
      await render('statement-pay', { title: `支付 ${s.period} 结算单`, s: statementDetailView(s), stripe: services.statements.gateway !== null });
    },
  }),
  page({
    method: 'post',
    path: '/statements/:id/pay',
    guard: guard.institution('settlement.manage'),
    handler: async ({ params, principal, services, kit, req, res }) => {
      const base = `${kit.publicUrl}/partner/statements/${encodeURIComponent(params.id)}`;
      try {
        const { url } = await services.statements.startCheckout(principal.institutionId, params.id, { successUrl: `${base}?paid=1`, cancelUrl: `${base}/pay` }, auditActor(req));
        res.redirect(303, url);
      } catch (err) {
        req.session.flash = failureFlash(err);
        res.redirect(303, `/partner/statements/${encodeURIComponent(params.id)}/pay`);
      }
    },
  }),
];
