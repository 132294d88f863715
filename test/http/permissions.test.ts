import type { Router } from 'express';
import type request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listRoutes } from '../../server/http/guards';
import {
  channelCan,
  channelRoles,
  institutionCan,
  institutionRoles,
  operatorCan,
  operatorRoles,
  type ChannelPermission,
  type InstitutionPermission,
  type OperatorPermission,
} from '../../server/modules/accounts/permissions';
import { channels } from '../../server/modules/channels';
import { PASSWORD } from '../support/fixtures';
import { startTestApp, type TestApp } from '../support/app';
import { csrfFrom, staffAgent } from '../support/http';

/**
 * The permission matrix. Every route of the staff surfaces has a row here naming the permission
 * it needs ('public' for login and logout). A route without a row fails the test, and every
 * role is sent to every route: those without the permission must get 403, the others must not.
 */
const operatorMatrix: Record<string, OperatorPermission | 'public'> = {
  'GET /admin/login': 'public',
  'POST /admin/login': 'public',
  'POST /admin/logout': 'public',
  'GET /admin/': 'dashboard.view',
  'GET /admin/dashboard/daily.csv': 'dashboard.view',
  'GET /admin/dashboard/institutions.csv': 'dashboard.view',
  'GET /admin/applications': 'applications.view',
  'GET /admin/applications/:id': 'applications.view',
  'GET /admin/outbox': 'outbox.view',
  'GET /admin/risk': 'risk.view',
  'GET /admin/settings': 'settings.manage',
  'GET /admin/offers': 'ranking.manage',
  'POST /admin/settings/:key': 'settings.manage',
  'GET /admin/complaints': 'complaints.handle',
  'GET /admin/complaints/:id': 'complaints.handle',
  'POST /admin/complaints/:id/assign': 'complaints.handle',
  'POST /admin/complaints/:id/status': 'complaints.handle',
  'POST /admin/complaints/:id/notes': 'complaints.handle',
  'POST /admin/complaints/:id/messages': 'complaints.handle',
  'GET /admin/reviews': 'reviews.moderate',
  'POST /admin/reviews/:id/moderate': 'reviews.moderate',
  'GET /admin/content/articles': 'content.manage',
  'GET /admin/content/articles/new': 'content.manage',
  'POST /admin/content/articles': 'content.manage',
  'GET /admin/content/articles/:id/edit': 'content.manage',
  'POST /admin/content/articles/:id': 'content.manage',
  'GET /admin/content/articles/:id/preview': 'content.manage',
  'POST /admin/content/articles/:id/publish': 'content.manage',
  'POST /admin/content/articles/:id/unpublish': 'content.manage',
  'POST /admin/content/articles/:id/delete': 'content.manage',
  'POST /admin/content/media': 'content.manage',
  'GET /admin/content/categories': 'content.manage',
  'POST /admin/content/categories': 'content.manage',
  'POST /admin/content/categories/:id': 'content.manage',
  'POST /admin/content/categories/:id/delete': 'content.manage',
  'GET /admin/content/campaigns': 'content.manage',
  'GET /admin/content/campaigns/new': 'content.manage',
  'POST /admin/content/campaigns': 'content.manage',
  'GET /admin/content/campaigns/:id/edit': 'content.manage',
  'POST /admin/content/campaigns/:id': 'content.manage',
  'POST /admin/content/campaigns/:id/delete': 'content.manage',
  'GET /admin/audit': 'audit.view',
  'GET /admin/audit/export.csv': 'audit.view',
  'GET /admin/products/review': 'products.review',
  'GET /admin/products/review/:versionId': 'products.review',
  'POST /admin/products/review/:versionId/approve': 'products.review',
  'POST /admin/products/review/:versionId/return': 'products.review',
  'GET /admin/products': 'products.review',
  'POST /admin/products/:id/pause': 'products.review',
  'POST /admin/products/:id/resume': 'products.review',
  'GET /admin/promotions': 'promotions.review',
  'POST /admin/promotions/:id/approve': 'promotions.review',
  'POST /admin/promotions/:id/reject': 'promotions.review',
  'GET /admin/ranking': 'ranking.manage',
  'POST /admin/ranking': 'ranking.manage',
  'GET /admin/agreements': 'agreements.manage',
  'GET /admin/institutions/:id/agreements': 'agreements.manage',
  'POST /admin/institutions/:id/agreements': 'agreements.manage',
  'POST /admin/applications/:id/commissions/reverse': 'agreements.manage',
  'POST /api/admin/v1/auth/login': 'public',
  'POST /api/admin/v1/auth/logout': 'public',
  'GET /api/admin/v1/applications': 'applications.view',
  'GET /api/admin/v1/applications/:id': 'applications.view',
  'GET /api/admin/v1/receivables': 'settlement.view',
  'GET /api/admin/v1/statements/:id': 'settlement.view',
  'POST /api/admin/v1/statements/:id/payments': 'settlement.manage',
  // channel payouts (issue 17)
  'GET /admin/channel-payouts': 'settlement.view',
  'GET /admin/channel-payouts/channels/:id/agreements': 'agreements.manage',
  'POST /admin/channel-payouts/channels/:id/agreements': 'agreements.manage',
  'GET /admin/channel-payouts/statements': 'settlement.view',
  'POST /admin/channel-payouts/statements/close': 'settlement.manage',
  'GET /admin/channel-payouts/statements/:id': 'settlement.view',
  'POST /admin/channel-payouts/statements/:id/issue': 'settlement.manage',
  'POST /admin/channel-payouts/statements/:id/payments': 'settlement.manage',
  'POST /admin/channel-payouts/lines/:lineId/resolve': 'settlement.manage',
  'GET /api/admin/v1/channel-agreements': 'agreements.manage',
  'POST /api/admin/v1/channel-agreements': 'agreements.manage',
  'GET /api/admin/v1/channel-statements': 'settlement.view',
  'GET /api/admin/v1/channel-statements/:id': 'settlement.view',
  'POST /api/admin/v1/channel-statements/:id/issue': 'settlement.manage',
  'POST /api/admin/v1/channel-statements/:id/payments': 'settlement.manage',
  'POST /api/admin/v1/channel-statement-lines/:id/resolution': 'settlement.manage',
  'GET /admin/finance': 'settlement.view',
  'POST /admin/finance/close': 'settlement.manage',
  'GET /admin/finance/receivables.csv': 'settlement.view',
  'GET /admin/finance/statements.csv': 'settlement.view',
  'GET /admin/finance/statements/:id': 'settlement.view',
  'POST /admin/finance/statements/:id/issue': 'settlement.manage',
  'POST /admin/finance/statements/:id/payments': 'settlement.manage',
  'POST /admin/finance/lines/:lineId/resolve': 'settlement.manage',
  'GET /admin/finance/reconciliations': 'settlement.view',
  'GET /admin/finance/reconciliations/:id': 'settlement.view',
  'POST /admin/finance/differences/:id/resolve': 'settlement.manage',
  'GET /admin/login/mfa': 'public',
  'POST /admin/login/mfa': 'public',
  'GET /admin/invite/:token': 'public',
  'POST /admin/invite/:token': 'public',
  'GET /admin/onboarding': 'institutions.review',
  'GET /admin/onboarding/:id': 'institutions.review',
  'GET /admin/onboarding/:id/licence': 'institutions.review',
  'POST /admin/onboarding/:id/approve': 'institutions.review',
  'POST /admin/onboarding/:id/reject': 'institutions.review',
  'POST /admin/onboarding/:id/request-info': 'institutions.review',
  'GET /admin/institutions': 'institutions.review',
  'GET /admin/institutions/:id': 'institutions.review',
  'POST /admin/institutions/:id/licence': 'institutions.review',
  'POST /admin/institutions/licence-check': 'institutions.review',
  'GET /admin/users': 'users.view',
  'GET /admin/users/:id': 'users.view',
  'POST /admin/users/:id/freeze': 'users.freeze',
  'POST /admin/users/:id/unfreeze': 'users.freeze',
  'POST /admin/users/:id/erasure': 'data.delete',
  'GET /admin/erasures': 'data.delete',
  'POST /admin/erasures/:id/approve': 'data.delete',
  'POST /admin/erasures/:id/reject': 'data.delete',
  'GET /admin/security': 'dashboard.view',
  'POST /admin/security/mfa/start': 'dashboard.view',
  'POST /admin/security/mfa/confirm': 'dashboard.view',
  'POST /admin/security/mfa/disable': 'dashboard.view',
  'POST /admin/security/password': 'dashboard.view',
  'POST /admin/security/logout-everywhere': 'dashboard.view',
  'POST /api/admin/v1/auth/password/change': 'dashboard.view',
  'POST /api/admin/v1/auth/logout-everywhere': 'dashboard.view',
  'POST /api/admin/v1/staff/:id/password-reset': 'staff.manage',
  'GET /admin/staff': 'staff.manage',
  'POST /admin/staff/invitations': 'staff.manage',
  'POST /admin/staff/invitations/:id/revoke': 'staff.manage',
  'POST /admin/staff/:id/role': 'staff.manage',
  'POST /admin/staff/:id/freeze': 'staff.manage',
  'POST /admin/staff/:id/unfreeze': 'staff.manage',
  'POST /admin/staff/:id/reset-password': 'staff.manage',
  'GET /api/admin/v1/dashboard': 'dashboard.view',
  'GET /api/admin/v1/audit': 'audit.view',
  'GET /admin/jobs': 'jobs.run',
  'POST /admin/jobs/:name/run': 'jobs.run',
  'GET /api/admin/v1/jobs': 'jobs.run',
  'POST /api/admin/v1/jobs/:name/run': 'jobs.run',
  'GET /admin/odds': 'dashboard.view',
  // channel partners' logins (issue 17)
  'GET /admin/channel-staff': 'staff.manage',
  'POST /admin/channel-staff': 'staff.manage',
  'GET /api/admin/v1/channels/:id/staff': 'staff.manage',
  'POST /api/admin/v1/channels/:id/staff': 'staff.manage',
  'GET /admin/bi': 'dashboard.view',
  'GET /admin/bi.csv': 'dashboard.view',
  'GET /admin/bi/drill': 'dashboard.view',
  'POST /admin/bi/views': 'dashboard.view',
  'GET /admin/bi/views/:id': 'dashboard.view',
  'POST /admin/bi/views/:id/delete': 'dashboard.view',
  'POST /admin/bi/rebuild': 'jobs.run',
  'GET /admin/bi/cohorts': 'dashboard.view',
  'GET /admin/bi/alerts': 'dashboard.view',
  'POST /admin/bi/alerts/subscriptions': 'dashboard.view',
  'POST /admin/bi/alerts/subscriptions/:id/delete': 'dashboard.view',
  'GET /api/admin/v1/bi/query': 'dashboard.view',
  'GET /api/admin/v1/bi/drill': 'dashboard.view',
  'GET /api/admin/v1/bi/views': 'dashboard.view',
  'POST /api/admin/v1/bi/views': 'dashboard.view',
  'GET /api/admin/v1/bi/views/:id': 'dashboard.view',
  'DELETE /api/admin/v1/bi/views/:id': 'dashboard.view',
  'GET /api/admin/v1/bi/cohorts': 'dashboard.view',
  'GET /api/admin/v1/bi/alerts': 'dashboard.view',
  'GET /api/admin/v1/bi/alerts/subscriptions': 'dashboard.view',
  'POST /api/admin/v1/bi/alerts/subscriptions': 'dashboard.view',
  'DELETE /api/admin/v1/bi/alerts/subscriptions/:id': 'dashboard.view',
  'POST /api/admin/v1/bi/rebuild': 'jobs.run',
  'POST /admin/odds/refit': 'jobs.run',
  'GET /admin/loans/overdue': 'loans.view',
  'GET /admin/search': 'search.manage',
  'POST /admin/search': 'search.manage',
  'POST /admin/search/revert': 'search.manage',
  'GET /api/admin/v1/search/queries': 'search.manage',
  'GET /api/admin/v1/search/dictionary': 'search.manage',
  'PUT /api/admin/v1/search/dictionary': 'search.manage',
  // contracts (issue 16)
  'GET /admin/contracts': 'audit.view',
  'POST /admin/contracts/verify-all': 'audit.view',
  'POST /admin/contracts/:id/verify': 'audit.view',
  'GET /admin/contracts/templates': 'products.review',
  'POST /admin/contracts/templates/publish': 'content.manage',
  'GET /admin/contracts/templates/:id': 'products.review',
  'POST /admin/contracts/templates/:id/review': 'products.review',
  'GET /api/admin/v1/contracts/:id/verify': 'audit.view',
  // channels: acquisition (issue 17)
  'GET /admin/channels': 'channels.manage',
  'GET /admin/channels/new': 'channels.manage',
  'POST /admin/channels': 'channels.manage',
  'GET /admin/channels/:id': 'channels.manage',
  'GET /admin/channels/:id/edit': 'channels.manage',
  'POST /admin/channels/:id': 'channels.manage',
  'POST /admin/channels/:id/status': 'channels.manage',
  'POST /admin/channels/:id/secret': 'channels.manage',
  'POST /admin/channels/:id/links': 'channels.manage',
  'POST /admin/channels/:id/links/:linkId/archive': 'channels.manage',
  'GET /api/admin/v1/channels': 'channels.manage',
  'POST /api/admin/v1/channels': 'channels.manage',
  'GET /api/admin/v1/channels/:id': 'channels.manage',
  'PATCH /api/admin/v1/channels/:id': 'channels.manage',
  'POST /api/admin/v1/channels/:id/postback-secret': 'channels.manage',
  'POST /api/admin/v1/channels/:id/links': 'channels.manage',
  'POST /api/admin/v1/channels/:id/links/:linkId/archive': 'channels.manage',
  'GET /api/admin/v1/channels/:id/postbacks': 'channels.manage',
  'POST /api/admin/v1/channels/:id/postbacks/:postbackId/retry': 'channels.manage',
  'POST /admin/channels/:id/postbacks/:postbackId/retry': 'channels.manage',
};

