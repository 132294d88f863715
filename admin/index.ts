import { Router } from 'express';
import type { Services } from '../server/container';
import { auditActor } from '../server/http/audit-actor';
import type { HttpKit } from '../server/http/kit';
import { guard, mountPages, page, type PageRoute } from '../server/http/page-route';
import { loginPages } from '../server/http/page-login';
import type { Render } from '../server/http/render';
import { applicationStatuses, statusLabels, type ApplicationStatus } from '../server/modules/applications';
import { cancelReasonLabels, messageProviderLabel, outboxChannelLabels, outboxStatusLabels, smsTemplateLabel, type CancelReason } from '../server/modules/notifications';
import { dashboardPages } from './routes/dashboard';
import { auditPages } from './routes/audit';
import { contentPages } from './routes/content';
import { institutionPages } from './routes/institutions';
import { userPages } from './routes/users';
import { invitePages } from '../server/http/page-invite';
import { securityPages } from '../server/http/page-security';
import { staffPages } from '../server/http/page-staff';
import { rolePages } from '../server/http/page-roles';
import { feedbackPages } from './routes/feedback';
import { userFeedbackPages } from './routes/user-feedback';
import { performancePages } from './routes/performance';
import { productReviewPages } from './routes/products';
import { profileReviewPages } from './routes/institution-profiles';
import { contractAdminPages } from './routes/contracts';
import { promotionReviewPages } from './routes/promotions';
import { rankingPages } from './routes/ranking';
import { offerReportPages } from './routes/offers';
import { searchPages } from './routes/search';

import { settingsPages } from './routes/settings';
import { jobPages } from './routes/jobs';
import { oddsPages } from './routes/odds';
import { channelStaffPages } from './routes/channel-staff';
import { agreementPages } from './routes/agreements';
import { financePages } from './routes/finance';
import { channelPayoutPages } from './routes/channel-payouts';
import { applicationPage } from './routes/application-page';
import { loanReportPages } from './routes/loans';
import { channelPages } from './routes/channels';
import { biPages } from './routes/bi';
import { deskAdminPages } from './routes/desk';

const applicationPages = [
  page({
    method: 'get',
    path: '/applications',
    guard: guard.operator('applications.view'),
    handler: async ({ req, services, render }) => {
      const status = (applicationStatuses as readonly string[]).includes(String(req.query.status))
        ? (req.query.status as ApplicationStatus)
        : undefined;
      const institutionId = typeof req.query.institutionId === 'string' && req.query.institutionId ? req.query.institutionId : undefined;
      const [applications, institutions] = await Promise.all([
        services.applications.listAll({ status, institutionId }),
        services.institutions.list(),
      ]);
      await render('applications', {
        title: '申请',
        applications,
        institutions,
        status,
        institutionId,
        statuses: applicationStatuses.map((s) => ({ value: s, label: statusLabels[s] })),
      });
    },
  }),
  page({
    method: 'get',
    path: '/applications/:id',
    guard: guard.operator('applications.view'),
    handler: (ctx) => applicationPage(ctx, ctx.params.id),
  }),
  page({
    method: 'get',
    path: '/outbox',
    guard: guard.operator('outbox.view'),
    handler: async ({ req, services, render }) => {
      const rows = await services.notifications.outboxForOperator(auditActor(req), 200);
      await render('outbox', {
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
    },
  }),
  page({
    method: 'get',
    path: '/risk',
    guard: guard.operator('risk.view'),
    handler: async ({ services, render }) => {
      await render('risk', { title: '风险提示', flags: await services.risk.recentFlags(200), thresholds: await services.risk.thresholds() });
    },
  }),
];

/** The operator back office, mounted at `/admin`. */
export function createAdminApp(services: Services, kit: HttpKit, render: Render, options: { mfaRequired: boolean }): Router {
  const r = Router();
  const mount = (routes: readonly PageRoute[]) => mountPages(r, routes, services, kit, render);

  mountPages(r, loginPages({ kind: 'operator', title: '运营登录', prefix: '/admin', home: '/admin' }), services, kit, render);

  mount(dashboardPages);
  mount(biPages);

  mount(applicationPages);

  mount(settingsPages);
  mount(jobPages);
  mount(oddsPages);
  mount(channelStaffPages);
  mount(institutionPages);
  mount(userPages);
  mount(invitePages({ kind: 'operator', prefix: '/admin' }));
  mount(securityPages({ prefix: '/admin', guard: guard.operator('dashboard.view', { allowSecuritySetup: true }), mfaRequired: options.mfaRequired }));
  mount(staffPages({ prefix: '/admin', guard: guard.operator('staff.manage') }));
  mount(rolePages({ prefix: '/admin', guard: guard.operator('roles.manage') }));
  mount(feedbackPages);
  mount(userFeedbackPages);
  mount(performancePages);
  mount(deskAdminPages);
  mount(contentPages);
  mount(auditPages);
  mount(productReviewPages);
  mount(profileReviewPages);
  mount(contractAdminPages);
  mount(promotionReviewPages);
  mount(rankingPages);
  mount(offerReportPages);
  mount(searchPages);
  mount(agreementPages);
  mount(loanReportPages);
  mount(channelPages);
  mount(financePages(services));
  mount(channelPayoutPages);

  return r;
}
