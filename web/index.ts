import { Router, type Request, type Response } from 'express';
import type { Services } from '../server/container';
import { AppError, ValidationError } from '../server/lib/errors';
import { applicationBody, consumerLoginBody, productListQuery, registerBody } from '../server/http/api/schemas';
import { auditActor } from '../server/http/audit-actor';
import { formIdempotent } from '../server/http/idempotency';
import type { HttpKit } from '../server/http/kit';
import type { Render } from '../server/http/render';
import { destroySession, establishLogin, safeNext } from '../server/http/session-login';
import { parse } from '../server/http/validate';
import type { ProductView } from '../server/modules/catalogue';
import { isTerminal } from '../server/modules/applications';

const purposes = applicationBody.shape.purpose.options;
const methodLabels: Record<string, string> = {
  equal_installment: '等额本息',
  equal_principal: '等额本金',
  interest_first: '先息后本',
  bullet: '一次性还本付息',
};
const hasFees = (p: ProductView) => Number(p.upfrontFeeRate) > 0 || Number(p.monthlyFeeRate) > 0;

/** The consumer site, mounted at `/`. */
export function createWebApp(services: Services, kit: HttpKit, render: Render): Router {
  const { guards, limits, authenticate } = kit;
  const r = Router();
  const consumer = guards.consumer('page');

  r.get('/', guards.public, async (req, res) => {
    const raw = Object.fromEntries(Object.entries(req.query).filter(([, v]) => v !== ''));
    const parsed = productListQuery.safeParse(raw);
    const q = parsed.success ? parsed.data : productListQuery.parse({});
    const [page, categories] = await Promise.all([
      services.catalogue.searchListed({
        q: q.q,
        category: q.category,
        amountFen: q.amount,
        termMonths: q.termMonths,
        sort: q.sort,
        page: q.page,
        pageSize: 12,
      }),
      services.catalogue.categories(),
    ]);
    const link = (p: number) => `/?${new URLSearchParams({ ...(raw as Record<string, string>), page: String(p) })}`;
    await render(req, res, 'home', {
      title: '贷款比价',
      page: { ...page, items: page.items.map((p) => ({ ...p, hasFees: hasFees(p) })) },
      categories,
      query: { ...raw, amount: raw.amount },
      error: parsed.success ? undefined : { message: '部分筛选条件无效，已忽略' },
      pager:
        page.total > page.pageSize
          ? { prev: page.page > 1 ? link(page.page - 1) : null, next: page.page * page.pageSize < page.total ? link(page.page + 1) : null }
          : null,
    });
  });

  r.get('/products/:id', guards.public, async (req, res) => {
    const product = await services.catalogue.getListed(String(req.params.id));
    await render(req, res, 'product', {
      title: product.name,
      product,
      hasFees: hasFees(product),
      methodLabels: product.repaymentMethods.map((m) => methodLabels[m] ?? m),
    });
  });

  const showLogin = (req: Request, res: Response, extra: Record<string, unknown> = {}) =>
    render(req, res, 'login', { title: '登录', next: safeNext(req.query.next ?? req.body?.next, ''), ...extra });

  r.get('/login', guards.public, (req, res) => showLogin(req, res));
  r.post('/login', guards.public, ...limits.login, async (req, res) => {
    try {
      const body = parse(consumerLoginBody, { phone: req.body.phone, password: req.body.password }, '登录信息有误');
      req.body = body; // the strategy reads the validated, trimmed credentials
      const account = await authenticate('consumer', req, res);
      await establishLogin(req, account);
      res.redirect(303, safeNext(req.body.next, '/applications'));
    } catch (err) {
      if (!(err instanceof AppError) || err.code === 'internal') throw err;
      res.status(err.code === 'account_locked' ? 423 : err.code === 'validation_failed' ? 400 : 401);
      await showLogin(req, res, { error: { message: err.message, fields: err.fields }, values: { phone: req.body.phone } });
    }
  });

  r.get('/register', guards.public, (req, res) =>
    render(req, res, 'register', { title: '注册', next: safeNext(req.query.next, '') }),
  );
  r.post('/register', guards.public, limits.register, async (req, res) => {
    const { next, ...fields } = req.body as Record<string, string>;
    try {
      const body = parse(registerBody, { ...fields, displayName: fields.displayName || undefined }, '注册信息有误');
      const account = await services.accounts.registerConsumer(body);
      await establishLogin(req, account);
      await services.audit.record(
        { ...auditActor(req), kind: 'consumer', id: account.id },
        { action: 'account.registered', objectType: 'account', objectId: account.id },
      );
      req.session.flash = { kind: 'success', message: '注册成功，欢迎使用贷超' };
      res.redirect(303, safeNext(next, '/'));
    } catch (err) {
      if (!(err instanceof AppError)) throw err;
      res.status(err.code === 'account_exists' ? 409 : 400);
      await render(req, res, 'register', {
        title: '注册',
        next: safeNext(next, ''),
        error: { message: err.message, fields: err.fields },
        values: { phone: fields.phone, displayName: fields.displayName },
      });
    }
  });

  r.post('/logout', guards.public, async (req, res) => {
    await destroySession(req);
    res.clearCookie('dc.sid').redirect(303, '/');
  });

  const showApply = async (req: Request, res: Response, extra: Record<string, unknown> = {}) => {
    const product = await services.catalogue.getListed(String(req.params.productId));
    await render(req, res, 'apply', {
      title: `申请 ${product.name}`,
      product,
      purposes,
      values: { amount: product.minAmountFen / 100, termMonths: product.termOptions[0], purpose: purposes[0] },
      ...extra,
    });
  };

  r.get('/apply/:productId', consumer, (req, res) => showApply(req, res));
  r.post('/apply/:productId', consumer, formIdempotent(services.idempotency), async (req, res) => {
    try {
      const body = parse(applicationBody, { ...req.body, productId: String(req.params.productId) }, '申请信息有误');
      const application = await services.applications.create(req.account!, { ...body, amountFen: body.amount }, auditActor(req));
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
    await render(req, res, 'application', {
      title: app.productName,
      app,
      canWithdraw: !isTerminal(app.status) && app.status !== 'disbursed',
    });
  });

  r.post('/applications/:id/withdraw', consumer, async (req, res) => {
    const id = String(req.params.id);
    await services.applications.withdraw(req.account!.id, id, auditActor(req));
    req.session.flash = { kind: 'success', message: '申请已撤回' };
    res.redirect(303, `/applications/${id}`);
  });

  return r;
}
