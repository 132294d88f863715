import { z } from 'zod';
import { auditActor } from '../../server/http/audit-actor';
import { formFailure } from '../../server/http/form-failure';
import { guard, page } from '../../server/http/page-route';
import { localPath } from '../../server/lib/local-path';
import { ValidationError } from '../../server/lib/errors';

const nextQuery = z.object({ next: z.string().optional().catch(undefined) });

/** 《用户协议》《隐私政策》 pages, agreeing again after a new version, and the borrower's signed contracts. */
export const legalPages = [
  page({
    method: 'get',
    path: '/legal/user-agreement',
    guard: guard.public,
    handler: async ({ services, render }) => {
      const t = await services.contracts.currentTemplate('user_agreement');
      await render('legal', { title: t.title, template: t });
    },
  }),
  page({
    method: 'get',
    path: '/legal/privacy',
    guard: guard.public,
    handler: async ({ services, render }) => {
      const t = await services.contracts.currentTemplate('privacy_policy');
      await render('legal', { title: t.title, template: t });
    },
  }),
  page({
    method: 'get',
    path: '/legal/accept',
    guard: guard.consumer,
    query: nextQuery,
    handler: async ({ services, principal, query, render }) => {
      const outdated = await services.contracts.outdatedAgreements(principal.account.id);
      const current = await services.contracts.currentAgreements();
      await render('legal-accept', { title: '协议更新', outdated, current, next: localPath(query.next) ?? '' });
    },
  }),
  page({
    method: 'post',
    path: '/legal/accept',
    guard: guard.consumer,
    handler: async ({ req, res, services, principal, render }) => {
      const next = localPath(req.body.next) ?? '/';
      try {
        const versions = { userAgreement: Number(req.body.userAgreementVersion), privacyPolicy: Number(req.body.privacyPolicyVersion) };
        if (req.body.agree !== 'yes') {
          throw new ValidationError('请勾选同意', { agreements: '请阅读并勾选同意更新后的协议' });
        }
        await services.contracts.acceptAgreements(principal.account.id, versions, { ip: req.ip, actor: auditActor(req) });
        req.session.flash = { kind: 'success', message: '已同意更新后的协议' };
        res.redirect(303, next);
      } catch (err) {
        const error = formFailure(res, err);
        const outdated = await services.contracts.outdatedAgreements(principal.account.id);
        await render('legal-accept', { title: '协议更新', outdated, current: await services.contracts.currentAgreements(), next, error });
      }
    },
  }),
  page({
    method: 'get',
    path: '/account/contracts',
    guard: guard.consumer,
    handler: async ({ services, principal, render }) => {
      await render('contracts', { title: '我的合同', items: await services.contracts.listForConsumer(principal.account.id) });
    },
  }),
  page({
    method: 'get',
    path: '/account/contracts/:id/pdf',
    guard: guard.consumer,
    handler: async ({ req, res, params, principal, services }) => {
      const bytes = await services.contracts.pdfForConsumer(principal.account.id, params.id, auditActor(req));
      res.type('application/pdf').set('Content-Disposition', `attachment; filename="${params.id}.pdf"`).set('Cache-Control', 'private, no-store').send(bytes);
    },
  }),
];
