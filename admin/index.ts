import { Router } from 'express';
import type { Services } from '../server/container';
import { auditActor } from '../server/http/audit-actor';
import type { HttpKit } from '../server/http/kit';
import { pageLoginRoutes } from '../server/http/page-login';
import type { Render } from '../server/http/render';
import { applicationStatuses, statusLabels, type ApplicationStatus } from '../server/modules/applications';
import { settingsRoutes } from './routes/settings';
import { agreementRoutes } from './routes/agreements';
import { applicationPage } from './routes/application-page';

/** The operator back office, mounted at `/admin`. */
export function createAdminApp(services: Services, kit: HttpKit, render: Render): Router {
  const { guards } = kit;
  const r = Router();
  const operator = guards.operator('page', 'applications.view');
  const dashboard = guards.operator('page', 'dashboard.view');

  pageLoginRoutes(r, kit, render, { kind: 'operator', title: '运营登录', prefix: '/admin', home: '/admin' });

  r.get('/', dashboard, async (req, res) => {
    const [counts, receivables, response, institutions] = await Promise.all([
      services.applications.countsByStatus(),
      services.settlement.receivables(),
      services.applications.responseStats(),
      services.institutions.list(),
    ]);
    const names = new Map(institutions.map((i) => [i.id, i.shortName]));
    await render(req, res, 'dashboard', {
      response: response.map((r) => ({ ...r, name: names.get(r.institutionId) ?? r.institutionId })),
      title: '概览',
      statusCounts: applicationStatuses.map((s) => ({ label: statusLabels[s], n: counts[s] ?? 0 })),
      receivables,
      totalReceivable: receivables.reduce((sum, r) => sum + r.amountFen, 0),
    });
  });

  r.get('/applications', operator, async (req, res) => {
    const status = (applicationStatuses as readonly string[]).includes(String(req.query.status))
      ? (req.query.status as ApplicationStatus)
      : undefined;
    const institutionId = typeof req.query.institutionId === 'string' && req.query.institutionId ? req.query.institutionId : undefined;
    const [applications, institutions] = await Promise.all([
      services.applications.listAll({ status, institutionId }),
      services.institutions.list(),
    ]);
    await render(req, res, 'applications', {
      title: '申请',
      applications,
      institutions,
      status,
      institutionId,
      statuses: applicationStatuses.map((s) => ({ value: s, label: statusLabels[s] })),
    });
  });

  r.get('/applications/:id', operator, (req, res) => applicationPage(req, res, services, render, String(req.params.id)));

  r.get('/outbox', guards.operator('page', 'outbox.view'), async (req, res) => {
    const rows = await services.notifications.outbox(200);
    await services.audit.record(auditActor(req), { action: 'outbox.viewed', objectType: 'outbox', objectId: null });
    await render(req, res, 'outbox', {
      title: '消息外发箱',
      messages: rows.map((m) => ({
        ...m,
        // with a real gateway the codes have left the building: never show them here
        body: m.provider === 'outbox' ? m.body : m.body.replace(/\d{6}/g, '******'),
      })),
    });
  });

  r.get('/risk', guards.operator('page', 'risk.view'), async (req, res) => {
    await render(req, res, 'risk', { title: '风险提示', flags: await services.risk.recentFlags(200), thresholds: services.risk.thresholds });
  });

  settingsRoutes(r, services, kit, render);
  agreementRoutes(r, services, kit, render);

  return r;
}
