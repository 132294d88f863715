import type { Request, Response, Router } from 'express';
import type { Services } from '../../server/container';
import { auditActor } from '../../server/http/audit-actor';
import type { HttpKit } from '../../server/http/kit';
import { blankFormValues, formValuesOf, productFromForm } from '../../server/http/product-input';
import type { Render } from '../../server/http/render';
import { confirmed } from '../../server/http/confirm';
import { fieldErrors } from '../../server/http/validate';
import { NotFoundError, ValidationError } from '../../server/lib/errors';
import { employmentTypes, type ProductView } from '../../server/modules/catalogue';
import { methodLabels } from '../../server/modules/pricing';
import { productStatusLabels, versionStatusLabels, type ProductVersion } from '../../server/modules/products';
import { productPageContext } from '../../web/product-page';
import { failureFlash, formFailure } from '../../server/http/form-failure';

type Actor = ReturnType<typeof auditActor> & { kind: 'institution' };
const actorOf = (req: Request) => auditActor(req) as Actor;

/** `/partner/products`: the institution's listings, drafts, versions, preview, submission, pause and delist. */
export function productsRoutes(r: Router, services: Services, kit: HttpKit, render: Render): void {
  const manage = kit.guards.institution('page', 'products.manage');
  const { products } = services;

  const showForm = async (req: Request, res: Response, ctx: { product?: ProductView; values: Record<string, unknown>; error?: unknown }) => {
    const categories = await services.settings.get('catalogue.categories');
    const chosen = (k: string) => new Set(([] as unknown[]).concat(ctx.values[k] ?? []).map(String));
    await render(req, res, 'product-form', {
      title: ctx.product ? `修改：${ctx.product.name}` : '新建产品',
      product: ctx.product,
      action: ctx.product ? `/partner/products/${ctx.product.id}` : '/partner/products',
      values: ctx.values,
      error: ctx.error,
      categories: categories.map((c) => ({ value: c, selected: c === ctx.values.category })),
      methods: Object.entries(methodLabels).map(([value, label]) => ({ value, label, checked: chosen('repaymentMethods').has(value) })),
      employments: employmentTypes.filter((e) => e !== '学生').map((value) => ({ value, checked: chosen('employmentTypes').has(value) })),
      feeModes: [
        { value: 'deducted', label: '从放款金额中扣除', selected: ctx.values.upfrontFeeMode !== 'paid' },
        { value: 'paid', label: '放款时另行支付', selected: ctx.values.upfrontFeeMode === 'paid' },
      ],
    });
  };

  /** Saves the form as a draft (new product or new version); bad input re-renders with everything typed. */
  const save = async (req: Request, res: Response, product?: ProductView) => {
    const body = req.body as Record<string, unknown>;
    const { _csrf: _ignored, ...typed } = body;
    void _ignored;
    const parsed = productFromForm(body);
    try {
      if (!parsed.success) throw new ValidationError('请检查标出的项目', fieldErrors(parsed.error));
      if (product) {
        const v = await products.saveDraft(req.institutionId!, product.id, parsed.data, actorOf(req));
        req.session.flash = { kind: 'success', message: `已保存为第 ${v.version} 版草稿。预览无误后提交审核。` };
        return res.redirect(303, `/partner/products/${product.id}`);
      }
      const created = await products.createDraft(req.institutionId!, parsed.data, actorOf(req));
      req.session.flash = { kind: 'success', message: '草稿已保存。预览无误后提交审核。' };
      res.redirect(303, `/partner/products/${created.product.id}`);
    } catch (err) {
      const error = formFailure(res, err);
      await showForm(req, res, { product, values: typed, error });
    }
  };

  r.get('/products', manage, async (req, res) => {
    const list = await products.listForInstitution(req.institutionId!);
    await render(req, res, 'products', {
      title: '产品',
      items: list.map(({ product, latest }) => ({
        product,
        stateLabel: productStatusLabels[product.status],
        latest,
        latestLabel: latest ? versionStatusLabels[latest.status] : undefined,
      })),
    });
  });

  r.get('/products/new', manage, (req, res) => showForm(req, res, { values: blankFormValues }));
  r.post('/products', manage, (req, res) => save(req, res));

  const versionRows = (versions: ProductVersion[]) => versions.map((v) => ({ ...v, stateLabel: versionStatusLabels[v.status] }));

  r.get('/products/:id', manage, async (req, res) => {
    const product = await products.ownProduct(req.institutionId!, String(req.params.id));
    const [versions, history] = await Promise.all([products.versions(product.id), products.statusHistory(product.id)]);
    const latest = versions[0];
    await render(req, res, 'product', {
      title: product.name,
      product,
      stateLabel: productStatusLabels[product.status],
      versions: versionRows(versions),
      latest,
      history: history.map((h) => ({ ...h, toLabel: productStatusLabels[h.toStatus as keyof typeof productStatusLabels] ?? h.toStatus })),
      canSubmit: latest?.status === 'draft',
      inReview: latest?.status === 'submitted',
      canPause: product.status === 'listed',
      canResume: product.status === 'paused',
      canDelist: product.status === 'listed' || product.status === 'paused',
      servingApproved: (product.status === 'listed' || product.status === 'paused') && latest && latest.status !== 'approved',
    });
  });

  r.get('/products/:id/edit', manage, async (req, res) => {
    const product = await products.ownProduct(req.institutionId!, String(req.params.id));
    const latest = await products.latestVersion(product.id);
    await showForm(req, res, { product, values: formValuesOf(latest?.params ?? products.paramsOf(product)) });
  });

  r.post('/products/:id', manage, async (req, res) => {
    const product = await products.ownProduct(req.institutionId!, String(req.params.id));
    await save(req, res, product);
  });

  /** The newest version (or ?version=N) exactly as consumers will see it, with its APR and a sample schedule. */
  r.get('/products/:id/preview', manage, async (req, res) => {
    const product = await products.ownProduct(req.institutionId!, String(req.params.id));
    const versions = await products.versions(product.id);
    const wanted = Number(req.query.version);
    const version = Number.isInteger(wanted) && wanted > 0 ? versions.find((v) => v.version === wanted) : versions[0];
    if (req.query.version !== undefined && !version) throw new NotFoundError('版本');
    const view = version ? products.viewOf(product, version.params, version.createdAt) : product;
    await render(req, res, 'product-preview', {
      title: `预览：${view.name}`,
      ...productPageContext(view, req.query),
      preview: true,
      calcAction: `/partner/products/${product.id}/preview`,
      version,
      backHref: `/partner/products/${product.id}`,
    });
  });

  const act = (path: string, work: (req: Request) => Promise<string>) =>
    r.post(`/products/:id/${path}`, manage, async (req, res) => {
      const id = String(req.params.id);
      try {
        req.session.flash = { kind: 'success', message: await work(req) };
      } catch (err) {
        req.session.flash = failureFlash(err);
      }
      res.redirect(303, `/partner/products/${id}`);
    });

  act('submit', async (req) => {
    const v = await products.submit(req.institutionId!, String(req.params.id), actorOf(req));
    return `第 ${v.version} 版已提交审核`;
  });
  act('pause', async (req) => {
    await products.pause(String(req.params.id), String(req.body.reason ?? ''), actorOf(req), req.institutionId!);
    return '产品已暂停，用户暂时看不到它';
  });
  act('resume', async (req) => {
    await products.resume(String(req.params.id), actorOf(req), req.institutionId!);
    return '产品已恢复上架';
  });
  act('delist', async (req) => {
    confirmed(req.body);
    await products.delist(req.institutionId!, String(req.params.id), String(req.body.reason ?? ''), actorOf(req));
    return '产品已下架；修改后可重新提交审核';
  });
}
