import { z } from 'zod';
import { auditActor, staffRef } from '../../server/http/audit-actor';
import { confirmed } from '../../server/http/confirm';
import { formFailure } from '../../server/http/form-failure';
import { formIdempotent } from '../../server/http/idempotency';
import { guard, page, type PageRoute } from '../../server/http/page-route';
import { parse, yuanAmount } from '../../server/http/validate';
import { ValidationError } from '../../server/lib/errors';
import { formatYuan } from '../../server/lib/money';
import type { Services } from '../../server/container';
import type { StaffPage } from './context';

const returnForm = z.strictObject({
  reason: z.string({ error: '请填写退回原因' }).trim().min(2, '请填写退回原因（2–500 字）').max(500, '退回原因最多 500 字'),
});

const thresholdForm = z.strictObject({
  enabled: z.literal('1').optional(),
  threshold: yuanAmount('复核金额').optional(),
});

const showQueue = async ({ principal, services, render }: StaffPage, extra: Record<string, unknown> = {}) => {
  const [pending, decided, thresholdFen] = await Promise.all([
    services.applications.listApprovalReviews(principal.institutionId, 'pending'),
    Promise.all([services.applications.listApprovalReviews(principal.institutionId, 'confirmed'), services.applications.listApprovalReviews(principal.institutionId, 'returned')]),
    services.applications.approvalThreshold(principal.institutionId),
  ]);
  await render('approval-reviews', {
    title: '待复核',
    // a maker sees their own approvals in the queue but is never offered the confirmation
    pending: pending.map((r) => ({ ...r, own: r.makerId === principal.account.id })),
    decided: [...decided[0], ...decided[1]].sort((a, b) => (b.decidedAt?.getTime() ?? 0) - (a.decidedAt?.getTime() ?? 0)).slice(0, 50),
    thresholdFen,
    ...extra,
  });
};

const showWorkflow = async ({ principal, services, render }: StaffPage, extra: Record<string, unknown> = {}) => {
  const thresholdFen = await services.applications.approvalThreshold(principal.institutionId);
  await render('workflow', { title: '审批流程', thresholdFen, values: { enabled: thresholdFen !== null, threshold: thresholdFen === null ? '' : (thresholdFen / 100).toFixed(2) }, ...extra });
};

/** `/partner/approval-reviews` (复核 queue) and `/partner/workflow` (the threshold). */
export const reviewPortalPages = (idempotency: Services['idempotency']): PageRoute[] => [
  page({ method: 'get', path: '/approval-reviews', guard: guard.institution('leads.work'), handler: (ctx) => showQueue(ctx) }),
  page({
    method: 'post',
    path: '/approval-reviews/:id/confirm',
    guard: guard.institution('leads.confirm'),
    before: () => formIdempotent(idempotency),
    handler: async (ctx) => {
      const { params, principal, services, req, res } = ctx;
      try {
        confirmed(req.body);
        const { application, commission } = await services.applications.confirmApproval(principal.institutionId, params.id, staffRef(req), auditActor(req));
        req.session.flash = { kind: 'success', message: `复核通过：已批准 ${formatYuan(application.offeredAmountFen ?? 0)}，报价已发给借款人${commission && commission.amountFen > 0 ? `，产生佣金 ${formatYuan(commission.amountFen)}` : ''}` };
        res.redirect(303, '/partner/approval-reviews');
      } catch (err) {
        const error = formFailure(res, err);
        await showQueue(ctx, { error, confirmError: { [params.id]: error.fields?.confirm } });
      }
    },
  }),
  page({
    method: 'post',
    path: '/approval-reviews/:id/return',
    guard: guard.institution('leads.confirm'),
    handler: async (ctx) => {
      const { params, principal, services, req, res } = ctx;
      try {
        const body = parse(returnForm, req.body, '退回原因有误');
        await services.applications.returnApproval(principal.institutionId, params.id, body.reason, staffRef(req), auditActor(req));
        req.session.flash = { kind: 'success', message: '已退回，经办人可按意见重新提交' };
        res.redirect(303, '/partner/approval-reviews');
      } catch (err) {
        const error = formFailure(res, err);
        await showQueue(ctx, { error, returnError: { [params.id]: error.fields?.reason ?? error.message }, values: { [params.id]: req.body.reason } });
      }
    },
  }),
  page({ method: 'get', path: '/workflow', guard: guard.institution('workflow.manage'), handler: (ctx) => showWorkflow(ctx) }),
  page({
    method: 'post',
    path: '/workflow',
    guard: guard.institution('workflow.manage'),
    handler: async (ctx) => {
      const { principal, services, req, res } = ctx;
      try {
        const body = parse(thresholdForm, Object.fromEntries(Object.entries(req.body).filter(([, v]) => v !== '')), '复核金额有误');
        if (body.enabled && body.threshold === undefined) throw new ValidationError('请填写复核金额', { threshold: '开启复核时须填写金额' });
        const thresholdFen = body.enabled && body.threshold !== undefined ? body.threshold : null;
        await services.applications.setApprovalThreshold(principal.institutionId, thresholdFen, auditActor(req));
        req.session.flash = { kind: 'success', message: thresholdFen === null ? '已关闭批准复核：批准即时生效' : `已开启批准复核：批准金额超过 ${formatYuan(thresholdFen)} 须由另一位员工复核` };
        res.redirect(303, '/partner/workflow');
      } catch (err) {
        const error = formFailure(res, err);
        await showWorkflow(ctx, { error, values: req.body });
      }
    },
  }),
];
