import { z } from 'zod';
import { auditActor } from '../../server/http/audit-actor';
import { formFailure } from '../../server/http/form-failure';
import { guard, page, type PageContext } from '../../server/http/page-route';
import { parse } from '../../server/http/validate';
import { contractKindLabels, contractKindValues, templateStatusLabels, verifyFailureLabels, type VerifyResult } from '../../server/modules/contracts';

type Ctx = Pick<PageContext<ReturnType<typeof guard.operator>, string, undefined>, 'services' | 'render' | 'req' | 'res'>;

const publishForm = z.object({
  kind: z.enum(contractKindValues, { error: '请选择模板类型' }),
  title: z.string({ error: '请填写标题' }).max(60, '标题最多 60 个字'),
  body: z.string({ error: '请填写正文' }).max(20000, '正文最多 20000 个字'),
  changes: z.string({ error: '请说明改了什么' }).max(500, '最多 500 字'),
});
const reviewForm = z.object({ decision: z.enum(['approve', 'reject'], { error: '请选择通过或退回' }), note: z.string().max(500, '最多 500 字').default('') });

const labelled = (r: VerifyResult) => ({ ...r, failureLabels: r.failures.map((f) => verifyFailureLabels[f]) });

const showContracts = async ({ services, render }: Ctx, extra: Record<string, unknown> = {}) => {
  await render('contracts', { title: '合同', items: await services.contracts.recent(100), ...extra });
};

const showTemplates = async ({ services, render }: Ctx, extra: Record<string, unknown> = {}) => {
  const all = await services.contracts.listTemplates();
  const rows = all.map((t) => ({ ...t, statusLabel: templateStatusLabels[t.status] }));
  await render('contract-templates', {
    title: '合同模板',
    pending: rows.filter((t) => t.status === 'pending_review'),
    platform: rows.filter((t) => t.scope === 'platform'),
    institutions: rows.filter((t) => t.scope !== 'platform' && t.status !== 'pending_review'),
    kinds: contractKindValues.map((k) => ({ value: k, label: contractKindLabels[k] })),
    ...extra,
  });
};

/** `/admin/contracts`: signed contracts and their verification; templates, the review of institutions' 借款合同, publishing platform versions. */
export const contractAdminPages = [
  page({ method: 'get', path: '/contracts', guard: guard.operator('audit.view'), handler: (ctx) => showContracts(ctx) }),
  page({
    method: 'post',
    path: '/contracts/verify-all',
    guard: guard.operator('audit.view'),
    handler: async (ctx) => {
      const all = await ctx.services.contracts.verifyAll(auditActor(ctx.req));
      await showContracts(ctx, { verifyAll: { ...all, failed: all.failed.map(labelled) } });
    },
  }),
  page({
    method: 'post',
    path: '/contracts/:id/verify',
    guard: guard.operator('audit.view'),
    handler: async (ctx) => {
      const result = await ctx.services.contracts.verify(ctx.params.id, auditActor(ctx.req));
      await showContracts(ctx, { verified: labelled(result) });
    },
  }),
  page({ method: 'get', path: '/contracts/templates', guard: guard.operator('products.review'), handler: (ctx) => showTemplates(ctx) }),
  page({
    method: 'post',
    path: '/contracts/templates/publish',
    guard: guard.operator('content.manage'),
    handler: async (ctx) => {
      const { req, res, services } = ctx;
      try {
        const input = parse(publishForm, req.body, '模板有误');
        const t = await services.contracts.publishPlatformTemplate(input.kind, input, auditActor(req));
        req.session.flash = { kind: 'success', message: `${contractKindLabels[t.kind]}第 ${t.version} 版已发布` };
        res.redirect(303, '/admin/contracts/templates');
      } catch (err) {
        await showTemplates(ctx, { error: formFailure(res, err), values: req.body });
      }
    },
  }),
  page({
    method: 'get',
    path: '/contracts/templates/:id',
    guard: guard.operator('products.review'),
    handler: async ({ params, services, render }) => {
      const t = await services.contracts.template(params.id);
      await render('contract-template', { title: `${contractKindLabels[t.kind]}模板第 ${t.version} 版`, template: t, statusLabel: templateStatusLabels[t.status], pending: t.status === 'pending_review' });
    },
  }),
  page({
    method: 'post',
    path: '/contracts/templates/:id/review',
    guard: guard.operator('products.review'),
    handler: async (ctx) => {
      const { req, res, params, services, render } = ctx;
      try {
        const input = parse(reviewForm, req.body, '审核意见有误');
        const t = await services.contracts.reviewTemplate(params.id, input.decision, input.note, auditActor(req));
        req.session.flash = { kind: 'success', message: input.decision === 'approve' ? `已通过，第 ${t.version} 版生效` : '已退回修改' };
        res.redirect(303, '/admin/contracts/templates');
      } catch (err) {
        const error = formFailure(res, err);
        const t = await services.contracts.template(params.id);
        await render('contract-template', { title: `${contractKindLabels[t.kind]}模板第 ${t.version} 版`, template: t, statusLabel: templateStatusLabels[t.status], pending: t.status === 'pending_review', error });
      }
    },
  }),
];