/** The channel partners' portal and API (issue 17). */
const channelMatrix: Record<string, ChannelPermission | 'public'> = {
  'GET /channel/login': 'public',
  'POST /channel/login': 'public',
  'GET /channel/login/mfa': 'public',
  'POST /channel/login/mfa': 'public',
  'POST /channel/logout': 'public',
  'GET /channel/security': 'portal.view',
  'POST /channel/security/mfa/start': 'portal.view',
  'POST /channel/security/mfa/confirm': 'portal.view',
  'POST /channel/security/mfa/disable': 'portal.view',
  'POST /channel/security/password': 'portal.view',
  'POST /channel/security/logout-everywhere': 'portal.view',
  'GET /channel/': 'portal.view',
  'GET /channel/links': 'portal.view',
  'GET /channel/postbacks': 'portal.view',
  'GET /channel/statements': 'portal.view',
  'GET /channel/statements/:id': 'portal.view',
  'POST /channel/statements/:id/lines/:lineId/dispute': 'statements.manage',
  'POST /api/channel/v1/auth/login': 'public',
  'POST /api/channel/v1/auth/logout': 'public',
  'POST /api/channel/v1/auth/password/change': 'portal.view',
  'POST /api/channel/v1/auth/logout-everywhere': 'portal.view',
  'GET /api/channel/v1/me': 'portal.view',
  'GET /api/channel/v1/links': 'portal.view',
  'GET /api/channel/v1/funnel': 'portal.view',
  'GET /api/channel/v1/postbacks': 'portal.view',
  'GET /api/channel/v1/statements': 'portal.view',
  'GET /api/channel/v1/statements/:id': 'portal.view',
  'POST /api/channel/v1/statement-lines/:id/dispute': 'statements.manage',
};

