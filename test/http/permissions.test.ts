import type { Router } from 'express';
import type request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listRoutes } from '../../server/http/guards';
import {
  channelCan,
  channelRoles,
  CUSTOM_ROLE,
  institutionCan,
  institutionRoles,
  operatorCan,
  operatorRoles,
  permissionTable,
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
  // 意见反馈 (issue 19)
  'GET /admin/feedback': 'feedback.handle',
  'GET /admin/feedback/:id': 'feedback.handle',
  'GET /admin/feedback/:id/screenshot': 'feedback.handle',
  'POST /admin/feedback/:id/tags': 'feedback.handle',
  'POST /admin/feedback/:id/assign': 'feedback.handle',
  'POST /admin/feedback/:id/answer': 'feedback.handle',
  'POST /admin/feedback/:id/close': 'feedback.handle',
  'GET /api/admin/v1/feedback': 'feedback.handle',
  'GET /api/admin/v1/feedback/:id': 'feedback.handle',
  'GET /api/admin/v1/feedback/:id/screenshot': 'feedback.handle',
  'POST /api/admin/v1/feedback/:id/tags': 'feedback.handle',
  'POST /api/admin/v1/feedback/:id/assign': 'feedback.handle',
  'POST /api/admin/v1/feedback/:id/answer': 'feedback.handle',
  'POST /api/admin/v1/feedback/:id/close': 'feedback.handle',
  // staff performance (issue 19)
  'GET /admin/performance': 'performance.view',
  'GET /admin/performance.csv': 'performance.view',
  'GET /admin/performance/institutions': 'performance.view',
  'GET /admin/performance/institutions.csv': 'performance.view',
  'GET /api/admin/v1/performance/operators': 'performance.view',
  'GET /api/admin/v1/performance/institutions/:id': 'performance.view',
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
  'POST /admin/institutions/:id/details': 'institutions.edit',
  'GET /admin/profile-reviews': 'institutions.review',
  'GET /admin/profile-reviews/:id': 'institutions.review',
  'POST /admin/profile-reviews/:id/approve': 'institutions.review',
  'POST /admin/profile-reviews/:id/reject': 'institutions.review',
  'POST /admin/users/:id/details': 'users.edit',
  'GET /api/admin/v1/profile-drafts': 'institutions.review',
  'GET /api/admin/v1/profile-drafts/:id': 'institutions.review',
  'POST /api/admin/v1/profile-drafts/:id/approve': 'institutions.review',
  'POST /api/admin/v1/profile-drafts/:id/reject': 'institutions.review',
  'PATCH /api/admin/v1/institutions/:id': 'institutions.edit',
  'PATCH /api/admin/v1/users/:id': 'users.edit',
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
  // custom roles (issue 19)
  'GET /admin/roles': 'roles.manage',
  'GET /admin/roles/holders': 'roles.manage',
  'POST /admin/roles': 'roles.manage',
  'POST /admin/roles/:id': 'roles.manage',
  'POST /admin/roles/:id/delete': 'roles.manage',
  'GET /api/admin/v1/roles': 'roles.manage',
  'GET /api/admin/v1/roles/holders': 'roles.manage',
  'POST /api/admin/v1/roles': 'roles.manage',
  'GET /api/admin/v1/roles/:id': 'roles.manage',
  'PUT /api/admin/v1/roles/:id': 'roles.manage',
  'DELETE /api/admin/v1/roles/:id': 'roles.manage',
  'PUT /api/admin/v1/staff/:id/role': 'staff.manage',
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
  // the customer-service desk (issue 19)
  'GET /admin/desk': 'desk.work',
  'GET /admin/desk/settings': 'desk.manage',
  'GET /admin/desk/reports': 'desk.manage',
  'POST /admin/desk/groups/:id': 'desk.manage',
  'POST /admin/desk/shifts': 'desk.manage',
  'POST /admin/desk/shifts/:id/delete': 'desk.manage',
  'POST /admin/desk/canned': 'desk.manage',
  'POST /admin/desk/canned/:id/delete': 'desk.manage',
  'GET /admin/desk/groups/:id/events': 'desk.work',
  'GET /admin/desk/conversations/:id': 'desk.work',
  'GET /admin/desk/conversations/:id/events': 'desk.work',
  'POST /admin/desk/conversations/:id/reveal': 'desk.work',
  'POST /admin/desk/conversations/:id/take': 'desk.work',
  'POST /admin/desk/conversations/:id/assign': 'desk.work',
  'POST /admin/desk/conversations/:id/transfer': 'desk.work',
  'POST /admin/desk/conversations/:id/reply': 'desk.work',
  'POST /admin/desk/conversations/:id/notes': 'desk.work',
  'POST /admin/desk/conversations/:id/complaint': 'desk.work',
  'POST /admin/desk/conversations/:id/close': 'desk.work',
  'GET /api/admin/v1/desk/queue': 'desk.work',
  'GET /api/admin/v1/desk/canned-replies': 'desk.work',
  'GET /api/admin/v1/desk/reports': 'desk.manage',
  'GET /api/admin/v1/desk/conversations/:id': 'desk.work',
  'POST /api/admin/v1/desk/conversations/:id/take': 'desk.work',
  'POST /api/admin/v1/desk/conversations/:id/assign': 'desk.work',
  'POST /api/admin/v1/desk/conversations/:id/transfer': 'desk.work',
  'POST /api/admin/v1/desk/conversations/:id/reply': 'desk.work',
  'POST /api/admin/v1/desk/conversations/:id/notes': 'desk.work',
  'POST /api/admin/v1/desk/conversations/:id/complaint': 'desk.work',
  'POST /api/admin/v1/desk/conversations/:id/close': 'desk.work',
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
  'GET /partner/statistics/staff': 'statistics.view',
  'GET /partner/statistics/staff.csv': 'statistics.view',
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
  // custom roles (issue 19)
  'GET /partner/roles': 'staff.manage',
  'GET /partner/roles/holders': 'staff.manage',
  'POST /partner/roles': 'staff.manage',
  'POST /partner/roles/:id': 'staff.manage',
  'POST /partner/roles/:id/delete': 'staff.manage',
  'GET /api/partner/v1/roles': 'staff.manage',
  'GET /api/partner/v1/roles/holders': 'staff.manage',
  'POST /api/partner/v1/roles': 'staff.manage',
  'GET /api/partner/v1/roles/:id': 'staff.manage',
  'PUT /api/partner/v1/roles/:id': 'staff.manage',
  'DELETE /api/partner/v1/roles/:id': 'staff.manage',
  'PUT /api/partner/v1/staff/:id/role': 'staff.manage',
  'GET /api/partner/v1/statistics': 'statistics.view',
  'GET /api/partner/v1/statistics/staff': 'statistics.view',
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
  'GET /partner/profile': 'profile.manage',
  'POST /partner/profile': 'profile.manage',
  'GET /api/partner/v1/profile': 'profile.manage',
  'POST /api/partner/v1/profile/drafts': 'profile.manage',
  'GET /api/partner/v1/profile/drafts/:id': 'profile.manage',
  'POST /partner/contracts/cooperation': 'profile.manage',
  'GET /partner/contracts/:id/pdf': 'loans.manage',
  'GET /api/partner/v1/contracts': 'loans.manage',
  'GET /api/partner/v1/contracts/:id/pdf': 'loans.manage',
  // the customer-service desk (issue 19): every staff member may ask the platform
  'GET /partner/desk': 'portal.view',
  'POST /partner/desk': 'portal.view',
  'GET /partner/desk/conversations/:id': 'portal.view',
  'GET /partner/desk/conversations/:id/events': 'portal.view',
  'POST /partner/desk/conversations/:id/messages': 'portal.view',
  'POST /partner/desk/conversations/:id/rating': 'portal.view',
  'GET /api/partner/v1/desk/groups': 'portal.view',
  'GET /api/partner/v1/desk/conversations': 'portal.view',
  'POST /api/partner/v1/desk/conversations': 'portal.view',
  'GET /api/partner/v1/desk/conversations/:id': 'portal.view',
  'POST /api/partner/v1/desk/conversations/:id/messages': 'portal.view',
  'POST /api/partner/v1/desk/conversations/:id/rating': 'portal.view',
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

/** The actor of the setup's role changes, and a granter holding the whole catalogue of a kind. */
const SYSTEM = { kind: 'system' } as const;
const everything = (kind: 'operator' | 'institution') => ({ role: CUSTOM_ROLE, customRole: { permissions: Object.keys(permissionTable(kind)) } });

/** Routes that end the caller's own sessions when allowed: the agent logs in again afterwards. */
const endsSession = (key: string) => key.endsWith('/logout-everywhere');

/** A concrete URL for a route pattern: parameters become ids that do not exist. */
const concrete = (path: string) => path.replace(/:(\w+)/g, (_m, name: string) => (name === 'key' ? 'no-such-setting' : `missing-${name}`)).replace(/\/$/, '') || '/';

describe('permission matrix', () => {
  let t: TestApp;
  const agents = new Map<string, { agent: ReturnType<typeof request.agent>; csrf: string }>();
  const customRoleIds: Partial<Record<'operator' | 'institution', string>> = {};
  const scopeOf = (kind: 'operator' | 'institution') => ({ kind, institutionId: kind === 'institution' ? t.fixtures.institutionA.id : null });

  /** Sends a role's agent to a route (an empty form with the CSRF token, or an empty JSON body) and says whether it was refused. */
  const attempt = async (kind: 'operator' | 'institution' | 'channel', role: string, r: DeclaredRoute) => {
    const { agent, csrf } = agents.get(`${kind}:${role}`)!;
    const url = concrete(r.path);
    const res =
      r.method === 'GET'
        ? await agent.get(url)
        : r.surface.startsWith('/api')
          ? await agent[r.method.toLowerCase() as 'post'](url).send({})
          : await agent[r.method.toLowerCase() as 'post'](url).type('form').send({ _csrf: csrf });
    const denied = res.status === 403;
    const loggedOut = res.status === 401 || (res.status === 303 && /\/login/.test(String(res.headers.location)));
    if (endsSession(r.key) && !denied) await signIn(kind, role);
    return { denied, loggedOut: loggedOut && !endsSession(r.key), status: res.status };
  };

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
    // one staff member per kind holding a custom role, whose permissions the custom-role test rewrites between requests
    for (const kind of ['operator', 'institution'] as const) {
      const scope = scopeOf(kind);
      const role = await t.container.services.roles.create(scope, { name: '矩阵角色', permissions: Object.keys(permissionTable(kind)) }, SYSTEM, everything(kind));
      customRoleIds[kind] = role.id;
      const account = await accounts.createStaff({ kind, username: kind === 'operator' ? 'op.custom' : 'a.custom', password: PASSWORD, displayName: 'custom', role: kind === 'operator' ? 'operations' : 'lead_handler', institutionId: scope.institutionId });
      await t.container.services.staff.changeRole(scope, account.id, role.id, SYSTEM, everything(kind));
      await signIn(kind, CUSTOM_ROLE);
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
          const permission = matrix[r.key]!;
          const allowed =
            kind === 'operator'
              ? operatorCan(role, permission as OperatorPermission)
              : kind === 'channel'
                ? channelCan(role, permission as ChannelPermission)
                : institutionCan(role, permission as InstitutionPermission);
          const { denied, loggedOut, status } = await attempt(kind, role, r);
          if (loggedOut || denied === allowed) wrong.push(`${role} ${r.key}: ${status}${allowed ? ' (should be allowed)' : ' (should be 403)'}`);
        }
      }
      expect(wrong).toEqual([]);
    });
  }

  /**
   * The matrix over custom roles: for each permission, the custom role rewritten to hold every
   * other permission gets 403 on every route that needs it, and rewritten to hold only it gets
   * through. The rewrite applies on the holder's next request, with no new login.
   */
  for (const kind of ['operator', 'institution'] as const) {
    const matrix: Record<string, string> = kind === 'operator' ? operatorMatrix : institutionMatrix;
    it(`a custom ${kind} role gets 403 exactly where it lacks the permission`, { timeout: 120_000 }, async () => {
      const routes = declaredRoutes(t, kind).filter((r) => matrix[r.key] !== 'public');
      const all = Object.keys(permissionTable(kind));
      const wrong: string[] = [];
      const grant = (permissions: string[]) => t.container.services.roles.update(scopeOf(kind), customRoleIds[kind]!, { name: '矩阵角色', permissions }, SYSTEM, everything(kind));
      for (const permission of all) {
        const needing = routes.filter((r) => matrix[r.key] === permission);
        for (const [permissions, allowed] of [[all.filter((p) => p !== permission), false], [[permission], true]] as const) {
          await grant([...permissions]);
          for (const r of needing) {
            const { denied, loggedOut, status } = await attempt(kind, CUSTOM_ROLE, r);
            if (loggedOut || denied === allowed) wrong.push(`${allowed ? 'only' : 'all but'} ${permission}: ${r.key}: ${status}${allowed ? ' (should be allowed)' : ' (should be 403)'}`);
          }
        }
      }
      expect(wrong).toEqual([]);
    });
  }
});
