import type { Request } from 'express';
import { auditActor } from '../../server/http/audit-actor';
import { guard, page } from '../../server/http/page-route';
import { confirmed } from '../../server/http/confirm';
import { productStatuses, type ProductStatus } from '../../server/modules/catalogue';
import { institutionKindLabels, type InstitutionKind } from '../../server/modules/institutions';
import { changedCount, productStatusLabels, versionStatusLabels } from '../../server/modules/products';
import { productPageContext } from '../../web/product-page';
import { failureFlash, formFailure } from '../../server/http/form-failure';
import type { PageTools } from './application-page';

type Actor = ReturnType<typeof auditActor> & { kind: 'operator' };
const actorOf = (req: Request) => auditActor(req) as Actor;

async function showVersion({ req, services, render }: PageTools, versionId: string, extra: Record<string, unknown> = {}) {
  const detail = await services.products.reviewDetailAsOperator(auditActor(req), versionId);
  await render('product-review', {
    title: `审核：${detail.proposed.name}`,
    ...detail,
    versionStatusLabel: versionStatusLabels[detail.version.status],
    productStatusLabel: productStatusLabels[detail.product.status],
    institutionKindLabel: institutionKindLabels[detail.product.institutionKind as InstitutionKind] ?? detail.product.institutionKind,
    changed: changedCount(detail.diff),
    isSubmitted: detail.version.status === 'submitted',
    failed: detail.checklist.filter((i) => i.automatic && !i.passed),
    ...productPageContext(detail.proposed, req.query),
    preview: true,
    calcAction: `/admin/products/review/${detail.version.id}`,
    ...extra,
  });
}

/** `/admin/products`: the review queue, review with diff and checklist, and every product with pause/resume. */
export const productReviewPages = [
  page({
    method: 'get',
    path: '/products/review',
    guard: guard.operator('products.review'),
    handler: async ({ services, render }) => {
      const queue = await services.products.reviewQueue();
      await render('product-queue', {
        title: '产品审核',
        queue: queue.map((q) => ({ ...q, isNew: q.productStatus === 'in_review' })),
      });
    },
  }),
  page({ method: 'get', path: '/products/review/:versionId', guard: guard.operator('products.review'), handler: (ctx) => showVersion(ctx, ctx.params.versionId) }),
  ...(['approve', 'return'] as const).map((path) =>
    page({
      method: 'post',
      path: `/products/review/:versionId/${path}`,
      guard: guard.operator('products.review'),
      handler: async (ctx) => {
        const { params, req, res, services } = ctx;
        const id = params.versionId;
        const comment = String(req.body.comment ?? '');
        try {
          if (path === 'approve') {
            confirmed(req.body);
            await services.products.approve(id, comment, actorOf(req));
          }
          else await services.products.returnVersion(id, comment, actorOf(req));
        } catch (err) {
          const error = formFailure(res, err);
          return showVersion(ctx, id, { error, comment });
        }
        req.session.flash = { kind: 'success', message: path === 'approve' ? '已批准，产品已按新版本上架' : '已退回，机构会看到审核意见' };
        res.redirect(303, '/admin/products/review');
      },
    }),
  ),
  page({
    method: 'get',
    path: '/products',
    guard: guard.operator('products.review'),
    handler: async ({ req, services, render }) => {
      const status = (productStatuses as readonly string[]).includes(String(req.query.status)) ? (req.query.status as ProductStatus) : undefined;
      const institutionId = typeof req.query.institutionId === 'string' && req.query.institutionId ? req.query.institutionId : undefined;
      const q = typeof req.query.q === 'string' ? req.query.q.trim().slice(0, 30) : '';
      const [list, institutions] = await Promise.all([services.products.listAll({ status, institutionId, q: q || undefined }), services.institutions.list()]);
      await render('products', {
        title: '全部产品',
        items: list.map((p) => ({ ...p, stateLabel: productStatusLabels[p.status] })),
        statuses: productStatuses.map((s) => ({ value: s, label: productStatusLabels[s], selected: s === status })),
        institutions: institutions.map((i) => ({ id: i.id, name: i.shortName, selected: i.id === institutionId })),
        q,
      });
    },
  }),
  ...(['pause', 'resume'] as const).map((path) =>
    page({
      method: 'post',
      path: `/products/:id/${path}`,
      guard: guard.operator('products.review'),
      handler: async ({ params, req, res, services }) => {
        try {
          if (path === 'pause') await services.products.pause(params.id, String(req.body.reason ?? ''), actorOf(req));
          else await services.products.resume(params.id, actorOf(req));
          req.session.flash = { kind: 'success', message: path === 'pause' ? '产品已暂停，机构会看到暂停原因' : '产品已恢复上架' };
        } catch (err) {
          req.session.flash = failureFlash(err);
        }
        res.redirect(303, '/admin/products');
      },
    }),
  ),
];
