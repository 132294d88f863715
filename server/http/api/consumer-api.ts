import { Router } from 'express';
import type { Services } from '../../container';
import { NotFoundError } from '../../lib/errors';
import { auditActor } from '../audit-actor';
import { idempotent } from '../idempotency';
import type { HttpKit } from '../kit';
import { destroySession, establishLogin } from '../session-login';
import { parse } from '../validate';
import { applicationBody, consumerLoginBody, productListQuery, registerBody } from './schemas';
import { accountJson, applicationJson, productJson } from './serializers';

/** `/api/v1`: what the consumer site does, for apps. */
export function consumerApi(services: Services, kit: HttpKit): Router {
  const { guards, limits, authenticate } = kit;
  const r = Router();
  const consumer = guards.consumer('api');

  r.get('/products', guards.public, async (req, res) => {
    const q = parse(productListQuery, req.query, '查询参数有误');
    const page = await services.catalogue.searchListed({
      q: q.q,
      category: q.category,
      institution: q.institution,
      amountFen: q.amount,
      termMonths: q.termMonths,
      sort: q.sort,
      page: q.page,
      pageSize: q.pageSize,
    });
    res.json({ items: page.items.map(productJson), total: page.total, page: page.page, pageSize: page.pageSize });
  });

  r.get('/products/:id', guards.public, async (req, res) => {
    res.json(productJson(await services.catalogue.getListed(String(req.params.id))));
  });

  r.post('/auth/register', guards.public, limits.register, async (req, res) => {
    const body = parse(registerBody, req.body, '注册信息有误');
    const account = await services.accounts.registerConsumer(body);
    await establishLogin(req, account);
    await services.audit.record({ ...auditActor(req), kind: 'consumer', id: account.id }, { action: 'account.registered', objectType: 'account', objectId: account.id });
    res.status(201).json({ account: accountJson(account) });
  });

  r.post('/auth/login', guards.public, ...limits.login, async (req, res) => {
    const body = parse(consumerLoginBody, req.body, '登录信息有误');
    req.body = body; // the strategy reads the validated, trimmed credentials
    const account = await authenticate('consumer', req, res);
    await establishLogin(req, account);
    res.json({ account: accountJson(account) });
  });

  r.post('/auth/logout', guards.public, async (req, res) => {
    await destroySession(req);
    res.clearCookie('dc.sid').status(204).end();
  });

  r.get('/me', consumer, (req, res) => {
    res.json({ account: accountJson(req.account!) });
  });

  r.post('/applications', consumer, idempotent(services.idempotency, { required: true }), async (req, res) => {
    const body = parse(applicationBody, req.body, '申请信息有误');
    const application = await services.applications.create(
      req.account!,
      { ...body, amountFen: body.amount },
      auditActor(req),
    );
    res.status(201).json(applicationJson(application));
  });

  r.get('/applications', consumer, async (req, res) => {
    const items = await services.applications.listForConsumer(req.account!.id);
    res.json({ items: items.map(applicationJson) });
  });

  r.get('/applications/:id', consumer, async (req, res) => {
    res.json(applicationJson(await services.applications.getForConsumer(req.account!.id, String(req.params.id))));
  });

  r.post('/applications/:id/withdraw', consumer, idempotent(services.idempotency, { required: false }), async (req, res) => {
    res.json(applicationJson(await services.applications.withdraw(req.account!.id, String(req.params.id), auditActor(req))));
  });

  r.use(guards.public, () => {
    throw new NotFoundError('接口');
  });
  return r;
}
