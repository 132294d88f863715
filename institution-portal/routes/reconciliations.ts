import { auditActor } from '../../server/http/audit-actor';
import { multipartCsrf } from '../../server/http/csrf';
import { guard, page } from '../../server/http/page-route';
import { singleUpload } from '../../server/http/upload';
import { ValidationError } from '../../server/lib/errors';
import { ReportRejectedError } from '../../server/modules/settlement';
import { formFailure } from '../../server/http/form-failure';
import type { StaffPage } from './context';

const listPage = async ({ principal, services, render }: StaffPage, extra: Record<string, unknown> = {}) => {
  const imports = await services.reconciliation.list(principal.institutionId);
  await render('reconciliations', { title: '对账', imports, ...extra });
};

/**
 * `/partner/reconciliations`: the institution uploads its disbursement report
 * (`application_id,disbursed_at,amount_yuan`) and sees what matched and what differs.
 */
export const reconciliationPages = [
  page({ method: 'get', path: '/reconciliations', guard: guard.institution('settlement.view'), handler: (ctx) => listPage(ctx) }),
  page({
    method: 'post',
    path: '/reconciliations',
    guard: guard.institution('settlement.manage'),
    before: () => [singleUpload, multipartCsrf],
    handler: async (ctx) => {
      const { principal, services, req, res } = ctx;
      try {
        if (!req.file) throw new ValidationError('请选择对账文件', { file: '请选择 CSV 文件' });
        const { import: imp, duplicate } = await services.reconciliation.submitCsv(principal.institutionId, req.file.buffer, auditActor(req));
        req.session.flash = { kind: 'success', message: duplicate ? '该文件此前已导入，显示上次的对账结果' : `已导入 ${imp.rowCount} 行，匹配 ${imp.matched} 行` };
        res.redirect(303, `/partner/reconciliations/${encodeURIComponent(imp.id)}`);
      } catch (err) {
        const error = formFailure(res, err);
        await listPage(ctx, { error: { message: error.message, fields: err instanceof ReportRejectedError ? {} : error.fields }, problems: err instanceof ReportRejectedError ? err.problems : [] });
      }
    },
  }),
  page({
    method: 'get',
    path: '/reconciliations/:id',
    guard: guard.institution('settlement.view'),
    handler: async ({ params, principal, services, render }) => {
      await render('reconciliation', { title: '对账结果', r: await services.reconciliation.detail(params.id, principal.institutionId) });
    },
  }),
];