const institutionMatrix: Record<string, InstitutionPermission | 'public'> = {
  'GET /partner/login': 'public',
  'POST /partner/login': 'public',
  'POST /partner/logout': 'public',
  'GET /partner/': 'portal.view',
  'GET /partner/leads': 'leads.work',
  'GET /partner/leads.csv': 'leads.work',
  'POST /partner/leads/bulk': 'leads.work',
  'GET /partner/leads/:id': 'leads.work',
  'GET /partner/documents/:id': 'leads.work',
  'POST /partner/leads/:id/messages': 'leads.work',
  'POST /partner/leads/:id/reveal': 'leads.work',
  'POST /partner/leads/:id/status': 'leads.work',
  'GET /partner/api-keys': 'integration.manage',
  'POST /partner/api-keys': 'integration.manage',
  'POST /partner/api-keys/:id/revoke': 'integration.manage',
  'GET /partner/webhook': 'integration.manage',
  'POST /partner/webhook': 'integration.manage',
  'POST /partner/webhook/disable': 'integration.manage',
  'POST /partner/webhook/deliveries/:id/retry': 'integration.manage',
  'GET /partner/prescreen': 'prescreen.manage',
  'POST /partner/prescreen': 'prescreen.manage',
  'POST /partner/prescreen/presets': 'prescreen.manage',
  'POST /partner/prescreen/:id/toggle': 'prescreen.manage',
  'GET /partner/complaints': 'complaints.respond',
  'GET /partner/complaints/:id': 'complaints.respond',
  'POST /partner/complaints/:id/messages': 'complaints.respond',
  'GET /partner/statistics': 'statistics.view',
  'GET /partner/statistics/daily.csv': 'statistics.view',
  'GET /partner/statistics/products.csv': 'statistics.view',
  'GET /partner/products': 'products.manage',
  'GET /partner/products/new': 'products.manage',
  'POST /partner/products': 'products.manage',
  'GET /partner/products/:id': 'products.manage',
  'GET /partner/products/:id/edit': 'products.manage',
  'POST /partner/products/:id': 'products.manage',
  'GET /partner/products/:id/preview': 'products.manage',
  'POST /partner/products/:id/submit': 'products.manage',
  'POST /partner/products/:id/pause': 'products.manage',
  'POST /partner/products/:id/resume': 'products.manage',
  'POST /partner/products/:id/delist': 'products.manage',
  'GET /partner/promotions': 'promotions.request',
  'POST /partner/promotions': 'promotions.request',
  'POST /partner/promotions/:id/cancel': 'promotions.request',
  'POST /api/partner/v1/auth/login': 'public',
  'POST /api/partner/v1/auth/logout': 'public',
  'GET /api/partner/v1/leads': 'leads.work',
  'GET /api/partner/v1/leads/export.csv': 'leads.work',
  'GET /api/partner/v1/leads/:id': 'leads.work',
  'GET /api/partner/v1/leads/:id/documents': 'leads.work',
  'GET /api/partner/v1/documents/:id': 'leads.work',
  'GET /api/partner/v1/leads/:id/messages': 'leads.work',
  'POST /api/partner/v1/leads/:id/messages': 'leads.work',
  'POST /api/partner/v1/leads/:id/reveal': 'leads.work',
  'POST /api/partner/v1/leads/:id/status': 'leads.work',
  'GET /partner/login/mfa': 'public',
  'POST /partner/login/mfa': 'public',
  'GET /partner/join': 'public',
  'POST /partner/join': 'public',
  'GET /partner/join/:token': 'public',
  'POST /partner/join/:token/reply': 'public',
  'GET /partner/invite/:token': 'public',
  'POST /partner/invite/:token': 'public',
  'GET /partner/security': 'portal.view',
  'POST /partner/security/mfa/start': 'portal.view',
  'POST /partner/security/mfa/confirm': 'portal.view',
  'POST /partner/security/mfa/disable': 'portal.view',
  'POST /partner/security/password': 'portal.view',
  'POST /partner/security/logout-everywhere': 'portal.view',
  'POST /api/partner/v1/auth/password/change': 'portal.view',
  'POST /api/partner/v1/auth/logout-everywhere': 'portal.view',
  'POST /api/partner/v1/staff/:id/password-reset': 'staff.manage',
  'GET /partner/staff': 'staff.manage',
  'POST /partner/staff/invitations': 'staff.manage',
  'POST /partner/staff/invitations/:id/revoke': 'staff.manage',
  'POST /partner/staff/:id/role': 'staff.manage',
  'POST /partner/staff/:id/freeze': 'staff.manage',
  'POST /partner/staff/:id/unfreeze': 'staff.manage',
  'POST /partner/staff/:id/reset-password': 'staff.manage',
  'GET /api/partner/v1/statistics': 'statistics.view',
  'GET /api/partner/v1/products': 'products.manage',
  'POST /api/partner/v1/products': 'products.manage',
  'GET /api/partner/v1/products/:id': 'products.manage',
  'PUT /api/partner/v1/products/:id': 'products.manage',
  'POST /api/partner/v1/products/:id/submit': 'products.manage',
  'POST /api/partner/v1/products/:id/pause': 'products.manage',
  'POST /api/partner/v1/products/:id/resume': 'products.manage',
  'GET /partner/loans': 'loans.manage',
  'POST /partner/loans/repayment-channel': 'loans.manage',
  'GET /partner/loans/monitoring': 'loans.manage',
  'GET /partner/loans/:id': 'loans.manage',
  'POST /partner/loans/:id/schedule': 'loans.manage',
  'POST /partner/loans/:id/repayments': 'loans.manage',
  'GET /partner/collections': 'loans.manage',
  'GET /partner/collections/:id': 'loans.manage',
  'POST /partner/collections/:id/assign': 'loans.manage',
  'POST /partner/collections/:id/notes': 'loans.manage',
  'POST /partner/collections/:id/promises': 'loans.manage',
  'POST /partner/collections/:id/contacts': 'loans.manage',
  'POST /partner/collections/:id/close': 'loans.manage',
  'GET /api/partner/v1/loans': 'loans.manage',
  'GET /api/partner/v1/loans/:id': 'loans.manage',
  'POST /api/partner/v1/loans/:id/schedule': 'loans.manage',
  'POST /api/partner/v1/loans/:id/repayments': 'loans.manage',
  'GET /partner/statements': 'settlement.view',
  'GET /partner/statements/:id': 'settlement.view',
  'GET /partner/statements/:id/print': 'settlement.view',
  'GET /partner/statements/:id/download.csv': 'settlement.view',
  'POST /partner/statements/:id/lines/:lineId/review': 'settlement.manage',
  'GET /partner/statements/:id/pay': 'settlement.manage',
  'POST /partner/statements/:id/pay': 'settlement.manage',
  'GET /partner/reconciliations': 'settlement.view',
  'POST /partner/reconciliations': 'settlement.manage',
  'GET /partner/reconciliations/:id': 'settlement.view',
  'GET /api/partner/v1/statements': 'settlement.view',
  'GET /api/partner/v1/statements/unbilled': 'settlement.view',
  'GET /api/partner/v1/statements/:id': 'settlement.view',
  'POST /api/partner/v1/reconciliations': 'settlement.manage',
  'GET /api/partner/v1/reconciliations/:id': 'settlement.view',
  // contracts (issue 16)
  'GET /partner/contracts': 'loans.manage',
  'GET /partner/contracts/template': 'products.manage',
  'POST /partner/contracts/template': 'products.manage',
  'GET /partner/contracts/cooperation': 'profile.manage',
  'POST /partner/contracts/cooperation': 'profile.manage',
  'GET /partner/contracts/:id/pdf': 'loans.manage',
  'GET /api/partner/v1/contracts': 'loans.manage',
  'GET /api/partner/v1/contracts/:id/pdf': 'loans.manage',
  'GET /partner/approval-reviews': 'leads.work',
  'POST /partner/approval-reviews/:id/confirm': 'leads.confirm',
  'POST /partner/approval-reviews/:id/return': 'leads.confirm',
  'GET /partner/workflow': 'workflow.manage',
  'POST /partner/workflow': 'workflow.manage',
  'GET /api/partner/v1/approval-reviews': 'leads.work',
  'POST /api/partner/v1/approval-reviews/:id/confirm': 'leads.confirm',
  'POST /api/partner/v1/approval-reviews/:id/return': 'leads.confirm',
  'GET /api/partner/v1/approval-policy': 'workflow.manage',
  'PUT /api/partner/v1/approval-policy': 'workflow.manage',
  'GET /partner/loans/schedule-changes': 'loans.manage',
  'POST /partner/loans/:id/schedule-changes/:changeId/offer': 'loans.manage',
  'POST /partner/loans/:id/schedule-changes/:changeId/decline': 'loans.manage',
  'GET /api/partner/v1/schedule-changes': 'loans.manage',
  'GET /api/partner/v1/loans/:id/schedule-changes': 'loans.manage',
  'POST /api/partner/v1/schedule-changes/:id/offer': 'loans.manage',
  'POST /api/partner/v1/schedule-changes/:id/decline': 'loans.manage',
};

