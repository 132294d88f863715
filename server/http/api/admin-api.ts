import { Router } from 'express';
import { z } from 'zod';
import type { Services } from '../../container';
import { NotFoundError, ValidationError } from '../../lib/errors';
import { shanghaiMidnight } from '../../modules/settlement';
import { auditActor } from '../audit-actor';
import { idempotent } from '../idempotency';
import type { HttpKit } from '../kit';
import { statementJson } from '../statements-view';
import { parse, yuanAmount } from '../validate';
import { authRoutes } from './auth-routes';
import { accountSecurityRoutes, staffPasswordResetRoute } from './account-security';
import { auditApiRoutes } from './content-api';
import { jobsApiRoutes } from './jobs-api';
import { statusFilterQuery } from './schemas';
import { applicationJson, journalJson } from './serializers';
import { inYuan, statisticsRequest } from '../statistics';

/** A bank transfer finance records against a statement (the page's 登记银行转账). */
export const bankTransferBody = z
  .object({
    /** yuan, at most two decimals */
    amount: yuanAmount('到账金额'),
    /** the Asia/Shanghai day the money arrived, not later than today */
    paidOn: z.iso.date({ error: '到账日期格式为 YYYY-MM-DD' }),
    reference: z.string({ error: '请填写银行流水号' }).trim().min(1, '请填写银行流水号').max(100, '流水号最多 100 字'),
    /** true to accept more than is outstanding; the excess is kept as the institution's credit */
    overpayment: z.boolean({ error: 'overpayment 须为 true 或 false' }).default(false),
    overpaymentReason: z.string({ error: '多付原因须为文字' }).max(200, '原因最多 200 字').default(''),
  })
  .strict();

/** `/api/admin/v1`: operators. */
export function adminApi(services: Services, kit: HttpKit): Router {
  const { guards } = kit;
  const r = Router();
  const operator = guards.operator('api', 'applications.view');
  const finance = guards.operator('api', 'settlement.view');

  authRoutes(r, kit, 'operator');
  accountSecurityRoutes(r, services, guards.operator('api', 'dashboard.view', { allowSecuritySetup: true }));
  staffPasswordResetRoute(r, services, guards.operator('api', 'staff.manage'), 'operator');
  auditApiRoutes(r, services, kit);
  jobsApiRoutes(r, services, kit);

  r.get('/applications', operator, async (req, res) => {
    const q = parse(statusFilterQuery, req.query, '查询参数有误');
    const items = await services.applications.listAll(q);
    res.json({ items: items.map(applicationJson) });
  });

  r.get('/applications/:id', operator, async (req, res) => {
    const id = String(req.params.id);
    const application = await services.applications.getForOperator(id, auditActor(req));
    const journals = await services.settlement.journalsForApplication(id);
    res.json({ ...applicationJson(application), commissions: journals.map(journalJson) });
  });

  r.get('/statements/:id', finance, async (req, res) => {
    res.json(statementJson(await services.statements.detail(String(req.params.id))));
  });

  /** Records a bank transfer: 201 with the payment and the statement; 409 for a reference already on it, 400 for more than is outstanding. */
  r.post('/statements/:id/payments', guards.operator('api', 'settlement.manage'), idempotent(services.idempotency, { required: false }), async (req, res) => {
    const body = parse(bankTransferBody, req.body, '付款信息有误');
    const paidAt = shanghaiMidnight(body.paidOn);
    if (!paidAt) throw new ValidationError('到账日期有误', { paidOn: '到账日期格式为 YYYY-MM-DD' });
    const id = String(req.params.id);
    const payment = await services.statements.recordBankTransfer(
      id,
      { amountFen: body.amount, paidAt, reference: body.reference, overpayment: body.overpayment, overpaymentReason: body.overpaymentReason },
      auditActor(req),
    );
    res.status(201).json({
      payment: { id: payment.id, method: payment.method, amountFen: payment.amountFen, paidAt: payment.paidAt, reference: payment.reference, overpaymentFen: payment.overpaymentFen, overpaymentReason: payment.overpaymentReason },
      statement: statementJson(await services.statements.detail(id)),
    });
  });

  r.get('/receivables', finance, async (_req, res) => {
    const rows = await services.settlement.receivables();
    res.json({ items: rows.map((r) => ({ institutionId: r.institutionId, institutionName: r.institutionName, amount: r.amountFen / 100 })) });
  });

  /** Platform-wide figures for a period (`from`, `to`, `days`): per day, per institution, the funnel; amounts in yuan. */
  r.get('/dashboard', guards.operator('api', 'dashboard.view'), async (req, res) => {
    const { range } = statisticsRequest(req.query, false);
    res.json(inYuan(await services.analytics.operatorDashboard(range)));
  });

  r.use(guards.public, () => {
    throw new NotFoundError('接口');
  });
  return r;
}
