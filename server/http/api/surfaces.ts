import type { Router } from 'express';
import type { Services } from '../../container';
import type { HttpKit } from '../kit';
import { buildApiRouter, guard, type ApiRoute } from './route-table';
import { loginRoutes, ownAccountRoutes, staffPasswordResetRoute } from './shared/auth.routes';
import { consumerAccountRoutes } from './consumer/account.routes';
import { consumerApplicationRoutes } from './consumer/applications.routes';
import { consumerAuthRoutes } from './consumer/auth.routes';
import { consumerCatalogueRoutes } from './consumer/catalogue.routes';
import { consumerComplaintRoutes } from './consumer/complaints.routes';
import { consumerCreditRoutes } from './consumer/credit.routes';
import { consumerOfferRoutes } from './consumer/offers.routes';
import { consumerGuideRoutes } from './consumer/guides.routes';
import { consumerLoanRoutes } from './consumer/loans.routes';
import { consumerPrecheckRoutes } from './consumer/precheck.routes';
import { consumerOddsRoutes } from './consumer/odds.routes';
import { partnerLeadRoutes } from './partner/leads.routes';
import { partnerLoanRoutes } from './partner/loans.routes';
import { partnerReviewRoutes } from './partner/reviews.routes';
import { partnerProductRoutes } from './partner/products.routes';
import { partnerSettlementRoutes } from './partner/settlement.routes';
import { adminApplicationRoutes } from './admin/applications.routes';
import { adminOperationsRoutes } from './admin/operations.routes';
import { adminSettlementRoutes } from './admin/settlement.routes';
import { adminChannelPayoutRoutes } from './admin/channel-payouts.routes';
import { adminSearchRoutes } from './admin/search.routes';
import { consumerContractRoutes } from './consumer/contracts.routes';
import { partnerContractRoutes } from './partner/contracts.routes';
import { adminContractRoutes } from './admin/contracts.routes';
import { channelPortalRoutes } from './channel/portal.routes';
import { adminChannelStaffRoutes } from './admin/channel-staff.routes';
import { adminChannelRoutes } from './admin/channels.routes';
import { adminBiRoutes } from './admin/bi.routes';
import { roleRoutes } from './shared/roles.routes';
import { consumerFeedbackRoutes } from './consumer/feedback.routes';
import { adminFeedbackRoutes } from './admin/feedback.routes';
import { consumerInstitutionRoutes } from './consumer/institutions.routes';
import { partnerProfileRoutes } from './partner/profile.routes';
import { adminInstitutionRoutes } from './admin/institutions.routes';
import { consumerDeskRoutes } from './consumer/desk.routes';
import { partnerDeskRoutes } from './partner/desk.routes';
import { adminDeskRoutes } from './admin/desk.routes';

/** One JSON API: where it is mounted and its routes, in matching order (a literal path before a `:param` one). */
export interface ApiSurface {
  mount: string;
  tag: string;
  description: string;
  routes: readonly ApiRoute[];
}

export const consumerApiSurface: ApiSurface = {
  mount: '/api/v1',
  tag: 'consumer',
  description: 'What the consumer site does, for apps: catalogue, calculator, recommendations, applying, loans, complaints, the own account',
  routes: [
    ...consumerCatalogueRoutes,
    ...consumerGuideRoutes,
    ...consumerAuthRoutes,
    ...consumerAccountRoutes,
    ...consumerApplicationRoutes,
    ...consumerComplaintRoutes,
    ...consumerFeedbackRoutes,
    ...consumerLoanRoutes,
    ...consumerCreditRoutes,
    ...consumerOfferRoutes,
    ...consumerPrecheckRoutes,
    ...consumerOddsRoutes,
    ...consumerContractRoutes,
    ...consumerInstitutionRoutes,
    ...consumerDeskRoutes,
  ],
};

export const partnerApiSurface: ApiSurface = {
  mount: '/api/partner/v1',
  tag: 'partner',
  description: "An institution's own systems, by staff session or API key: leads, products, loans, settlement, statistics",
  routes: [
    ...loginRoutes('institution'),
    ...ownAccountRoutes('institution', guard.institution('portal.view', { allowSecuritySetup: true, sessionOnly: true })),
    staffPasswordResetRoute('institution'),
    ...roleRoutes('institution'),
    ...partnerLeadRoutes,
    ...partnerProductRoutes,
    ...partnerLoanRoutes,
    ...partnerReviewRoutes,
    ...partnerSettlementRoutes,
    ...partnerContractRoutes,
    ...partnerProfileRoutes,
    ...partnerDeskRoutes,
  ],
};

export const adminApiSurface: ApiSurface = {
  mount: '/api/admin/v1',
  tag: 'admin',
  description: 'Operators: applications, settlement, the dashboard, the audit log, scheduled jobs, the search dictionary and report, channel partners and their postbacks',
  routes: [
    ...loginRoutes('operator'),
    ...ownAccountRoutes('operator', guard.operator('dashboard.view', { allowSecuritySetup: true })),
    staffPasswordResetRoute('operator'),
    ...roleRoutes('operator'),
    ...adminOperationsRoutes,
    ...adminApplicationRoutes,
    ...adminSettlementRoutes,
    ...adminChannelPayoutRoutes,
    ...adminSearchRoutes,
    ...adminContractRoutes,
    ...adminChannelStaffRoutes,
    ...adminChannelRoutes,
    ...adminBiRoutes,
    ...adminFeedbackRoutes,
    ...adminInstitutionRoutes,
    ...adminDeskRoutes,
  ],
};

export const channelApiSurface: ApiSurface = {
  mount: '/api/channel/v1',
  tag: 'channel',
  description: "A channel partner's staff, by session: the channel's links, its funnel by day and sub-ID (counts only, no personal data)",
  routes: [
    ...loginRoutes('channel'),
    ...ownAccountRoutes('channel', guard.channel('portal.view', { allowSecuritySetup: true })),
    ...channelPortalRoutes,
  ],
};

/** The four JSON APIs: the routers and the OpenAPI document are both built from this list. */
export const apiSurfaces: readonly ApiSurface[] = [consumerApiSurface, partnerApiSurface, adminApiSurface, channelApiSurface];

export const apiRouter = (surface: ApiSurface, services: Services, kit: HttpKit): Router => buildApiRouter(surface.routes, services, kit);