interface DeclaredRoute {
  key: string;
  method: string;
  path: string;
  guard: string | undefined;
  surface: string;
}

function declaredRoutes(t: TestApp, kind: 'operator' | 'institution' | 'channel'): DeclaredRoute[] {
  const surfaces = t.app.locals.staffSurfaces as Record<string, Router & { stack: never }>;
  const mounts = kind === 'operator' ? ['/admin', '/api/admin/v1'] : kind === 'channel' ? ['/channel', '/api/channel/v1'] : ['/partner', '/api/partner/v1'];
  return mounts.flatMap((mount) =>
    listRoutes(surfaces[mount]!)
      .filter((r) => r.path !== '*' && !r.path.startsWith('*'))
      .map((r) => ({ key: `${r.method} ${mount}${r.path}`, method: r.method, path: `${mount}${r.path}`, guard: r.guard, surface: mount })),
  );
}

/** Routes that end the caller's own sessions when allowed: the agent logs in again afterwards. */
const endsSession = (key: string) => key.endsWith('/logout-everywhere');

/** A concrete URL for a route pattern: parameters become ids that do not exist. */
const concrete = (path: string) => path.replace(/:(\w+)/g, (_m, name: string) => (name === 'key' ? 'no-such-setting' : `missing-${name}`)).replace(/\/$/, '') || '/';

