import { Router } from 'express';
import type { Services } from '../../container';
import { NotFoundError } from '../../lib/errors';
import { auditActor } from '../audit-actor';
import type { HttpKit } from '../kit';
import { parse } from '../validate';
import { authRoutes } from './auth-routes';
import { accountSecurityRoutes, staffPasswordResetRoute } from './account-security';
import { auditApiRoutes } from './content-api';
import { jobsApiRoutes } from './jobs-api';
import { statusFilterQuery } from './schemas';
import { applicationJson, journalJson } from './serializers';
import { inYuan, statisticsRequest } from '../statistics';

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
