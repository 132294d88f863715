import type { Request, Response, Router } from 'express';
import { z } from 'zod';
import type { Services } from '../../server/container';
import { auditActor } from '../../server/http/audit-actor';
import type { HttpKit } from '../../server/http/kit';
import type { Render } from '../../server/http/render';
import { fieldErrors } from '../../server/http/validate';
import { ValidationError } from '../../server/lib/errors';
import { promotionKindLabels, promotionKinds, promotionStatusLabels } from '../../server/modules/promotions';
import { formFailure } from '../../server/http/form-failure';

/** A date as typed (YYYY-MM-DD) → that day's start in Asia/Shanghai. */
const shanghaiDay = (label: string) =>
  z.iso.date({ error: `${label}格式为 YYYY-MM-DD` }).transform((d) => new Date(`${d}T00:00:00+08:00`));

export const promotionForm = z.strictObject({
  productId: z.string({ error: '请选择产品' }).min(1, '请选择产品'),
  kind: z.enum(promotionKinds, { error: '请选择推广方式' }),
  startDate: shanghaiDay('开始日期'),
  /** inclusive: the promotion runs to the end of this day */
  endDate: shanghaiDay('结束日期').transform((d) => new Date(d.getTime() + 86_400_000)),
  note: z.string().trim().max(200, '说明最多 200 字').default(''),
});

/** `/partner/promotions`: ask for a recommendation slot or a featured placement for a period. */
export function promotionsRoutes(r: Router, services: Services, kit: HttpKit, render: Render): void {
  const request = kit.guards.institution('page', 'promotions.request');

  const show = async (req: Request, res: Response, extra: Record<string, unknown> = {}) => {
    const [list, products] = await Promise.all([services.promotions.listForInstitution(req.institutionId!), services.catalogue.listForInstitution(req.institutionId!)]);
    await render(req, res, 'promotions', {
      title: '推广',
      promotions: list.map((p) => ({ ...p, kindLabel: promotionKindLabels[p.kind], stateLabel: promotionStatusLabels[p.status], inclusiveEnd: new Date(p.endsAt.getTime() - 1) })),
      products: products.filter((p) => p.status === 'listed' || p.status === 'paused').map((p) => ({ id: p.id, name: p.name })),
      kinds: promotionKinds.map((k) => ({ value: k, label: promotionKindLabels[k] })),
      ...extra,
    });
  };

  r.get('/promotions', request, (req, res) => show(req, res));
  r.post('/promotions', request, async (req, res) => {
    const { _csrf: _ignored, ...typed } = req.body as Record<string, unknown>;
    void _ignored;
    try {
      const parsed = promotionForm.safeParse(typed);
      if (!parsed.success) throw new ValidationError('推广申请有误', fieldErrors(parsed.error));
      const { productId, kind, startDate, endDate, note } = parsed.data;
      await services.promotions.request(req.institutionId!, { productId, kind, startsAt: startDate, endsAt: endDate, note }, auditActor(req));
      req.session.flash = { kind: 'success', message: '推广申请已提交，平台审核通过后在申请的时段内生效' };
      res.redirect(303, '/partner/promotions');
    } catch (err) {
      const error = formFailure(res, err);
      await show(req, res, { error, values: typed });
    }
  });
  r.post('/promotions/:id/cancel', request, async (req, res) => {
    await services.promotions.cancel(req.institutionId!, String(req.params.id), auditActor(req));
    req.session.flash = { kind: 'success', message: '申请已取消' };
    res.redirect(303, '/partner/promotions');
  });
}
