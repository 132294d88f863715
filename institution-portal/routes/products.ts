import type { Request } from 'express';
import { auditActor } from '../../server/http/audit-actor';
import { blankFormValues, formValuesOf, productFromForm } from '../../server/http/product-input';
import { guard, page } from '../../server/http/page-route';
import { confirmed } from '../../server/http/confirm';
import { fieldErrors } from '../../server/http/validate';
import { NotFoundError, ValidationError } from '../../server/lib/errors';
import { employmentTypes, type ProductView } from '../../server/modules/catalogue';
import { methodLabels } from '../../server/modules/pricing';
import { productStatusLabels, versionStatusLabels, type ProductVersion } from '../../server/modules/products';
import { productPageContext } from '../../web/product-page';
import { failureFlash, formFailure } from '../../server/http/form-failure';
import type { StaffPage } from './context';

type Actor = ReturnType<typeof auditActor> & { kind: 'institution' };
const actorOf = (req: Request) => auditActor(req) as Actor;

const showForm = async ({ services, render }: StaffPage, ctx: { product?: ProductView; values: Record<string, unknown>; error?: unknown }) => {
  const categories = await services.settings.get('catalogue.categories');
  const chosen = (k: string) => new Set(([] as unknown[]).concat(ctx.values[k] ?? []).map(String));
  await render('product-form', {
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
const save = async (ctx: StaffPage, product?: ProductView) => {
  const { principal, services, req, res } = ctx;
  const body = req.body as Record<string, unknown>;
  const { _csrf: _ignored, ...typed } = body;
  void _ignored;
  const parsed = productFromForm(body);
  try {
    if (!parsed.success) throw new ValidationError('请检查标出的项目', fieldErrors(parsed.error));
    if (product) {
      const v = await services.products.saveDraft(principal.institutionId, product.id, parsed.data, actorOf(req));
      req.session.flash = { kind: 'success', message: `已保存为第 ${v.version} 版草稿。预览无误后提交审核。` };
      return res.redirect(303, `/partner/products/${product.id}`);
    }
    const created = await services.products.createDraft(principal.institutionId, parsed.data, actorOf(req));
    req.session.flash = { kind: 'success', message: '草稿已保存。预览无误后提交审核。' };
    res.redirect(303, `/partner/products/${created.product.id}`);
  } catch (err) {
    const error = formFailure(res, err);
    await showForm(ctx, { product, values: typed, error });
  }
};

const versionRows = (versions: ProductVersion[]) => versions.map((v) => ({ ...v, stateLabel: versionStatusLabels[v.status] }));

/** A product action from its page: the outcome is flashed there. */
const act = (action: string, work: (ctx: StaffPage<{ id: string }>) => Promise<string>) =>
  page({
    method: 'post',
    path: `/products/:id/${action}`,
    guard: guard.institution('products.manage'),
    handler: async (ctx) => {
      try {
        ctx.req.session.flash = { kind: 'success', message: await work(ctx) };
      } catch (err) {
        ctx.req.session.flash = failureFlash(err);
      }
      ctx.res.redirect(303, `/partner/products/${ctx.params.id}`);
    },
  });

/** `/partner/products`: the institution's listings, drafts, versions, preview, submission, pause and delist. */
export const productPages = [
  page({
    method: 'get',
    path: '/products',
    guard: guard.institution('products.manage'),
    handler: async ({ principal, services, render }) => {
      const list = await services.products.listForInstitution(principal.institutionId);
      await render('products', {
        title: '产品',
        items: list.map(({ product, latest }) => ({
          product,
          stateLabel: productStatusLabels[product.status],
          latest,
          latestLabel: latest ? versionStatusLabels[latest.status] : undefined,
        })),
      });
    },
  }),
  page({ method: 'get', path: '/products/new', guard: guard.institution('products.manage'), handler: (ctx) => showForm(ctx, { values: blankFormValues }) }),
  page({ method: 'post', path: '/products', guard: guard.institution('products.manage'), handler: (ctx) => save(ctx) }),
  page({
    method: 'get',
    path: '/products/:id',
    guard: guard.institution('products.manage'),
    handler: async ({ params, principal, services: { products }, render }) => {
      const product = await products.ownProduct(principal.institutionId, params.id);
      const [versions, history] = await Promise.all([products.versions(product.id), products.statusHistory(product.id)]);
      const latest = versions[0];
      await render('product', {
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
    },
  }),
  page({
    method: 'get',
    path: '/products/:id/edit',
    guard: guard.institution('products.manage'),
    handler: async (ctx) => {
      const { products } = ctx.services;
      const product = await products.ownProduct(ctx.principal.institutionId, ctx.params.id);
      const latest = await products.latestVersion(product.id);
      await showForm(ctx, { product, values: formValuesOf(latest?.params ?? products.paramsOf(product)) });
    },
  }),
  page({
    method: 'post',
    path: '/products/:id',
    guard: guard.institution('products.manage'),
    handler: async (ctx) => save(ctx, await ctx.services.products.ownProduct(ctx.principal.institutionId, ctx.params.id)),
  }),
  /** The newest version (or ?version=N) exactly as consumers will see it, with its APR and a sample schedule. */
  page({
    method: 'get',
    path: '/products/:id/preview',
    guard: guard.institution('products.manage'),
    handler: async ({ params, principal, services: { products }, render, req }) => {
      const product = await products.ownProduct(principal.institutionId, params.id);
      const versions = await products.versions(product.id);
      const wanted = Number(req.query.version);
      const version = Number.isInteger(wanted) && wanted > 0 ? versions.find((v) => v.version === wanted) : versions[0];
      if (req.query.version !== undefined && !version) throw new NotFoundError('版本');
      const view = version ? products.viewOf(product, version.params, version.createdAt) : product;
      await render('product-preview', {
        title: `预览：${view.name}`,
        ...productPageContext(view, req.query),
        preview: true,
        calcAction: `/partner/products/${product.id}/preview`,
        version,
        backHref: `/partner/products/${product.id}`,
      });
    },
  }),
  act('submit', async ({ params, principal, services, req }) => {
    const v = await services.products.submit(principal.institutionId, params.id, actorOf(req));
    return `第 ${v.version} 版已提交审核`;
  }),
  act('pause', async ({ params, principal, services, req }) => {
    await services.products.pause(params.id, String(req.body.reason ?? ''), actorOf(req), principal.institutionId);
    return '产品已暂停，用户暂时看不到它';
  }),
  act('resume', async ({ params, principal, services, req }) => {
    await services.products.resume(params.id, actorOf(req), principal.institutionId);
    return '产品已恢复上架';
  }),
  act('delist', async ({ params, principal, services, req }) => {
    confirmed(req.body);
    await services.products.delist(principal.institutionId, params.id, String(req.body.reason ?? ''), actorOf(req));
    return '产品已下架；修改后可重新提交审核';
  }),
];
