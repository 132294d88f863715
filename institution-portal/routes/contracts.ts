import { z } from 'zod';
import { auditActor } from '../../server/http/audit-actor';
import { formFailure } from '../../server/http/form-failure';
import { guard, page, type PageRoute } from '../../server/http/page-route';
import { requestOrigin } from '../../server/http/request-origin';
import { parse } from '../../server/http/validate';
import { ValidationError } from '../../server/lib/errors';
import { loanContractVariables, templateStatusLabels } from '../../server/modules/contracts';
import type { StaffPage } from './context';

const templateForm = z.object({
  title: z.string({ error: '请填写标题' }).max(60, '标题最多 60 个字'),
  body: z.string({ error: '请填写正文' }).max(20000, '正文最多 20000 个字'),
});

const showTemplate = async ({ principal, services, render }: StaffPage, extra: Record<string, unknown> = {}) => {
  const [inForce, versions] = await Promise.all([
    services.contracts.currentTemplate('loan_contract', principal.institutionId),
    services.contracts.listTemplates({ institutionId: principal.institutionId }),
  ]);
  const latest = versions[0];
  await render('contract-template', {
    title: '借款合同模板',
    inForce,
    ownInForce: inForce.institutionId === principal.institutionId,
    versions: versions.map((v) => ({ ...v, statusLabel: templateStatusLabels[v.status] })),
    pending: versions.some((v) => v.status === 'pending_review'),
    variables: loanContractVariables.map((v) => `{{${v}}}`),
    values: { title: latest?.title ?? inForce.title, body: latest?.body ?? inForce.body },
    ...extra,
  });
};

const showCooperation = async ({ principal, services, render }: StaffPage, extra: Record<string, unknown> = {}) => {
  const draft = await services.contracts.cooperationFor(principal.institutionId);
  await render('cooperation', { title: '合作协议', draft, ...extra });
};

/** The institution's contracts: those signed with it, its 借款合同 template (reviewed by operators), the 合作协议 to accept. */
export const contractPortalPages: PageRoute[] = [
  page({
    method: 'get',
    path: '/contracts',
    guard: guard.institution('loans.manage'),
    handler: async ({ principal, services, render }) => {
      await render('contracts', { title: '合同', items: await services.contracts.listForInstitution(principal.institutionId) });
    },
  }),
  page({ method: 'get', path: '/contracts/template', guard: guard.institution('products.manage'), handler: (ctx) => showTemplate(ctx) }),
  page({
    method: 'post',
    path: '/contracts/template',
    guard: guard.institution('products.manage'),
    handler: async (ctx) => {
      const { req, res, principal, services } = ctx;
      const values = { title: String(req.body.title ?? ''), body: String(req.body.body ?? '') };
      try {
        const input = parse(templateForm, values, '模板有误');
        const saved = await services.contracts.submitLoanContractTemplate(principal.institutionId, input, auditActor(req));
        req.session.flash = { kind: 'success', message: `第 ${saved.version} 版已提交审核，审核通过后用于新签署的借款合同` };
        res.redirect(303, '/partner/contracts/template');
      } catch (err) {
        await showTemplate(ctx, { values, error: formFailure(res, err) });
      }
    },
  }),
  page({ method: 'get', path: '/contracts/cooperation', guard: guard.institution('profile.manage'), handler: (ctx) => showCooperation(ctx) }),
  page({
    method: 'post',
    path: '/contracts/cooperation',
    guard: guard.institution('profile.manage'),
    handler: async (ctx) => {
      const { req, res, principal, services, kit } = ctx;
      try {
        if (req.body.agree !== 'yes') throw new ValidationError('请勾选确认', { agree: '请阅读后勾选确认' });
        const signed = await services.contracts.acceptCooperation(
          principal.institutionId,
          { accountId: principal.account.id, name: principal.account.displayName },
          requestOrigin(kit, req, res, 'web'),
        );
        req.session.flash = { kind: 'success', message: `合作协议已确认，合同编号 ${signed.id}` };
        res.redirect(303, '/partner/contracts/cooperation');
      } catch (err) {
        await showCooperation(ctx, { error: formFailure(res, err) });
      }
    },
  }),
  page({
    method: 'get',
    path: '/contracts/:id/pdf',
    guard: guard.institution('loans.manage'),
    handler: async ({ req, res, params, principal, services }) => {
      const bytes = await services.contracts.pdfForInstitution(principal.institutionId, params.id, auditActor(req));
      res.type('application/pdf').set('Content-Disposition', `attachment; filename="${params.id}.pdf"`).set('Cache-Control', 'private, no-store').send(bytes);
    },
  }),
];
