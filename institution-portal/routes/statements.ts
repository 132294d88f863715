import type { Request, Response, Router } from 'express';
import { z } from 'zod';
import type { Services } from '../../server/container';
import { auditActor } from '../../server/http/audit-actor';
import type { HttpKit } from '../../server/http/kit';
import type { Render } from '../../server/http/render';
import { sendStatementCsv, statementDetailView, statementSummaryView } from '../../server/http/statements-view';
import { parse } from '../../server/http/validate';
import { ValidationError } from '../../server/lib/errors';
import { failureFlash, formFailure } from '../../server/http/form-failure';

const reviewForm = z
  .object({
    _csrf: z.string().optional(),
    decision: z.enum(['confirmed', 'disputed'], { error: '请选择确认或提出异议' }),
    reason: z.string().max(500, '原因最多 500 字').default(''),
  })
  .strict();

const lineIdOf = (req: Request) => {
  const id = Number(req.params.lineId);
  if (!Number.isSafeInteger(id) || id <= 0) throw new ValidationError('明细编号无效', { lineId: '明细编号无效' });
  return id;
};

/**
 * `/partner/statements`: the institution's monthly statements (list, detail, CSV, printable page),
 * line-by-line confirmation or dispute with a reason, and payment (Stripe Checkout when configured,
 * otherwise bank-transfer instructions).
 */
export function statementRoutes(r: Router, services: Services, kit: HttpKit, render: Render): void {
  const settlement = kit.guards.institution('page', 'settlement.view');
  const settlementManage = kit.guards.institution('page', 'settlement.manage');

  r.get('/statements', settlement, async (req, res) => {
    const [list, unbilled] = await Promise.all([services.statements.list({ institutionId: req.institutionId! }), services.statements.unbilled(req.institutionId!)]);
    const billedOutstandingFen = list.filter((s) => s.outstandingFen > 0).reduce((n, s) => n + s.outstandingFen, 0);
    await render(req, res, 'statements', { title: '结算单', statements: list.map(statementSummaryView), unbilled, billedOutstandingFen });
  });

  const detailPage = async (req: Request, res: Response, extra: Record<string, unknown> = {}) => {
    const s = await services.statements.detail(String(req.params.id), { institutionId: req.institutionId! });
    await render(req, res, 'statement', { title: `${s.period} 结算单`, s: statementDetailView(s), stripe: services.statements.gateway !== null, ...extra });
  };

  r.get('/statements/:id', settlement, (req, res) => detailPage(req, res));

  r.get('/statements/:id/print', settlement, async (req, res) => {
    const s = await services.statements.detail(String(req.params.id), { institutionId: req.institutionId! });
    await render(req, res, 'statement-print', { layout: 'print', title: `${s.institutionName} ${s.period} 结算单`, s: statementDetailView(s) });
  });

  r.get('/statements/:id/download.csv', settlement, async (req, res) => {
    const s = await services.statements.detail(String(req.params.id), { institutionId: req.institutionId! });
    await services.audit.record(auditActor(req), { action: 'statement.downloaded', objectType: 'statement', objectId: s.id, detail: { period: s.period } });
    sendStatementCsv(res, s);
  });

  r.post('/statements/:id/lines/:lineId/review', settlementManage, async (req, res) => {
    const id = String(req.params.id);
    try {
      const form = parse(reviewForm, req.body, '请选择确认或提出异议');
      await services.statements.review(req.institutionId!, id, lineIdOf(req), form, auditActor(req));
      req.session.flash = { kind: 'success', message: form.decision === 'confirmed' ? '已确认该明细' : '已提交异议，平台财务将处理' };
      res.redirect(303, `/partner/statements/${encodeURIComponent(id)}#line-${req.params.lineId}`);
    } catch (err) {
      const error = formFailure(res, err);
      await detailPage(req, res, { error, failedLine: Number(req.params.lineId), values: req.body });
    }
  });

  r.get('/statements/:id/pay', settlementManage, async (req, res) => {
    const s = await services.statements.detail(String(req.params.id), { institutionId: req.institutionId! });
    await render(req, res, 'statement-pay', { title: `支付 ${s.period} 结算单`, s: statementDetailView(s), stripe: services.statements.gateway !== null });
  });

  r.post('/statements/:id/pay', settlementManage, async (req, res) => {
    const id = String(req.params.id);
    const base = `${kit.publicUrl}/partner/statements/${encodeURIComponent(id)}`;
    try {
      const { url } = await services.statements.startCheckout(req.institutionId!, id, { successUrl: `${base}?paid=1`, cancelUrl: `${base}/pay` });
      await services.audit.record(auditActor(req), { action: 'statement.checkout_started', objectType: 'statement', objectId: id });
      res.redirect(303, url);
    } catch (err) {
      req.session.flash = failureFlash(err);
      res.redirect(303, `/partner/statements/${encodeURIComponent(id)}/pay`);
    }
  });
}
