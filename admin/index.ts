import { Router } from 'express';
import type { Services } from '../server/container';
import { auditActor } from '../server/http/audit-actor';
import type { HttpKit } from '../server/http/kit';
import { loginPages } from '../server/http/page-login';
import { guard, mountPages } from '../server/http/page-route';
import type { Render } from '../server/http/render';
import { applicationStatuses, statusLabels, type ApplicationStatus } from '../server/modules/applications';
import { cancelReasonLabels, messageProviderLabel, outboxChannelLabels, outboxStatusLabels, smsTemplateLabel, type CancelReason } from '../server/modules/notifications';
import { dashboardRoutes } from './routes/dashboard';
import { auditRoutes } from './routes/audit';
import { contentRoutes } from './routes/content';
import { institutionRoutes } from './routes/institutions';
import { userRoutes } from './routes/users';
import { invitePages } from '../server/http/page-invite';
import { securityPages } from '../server/http/page-security';
import { staffPages } from '../server/http/page-staff';
import { feedbackRoutes } from './routes/feedback';
import { productReviewRoutes } from './routes/products';
import { promotionReviewRoutes } from './routes/promotions';
import { rankingRoutes } from './routes/ranking';

import { settingsRoutes } from './routes/settings';
import { jobRoutes } from './routes/jobs';
import { agreementRoutes } from './routes/agreements';
import { financeRoutes } from './routes/finance';
import { applicationPage } from './routes/application-page';
import { loanReportRoutes } from './routes/loans';

/** The operator back office, mounted at `/admin`. */
export function createAdminApp(services: Services, kit: HttpKit, render: Render, options: { mfaRequired: boolean }): Router {
  const { guards } = kit;
  const r = Router();
  const operator = guards.operator('page', 'applications.view');

  mountPages(r, loginPages({ kind: 'operator', title: '运营登录', prefix: '/admin', home: '/admin' }), services, kit, render);

  dashboardRoutes(r, services, kit, render);

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
    const rows = await services.notifications.outboxForOperator(auditActor(req), 200);
    await render(req, res, 'outbox', {
      title: '消息外发箱',
      // bodies are stored with their codes masked once a real gateway has them (NotificationsService.sendSms)
      messages: rows.map((m) => ({
        ...m,
        channelLabel: outboxChannelLabels[m.channel],
        templateLabel: smsTemplateLabel(m.template),
        statusText: outboxStatusLabels[m.status],
        providerLabel: messageProviderLabel(m.provider),
        cancelLabel: m.cancelReason ? (cancelReasonLabels[m.cancelReason as CancelReason] ?? m.cancelReason) : null,
      })),
    });
  });

  r.get('/risk', guards.operator('page', 'risk.view'), async (req, res) => {
    await render(req, res, 'risk', { title: '风险提示', flags: await services.risk.recentFlags(200), thresholds: await services.risk.thresholds() });
  });

  settingsRoutes(r, services, kit, render);
  jobRoutes(r, services, kit, render);
  institutionRoutes(r, services, kit, render);
  userRoutes(r, services, kit, render);
  mountPages(r, invitePages({ kind: 'operator', prefix: '/admin' }), services, kit, render);
  mountPages(r, securityPages({ prefix: '/admin', guard: guard.operator('dashboard.view', { allowSecuritySetup: true }), mfaRequired: options.mfaRequired }), services, kit, render);
  mountPages(r, staffPages({ prefix: '/admin', guard: guard.operator('staff.manage') }), services, kit, render);
  feedbackRoutes(r, services, kit, render);
  contentRoutes(r, services, kit, render);
  auditRoutes(r, services, kit, render);
  productReviewRoutes(r, services, kit, render);
  promotionReviewRoutes(r, services, kit, render);
  rankingRoutes(r, services, kit, render);
  agreementRoutes(r, services, kit, render);
  loanReportRoutes(r, services, kit, render);
  financeRoutes(r, services, kit, render);

  return r;
}