describe('permission matrix', () => {
  let t: TestApp;
  const agents = new Map<string, { agent: ReturnType<typeof request.agent>; csrf: string }>();

  const signIn = async (kind: 'operator' | 'institution' | 'channel', role: string) => {
    const [surface, username] =
      kind === 'operator' ? (['admin', `op.${role}`] as const) : kind === 'channel' ? (['channel', `ch.${role}`] as const) : (['partner', `a.${role}`] as const);
    const agent = await staffAgent(t.app, surface, username);
    const page = await agent.get(`/${surface}/`);
    agents.set(`${kind}:${role}`, { agent, csrf: csrfFrom(page.text) });
  };

  beforeAll(async () => {
    t = await startTestApp();
    const { accounts } = t.container.services;
    for (const role of operatorRoles) {
      await accounts.createStaff({ kind: 'operator', username: `op.${role}`, password: PASSWORD, displayName: role, role });
      await signIn('operator', role);
    }
    for (const role of institutionRoles) {
      await accounts.createStaff({ kind: 'institution', username: `a.${role}`, password: PASSWORD, displayName: role, role, institutionId: t.fixtures.institutionA.id });
      await signIn('institution', role);
    }
    await t.container.database.db.insert(channels).values({ id: 'chn_matrix', code: 'matrix', name: '矩阵渠道', type: 'feed_ads' });
    for (const role of channelRoles) {
      await accounts.createStaff({ kind: 'channel', username: `ch.${role}`, password: PASSWORD, displayName: role, role, channelId: 'chn_matrix' });
      await signIn('channel', role);
    }
  }, 120_000);
  afterAll(async () => t?.close());

  for (const kind of ['operator', 'institution', 'channel'] as const) {
    const matrix: Record<string, string> = kind === 'operator' ? operatorMatrix : kind === 'channel' ? channelMatrix : institutionMatrix;

    it(`every ${kind} route has a row, and its guard asks for that permission`, () => {
      const routes = declaredRoutes(t, kind);
      expect(routes.length).toBeGreaterThan(10);
      const missing = routes.filter((r) => !(r.key in matrix)).map((r) => r.key);
      expect(missing, 'routes without a row in the permission matrix').toEqual([]);
      for (const r of routes) {
        const expected = matrix[r.key] === 'public' ? 'public' : `${kind}:${r.surface.startsWith('/api') ? 'api' : 'page'}:${matrix[r.key]}`;
        expect(r.guard, r.key).toBe(expected);
      }
      const stale = Object.keys(matrix).filter((key) => !routes.some((r) => r.key === key));
      expect(stale, 'rows for routes that no longer exist').toEqual([]);
    });

    const roles: readonly string[] = kind === 'operator' ? operatorRoles : kind === 'channel' ? channelRoles : institutionRoles;
    it(`each ${kind} role gets 403 exactly where it lacks the permission`, { timeout: 120_000 }, async () => {
      const routes = declaredRoutes(t, kind).filter((r) => matrix[r.key] !== 'public');
      const wrong: string[] = [];
      for (const role of roles) {
        for (const r of routes) {
          const { agent, csrf } = agents.get(`${kind}:${role}`)!;
          const permission = matrix[r.key]!;
          const allowed =
            kind === 'operator'
              ? operatorCan(role, permission as OperatorPermission)
              : kind === 'channel'
                ? channelCan(role, permission as ChannelPermission)
                : institutionCan(role, permission as InstitutionPermission);
          const url = concrete(r.path);
          const isApi = r.surface.startsWith('/api');
          const res =
            r.method === 'GET'
              ? await agent.get(url)
              : isApi
                ? await agent[r.method.toLowerCase() as 'post'](url).send({})
                : await agent[r.method.toLowerCase() as 'post'](url).type('form').send({ _csrf: csrf });
          const denied = res.status === 403;
          const loggedOut = res.status === 401 || (res.status === 303 && /\/login/.test(String(res.headers.location)));
          if ((loggedOut && !endsSession(r.key)) || denied === allowed) wrong.push(`${role} ${r.key}: ${res.status}${allowed ? ' (should be allowed)' : ' (should be 403)'}`);
          if (endsSession(r.key) && !denied) await signIn(kind, role);
        }
      }
      expect(wrong).toEqual([]);
    });
  }
});
