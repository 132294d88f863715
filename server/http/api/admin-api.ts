import { Router } from 'express';
import type { Services } from '../../container';
import { NotFoundError } from '../../lib/errors';
import { auditActor } from '../audit-actor';
import type { HttpKit } from '../kit';
import { destroySession, establishLogin } from '../session-login';
import { parse } from '../validate';
import { staffLoginBody, statusFilterQuery } from './schemas';
import { accountJson, applicationJson, journalJson } from './serializers';

/** `/api/admin/v1`: operators. */
export function adminApi(services: Services, kit: HttpKit): Router {
  const { guards, limits, authenticate } = kit;
  const r = Router();
  const operator = guards.operator('api');

  r.post('/auth/login', guards.public, ...limits.login, async (req, res) => {
    const body = parse(staffLoginBody, req.body, '登录信息有误');
    req.body = body; // the strategy reads the validated, trimmed credentials
    const account = await authenticate('operator', req, res);
    await establishLogin(req, account);
    res.json({ account: accountJson(account) });
  });

  r.post('/auth/logout', guards.public, async (req, res) => {
    await destroySession(req);
    res.clearCookie('dc.sid').status(204).end();
  });

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

  r.get('/receivables', operator, async (_req, res) => {
    const rows = await services.settlement.receivables();
    res.json({ items: rows.map((r) => ({ institutionId: r.institutionId, institutionName: r.institutionName, amount: r.amountFen / 100 })) });
  });

  r.use(guards.public, () => {
    throw new NotFoundError('接口');
  });
  return r;
}
