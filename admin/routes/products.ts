import type { Request, Response, Router } from 'express';
import type { Services } from '../../server/container';
import { auditActor } from '../../server/http/audit-actor';
import type { HttpKit } from '../../server/http/kit';
import type { Render } from '../../server/http/render';
import { confirmed } from '../../server/http/confirm';
import { productStatuses, type ProductStatus } from '../../server/modules/catalogue';
import { institutionKindLabels, type InstitutionKind } from '../../server/modules/institutions';
import { changedCount, productStatusLabels, versionStatusLabels } from '../../server/modules/products';
import { productPageContext } from '../../web/product-page';
import { failureFlash, formFailure } from '../../server/http/form-failure';

type Actor = ReturnType<typeof auditActor> & { kind: 'operator' };
const actorOf = (req: Request) => auditActor(req) as Actor;

/** `/admin/products`: the review queue, review with diff and checklist, and every product with pause/resume. */
export function productReviewRoutes(r: Router, services: Services, kit: HttpKit, render: Render): void {
  const review = kit.guards.operator('page', 'products.review');
  const { products } = services;

  r.get('/products/review', review, async (req, res) => {
    const queue = await products.reviewQueue();
    await render(req, res, 'product-queue', {
      title: '产品审核',
      queue: queue.map((q) => ({ ...q, isNew: q.productStatus === 'in_review' })),
    });
  });

  const showVersion = async (req: Request, res: Response, extra: Record<string, unknown> = {}) => {
    const detail = await products.reviewDetail(String(req.params.versionId));
    await services.audit.record(auditActor(req), { action: 'product.review_viewed', objectType: 'product_version', objectId: detail.version.id });
    await render(req, res, 'product-review', {
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
  };

  r.get('/products/review/:versionId', review, (req, res) => showVersion(req, res));

  const decide = (path: 'approve' | 'return') =>
    r.post(`/products/review/:versionId/${path}`, review, async (req, res) => {
      const id = String(req.params.versionId);
      const comment = String(req.body.comment ?? '');
      try {
        if (path === 'approve') {
          confirmed(req.body);
          await products.approve(id, comment, actorOf(req));
        }
        else await products.returnVersion(id, comment, actorOf(req));
      } catch (err) {
        const error = formFailure(res, err);
        return showVersion(req, res, { error, comment });
      }
      req.session.flash = { kind: 'success', message: path === 'approve' ? '已批准，产品已按新版本上架' : '已退回，机构会看到审核意见' };
      res.redirect(303, '/admin/products/review');
    });
  decide('approve');
  decide('return');

  r.get('/products', review, async (req, res) => {
    const status = (productStatuses as readonly string[]).includes(String(req.query.status)) ? (req.query.status as ProductStatus) : undefined;
    const institutionId = typeof req.query.institutionId === 'string' && req.query.institutionId ? req.query.institutionId : undefined;
    const q = typeof req.query.q === 'string' ? req.query.q.trim().slice(0, 30) : '';
    const [list, institutions] = await Promise.all([products.listAll({ status, institutionId, q: q || undefined }), services.institutions.list()]);
    await render(req, res, 'products', {
      title: '全部产品',
      items: list.map((p) => ({ ...p, stateLabel: productStatusLabels[p.status] })),
      statuses: productStatuses.map((s) => ({ value: s, label: productStatusLabels[s], selected: s === status })),
      institutions: institutions.map((i) => ({ id: i.id, name: i.shortName, selected: i.id === institutionId })),
      q,
    });
  });

  const act = (path: 'pause' | 'resume', work: (req: Request) => Promise<string>) =>
    r.post(`/products/:id/${path}`, review, async (req, res) => {
      try {
        req.session.flash = { kind: 'success', message: await work(req) };
      } catch (err) {
        req.session.flash = failureFlash(err);
      }
      res.redirect(303, '/admin/products');
    });
  act('pause', async (req) => {
    await products.pause(String(req.params.id), String(req.body.reason ?? ''), actorOf(req));
    return '产品已暂停，机构会看到暂停原因';
  });
  act('resume', async (req) => {
    await products.resume(String(req.params.id), actorOf(req));
    return '产品已恢复上架';
  });
}
