import { auditActor } from '../../server/http/audit-actor';
import { guard, page } from '../../server/http/page-route';
import { promotionKindLabels, promotionStatuses, promotionStatusLabels, type PromotionStatus } from '../../server/modules/promotions';
import { failureFlash } from '../../server/http/form-failure';

/** `/admin/promotions`: approve or reject institutions' promotion requests (audited). */
export const promotionReviewPages = [
  page({
    method: 'get',
    path: '/promotions',
    guard: guard.operator('promotions.review'),
    handler: async ({ req, services, render }) => {
      const status = (promotionStatuses as readonly string[]).includes(String(req.query.status)) ? (req.query.status as PromotionStatus) : req.query.status === 'all' ? undefined : 'requested';
      const list = await services.promotions.listAll(status);
      await render('promotions', {
        title: '推广审核',
        promotions: list.map((p) => ({ ...p, kindLabel: promotionKindLabels[p.kind], stateLabel: promotionStatusLabels[p.status], inclusiveEnd: new Date(p.endsAt.getTime() - 1) })),
        statuses: promotionStatuses.map((s) => ({ value: s, label: promotionStatusLabels[s], selected: s === status })),
        showingAll: status === undefined,
      });
    },
  }),
  ...(['approve', 'reject'] as const).map((decision) =>
    page({
      method: 'post',
      path: `/promotions/:id/${decision}`,
      guard: guard.operator('promotions.review'),
      handler: async ({ params, req, res, services }) => {
        try {
          await services.promotions.decide(params.id, decision === 'approve' ? 'approved' : 'rejected', String(req.body.comment ?? ''), auditActor(req));
          req.session.flash = { kind: 'success', message: decision === 'approve' ? '已批准，推广在申请的时段内生效' : '已拒绝' };
        } catch (err) {
          req.session.flash = failureFlash(err);
        }
        res.redirect(303, '/admin/promotions');
      },
    }),
  ),
];
