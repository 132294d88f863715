import type { Request, Response, Router } from 'express';
import type { Services } from '../../server/container';
import { ValidationError } from '../../server/lib/errors';
import { applicationBody } from '../../server/http/api/schemas';
import { auditActor } from '../../server/http/audit-actor';
import { formIdempotent } from '../../server/http/idempotency';
import type { HttpKit } from '../../server/http/kit';
import type { Render } from '../../server/http/render';
import { parse } from '../../server/http/validate';
import { isTerminal } from '../../server/modules/applications';

const purposes = applicationBody.shape.purpose.options;

/** Applying, and following one's applications. */
export function applicationRoutes(r: Router, services: Services, kit: HttpKit, render: Render): void {
  const consumer = kit.guards.consumer('page');

  const showApply = async (req: Request, res: Response, extra: Record<string, unknown> = {}) => {
    const product = services.catalogue.getListed(String(req.params.productId));
    await render(req, res, 'apply', {
      title: `申请 ${product.name}`,
      product,
      purposes,
      values: {
        amount: typeof req.query.amount === 'string' && /^\d+(\.\d{1,2})?$/.test(req.query.amount) ? req.query.amount : product.minAmountFen / 100,
        termMonths: Number(req.query.termMonths) || product.termOptions[0],
        purpose: purposes[0],
      },
      ...extra,
    });
  };

  r.get('/apply/:productId', consumer, (req, res) => showApply(req, res));
  r.post('/apply/:productId', consumer, formIdempotent(services.idempotency), async (req, res) => {
    try {
      const body = parse(applicationBody, { ...req.body, productId: String(req.params.productId) }, '申请信息有误');
      const application = await services.applications.create(req.account!, { ...body, amountFen: body.amount }, auditActor(req));
      services.catalogue.recordEvent(kit.visitor(req, res), 'apply', { productId: body.productId });
      req.session.flash = { kind: 'success', message: '申请已提交，机构审核后会更新进度' };
      res.redirect(303, `/applications/${application.id}`);
    } catch (err) {
      if (!(err instanceof ValidationError)) throw err;
      res.status(400);
      await showApply(req, res, { error: { message: err.message, fields: err.fields }, values: req.body });
    }
  });

  r.get('/applications', consumer, async (req, res) => {
    const applications = await services.applications.listForConsumer(req.account!.id);
    await render(req, res, 'applications', { title: '我的申请', applications });
  });

  r.get('/applications/:id', consumer, async (req, res) => {
    const app = await services.applications.getForConsumer(req.account!.id, String(req.params.id));
    await render(req, res, 'application', { title: app.productName, app, canWithdraw: !isTerminal(app.status) && app.status !== 'disbursed' });
  });

  r.post('/applications/:id/withdraw', consumer, async (req, res) => {
    const id = String(req.params.id);
    await services.applications.withdraw(req.account!.id, id, auditActor(req));
    req.session.flash = { kind: 'success', message: '申请已撤回' };
    res.redirect(303, `/applications/${id}`);
  });
}
