import type { Router } from 'express';
import type { Services } from '../../server/container';
import { auditActor } from '../../server/http/audit-actor';
import type { HttpKit } from '../../server/http/kit';
import type { Render } from '../../server/http/render';
import { promotionKindLabels, promotionStatuses, promotionStatusLabels, type PromotionStatus } from '../../server/modules/promotions';
import { failureFlash } from '../../server/http/form-failure';

/** `/admin/promotions`: approve or reject institutions' promotion requests (audited). */
export function promotionReviewRoutes(r: Router, services: Services, kit: HttpKit, render: Render): void {
  const review = kit.guards.operator('page', 'promotions.review');

  r.get('/promotions', review, async (req, res) => {
    const status = (promotionStatuses as readonly string[]).includes(String(req.query.status)) ? (req.query.status as PromotionStatus) : req.query.status === 'all' ? undefined : 'requested';
    const list = await services.promotions.listAll(status);
    await render(req, res, 'promotions', {
      title: '推广审核',
      promotions: list.map((p) => ({ ...p, kindLabel: promotionKindLabels[p.kind], stateLabel: promotionStatusLabels[p.status], inclusiveEnd: new Date(p.endsAt.getTime() - 1) })),
      statuses: promotionStatuses.map((s) => ({ value: s, label: promotionStatusLabels[s], selected: s === status })),
      showingAll: status === undefined,
    });
  });

  for (const decision of ['approve', 'reject'] as const) {
    r.post(`/promotions/:id/${decision}`, review, async (req, res) => {
      try {
        await services.promotions.decide(String(req.params.id), decision === 'approve' ? 'approved' : 'rejected', String(req.body.comment ?? ''), auditActor(req));
        req.session.flash = { kind: 'success', message: decision === 'approve' ? '已批准，推广在申请的时段内生效' : '已拒绝' };
      } catch (err) {
        req.session.flash = failureFlash(err);
      }
      res.redirect(303, '/admin/promotions');
    });
  }
}
