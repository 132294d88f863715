import { z } from 'zod';
import { auditActor } from '../../server/http/audit-actor';
import { guard, page } from '../../server/http/page-route';
import { fieldErrors } from '../../server/http/validate';
import { ValidationError } from '../../server/lib/errors';
import { promotionKindLabels, promotionKinds, promotionStatusLabels } from '../../server/modules/promotions';
import { formFailure } from '../../server/http/form-failure';
import type { StaffPage } from './context';

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

const show = async ({ principal, services, render }: StaffPage, extra: Record<string, unknown> = {}) => {
  const [list, products] = await Promise.all([services.promotions.listForInstitution(principal.institutionId), services.catalogue.listForInstitution(principal.institutionId)]);
  await render('promotions', {
    title: '推广',
    promotions: list.map((p) => ({ ...p, kindLabel: promotionKindLabels[p.kind], stateLabel: promotionStatusLabels[p.status], inclusiveEnd: new Date(p.endsAt.getTime() - 1) })),
    products: products.filter((p) => p.status === 'listed' || p.status === 'paused').map((p) => ({ id: p.id, name: p.name })),
    kinds: promotionKinds.map((k) => ({ value: k, label: promotionKindLabels[k] })),
    ...extra,
  });
};

/** `/partner/promotions`: ask for a recommendation slot or a featured placement for a period. */
export const promotionPages = [
  page({ method: 'get', path: '/promotions', guard: guard.institution('promotions.request'), handler: (ctx) => show(ctx) }),
  page({
    method: 'post',
    path: '/promotions',
    guard: guard.institution('promotions.request'),
    handler: async (ctx) => {
      const { principal, services, req, res } = ctx;
      const { _csrf: _ignored, ...typed } = req.body as Record<string, unknown>;
      void _ignored;
      try {
        const parsed = promotionForm.safeParse(typed);
        if (!parsed.success) throw new ValidationError('推广申请有误', fieldErrors(parsed.error));
        const { productId, kind, startDate, endDate, note } = parsed.data;
        await services.promotions.request(principal.institutionId, { productId, kind, startsAt: startDate, endsAt: endDate, note }, auditActor(req));
        req.session.flash = { kind: 'success', message: '推广申请已提交，平台审核通过后在申请的时段内生效' };
        res.redirect(303, '/partner/promotions');
      } catch (err) {
        const error = formFailure(res, err);
        await show(ctx, { error, values: typed });
      }
    },
  }),
  page({
    method: 'post',
    path: '/promotions/:id/cancel',
    guard: guard.institution('promotions.request'),
    handler: async ({ params, principal, services, req, res }) => {
      await services.promotions.cancel(principal.institutionId, params.id, auditActor(req));
      req.session.flash = { kind: 'success', message: '申请已取消' };
      res.redirect(303, '/partner/promotions');
    },
  }),
];
