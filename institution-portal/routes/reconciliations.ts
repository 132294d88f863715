import type { Router } from 'express';
import type { Services } from '../../server/container';
import { auditActor } from '../../server/http/audit-actor';
import { multipartCsrf } from '../../server/http/csrf';
import type { HttpKit } from '../../server/http/kit';
import type { Render } from '../../server/http/render';
import { singleUpload } from '../../server/http/upload';
import { ValidationError } from '../../server/lib/errors';
import { ReportRejectedError } from '../../server/modules/settlement';
import { formFailure } from '../../server/http/form-failure';

/**
 * `/partner/reconciliations`: the institution uploads its disbursement report
 * (`application_id,disbursed_at,amount_yuan`) and sees what matched and what differs.
 */
export function reconciliationRoutes(r: Router, services: Services, kit: HttpKit, render: Render): void {
  const settlement = kit.guards.institution('page', 'settlement.view');
  const settlementManage = kit.guards.institution('page', 'settlement.manage');

  const listPage = async (req: Parameters<Render>[0], res: Parameters<Render>[1], extra: Record<string, unknown> = {}) => {
    const imports = await services.reconciliation.list(req.institutionId!);
    await render(req, res, 'reconciliations', { title: '对账', imports, ...extra });
  };

  r.get('/reconciliations', settlement, (req, res) => listPage(req, res));

  r.post('/reconciliations', settlementManage, singleUpload, multipartCsrf, async (req, res) => {
    try {
      if (!req.file) throw new ValidationError('请选择对账文件', { file: '请选择 CSV 文件' });
      const { import: imp, duplicate } = await services.reconciliation.submitCsv(req.institutionId!, req.file.buffer, auditActor(req));
      req.session.flash = { kind: 'success', message: duplicate ? '该文件此前已导入，显示上次的对账结果' : `已导入 ${imp.rowCount} 行，匹配 ${imp.matched} 行` };
      res.redirect(303, `/partner/reconciliations/${encodeURIComponent(imp.id)}`);
    } catch (err) {
      const error = formFailure(res, err);
      await listPage(req, res, { error: { message: error.message, fields: err instanceof ReportRejectedError ? {} : error.fields }, problems: err instanceof ReportRejectedError ? err.problems : [] });
    }
  });

  r.get('/reconciliations/:id', settlement, async (req, res) => {
    const detail = await services.reconciliation.detail(String(req.params.id), req.institutionId!);
    await render(req, res, 'reconciliation', { title: '对账结果', r: detail });
  });
}
